"""Disagreement points for the axiomatic concepts: breakdown and impasse.

The engine's threat point ``W_i(t) = w_i(t) + delta_i(t) E[W_i(t+1)]`` with
``W_i(T) = u_i(x_war)`` (``terminal: war``) is the value of disagreement until the war
outcome is imposed: a **breakdown point** (the negotiation ends in war). ``nash``,
``nash_weighted`` and ``kalai_smorodinsky`` use it.

Binmore, Rubinstein & Wolinsky (1986) show that when the parties only lose time by
disagreeing, the subgame-perfect equilibrium of alternating offers converges, as the
period length goes to 0, to the asymmetric Nash solution whose disagreement point is the
**impasse point** -- the value of the payoffs received while bargaining goes on for ever,
``w_i / r_i`` in the limit -- and whose bargaining weights are ``1 / r_i``, the
reciprocal discount rates (``delta_i = exp(-r_i dt)``). ``nash_impasse`` uses

.. math::

    I_i(t) = w_i(t) + \\delta_i(t)\\, E[I_i(t+1)], \\qquad
    I_i(T) = \\frac{w_i(T-1)}{1 - \\delta_i(T-1)} \\ \\text{(the last round's flows for ever)},

    \\alpha_i(t) = \\frac{1}{-\\ln \\delta_i(t)}, \\qquad
    x^{*}(t) = \\arg\\max_x \\sum_i \\alpha_i(t) \\ln\\left(u_i(x) - I_i(t)\\right).

With ``terminal: stationary`` the impasse and breakdown points coincide (no war outcome is
ever imposed) and only the weights differ; with ``terminal: war`` the impasse point leaves
the war outcome out.

References
----------
K. Binmore, A. Rubinstein and A. Wolinsky, "The Nash bargaining solution in economic
modelling", RAND Journal of Economics 17(2), 1986, pp. 176-188.
"""

from __future__ import annotations

import numpy as np

from negsim.errors import SolveError

__all__ = ["brw_weights", "impasse_points"]


def impasse_points(flow: np.ndarray, discount: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """The impasse point ``I(t, r)`` of every round and regime.

    Parameters
    ----------
    flow, discount : (T, R, N) per-round payoff of disagreement and discount factor.
    transition : (R, R) regime transition matrix.

    Returns
    -------
    (T + 1, R, N) impasse points; row T values the last round's flows for ever.

    Examples
    --------
    A flow of -0.1 a round with delta = 0.9: ``-0.1 / (1 - 0.9) = -1`` in every round.

    >>> impasse_points(np.full((2, 1, 1), -0.1), np.full((2, 1, 1), 0.9), np.ones((1, 1)))[:, 0, 0]
    array([-1., -1., -1.])
    """
    T, R, N = flow.shape
    if np.any(discount[-1] >= 1.0):
        raise SolveError(
            "nash_impasse needs discount factors below 1 in the last round: the impasse "
            "point values the payoffs of disagreement for ever"
        )
    out = np.zeros((T + 1, R, N))
    for i in range(N):
        out[T, :, i] = np.linalg.solve(
            np.eye(R) - discount[-1, :, i, None] * transition, flow[-1, :, i]
        )
    for t in reversed(range(T)):
        out[t] = flow[t] + discount[t] * (transition @ out[t + 1])
    return out


def brw_weights(discount: np.ndarray) -> np.ndarray:
    """Bargaining weights ``1 / r_i`` with ``delta_i = exp(-r_i)`` (any shape).

    >>> brw_weights(np.exp(-np.array([0.1, 0.2]))).round(12).tolist()
    [10.0, 5.0]
    """
    if np.any(discount >= 1.0):
        raise SolveError(
            "nash_impasse needs discount factors below 1: its bargaining weights are the "
            "reciprocal discount rates 1 / r with delta = exp(-r)"
        )
    return 1.0 / -np.log(discount)
