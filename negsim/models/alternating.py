r"""Alternating-offers bargaining over a unit pie.

Two players split a pie of size 1. Player 1 proposes first; the responder accepts or rejects;
after a rejection the roles swap and the pie is discounted by the players' discount factors
:math:`\delta_1, \delta_2 \in [0, 1]` (Rubinstein 1982). All shares returned here are the
share of the **first proposer (player 1)** in the subgame-perfect equilibrium (SPE), reached
by immediate agreement.

* Infinite horizon: :math:`x^* = (1-\delta_2)/(1-\delta_1\delta_2)`.
* Finite horizon of ``T`` offers, the last an ultimatum: backward induction from
  :math:`s_1 = 1`, :math:`s_k = 1 - \delta_{\text{resp}} s_{k-1}`; converges to :math:`x^*`.
* Continuous time with discount rates :math:`r_i`: :math:`x^* = r_2/(r_1+r_2)`.
* Outside options (responder may opt out): the outside option principle (Binmore, Rubinstein &
  Wolinsky 1986; Muthoo 1999, ch. 5): an option binds only if it beats the Rubinstein share.
* Exogenous breakdown with probability :math:`q` after each rejection (Binmore, Rubinstein &
  Wolinsky 1986; Muthoo 1999, ch. 4).

All functions broadcast over their numeric arguments (numpy rules).

References
----------
.. [1] A. Rubinstein, "Perfect equilibrium in a bargaining model", Econometrica 50(1), 1982.
.. [2] K. Binmore, A. Rubinstein, A. Wolinsky, "The Nash bargaining solution in economic
   modelling", RAND Journal of Economics 17(2), 1986.
.. [3] A. Muthoo, *Bargaining Theory with Applications*, Cambridge University Press, 1999.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negsim.models._validate import check_in_range, check_integer, check_nonnegative, check_unit

__all__ = [
    "backward_induction_shares",
    "breakdown_share",
    "outside_option_share",
    "rubinstein_share",
    "rubinstein_share_continuous",
]


def _geometric_sum(ratio: NDArray[np.float64], terms: NDArray[np.int_]) -> NDArray[np.float64]:
    """Return ``sum_{j < terms} ratio**j``, exact also when ``ratio == 1``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (1.0 - ratio**terms) / (1.0 - ratio)
    return np.where(ratio == 1.0, terms.astype(float), out)


def rubinstein_share(
    delta1: ArrayLike, delta2: ArrayLike, rounds: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Share of the first proposer in the subgame-perfect equilibrium of alternating offers.

    Parameters
    ----------
    delta1, delta2 : array_like of float
        Discount factors in ``[0, 1]`` of player 1 (first proposer) and player 2.
    rounds : None or array_like of int, optional
        ``None`` (default) for the infinite horizon; otherwise the maximal number of offers
        ``T >= 1``. Offer ``T`` is an ultimatum (its rejection gives both players 0).

    Returns
    -------
    ndarray of float
        Player 1's share, with the broadcast shape of the arguments. NaN where the infinite
        horizon is undetermined (``delta1 == delta2 == 1``: every split is an SPE).

    Notes
    -----
    Infinite horizon (Rubinstein 1982, Theorem):

    .. math:: x^* = \frac{1-\delta_2}{1-\delta_1\delta_2}.

    Finite horizon. Let :math:`s_k` be the share of whoever proposes when ``k`` offers remain.
    Then :math:`s_1 = 1` and :math:`s_k = 1 - \delta s_{k-1}` with :math:`\delta` the discount
    factor of that round's responder. Two steps at a time, with :math:`D = \delta_1\delta_2`
    and :math:`m = \lfloor (T-1)/2 \rfloor`,

    .. math::
        x_T = (1-\delta_2)\,\frac{1-D^m}{1-D} + D^m \quad (T \text{ odd}), \qquad
        x_T = 1 - \delta_2\Big[(1-\delta_1)\,\frac{1-D^m}{1-D} + D^m\Big] \quad (T \text{ even}),

    which tends to :math:`x^*` as :math:`T \to \infty` whenever :math:`D < 1`.

    References
    ----------
    .. [1] A. Rubinstein, "Perfect equilibrium in a bargaining model", Econometrica 50(1),
       97-109, 1982.
    .. [2] M. J. Osborne, A. Rubinstein, *Bargaining and Markets*, 1990, ch. 3.

    Examples
    --------
    >>> float(rubinstein_share(0.9, 0.9))
    0.5263157894736843
    >>> rubinstein_share(0.9, 0.9, rounds=[1, 2, 3])
    array([1.  , 0.1 , 0.91])
    """
    d1 = check_unit("delta1", delta1)
    d2 = check_unit("delta2", delta2)
    if rounds is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (1.0 - d2) / (1.0 - d1 * d2)
        return np.where((d1 == 1.0) & (d2 == 1.0), np.nan, share)
    t = np.asarray(rounds)
    for value in t.ravel():
        check_integer("rounds", value, low=1)
    t = t.astype(int)
    dd = d1 * d2
    m = (t - 1) // 2
    # T odd: player 1 makes the last offer; T even: player 2 does.
    odd = (1.0 - d2) * _geometric_sum(dd, m) + dd**m
    even = 1.0 - d2 * ((1.0 - d1) * _geometric_sum(dd, m) + dd**m)
    return np.where(t % 2 == 1, odd, even)


def backward_induction_shares(
    delta1: ArrayLike, delta2: ArrayLike, rounds: int
) -> NDArray[np.float64]:
    r"""Proposer shares along the whole finite-horizon backward induction.

    Parameters
    ----------
    delta1, delta2 : array_like of float
        Discount factors in ``[0, 1]`` (player 1 proposes at offers 1, 3, 5, ...).
    rounds : int
        Maximal number of offers ``T >= 1``; offer ``T`` is an ultimatum.

    Returns
    -------
    ndarray of float, shape ``(rounds,) + broadcast(delta1, delta2).shape``
        Entry ``t`` (0-based) is the share the proposer of offer ``t + 1`` demands (and gets)
        in the subgame starting at that offer; entry 0 equals
        ``rubinstein_share(delta1, delta2, rounds)``. The proposer of offer ``t + 1`` is player
        1 for even ``t`` and player 2 for odd ``t``.

    Notes
    -----
    :math:`s_T = 1` and, going backwards, :math:`s_t = 1 - \delta_{r(t)} s_{t+1}` with
    :math:`r(t)` the responder at offer ``t`` (the proposer of offer ``t + 1``). The loop runs
    over rounds only and broadcasts over the discount factors.

    Examples
    --------
    >>> backward_induction_shares(0.5, 0.5, 3)
    array([0.75, 0.5 , 1.  ])
    """
    d1 = check_unit("delta1", delta1)
    d2 = check_unit("delta2", delta2)
    t_max = check_integer("rounds", rounds, low=1)
    d1, d2 = np.broadcast_arrays(d1, d2)
    shares = np.empty((t_max,) + d1.shape)
    shares[-1] = 1.0
    for t in range(t_max - 2, -1, -1):
        responder_delta = d2 if t % 2 == 0 else d1
        shares[t] = 1.0 - responder_delta * shares[t + 1]
    return shares


def rubinstein_share_continuous(r1: ArrayLike, r2: ArrayLike) -> NDArray[np.float64]:
    r"""First proposer's share as the time between offers shrinks to zero.

    Parameters
    ----------
    r1, r2 : array_like of float
        Discount rates ``>= 0`` (``delta_i = exp(-r_i * dt)``), not both zero.

    Returns
    -------
    ndarray of float
        :math:`r_2/(r_1+r_2)`: the more impatient player gets less. NaN where ``r1 == r2 == 0``.

    Notes
    -----
    With :math:`\delta_i = e^{-r_i \Delta}`, :math:`x^*(\Delta) \to r_2/(r_1+r_2)` as
    :math:`\Delta \to 0`, the asymmetric Nash solution with bargaining powers
    :math:`1/r_i` (Binmore, Rubinstein & Wolinsky 1986).

    References
    ----------
    .. [1] K. Binmore, A. Rubinstein, A. Wolinsky, RAND Journal of Economics 17(2), 1986.

    Examples
    --------
    >>> float(rubinstein_share_continuous(1.0, 3.0))
    0.75
    """
    a = check_nonnegative("r1", r1)
    b = check_nonnegative("r2", r2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return b / (a + b)


def outside_option_share(
    delta1: ArrayLike,
    delta2: ArrayLike,
    outside1: ArrayLike = 0.0,
    outside2: ArrayLike = 0.0,
) -> NDArray[np.float64]:
    r"""First proposer's share when each player may opt out when responding.

    Parameters
    ----------
    delta1, delta2 : array_like of float
        Discount factors in ``[0, 1)``.
    outside1, outside2 : array_like of float, optional
        Outside option payoffs :math:`w_1, w_2` (default 0), taken when opting out instead of
        responding; :math:`w_1 + w_2 \le 1` is required (gains from agreement).

    Returns
    -------
    ndarray of float
        Player 1's share :math:`x_1^*` in the unique SPE (immediate agreement).

    Notes
    -----
    Outside option principle: a responder's option matters only if it beats what the responder
    gets in the Rubinstein split. The stationary SPE solves

    .. math:: x_1 = 1 - \max(w_2, \delta_2 x_2), \qquad x_2 = 1 - \max(w_1, \delta_1 x_1),

    with :math:`x_i` the share player i demands when proposing. With
    :math:`U_1 = (1-\delta_2)/(1-\delta_1\delta_2)` and
    :math:`U_2 = (1-\delta_1)/(1-\delta_1\delta_2)` the four cases are (Muthoo 1999,
    Proposition 5.4):

    ================================================  ====================================
    condition                                         :math:`x_1^*`
    ================================================  ====================================
    :math:`w_1 \le \delta_1 U_1,\ w_2 \le \delta_2 U_2`     :math:`U_1` (options do not bind)
    :math:`w_1 \le \delta_1(1-w_2),\ w_2 > \delta_2 U_2`    :math:`1 - w_2`
    :math:`w_1 > \delta_1 U_1,\ w_2 \le \delta_2(1-w_1)`    :math:`1 - \delta_2 (1 - w_1)`
    :math:`w_1 > \delta_1(1-w_2),\ w_2 > \delta_2(1-w_1)`   :math:`1 - w_2`
    ================================================  ====================================

    References
    ----------
    .. [1] K. Binmore, A. Rubinstein, A. Wolinsky, RAND Journal of Economics 17(2), 1986.
    .. [2] A. Muthoo, *Bargaining Theory with Applications*, 1999, ch. 5 (Proposition 5.4).

    Examples
    --------
    >>> float(outside_option_share(0.9, 0.9, outside2=0.3))  # 0.3 < 0.9 * 0.526: ignored
    0.5263157894736843
    >>> float(outside_option_share(0.9, 0.9, outside2=0.6))  # binds: 1 - 0.6
    0.4
    """
    d1 = check_in_range("delta1", delta1, 0.0, 1.0, high_open=True)
    d2 = check_in_range("delta2", delta2, 0.0, 1.0, high_open=True)
    w1 = np.asarray(outside1, dtype=float)
    w2 = np.asarray(outside2, dtype=float)
    check_in_range("outside1 + outside2", w1 + w2, -np.inf, 1.0)
    u1 = (1.0 - d2) / (1.0 - d1 * d2)
    u2 = (1.0 - d1) / (1.0 - d1 * d2)
    binds2 = w2 > d2 * u2
    binds1 = w1 > d1 * u1
    conditions = [
        ~binds1 & ~binds2,
        binds2 & (w1 <= d1 * (1.0 - w2)),
        binds1 & (w2 <= d2 * (1.0 - w1)),
    ]
    choices = [u1, 1.0 - w2, 1.0 - d2 * (1.0 - w1)]
    return np.asarray(np.select(conditions, choices, default=1.0 - w2), dtype=float)


def breakdown_share(q: ArrayLike, d1: ArrayLike = 0.0, d2: ArrayLike = 0.0) -> NDArray[np.float64]:
    r"""First proposer's share with a risk of breakdown after each rejection.

    Parameters
    ----------
    q : array_like of float
        Probability in ``(0, 1]`` that negotiations break down after a rejection.
    d1, d2 : array_like of float, optional
        Disagreement (breakdown) payoffs, default 0, with :math:`d_1 + d_2 \le 1`.

    Returns
    -------
    ndarray of float
        Player 1's share :math:`x_1^*` in the unique SPE (no discounting; immediate agreement).

    Notes
    -----
    In the stationary SPE each responder is indifferent between accepting and rejecting:

    .. math:: 1 - x_1 = q d_2 + (1-q) x_2, \qquad 1 - x_2 = q d_1 + (1-q) x_1,

    with :math:`x_i` the share player i demands when proposing. Solving,

    .. math:: x_1^* = d_1 + \frac{1 - d_1 - d_2}{2 - q}
                    = \frac{1 - d_2 + (1-q) d_1}{2 - q}.

    ``q = 1`` is the ultimatum game (:math:`x_1^* = 1 - d_2`); as :math:`q \to 0` the share
    tends to the Nash bargaining solution :math:`d_1 + (1 - d_1 - d_2)/2`.

    References
    ----------
    .. [1] K. Binmore, A. Rubinstein, A. Wolinsky, RAND Journal of Economics 17(2), 1986.
    .. [2] A. Muthoo, *Bargaining Theory with Applications*, 1999, ch. 4.

    Examples
    --------
    >>> float(breakdown_share(0.5))
    0.6666666666666666
    >>> float(breakdown_share(1.0, d1=0.2, d2=0.3))
    0.7
    """
    qq = check_in_range("q", q, 0.0, 1.0, low_open=True)
    a = check_in_range("d1", d1)
    b = check_in_range("d2", d2)
    check_in_range("d1 + d2", a + b, -np.inf, 1.0)
    return a + (1.0 - a - b) / (2.0 - qq)
