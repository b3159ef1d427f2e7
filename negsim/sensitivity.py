r"""Sensitivity of a sweep output to the scenario's parameters.

* :func:`tornado_table` -- one-at-a-time: each parameter is set to the low and the high
  end of its range while every other keeps the scenario's value; parameters are ranked by
  the swing ``|y(high) - y(low)|`` (the tornado diagram of decision analysis).
* :func:`sobol_indices` -- variance-based first-order and total indices
  (Sobol' 2001; Saltelli et al. 2010 estimators) with SALib: ``S1_i`` is the share of the
  output's variance explained by parameter i alone, ``ST_i`` including its interactions.
  The inputs are independent and uniform on the given ranges; ``n`` base samples cost
  ``n (k + 2)`` model evaluations for k parameters (first order and total only).

Outputs are the columns of a :func:`negsim.sweeps.sweep` summary (``agreement_round``,
``payoff.russia``, ``terms.territory`` ...). Points are evaluated with
:func:`negsim.sweeps.evaluate_points`, so the batch path, backends and chunking apply.

References
----------
Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
their Monte Carlo estimates. Mathematics and Computers in Simulation 55(1-3).
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer
Physics Communications 181(2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from negsim.errors import NegsimError
from negsim.scenario import Scenario
from negsim.sweeps import evaluate_points

__all__ = ["sobol_indices", "tornado_table"]


def _output(frame: pd.DataFrame, output: str) -> np.ndarray:
    if output not in frame.columns:
        choices = [c for c in frame.columns if c not in {"point", "error"}]
        raise NegsimError(f"unknown output '{output}'; choose from {', '.join(choices)}")
    bad = frame["error"].dropna()
    if len(bad):
        raise NegsimError(f"{len(bad)} point(s) could not be solved; first: {bad.iloc[0]}")
    return frame[output].to_numpy(dtype=float)


def tornado_table(
    scenario: Scenario,
    ranges: Mapping[str, tuple[float, float]],
    output: str = "agreement_round",
    **options: Any,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of ``output`` to each parameter's range.

    Parameters
    ----------
    scenario : the base scenario (its values are the base case).
    ranges : dotted path -> (low, high).
    output : a summary column of :func:`negsim.sweeps.sweep`.
    **options : passed to :func:`negsim.sweeps.evaluate_points` (``backend``, ``workers``,
        ``progress`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per parameter, largest swing first: ``parameter``, ``low``, ``high``,
        ``output_low``, ``output_high``, ``base`` (the output of the scenario itself),
        ``swing = |output_high - output_low|`` (NaN outputs, e.g. no agreement, give a
        NaN swing and sort last).

    Examples
    --------
    >>> import negsim
    >>> s = negsim.load("textbook/rubinstein_finite")
    >>> table = tornado_table(s, {"actors.alice.discount": (0.5, 0.95),
    ...     "actors.bob.discount": (0.5, 0.95)}, output="payoff.alice", backend="serial")
    >>> table["parameter"].tolist()
    ['actors.bob.discount', 'actors.alice.discount']
    """
    paths = list(ranges)
    points: list[dict[str, Any]] = [{}]
    for path in paths:
        low, high = ranges[path]
        points += [{path: low}, {path: high}]
    frame = evaluate_points(scenario, points, **options)
    y = _output(frame, output)
    rows = []
    for k, path in enumerate(paths):
        low, high = ranges[path]
        y_low, y_high = y[1 + 2 * k], y[2 + 2 * k]
        rows.append(
            {
                "parameter": path,
                "low": float(low),
                "high": float(high),
                "output_low": y_low,
                "output_high": y_high,
                "base": y[0],
                "swing": abs(y_high - y_low),
            }
        )
    table = pd.DataFrame(rows)
    table = table.sort_values("swing", ascending=False, na_position="last", kind="stable")
    table.attrs["output"] = output
    return table.reset_index(drop=True)


def sobol_indices(
    scenario: Scenario,
    ranges: Mapping[str, tuple[float, float]],
    n: int = 256,
    output: str = "agreement_round",
    seed: int | None = None,
    nan_value: float | None = None,
    **options: Any,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of ``output`` over uniform parameter ranges.

    Parameters
    ----------
    scenario : the base scenario.
    ranges : dotted path -> (low, high); each parameter uniform on its range.
    n : base sample size, a power of 2 (Sobol' sequence); ``n (k + 2)`` evaluations.
    output : a summary column of :func:`negsim.sweeps.sweep`.
    seed : scrambling seed of the Sobol' sequence and the bootstrap (default
        ``scenario.seed``).
    nan_value : value standing in for a missing output (for ``agreement_round``, no
        agreement, the default is the number of rounds); other outputs with missing
        values raise.
    **options : passed to :func:`negsim.sweeps.evaluate_points`.

    Returns
    -------
    pandas.DataFrame
        ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95 % bootstrap
        half-widths), largest ``ST`` first.

    Notes
    -----
    Uses ``SALib.sample.sobol.sample(problem, n, calc_second_order=False)`` and
    ``SALib.analyze.sobol.analyze`` (SALib >= 1.5).
    """
    try:
        from SALib.analyze import sobol as sobol_analyze
        from SALib.sample import sobol as sobol_sample
    except ImportError:  # pragma: no cover - optional dependency
        raise NegsimError("Sobol indices need SALib: pip install SALib") from None
    if n < 2 or n & (n - 1):
        raise NegsimError(f"n must be a power of 2 (Sobol' sequence), got {n}")
    seed = scenario.seed if seed is None else seed
    names = list(ranges)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(ranges[k][0]), float(ranges[k][1])] for k in names],
    }
    X = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    points = [dict(zip(names, map(float, row), strict=True)) for row in X]
    frame = evaluate_points(scenario, points, **options)
    y = _output(frame, output)
    if np.isnan(y).any():
        if nan_value is None and output == "agreement_round":
            nan_value = float(scenario.rounds)
        if nan_value is None:
            raise NegsimError(f"output '{output}' is missing at some points; pass nan_value=")
        y = np.where(np.isnan(y), nan_value, y)
    if np.ptp(y) == 0:
        S = {key: np.zeros(len(names)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        S = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    table = pd.DataFrame(
        {
            "parameter": names,
            "S1": S["S1"],
            "S1_conf": S["S1_conf"],
            "ST": S["ST"],
            "ST_conf": S["ST_conf"],
        }
    )
    table.attrs["output"] = output
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
