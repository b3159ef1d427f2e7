r"""Points of a sweep: grids, draws from a scenario's ``uncertainty`` and grid specs.

A sweep evaluates a scenario at *points*, each a mapping of dotted parameter paths
(``actors.us.discount``) to values. :func:`grid_points` takes the cartesian product of
value lists (the last path varies fastest, like :func:`itertools.product`);
:func:`sample_points` draws from the distributions of ``scenario.uncertainty``.

Randomness (STYLE point 8): one seed enters at the top. Point ``k`` draws from its own
generator ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[k])`` (equivalently
``SeedSequence(seed, spawn_key=(k,))``), one draw per uncertain path in the order the
scenario lists them, so a point's values depend only on ``(seed, k)`` and never on how
the sweep is chunked or how many workers run it.

Distributions (:class:`negsim.scenario.Distribution`):

==========  ===========================================================================
uniform     ``U(low, high)``
normal      ``N(mean, sd)``, truncated to ``[low, high]`` where those are given (inverse
            CDF of the truncated law, one uniform per draw)
beta        ``Beta(a, b)`` scaled to ``[low, high]`` (default ``[0, 1]``)
triangular  ``Tri(low, mode, high)``
choice      one of ``values`` with probabilities ``weights`` (normalised; equal if absent)
==========  ===========================================================================

Limits: a sweep holds at most :data:`MAX_POINTS` points (grid points times samples);
:func:`parse_grid_spec` refuses a range of more values, and bounds or values that are not
finite numbers, before anything is computed.

Scaling a schedule (:func:`scaled`): every value of a parameter's time path is multiplied
by one factor, so its shape (a cost that starts in round 4, a linear rise) is kept:
``constant`` ``value``; ``linear`` ``start``, ``slope``, ``min``, ``max``; ``exponential``
``start``, ``min``, ``max`` (not ``rate``); ``steps`` ``initial`` and every step's
``value``; ``piecewise`` every point's value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

from negsim.errors import NegsimError
from negsim.scenario import Distribution, Scenario

__all__ = [
    "MAX_POINTS",
    "draw",
    "grid_points",
    "parse_grid_spec",
    "point_rng",
    "sample_points",
    "scaled",
]

#: The most points one sweep may have (grid points times samples). A million points of
#: ``ukraine_2025`` peak at about 1.3 GB (README, "Speed"); the rows, the points and the
#: figures of a sweep are all held in memory.
MAX_POINTS = 2_000_000


class GridSpecError(NegsimError, ValueError):
    """A ``--grid`` specification that cannot be read."""


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid`` as a list of points (the last path varies fastest).

    Examples
    --------
    >>> grid_points({"a": [1, 2], "b": [0.5]})
    [{'a': 1, 'b': 0.5}, {'a': 2, 'b': 0.5}]
    """
    paths = list(grid)
    for path in paths:
        if len(grid[path]) == 0:
            raise GridSpecError(f"grid values for '{path}' are empty")
    return [dict(zip(paths, values, strict=True)) for values in itertools.product(*grid.values())]


def point_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of point ``index``: ``SeedSequence(seed).spawn(...)[index]``.

    Examples
    --------
    >>> a = point_rng(7, 3).random()
    >>> b = np.random.default_rng(np.random.SeedSequence(7).spawn(4)[3]).random()
    >>> a == b
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def draw(dist: Distribution, rng: np.random.Generator) -> float:
    """One value of ``dist`` from ``rng`` (see the module docstring for each law)."""
    if dist.dist == "uniform":
        return float(rng.uniform(_num(dist.low), _num(dist.high)))
    if dist.dist == "normal":
        return float(_truncated_normal(dist, np.array([rng.random()]))[0])
    if dist.dist == "beta":
        low = 0.0 if dist.low is None else dist.low
        high = 1.0 if dist.high is None else dist.high
        return float(low + (high - low) * rng.beta(_num(dist.a), _num(dist.b)))
    if dist.dist == "triangular":
        return float(rng.triangular(_num(dist.low), _num(dist.mode), _num(dist.high)))
    values = np.asarray(dist.values, dtype=float)
    weights = None if dist.weights is None else np.asarray(dist.weights, dtype=float)
    if weights is not None:
        weights = weights / weights.sum()
    return float(values[rng.choice(len(values), p=weights)])


def _truncated_normal(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """The truncated normal's quantiles at uniforms ``u`` (inverse-CDF sampling)."""
    assert dist.mean is not None and dist.sd is not None
    lo = -np.inf if dist.low is None else (dist.low - dist.mean) / dist.sd
    hi = np.inf if dist.high is None else (dist.high - dist.mean) / dist.sd
    return dist.mean + dist.sd * stats.truncnorm.ppf(u, lo, hi)


def _num(value: float | None) -> float:
    assert value is not None  # guaranteed by the scenario's validation
    return float(value)


def sample_points(
    scenario: Scenario, samples: int, seed: int, skip: Sequence[str] = ()
) -> list[dict[str, float]]:
    """``samples`` points drawn from ``scenario.uncertainty`` (paths in ``skip`` left out).

    Raises
    ------
    NegsimError
        When the scenario has no ``uncertainty`` section to draw from.
    """
    dists = {k: v for k, v in scenario.uncertainty.items() if k not in set(skip)}
    if samples and not dists:
        raise NegsimError(
            f"scenario '{scenario.name}' has no 'uncertainty:' section to draw samples from"
        )
    for path, dist in dists.items():
        if dist.low is not None and dist.high is not None and dist.low > dist.high:
            raise NegsimError(
                f"uncertainty.{path}: low ({dist.low:g}) is above high ({dist.high:g}); swap them"
            )
    normal = [path for path, dist in dists.items() if dist.dist == "normal"]
    points = []
    for k in range(samples):
        rng = point_rng(seed, k)
        # a normal takes one uniform, turned into its quantile below for all points at once
        # (as `draw` does one by one; scipy's ppf costs ~0.2 ms per call)
        points.append(
            {
                path: rng.random() if dist.dist == "normal" else draw(dist, rng)
                for path, dist in dists.items()
            }
        )
    for path in normal:
        values = _truncated_normal(dists[path], np.array([p[path] for p in points]))
        for point, value in zip(points, values, strict=True):
            point[path] = float(value)
    return points


def parse_grid_spec(spec: str) -> tuple[str, list[Any]]:
    """Read ``path=low:high:n`` (n evenly spaced values) or ``path=v1,v2,...``.

    Examples
    --------
    >>> parse_grid_spec("actors.us.discount=0.8:0.9:3")
    ('actors.us.discount', [0.8, 0.85, 0.9])
    >>> parse_grid_spec("rounds=5,10")
    ('rounds', [5, 10])
    """
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise GridSpecError(f"bad grid spec {spec!r}: expected PATH=LOW:HIGH:N or PATH=V1,V2,...")
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise GridSpecError(f"bad grid spec {spec!r}: a range is LOW:HIGH:N")
        try:
            low, high, n = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise GridSpecError(
                f"bad grid spec {spec!r}: LOW and HIGH must be numbers and N a whole number"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise GridSpecError(f"bad grid spec {spec!r}: LOW and HIGH must be finite numbers")
        if n < 1:
            raise GridSpecError(f"bad grid spec {spec!r}: N must be at least 1")
        if n > MAX_POINTS:
            raise GridSpecError(
                f"bad grid spec {spec!r}: {n:,} values, more than the {MAX_POINTS:,} points a "
                "sweep may have"
            )
        return path, [float(v) for v in np.round(np.linspace(low, high, n), 12)]
    out: list[Any] = []
    for raw in values.split(","):
        text = raw.strip()
        try:
            out.append(int(text))
        except ValueError:
            try:
                out.append(float(text))
            except ValueError:
                raise GridSpecError(f"bad grid spec {spec!r}: {text!r} is not a number") from None
        if not math.isfinite(out[-1]):
            raise GridSpecError(f"bad grid spec {spec!r}: {text!r} is not a finite number")
    return path, out


def scaled(value: Any, factor: float) -> Any:
    """A number or schedule (plain data, as in YAML) with every value times ``factor``.

    Parameters
    ----------
    value : a number or a schedule mapping (``{"kind": "steps", ...}``).
    factor : the multiplier.

    Returns
    -------
    The scaled number (a constant schedule becomes a number) or a new mapping.

    Examples
    --------
    >>> scaled({"kind": "steps", "initial": 0.0, "steps": [{"round": 4, "value": 0.05}]}, 2)
    {'kind': 'steps', 'initial': 0.0, 'steps': [{'round': 4, 'value': 0.1}]}
    >>> scaled({"kind": "linear", "start": 0.01, "slope": 0.002, "max": 0.1}, 0.5)
    {'kind': 'linear', 'start': 0.005, 'slope': 0.001, 'max': 0.05}
    """
    if not isinstance(value, dict):
        return value * factor
    kind = value.get("kind", "constant")
    if kind == "constant":
        return value["value"] * factor
    out = dict(value)
    for key in ("start", "slope", "min", "max", "initial"):
        if out.get(key) is not None:
            out[key] = out[key] * factor
    if kind == "steps":
        out["steps"] = [{**step, "value": step["value"] * factor} for step in value["steps"]]
    if kind == "piecewise":
        out["points"] = [[r, v * factor] for r, v in value["points"]]
    return out
