r"""Delay incentives: what an actor gains if a deal comes k rounds later.

For a solution concept c with settlement payoffs :math:`\pi_i(t) = u_i(x_c(t))`,

.. math::

    G_i(t, k) = \sum_{\tau=t}^{t+k-1} D_i(t, \tau)\, w_i(\tau) + D_i(t, t+k)\, \pi_i(t+k) - \pi_i(t),
    \qquad D_i(t, \tau) = \prod_{s=t}^{\tau-1} \delta_i(s),

and :math:`\Delta_i(t) = \max_k G_i(t, k)` with its argmax the preferred delay (the
shortest delay within 1e-12 of the best; none when the gain is at most 1e-9, the
tolerance of ripeness: a responder held to its continuation value gains exactly 0 from
waiting, and rounding must not turn that into a preferred delay). A round
is *ripe* (Zartman 2000, the "mutually hurting stalemate") when no veto player gains by
waiting, i.e. every :math:`\Delta_i(t) \le 0`.

With Markov regimes the expectation over regime paths is taken exactly by the recursion
:math:`Q_k(t, r) = w(t, r) + \delta(t, r) \sum_{r'} P_{rr'} Q_{k-1}(t+1, r')`,
:math:`Q_0 = \pi`, so that :math:`G(t, k, r) = Q_k(t, r) - \pi(t, r)`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["delay_incentives"]

_NO_GAIN = 1e-9  # gains up to this are rounding, as in the ripeness test
_TIE = 1e-12  # delays whose gains differ by less are equally good; the shortest is kept


def delay_incentives(
    flow: np.ndarray, discount: np.ndarray, payoff: np.ndarray, transition: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Largest gain from delaying a deal, and the delay that achieves it.

    Parameters
    ----------
    flow : (T, R, N) per-round payoff while there is no deal, w_i(t) in regime r.
    discount : (T, R, N) per-round discount factors.
    payoff : (T + 1, R, N) payoff of a deal at each round (row T: if no deal is ever
        reached, e.g. the war outcome); NaN where the concept has no settlement.
    transition : (R, R) regime transition matrix; identity-free default is ``[[1]]``.

    Returns
    -------
    gain : (T, R, N) ``Delta_i(t)``; NaN where no delay is possible or the concept has no
        settlement at t.
    delay : (T, R, N) int, the preferred delay k (0 when ``gain <= 0`` or NaN).

    Examples
    --------
    A patient actor whose payoff rises from 0.5 to 0.8 next round, at no cost:

    >>> flow = np.zeros((2, 1, 1)); disc = np.full((2, 1, 1), 0.9)
    >>> payoff = np.array([0.5, 0.8, 0.0]).reshape(3, 1, 1)
    >>> gain, delay = delay_incentives(flow, disc, payoff)
    >>> round(float(gain[0, 0, 0]), 6), int(delay[0, 0, 0])
    (0.22, 1)
    """
    T, R, _ = flow.shape
    P = np.ones((1, 1)) if transition is None else np.asarray(transition, dtype=float)
    best = np.full(flow.shape, np.nan)
    arg = np.zeros(flow.shape, dtype=int)
    q = payoff.copy()  # Q_0(t) for t = 0..T
    for k in range(1, T + 1):
        # Q_k(t) for t = 0..T-k, from Q_{k-1}(t+1)
        ahead = np.einsum("rs,tsn->trn", P, q[1 : T - k + 2])
        q = flow[: T - k + 1] + discount[: T - k + 1] * ahead
        gain = q - payoff[: T - k + 1]
        current = best[: T - k + 1]
        better = np.isnan(current) & ~np.isnan(gain) | (gain > current + _TIE)
        current[better] = gain[better]
        arg[: T - k + 1][better] = k
    arg[~(best > _NO_GAIN)] = 0
    return best, arg
