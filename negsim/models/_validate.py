"""Argument validation shared by the model modules.

Every check converts its argument with :func:`numpy.asarray` (so scalars and arrays are handled
alike), raises :class:`ValueError` naming the argument, the offending value and the valid range,
and returns the converted array so that callers can write ``x = check_unit("x", x)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "check_finite",
    "check_in_range",
    "check_integer",
    "check_nonnegative",
    "check_probability_vector",
    "check_unit",
]


def _first_bad(values: NDArray[Any], bad: NDArray[np.bool_]) -> Any:
    """Return the first offending value (a scalar) for an error message."""
    return np.asarray(values)[np.asarray(bad)].ravel()[0].item()


def check_finite(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising if any entry is NaN or infinite."""
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if np.any(bad):
        raise ValueError(f"{name} must be finite, got {name}={_first_bad(arr, bad)!r}")
    return arr


def check_in_range(
    name: str,
    value: ArrayLike,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless every entry lies in the interval.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : array_like
        Values to check.
    low, high : float
        Interval end points.
    low_open, high_open : bool
        Whether the corresponding end point is excluded.

    Examples
    --------
    >>> check_in_range("delta", 0.5, 0.0, 1.0)
    array(0.5)
    >>> check_in_range("delta", 1.5, 0.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: delta must lie in [0.0, 1.0], got delta=1.5
    """
    arr = np.asarray(value, dtype=float)
    too_low = arr <= low if low_open else arr < low
    too_high = arr >= high if high_open else arr > high
    bad = too_low | too_high | np.isnan(arr)
    if np.any(bad):
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}, got {name}={_first_bad(arr, bad)!r}")
    return arr


def check_unit(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless it lies in ``[0, 1]``."""
    return check_in_range(name, value, 0.0, 1.0)


def check_nonnegative(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless it is ``>= 0`` and finite."""
    return check_in_range(name, check_finite(name, value), 0.0, np.inf)


def check_integer(name: str, value: Any, low: int = 0, high: float = np.inf) -> int:
    """Return ``value`` as a Python ``int``, raising unless it is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {name}={value!r}")
    ivalue = int(value)
    if not low <= ivalue <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {name}={value!r}")
    return ivalue


def check_probability_vector(
    name: str, value: ArrayLike, *, atol: float = 1e-9
) -> NDArray[np.float64]:
    """Return ``value`` as a float array of probabilities in ``[0, 1]`` summing to 1 on the
    last axis, raising otherwise."""
    arr = check_unit(name, value)
    total = arr.sum(axis=-1)
    bad = np.abs(total - 1.0) > atol
    if np.any(bad):
        raise ValueError(
            f"{name} must sum to 1 (a probability vector), got sum({name})={_first_bad(total, bad)!r}"
        )
    return arr
