"""The sweep's rows from arrays over points: one summary row per point, or one row per
(point, round, actor). The batch path and :func:`negsim.solve` (one point) both end here,
so a row never depends on which path produced it; with worlds, :func:`worlds_frame` adds
the analyst's outcome to a batch-path point as ``negsim.sweeps`` does to a solved one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from negsim.engine import RoundArrays, RoundSolution
from negsim.results.derived import agreement_probability, agreement_round, ripe, surplus_share
from negsim.results.outcomes import deal_outcomes

__all__ = ["point_frame", "solution_arrays", "terms_at", "worlds_frame"]


def solution_arrays(sol: RoundSolution) -> dict[str, np.ndarray]:
    """A solved scenario's SPE arrays with a points axis of length 1 (the keys of
    :func:`negsim.engine.points.solve_points`), plus ``payoff.<concept>`` for the others."""
    out = {
        "deal": sol.deal["spe"],
        "x": sol.x["spe"],
        "y": sol.y["spe"],
        "payoff": sol.payoff["spe"],
        "threat": sol.threat,
        "continuation": sol.continuation,
        "gain": sol.delay_gain["spe"],
        "delay": sol.preferred_delay["spe"],
    }
    out.update({f"payoff.{c}": p for c, p in sol.payoff.items() if c != "spe"})
    return {k: v[None] for k, v in out.items()}


def point_frame(
    a: RoundArrays,
    transition: np.ndarray,
    sol: Mapping[str, np.ndarray],
    outputs: str,
    index: np.ndarray,
) -> pd.DataFrame:
    """Rows of solved points in the headline state (the one the game starts in, whose
    numbers are ``a``): ``outputs="summary"`` (agreement round and probability, terms then,
    payoff, threat and delay gain at round 0, first ripe round, other concepts' payoffs)
    or ``"actors"`` (the SPE's per-actor columns of ``Result.actors``)."""
    deal = sol["deal"]
    n, T, _ = deal.shape
    N = len(a.actors)
    players = a.players
    gain = sol["gain"][:, :, 0]
    if outputs == "summary":
        cumulative = np.cumsum(agreement_probability(deal, transition), axis=1)
        t_agree = agreement_round(cumulative)
        has = ~np.isnan(t_agree)
        at = np.where(has, t_agree, 0).astype(int)
        columns: dict[str, Any] = {
            "point": index,
            "agreement_round": t_agree,
            "agreement_probability": cumulative[:, -1],
        }
        rows = np.arange(n)
        x_at = sol["x"][rows, at, 0]
        y_at = sol["y"][rows, at, 0]
        for k, issue in enumerate(a.positions):
            columns[f"terms.{issue}"] = np.where(has, x_at[:, k], np.nan)
        for q, pie in enumerate(a.pies):
            for m in np.flatnonzero(a.members[:, q]):
                columns[f"terms.{pie}.{a.actors[m]}"] = np.where(has, y_at[:, m, q], np.nan)
        for measure, table in (
            ("payoff", sol["payoff"]),
            ("threat", sol["threat"]),
            ("delay", sol["gain"]),
        ):
            for i, actor in enumerate(a.actors):
                columns[f"{measure}.{actor}"] = table[:, 0, 0, i]
        is_ripe = ripe(deal[:, :, 0], gain, players)
        columns["ripe_round"] = np.where(is_ripe.any(axis=1), np.argmax(is_ripe, axis=1), np.nan)
        for key in sol:
            if key.startswith("payoff."):
                for i, actor in enumerate(a.actors):
                    columns[f"{key[len('payoff.') :]}.payoff.{actor}"] = sol[key][:, 0, 0, i]
        return pd.DataFrame(columns)
    payoff = sol["payoff"][:, :T, 0]
    threat = sol["threat"][:, :T, 0]
    surplus, share = surplus_share(payoff, threat, players)
    return pd.DataFrame(
        {
            "point": np.repeat(index, T * N),
            "concept": "spe",
            "round": np.tile(np.repeat(np.arange(T), N), n),
            "actor": np.tile(a.actors, n * T),
            "threat_point": threat.ravel(),
            "continuation": sol["continuation"][:, :, 0].ravel(),
            "payoff": payoff.ravel(),
            "surplus": surplus.ravel(),
            "surplus_share": share.ravel(),
            "delay_incentive": gain.ravel(),
            "preferred_delay": sol["delay"][:, :, 0].ravel(),
        }
    )


def worlds_frame(
    sols: Sequence[RoundSolution], deal: np.ndarray, outputs: str, index: np.ndarray
) -> pd.DataFrame:
    """The rows of points of a scenario with worlds solved on the sweep's batch path:
    ``sols`` the engine's (round, regime) view of each point's subjective SPE, ``deal``
    (n, T) the analyst's ``P(deal at t)``, ``index`` (n,) the points' numbers.

    Summary rows carry the outcome under the analyst's beliefs, as the sweep reads it from a
    solved :class:`negsim.Result` (:mod:`negsim.results.outcomes`): ``agreement_round`` the
    first round by which ``sum_{s<=t} P(deal at s) >= 1/2`` (NaN if never),
    ``agreement_probability`` ``sum_t P(deal at t)``, ``expected_agreement_round`` ``sum_t t
    P(deal at t) + T P(no deal)``, ``war_probability`` ``max(0, 1 - sum_t P(deal at t))``,
    ``deal_now`` ``P(deal at 0)``, ``payoff.<actor>`` the SPE payoff at round 0 in the
    starting regime (the continuation value where no settlement is made) and ``terms.*``
    those of :meth:`negsim.Result.terms` at the agreement round (the starting regime's, or
    the first regime's with a deal then).
    """
    arrays = [solution_arrays(sol) for sol in sols]
    stacked = {key: np.concatenate([a[key] for a in arrays]) for key in arrays[0]}
    # the headline arrays' names, members and players are those of every world
    a = sols[0].arrays[0]
    frame = point_frame(a, sols[0].transition, stacked, outputs, index)
    if outputs != "summary":
        return frame
    for column, values in deal_outcomes(deal).items():
        frame[column] = values
    payoff, continuation = stacked["payoff"][:, 0, 0], stacked["continuation"][:, 0, 0]
    value = np.where(np.isfinite(payoff), payoff, continuation)
    for i, actor in enumerate(a.actors):
        frame[f"payoff.{actor}"] = value[:, i]
    for column, values in terms_at(a, stacked, frame["agreement_round"].to_numpy()).items():
        frame[column] = values
    return frame


def terms_at(a: RoundArrays, sol: Mapping[str, np.ndarray], t: np.ndarray) -> dict[str, np.ndarray]:
    """``terms.*`` columns of n points: the SPE settlement (``sol``'s ``deal`` (n, T, S),
    ``x``, ``y``) at each point's agreement round ``t`` (n,) (NaN: no deal, NaN terms), in
    the starting regime if a deal comes there then, else the first regime with one (the
    rule of :meth:`negsim.Result.terms`); ``a`` names the issues and pie members."""
    n = len(t)
    rows = np.arange(n)
    at = np.where(np.isnan(t), 0, t).astype(int)
    dealt = (sol["deal"][rows, at] > 0) & ~np.isnan(t)[:, None]  # (n, S)
    has = dealt.any(axis=1)
    r = np.argmax(dealt, axis=1)  # the starting regime (0) if a deal comes there
    x, y = sol["x"][rows, at, r], sol["y"][rows, at, r]
    columns = {
        f"terms.{issue}": np.where(has, x[:, k], np.nan) for k, issue in enumerate(a.positions)
    }
    for q, pie in enumerate(a.pies):
        for m in np.flatnonzero(a.members[:, q]):
            columns[f"terms.{pie}.{a.actors[m]}"] = np.where(has, y[:, m, q], np.nan)
    return columns
