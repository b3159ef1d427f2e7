"""The sweep's rows of points solved on the private-types route
(:class:`negsim.engine.type_points.TypeBatch`): the rows :func:`negsim.sweeps.sweep` makes
from :func:`negsim.solve` for such points, computed from the arrays and the screening
equilibria directly rather than from a :class:`negsim.Result`'s tables.

Summary rows: ``P(deal at t)`` is the screening equilibrium's over the prior
(:func:`negsim.results.screening.deal_by_round`; Fudenberg & Tirole 1991, sec. 10.2), and
the agreement columns its :func:`negsim.results.outcomes.deal_outcomes`; ``payoff.ACTOR``
every actor's value at the start expected over the informed actor's types under the prior;
``terms.*`` the complete-information settlement at the complete-information agreement round
(:func:`negsim.results.rows.terms_at`); ``threat.*``, ``delay.*`` and ``ripe_round`` the
complete-information arrays' (:func:`negsim.results.rows.point_frame`).
Rows per actor are the complete-information ones, as for :func:`negsim.solve`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from negsim.engine.arrays import RoundArrays
from negsim.engine.screening import State
from negsim.engine.type_points import TypePoints
from negsim.results.outcomes import deal_outcomes
from negsim.results.rows import point_frame, terms_at
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
    # the complete-information terms at the complete-information agreement round
    t = frame["agreement_round"].to_numpy()
    for column, values in terms_at(a, solved.base, t).items():
        frame[column] = values
    # the screening equilibrium's outcome under the prior
    p = np.stack([deal_by_round(s) for s in solved.screenings])  # (n, T)
    for column, values in deal_outcomes(p).items():
        frame[column] = values
    N = len(a.actors)
    payoffs = np.stack(
        [s.prior @ s.node_values[0, 0, State(0)][0][:, :N] for s in solved.screenings]
    )
    for i, actor in enumerate(a.actors):
        frame[f"payoff.{actor}"] = payoffs[:, i]
    return frame
