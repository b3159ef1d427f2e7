"""The sweep's rows of points solved on the private-types route
(:class:`negsim.engine.type_points.TypeBatch`): the rows :func:`negsim.sweeps.sweep` makes
from :func:`negsim.solve` for such points, computed from the arrays and the screening
equilibria directly rather than from a :class:`negsim.Result`'s tables.

Summary rows (the definitions are those of :mod:`negsim.results.outcomes` and
``negsim.sweeps._with_beliefs``): ``P(deal at t)`` is the screening equilibrium's over the
prior (:func:`negsim.results.screening.deal_by_round`; Fudenberg & Tirole 1991, sec. 10.2);
``agreement_round`` the first round by which ``sum_{s<=t} P(deal at s) >= 1/2``,
``agreement_probability`` ``sum_t P(deal at t)``, ``expected_agreement_round``
``sum_t t P(deal at t) + T P(no deal)``, ``war_probability`` ``max(0, P(no deal))``,
``deal_now`` ``P(deal at 0)``; ``payoff.ACTOR`` every actor's value at the start expected
over the informed actor's types under the prior; ``terms.*`` the complete-information
settlement at the complete-information agreement round (:meth:`negsim.Result.terms`: the
starting regime's, else the first regime's with a deal then); ``threat.*``, ``delay.*`` and
``ripe_round`` the complete-information arrays' (:func:`negsim.results.rows.point_frame`).
Rows per actor are the complete-information ones, as for :func:`negsim.solve`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from negsim.engine.arrays import RoundArrays
from negsim.engine.screening import State
from negsim.engine.type_points import TypePoints
from negsim.results.derived import agreement_round
from negsim.results.rows import point_frame
from negsim.results.screening import deal_by_round

__all__ = ["type_frame"]


def type_frame(
    a: RoundArrays, transition: np.ndarray, solved: TypePoints, outputs: str, index: np.ndarray
) -> pd.DataFrame:
    """Rows of the points in ``solved`` (``index``: their point numbers), ``a`` the
    starting regime's arrays (see the module docstring)."""
    frame = point_frame(a, transition, solved.base, outputs, index)
    if outputs != "summary" or not len(frame):
        return frame
    deal, n = solved.base["deal"], len(index)
    T = deal.shape[1]
    # the complete-information terms at the complete-information agreement round
    t = frame["agreement_round"].to_numpy()
    at = np.where(np.isnan(t), 0, t).astype(int)
    rows = np.arange(n)
    dealt = deal[rows, at] > 0  # (n, S)
    regime = np.where(dealt[:, 0], 0, np.argmax(dealt, axis=1))
    has = ~np.isnan(t) & dealt.any(axis=1)
    x, y = solved.base["x"][rows, at, regime], solved.base["y"][rows, at, regime]
    for k, issue in enumerate(a.positions):
        frame[f"terms.{issue}"] = np.where(has, x[:, k], np.nan)
    for q, pie in enumerate(a.pies):
        for m in np.flatnonzero(a.members[:, q]):
            frame[f"terms.{pie}.{a.actors[m]}"] = np.where(has, y[:, m, q], np.nan)
    # the screening equilibrium's outcome under the prior
    p = np.stack([deal_by_round(s) for s in solved.screenings])  # (n, T)
    cumulative = np.cumsum(p, axis=1)
    frame["agreement_round"] = agreement_round(cumulative)
    frame["agreement_probability"] = cumulative[:, -1]
    frame["expected_agreement_round"] = [float(np.arange(T) @ q + T * (1.0 - q.sum())) for q in p]
    frame["war_probability"] = [max(0.0, float(1.0 - q.sum())) for q in p]
    frame["deal_now"] = p[:, 0]
    N = len(a.actors)
    payoffs = np.stack(
        [s.prior @ s.node_values[0, 0, State(0)][0][:, :N] for s in solved.screenings]
    )
    for i, actor in enumerate(a.actors):
        frame[f"payoff.{actor}"] = payoffs[:, i]
    return frame
