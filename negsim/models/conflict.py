r"""Bargaining in the shadow of war: rationalist explanations of conflict.

Two states A and B dispute a unit pie; ``x`` denotes **A's share**. War is a costly lottery:
A wins the whole pie with probability ``p`` and the states pay costs :math:`c_A, c_B \ge 0`
(in units of the pie), so the war payoffs are :math:`p - c_A` and :math:`1 - p - c_B`.

* Bargaining range (Fearon 1995): deals both prefer to war.
* Risk-return trade-off under private information about B's cost (Fearon 1995, sec. 4).
* Commitment problems from shifting power (Powell 2006).
* The symmetric war of attrition (Maynard Smith 1974; Hendricks, Weiss & Wilson 1988).

References
----------
.. [1] J. D. Fearon, "Rationalist explanations for war", International Organization 49(3),
   379-414, 1995.
.. [2] R. Powell, "War as a commitment problem", International Organization 60(1), 169-203,
   2006.
.. [3] K. Hendricks, A. Weiss, C. Wilson, "The war of attrition in continuous time with
   complete information", International Economic Review 29(4), 663-680, 1988.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negsim.models._validate import check_in_range, check_nonnegative, check_unit

__all__ = [
    "AttritionEquilibrium",
    "BargainingRange",
    "CommitmentProblem",
    "RiskReturn",
    "commitment_problem",
    "fearon_range",
    "fearon_risk_return",
    "war_of_attrition",
]


@dataclass(frozen=True)
class BargainingRange:
    """Interval of A's shares that both sides prefer to war (arrays broadcast)."""

    low: NDArray[np.float64]
    high: NDArray[np.float64]
    width: NDArray[np.float64]
    nonempty: NDArray[np.bool_]


def fearon_range(p: ArrayLike, cost_a: ArrayLike, cost_b: ArrayLike) -> BargainingRange:
    r"""Fearon's bargaining range: the peaceful deals both states prefer to war.

    Parameters
    ----------
    p : array_like of float
        Probability in ``[0, 1]`` that A wins a war.
    cost_a, cost_b : array_like of float
        War costs ``>= 0`` of A and B, as fractions of the pie.

    Returns
    -------
    BargainingRange
        ``low``, ``high`` (A's shares), ``width = high - low`` and ``nonempty``; broadcast shape.

    Notes
    -----
    A prefers ``x`` to war iff :math:`x \ge p - c_A`; B iff :math:`1 - x \ge 1 - p - c_B`. The
    range is :math:`[p - c_A,\ p + c_B] \cap [0, 1]`, of width :math:`c_A + c_B` before
    clipping: with positive costs it is never empty (Fearon 1995, p. 388).

    References
    ----------
    .. [1] J. D. Fearon, "Rationalist explanations for war", International Organization 49(3),
       1995, Figure 1.

    Examples
    --------
    >>> r = fearon_range(0.6, 0.1, 0.15)
    >>> float(r.low), float(r.high), bool(r.nonempty)
    (0.5, 0.75, True)
    """
    pp = check_unit("p", p)
    ca = check_nonnegative("cost_a", cost_a)
    cb = check_nonnegative("cost_b", cost_b)
    low = np.clip(pp - ca, 0.0, 1.0)
    high = np.clip(pp + cb, 0.0, 1.0)
    return BargainingRange(low, high, high - low, high >= low)


@dataclass(frozen=True)
class RiskReturn:
    """A's optimal take-it-or-leave-it demand under uncertainty about B's war cost."""

    demand: NDArray[np.float64]
    war_probability: NDArray[np.float64]
    expected_payoff: NDArray[np.float64]


def fearon_risk_return(
    p: ArrayLike, cost_a: ArrayLike, cost_b_low: ArrayLike, cost_b_high: ArrayLike
) -> RiskReturn:
    r"""Risk-return trade-off: A's optimal ultimatum when B's war cost is private.

    Parameters
    ----------
    p : array_like of float
        Probability in ``[0, 1]`` that A wins a war.
    cost_a : array_like of float
        A's war cost, ``>= 0``.
    cost_b_low, cost_b_high : array_like of float
        Support of B's cost :math:`c_B \sim U[\underline c, \bar c]`,
        ``0 <= cost_b_low <= cost_b_high``.

    Returns
    -------
    RiskReturn
        ``demand`` :math:`x^*` (A's share demanded), ``war_probability`` (B rejects and fights)
        and A's ``expected_payoff``; broadcast shape.

    Notes
    -----
    B accepts ``x`` iff :math:`1 - x \ge 1 - p - c_B`, i.e. :math:`c_B \ge x - p`. For
    :math:`x \in [p+\underline c, p+\bar c]`, A's expected payoff

    .. math:: U(x) = x\,\frac{p + \bar c - x}{\bar c - \underline c}
                    + (p - c_A)\,\frac{x - p - \underline c}{\bar c - \underline c}

    is concave with stationary point :math:`p + (\bar c - c_A)/2`; demands below
    :math:`p + \underline c` are accepted for sure and demands above :math:`p + \bar c` never.
    Hence

    .. math:: x^* = \min\Big(1,\ p + \max\big(\underline c, (\bar c - c_A)/2\big)\Big),
              \qquad \Pr(\text{war}) = \frac{x^* - p - \underline c}{\bar c - \underline c}
              \text{ clipped to } [0, 1].

    War happens with positive probability iff :math:`\bar c - c_A > 2\underline c` (and the
    demand is not capped at 1). With no uncertainty (:math:`\underline c = \bar c`),
    :math:`x^* = \min(1, p + \underline c)` and there is no war.

    References
    ----------
    .. [1] J. D. Fearon, "Rationalist explanations for war", International Organization 49(3),
       1995, pp. 395-401 (the risk-return trade-off).

    Examples
    --------
    >>> rr = fearon_risk_return(0.5, 0.1, 0.0, 0.3)
    >>> float(rr.demand), round(float(rr.war_probability), 6)
    (0.6, 0.333333)
    """
    pp = check_unit("p", p)
    ca = check_nonnegative("cost_a", cost_a)
    lo = check_nonnegative("cost_b_low", cost_b_low)
    hi = check_nonnegative("cost_b_high", cost_b_high)
    check_nonnegative("cost_b_high - cost_b_low", hi - lo)
    spread = hi - lo
    demand = np.minimum(1.0, pp + np.maximum(lo, (hi - ca) / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        war = np.where(spread > 0, np.clip((demand - pp - lo) / spread, 0.0, 1.0), 0.0)
    payoff = demand * (1.0 - war) + (pp - ca) * war
    return RiskReturn(demand, war, payoff)


@dataclass(frozen=True)
class CommitmentProblem:
    """Whether a shift in power makes war unavoidable (Powell 2006).

    Attributes
    ----------
    war_unavoidable : ndarray of bool
        A's war value today exceeds the most B can credibly promise.
    shift : ndarray
        Size of the power shift, ``p_now - p_next``.
    effective_shift : ndarray
        :math:`\\delta(p_{now} - p_{next}) - (1-\\delta)(1 - p_{now})`, what the shift costs A
        net of the most B can pay today.
    surplus : ndarray
        :math:`c_A + \\delta c_B`, the bargaining surplus the effective shift must exceed.
    war_value_a : ndarray
        A's value of fighting today, :math:`p_{now} - c_A`.
    max_credible_offer : ndarray
        Most B can credibly promise A: :math:`(1-\\delta) + \\delta(p_{next} + c_B)`.
    """

    war_unavoidable: NDArray[np.bool_]
    shift: NDArray[np.float64]
    effective_shift: NDArray[np.float64]
    surplus: NDArray[np.float64]
    war_value_a: NDArray[np.float64]
    max_credible_offer: NDArray[np.float64]


def commitment_problem(
    p_now: ArrayLike,
    p_next: ArrayLike,
    delta: ArrayLike,
    cost_a: ArrayLike,
    cost_b: ArrayLike,
) -> CommitmentProblem:
    r"""War from a commitment problem when power shifts from A to B.

    Parameters
    ----------
    p_now, p_next : array_like of float
        A's probability of winning a war today and from tomorrow on (in ``[0, 1]``); A is the
        declining side when ``p_next < p_now``.
    delta : array_like of float
        Common discount factor in ``[0, 1]``.
    cost_a, cost_b : array_like of float
        War costs ``>= 0`` in the same normalised (lifetime) units as the payoffs.

    Returns
    -------
    CommitmentProblem

    Notes
    -----
    Conventions: an infinite-horizon flow of a unit pie per period; payoffs normalised by
    :math:`1-\delta` so that the whole stream is worth 1. War is absorbing: fighting today gives
    A :math:`p_{now} - c_A`. From tomorrow on power is :math:`p_{next}` for ever and B will never
    give A more than keeps B at its war value, i.e. at most :math:`p_{next} + c_B` per period.
    So the most B can credibly promise today is the whole of today's pie and that maximum
    thereafter:

    .. math:: \bar x = (1-\delta)\cdot 1 + \delta\,(p_{next} + c_B).

    War is unavoidable iff :math:`p_{now} - c_A > \bar x`, equivalently

    .. math:: \delta(p_{now} - p_{next}) - (1-\delta)(1-p_{now}) > c_A + \delta c_B.

    With :math:`\delta = 1` this is Powell's condition that the shift exceed the costs of war,
    :math:`p_{now} - p_{next} > c_A + c_B`.

    References
    ----------
    .. [1] R. Powell, "War as a commitment problem", International Organization 60(1), 2006,
       pp. 180-184.

    Examples
    --------
    >>> cp = commitment_problem(0.8, 0.3, 0.9, 0.05, 0.05)
    >>> bool(cp.war_unavoidable), round(float(cp.max_credible_offer), 3)
    (True, 0.415)
    """
    pn = check_unit("p_now", p_now)
    px = check_unit("p_next", p_next)
    d = check_unit("delta", delta)
    ca = check_nonnegative("cost_a", cost_a)
    cb = check_nonnegative("cost_b", cost_b)
    war_value = pn - ca
    offer = (1.0 - d) + d * np.minimum(1.0, px + cb)
    effective = d * (pn - px) - (1.0 - d) * (1.0 - pn)
    return CommitmentProblem(
        war_unavoidable=war_value > offer,
        shift=pn - px,
        effective_shift=effective,
        surplus=ca + d * cb,
        war_value_a=war_value,
        max_credible_offer=offer,
    )


@dataclass(frozen=True)
class AttritionEquilibrium:
    """Symmetric mixed equilibrium of the two-player war of attrition.

    Attributes
    ----------
    hazard : ndarray
        Continuous time: exit rate per unit time. Discrete time: probability of quitting in
        each period.
    expected_duration : ndarray
        Expected time (continuous) or number of periods both stay (discrete) before the
        first exit.
    expected_payoff : ndarray
        Each player's equilibrium payoff: 0, the rent is fully dissipated.
    """

    hazard: NDArray[np.float64]
    expected_duration: NDArray[np.float64]
    expected_payoff: NDArray[np.float64]


def war_of_attrition(
    prize: ArrayLike, cost_rate: ArrayLike, discount: ArrayLike | None = None
) -> AttritionEquilibrium:
    r"""Symmetric mixed-strategy equilibrium of the war of attrition.

    Parameters
    ----------
    prize : array_like of float
        Value :math:`V > 0` of the prize to the player who stays longer.
    cost_rate : array_like of float
        Cost :math:`c > 0` of staying, per unit time (continuous) or per period (discrete).
    discount : array_like of float, optional
        ``None`` (default) for continuous time; otherwise the per-period discount factor
        :math:`\delta \in (0, 1]` of the discrete-time game.

    Returns
    -------
    AttritionEquilibrium

    Notes
    -----
    Continuous time: each player quits at constant hazard :math:`\lambda = c/V`, which makes
    the opponent indifferent (:math:`\lambda V\,dt = c\,dt`); the contest ends at the first
    exit, an exponential time with rate :math:`2\lambda`, so its mean is :math:`V/(2c)`.

    Discrete time (convention): at the start of each period both simultaneously choose to
    quit or stay. Quitting ends one's participation with payoff 0. Staying costs :math:`c`
    this period; if the opponent quit this period, the stayer collects :math:`V` at the start
    of the next period (worth :math:`\delta V`); if both quit, nobody gets the prize.
    Indifference between quitting and staying, :math:`0 = -c + s\,\delta V`, gives

    .. math:: s = \min\Big(1, \frac{c}{\delta V}\Big),

    and the number of periods in which both stay before an exit is geometric with mean
    :math:`(1-s)^2 / (1 - (1-s)^2)`. With period length :math:`\Delta`, cost :math:`c\Delta`
    and :math:`\delta \to 1`, :math:`s/\Delta \to c/V`, the continuous hazard.

    References
    ----------
    .. [1] J. Maynard Smith, "The theory of games and the evolution of animal conflicts",
       Journal of Theoretical Biology 47, 1974.
    .. [2] K. Hendricks, A. Weiss, C. Wilson, International Economic Review 29(4), 1988.
    .. [3] D. Fudenberg, J. Tirole, *Game Theory*, 1991, sec. 4.5.

    Examples
    --------
    >>> eq = war_of_attrition(prize=10.0, cost_rate=2.0)
    >>> float(eq.hazard), float(eq.expected_duration)
    (0.2, 2.5)
    >>> float(war_of_attrition(10.0, 2.0, discount=0.8).hazard)
    0.25
    """
    v = check_in_range("prize", prize, 0.0, np.inf, low_open=True)
    c = check_in_range("cost_rate", cost_rate, 0.0, np.inf, low_open=True)
    if discount is None:
        hazard = c / v
        duration = 1.0 / (2.0 * hazard)
    else:
        d = check_in_range("discount", discount, 0.0, 1.0, low_open=True)
        hazard = np.minimum(1.0, c / (d * v))
        both_stay = (1.0 - hazard) ** 2
        duration = both_stay / (1.0 - both_stay)
    hazard, duration = np.broadcast_arrays(hazard, duration)
    return AttritionEquilibrium(hazard, duration, np.zeros_like(hazard))
