r"""How the game ends: war at the horizon, or the last round repeated forever.

``terminal: war`` -- every actor gets its utility of the war outcome at T,
``W_i(T) = V_i(T) = u_i(x_war)``. With ``terminal_outcome: position`` (the default) war
gives the battlefield issue k the position ``p(T)``, side a's control at the horizon, as a
sure thing; with ``terminal_outcome: lottery`` side a wins the whole issue (position 1)
with probability ``p(T)`` and side b (position 0) otherwise, every other issue taking its
war value either way:

.. math::

    W_i(T) = p(T)\, u_i(x^{war}_{k \leftarrow 1}) + (1 - p(T))\, u_i(x^{war}_{k \leftarrow 0}),

so an actor whose utility is concave on the issue (curvature ``rho > 1``) values the war
below the sure position and Fearon's (1995, pp. 386-390) bargaining range widens by the
risk premium; with linear utilities the two coincide exactly. ``terminal: stationary`` -- the last round repeats;
disagreement forever is worth ``W = w + beta K W`` (per actor, over states) and the
values at T are the fixed point of the Bellman step, found by value iteration
(:func:`negsim.engine.bellman.stationary_tail`), reproducing Rubinstein (1982) and
Baron-Ferejohn (1989).
"""

from __future__ import annotations

import math

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.offers import settlement_space
from negsim.engine.states import StateSpace
from negsim.engine.tolerances import STATIONARY_MAX_ROUNDS, STATIONARY_TOL
from negsim.models import spatial

__all__ = [
    "perpetual_disagreement",
    "stationary_failure",
    "stationary_round_limit",
    "tail_error",
    "war_lottery_utilities",
    "war_utilities",
]


def war_utilities(space: StateSpace) -> np.ndarray:
    """(S, N) every actor's utility of the war outcome, per state: the sure position, or
    the lottery over the battlefield issue when the arrays say so (``war_lottery``)."""
    return np.stack([war_lottery_utilities(a) for a in space.arrays])


def war_lottery_utilities(a: RoundArrays) -> np.ndarray:
    """(N,) every actor's utility of the war imposed after the last round of ``a``:
    ``u_i(x_war)``, or ``p u_i(x_war | k = 1) + (1 - p) u_i(x_war | k = 0)`` with
    ``p = p(T)`` when ``a.war_lottery`` is the battlefield issue k (Fearon 1995).

    Examples
    --------
    Fearon's crisis (``textbook/fearon``, A wins with p = 0.6) with quadratic utilities
    (curvature 2, ideals 1 and 0): the sure position is worth ``1 - 0.4**2 = 0.84`` to A and
    ``1 - 0.6**2 = 0.64`` to B, the lottery ``0.6`` and ``0.4``.

    >>> import negsim
    >>> from negsim.engine.arrays import round_arrays
    >>> s = negsim.load("textbook/fearon").with_changes(
    ...     {"actors.a.curvature": 2.0, "actors.b.curvature": 2.0})
    >>> war_lottery_utilities(round_arrays(s)).round(12).tolist()
    [0.84, 0.64]
    >>> s = s.with_changes({"terminal_outcome": "lottery"})
    >>> war_lottery_utilities(round_arrays(s)).round(12).tolist()
    [0.6, 0.4]
    """
    full = settlement_space(a, a.rounds - 1, [])
    assert full is not None
    shares = np.zeros(a.members.shape)
    if a.war_lottery is None:
        return spatial.utilities(full, a.war_position, shares)
    won, lost = a.war_position.copy(), a.war_position.copy()
    won[a.war_lottery], lost[a.war_lottery] = 1.0, 0.0
    p = float(a.control[-1])
    return p * spatial.utilities(full, won, shares) + (1.0 - p) * spatial.utilities(
        full, lost, shares
    )


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
        "settling, and no stationary equilibrium mixing over equally cheap coalitions was "
        "found (the engine looks for one when a single proposer moves each round, as with "
        "recognition probabilities; Eraslan 2002), e.g. with rotating proposers or discount "
        "factors very close to 1. Use 'terminal: war' with a long horizon instead."
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
