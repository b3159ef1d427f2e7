r"""Leverage without the proposer's artefacts: each actor's ex-ante value, and its trend.

Under a fixed rotation the SPE payoff at round t mostly says *who proposes at t*: the
proposer keeps the surplus above the others' continuation values, so payoffs zig-zag with
the rotation and the last round hands everything to the last proposer. The standard
remedy is random recognition (Binmore 1987, section 5; Baron & Ferejohn 1989; Okada 1996):
the proposer of every round is drawn at random, and an actor's *ex-ante value*
``v_i(t)`` -- what it expects from the negotiation at round t before the proposer is
known -- is the average over proposers of what the SPE gives it:

.. math::

    v_i(t, s) = \sum_j p_j\, u_i\big(\text{offer of } j \text{ at } t \mid C(t, s)\big),
    \qquad C_i(t, s) = w_i(t, s) + \delta_i(t, s)\, E[v_i(t+1) \mid s],

(or ``C_i(t, s)`` itself where the proposer prefers to wait). The recognition
probabilities ``p_j`` are each actor's share of the scenario's proposer rotation (its own
recognition probabilities when it has them), so who proposes *how often* is kept and only
*when* is averaged out. Limiting cases: Rubinstein's game with one pie and discount
factors ``d_a, d_b`` gives the stationary ``v_a = (1 - d_b) / (2 - d_a - d_b)``, which
tends to the asymmetric Nash solution ``r_b / (r_a + r_b)`` as the period shrinks
(``d_i = exp(-r_i dt)``; Binmore, Rubinstein & Wolinsky 1986); equal discounts give each
half the pie in every round.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from negsim.engine import StateSpace, backward_induction
from negsim.engine.arrays import RoundArrays
from negsim.engine.offers import GeneralOffers

__all__ = ["LEVERAGE_NOTE", "ROUNDS_PER_YEAR", "ex_ante_values", "recognition_shares", "trend"]

#: Rounds in a year for each time unit (a trend is stated per year where the unit has one).
ROUNDS_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "quarter": 4.0, "year": 1.0}

#: One line saying what the leverage measure is (figures and reports).
LEVERAGE_NOTE = (
    "ex-ante value: each actor's SPE value before the proposer is known "
    "(proposer drawn with its share of the rotation; Binmore 1987, Baron & Ferejohn 1989)"
)


def recognition_shares(a: RoundArrays) -> np.ndarray:
    """(N,) recognition probabilities: the scenario's own, or each actor's share of the
    proposer rotation (``[us, russia, us, ukraine]`` gives the US 1/2)."""
    if a.recognition is not None:
        return np.asarray(a.recognition, dtype=float)
    assert a.proposers is not None
    counts = np.bincount(np.asarray(a.proposers, dtype=int), minlength=len(a.actors))
    return counts / counts.sum()


def ex_ante_values(space: StateSpace, terminal: str) -> np.ndarray:
    """Ex-ante values ``v(t, s)`` (T + 1, S, N) of the game with random recognition
    (see the module docstring); the engine's own backward induction on a copy of the
    state space whose rotation is replaced by :func:`recognition_shares`."""
    arrays = [
        dataclasses.replace(a, proposers=None, recognition=recognition_shares(a))
        for a in space.arrays
    ]
    random = StateSpace(space.labels, arrays, space.transition)
    discount = np.stack([a.discount for a in arrays])[None]
    flow = np.stack([a.flow for a in arrays])[None]
    out = backward_induction(random, discount, flow, GeneralOffers(random), terminal)
    return out.value[0]


def trend(rounds: np.ndarray, values: np.ndarray) -> tuple[float, float, float]:
    """Start, end and fitted slope of a series over the horizon.

    ``start`` and ``end`` are the means over the first and last third of the rounds
    (at least one round each), the slope the least-squares line through every round
    (per round). Means over thirds and a fit over all rounds keep a single round -- the
    last, where the horizon ends the game -- from deciding the direction.

    >>> trend(np.arange(6), np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]))
    (0.05, 0.45, 0.1)
    """
    rounds = np.asarray(rounds, dtype=float)
    values = np.asarray(values, dtype=float)
    third = max(1, len(values) // 3)
    slope = float(np.polyfit(rounds, values, 1)[0]) if len(values) > 1 else 0.0
    return (
        round(float(values[:third].mean()), 12),
        round(float(values[-third:].mean()), 12),
        round(slope, 12),
    )
