"""Outputs derived from the engine's arrays, each computed in one place.

All functions take a leading points axis (any number of leading axes) so that a solved
scenario (one point) and the sweep's batch path (many) share them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from negsim.models.parametric_lp import row_products

__all__ = [
    "NON_TERM_COLUMNS",
    "agreement_probability",
    "agreement_round",
    "ripe",
    "round_dates",
    "surplus_share",
]

#: Columns of ``Result.rounds`` that are not settlement terms.
NON_TERM_COLUMNS = frozenset(
    {"concept", "regime", "round", "date", "proposer", "deal", "control", "ripe"}
)
_FREQ = {"month": "MS", "week": "W-MON", "day": "D", "year": "YS", "quarter": "QS"}
_REACHED = 0.5 - 1e-9  # the agreement round: the deal has come with probability >= 1/2
_WAIT = 1e-9  # a delay gain above this is a reason to wait
_SURPLUS = 1e-12  # a total surplus at most this has no shares


def agreement_probability(deal: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """Probability that the deal comes at each round, from state 0.

    ``P(t) = sum_s pi_t(s) d(t, s)`` with ``pi_0 = e_0`` and
    ``pi_{t+1}(s') = sum_s pi_t(s) (1 - d(t, s)) K[s, s']``: deal probabilities
    ``d`` (..., T, S) and kernel K (S, S). Returns (..., T).

    >>> agreement_probability(np.array([[0.5], [1.0]]), np.ones((1, 1))).tolist()
    [0.5, 0.5]
    """
    alive = np.zeros(deal.shape[:-2] + deal.shape[-1:])
    alive[..., 0] = 1.0
    T = deal.shape[-2]
    prob = np.zeros(deal.shape[:-1])
    for t in range(T):
        prob[..., t] = (alive * deal[..., t, :]).sum(axis=-1)
        left = alive * (1 - deal[..., t, :])  # row by row: a sweep point's chunk cannot matter
        alive = row_products(left.reshape(-1, left.shape[-1]), transition).reshape(left.shape)
    return prob


def agreement_round(cumulative: np.ndarray) -> np.ndarray:
    """First round by which the deal has come with probability >= 1/2 (NaN if never),
    from cumulative probabilities (..., T)."""
    reached = cumulative >= _REACHED
    return np.where(reached.any(axis=-1), np.argmax(reached, axis=-1), np.nan)


def ripe(deal: np.ndarray, gain: np.ndarray, players: np.ndarray) -> np.ndarray:
    """Ripe rounds (Zartman 1989, as a mutually hurting stalemate): a deal comes and no
    bargaining player gains by waiting. ``deal`` (..., T), ``gain`` (..., T, N)."""
    return (deal > 0) & ~np.any(gain[..., players] > _WAIT, axis=-1)


def surplus_share(
    payoff: np.ndarray, threat: np.ndarray, players: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Surplus ``payoff - W`` and each bargaining player's share of the players' total
    (leverage; NaN for others and where the total is not positive), over (..., N)."""
    surplus = payoff - threat
    total = np.where(players, surplus, 0.0).sum(axis=-1, keepdims=True)
    share = np.where(
        players & (total > _SURPLUS), surplus / np.where(total > _SURPLUS, total, 1.0), np.nan
    )
    return surplus, share


def round_dates(metadata: dict[str, Any], rounds: list[int]) -> list[pd.Timestamp | None]:
    """Calendar date of each round from ``start_date`` and ``time_unit`` (None without)."""
    start = metadata.get("start_date")
    freq = _FREQ.get(str(metadata.get("time_unit", "")).rstrip("s"))
    if not start or not freq:
        return [None] * len(rounds)
    index = pd.date_range(pd.Timestamp(start), periods=max(rounds) + 1, freq=freq)
    if index[0] != pd.Timestamp(start):  # anchor on the start date itself
        index = index.shift(-1).insert(0, pd.Timestamp(start))[: max(rounds) + 1]
    return [index[t] for t in rounds]
