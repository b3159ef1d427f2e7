"""How the game ends: war at the horizon, or the last round repeated forever.

``terminal: war`` -- every actor gets its utility of the war outcome at T,
``W_i(T) = V_i(T) = u_i(x_war)``. ``terminal: stationary`` -- the last round repeats;
disagreement forever is worth ``W = w + beta K W`` (per actor, over states) and the
values at T are the fixed point of the Bellman step, found by value iteration
(:func:`negsim.engine.bellman.stationary_tail`), reproducing Rubinstein (1982) and
Baron-Ferejohn (1989).
"""

from __future__ import annotations

import math

import numpy as np

from negsim.engine.offers import settlement_space
from negsim.engine.states import StateSpace
from negsim.engine.tolerances import STATIONARY_MAX_ROUNDS, STATIONARY_TOL
from negsim.models import spatial

__all__ = [
    "perpetual_disagreement",
    "stationary_failure",
    "stationary_round_limit",
    "tail_error",
    "war_utilities",
]


def war_utilities(space: StateSpace) -> np.ndarray:
    """(S, N) every actor's utility of the war outcome, per state."""
    out = []
    for a in space.arrays:
        full = settlement_space(a, a.rounds - 1, [])
        assert full is not None
        out.append(spatial.utilities(full, a.war_position, np.zeros(a.members.shape)))
    return np.stack(out)


def perpetual_disagreement(space: StateSpace, flow: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Value of disagreement forever, ``W = w + beta K W``, solved per point and actor.

    ``flow``, ``beta``: (n, S, N) with every beta below 1. Returns (n, S, N).
    """
    S = space.size
    system = np.eye(S) - beta.transpose(0, 2, 1)[..., None] * space.transition  # (n, N, S, S)
    solved = np.linalg.solve(system, flow.transpose(0, 2, 1)[..., None])
    return solved[..., 0].transpose(0, 2, 1)


def stationary_round_limit(max_discount: float) -> int:
    """Rounds of value iteration after which the stationary tail must have converged.

    Value iteration contracts by the largest discount factor per round, so it reaches the
    tolerance within ``log(tol) / log(max_discount)`` rounds; four times that (at least
    1,000, at most 50,000) leaves ample room. Iteration that runs longer is cycling.
    """
    bound = 4 * math.log(STATIONARY_TOL) / math.log(max_discount) if max_discount > 0 else 0
    return int(min(STATIONARY_MAX_ROUNDS, max(1_000, bound)))


def stationary_failure(limit: int, max_discount: float) -> str:
    """The message of the SolveError raised when the stationary tail does not converge."""
    return (
        f"the stationary tail did not converge within {limit:,} rounds of value iteration "
        f"(discount factors up to {max_discount:.6f}): the proposers' offers cycle instead of "
        "settling. This happens in multilateral games whose stationary equilibrium needs "
        "unequal mixing over coalitions, e.g. Baron-Ferejohn with unequal discount factors "
        "(Eraslan 2002; negsim.models.baron_ferejohn solves equal discounts with any "
        "recognition), or with discount factors very close to 1. Use 'terminal: war' with a "
        "long horizon instead."
    )


def tail_error(beta: np.ndarray) -> str:
    """Why the stationary tail has no solution for last-round discount factors ``beta``."""
    if np.any(beta >= 1.0):
        return (
            "a discount factor of 1 with 'terminal: stationary' has no stationary equilibrium "
            "(perpetual disagreement is worth nothing less than agreement); use a discount below 1 "
            "or 'terminal: war'"
        )
    return stationary_failure(stationary_round_limit(float(beta.max())), float(beta.max()))
