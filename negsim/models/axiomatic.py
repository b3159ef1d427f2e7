r"""Axiomatic bargaining solutions.

A two-player bargaining problem is a feasible set :math:`S \subset \mathbb{R}^2` of utility
pairs and a disagreement point :math:`d \in S`. Here :math:`S` is given by its Pareto frontier,
either

* a callable ``u2 = f(u1)``, decreasing and concave (free disposal below it), or
* an ``(m, 2)`` array of utility pairs, whose feasible set is the comprehensive convex hull
  (the upper-right boundary of the convex hull, extended horizontally to the left and
  vertically downwards at its right end; piecewise linear).

Solutions (each returns a :class:`BargainingSolution`):

* Nash (1950), optionally asymmetric: :math:`\max\,(u_1-d_1)^{w_1}(u_2-d_2)^{w_2}`.
* Kalai-Smorodinsky (1975): the Pareto point on the segment from :math:`d` to the ideal point
  :math:`I_i = \max\{u_i : u \in S, u \ge d\}`.
* Egalitarian (Kalai 1977): equal gains :math:`u_1 - d_1 = u_2 - d_2`.

For ``n`` players on the simplex frontier :math:`\sum_i u_i = 1` closed forms are given by the
``*_simplex`` functions, which broadcast over leading axes. :func:`compromise` is the
capability-times-salience weighted mean of positions (the "compromise model").

References
----------
.. [1] J. Nash, "The bargaining problem", Econometrica 18(2), 1950.
.. [2] E. Kalai, M. Smorodinsky, "Other solutions to Nash's bargaining problem",
   Econometrica 43(3), 1975.
.. [3] E. Kalai, "Proportional solutions to bargaining situations", Econometrica 45(7), 1977.
.. [4] C. H. Achen, "Evaluating political decision-making models", in Thomson et al. (eds.),
   *The European Union Decides*, Cambridge University Press, 2006.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from negsim.models._validate import check_finite, check_nonnegative

__all__ = [
    "BargainingSolution",
    "compromise",
    "egalitarian",
    "egalitarian_simplex",
    "kalai_smorodinsky",
    "kalai_smorodinsky_simplex",
    "nash_bargaining",
    "nash_bargaining_simplex",
    "pareto_frontier",
]

Frontier = Callable[[float], float] | ArrayLike


@dataclass(frozen=True)
class BargainingSolution:
    """Outcome of an axiomatic bargaining solution.

    Attributes
    ----------
    utilities : ndarray, shape (..., n)
        Utilities of the ``n`` players at the solution.
    disagreement : ndarray, shape (..., n)
        The disagreement point.
    ideal : ndarray, shape (..., n)
        The ideal (utopia) point: each player's best utility with the others at least at ``d``.
    concept : str
        ``"nash"``, ``"kalai_smorodinsky"`` or ``"egalitarian"``.
    """

    utilities: NDArray[np.float64]
    disagreement: NDArray[np.float64]
    ideal: NDArray[np.float64]
    concept: str

    @property
    def gains(self) -> NDArray[np.float64]:
        """Gains over disagreement, ``utilities - disagreement``."""
        return self.utilities - self.disagreement


# --------------------------------------------------------------------------------------------
# Two players: a frontier and a disagreement point.
# --------------------------------------------------------------------------------------------


def pareto_frontier(points: ArrayLike) -> NDArray[np.float64]:
    """Vertices of the Pareto frontier of the convex hull of a finite set of utility pairs.

    Parameters
    ----------
    points : array_like, shape (m, 2)
        Feasible utility pairs ``(u1, u2)``.

    Returns
    -------
    ndarray, shape (k, 2)
        Vertices with strictly increasing ``u1`` and strictly decreasing ``u2``, from the
        point with the largest ``u2`` to the point with the largest ``u1``.

    Examples
    --------
    >>> pareto_frontier([[0, 0], [1, 0], [0, 1], [0.4, 0.4], [0.5, 0.5]])
    array([[0., 1.],
           [1., 0.]])
    """
    pts = check_finite("points", points)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"points must have shape (m, 2) with m >= 1, got shape {pts.shape}")
    # Sort by u1 ascending then u2 descending; keep, for each u1, the best u2.
    order = np.lexsort((-pts[:, 1], pts[:, 0]))
    pts = pts[order]
    # Upper hull by the monotone chain.
    hull: list[NDArray[np.float64]] = []
    for p in pts:
        while len(hull) >= 2:
            o, a = hull[-2], hull[-1]
            cross = (a[0] - o[0]) * (p[1] - o[1]) - (a[1] - o[1]) * (p[0] - o[0])
            if cross >= 0:  # a is not strictly above the chord o-p
                hull.pop()
            else:
                break
        if hull and hull[-1][0] == p[0]:
            continue  # same u1, lower u2
        hull.append(p)
    upper = np.array(hull)
    # Start at the largest u1 among the points with maximal u2 (weak Pareto points dropped).
    start = int(np.flatnonzero(upper[:, 1] == upper[:, 1].max())[-1])
    upper = upper[start:]
    keep = np.concatenate(([True], np.diff(upper[:, 1]) < 0))
    return upper[keep]


@dataclass(frozen=True)
class _Problem:
    f: Callable[[float], float]
    d: NDArray[np.float64]
    u1_bar: float  # largest feasible u1 with u2 >= d2
    ideal: NDArray[np.float64]
    vertical: bool  # frontier drops vertically at u1_bar (f(u1_bar) > d2)


def _problem(frontier: Frontier, disagreement: ArrayLike, u1_max: float | None) -> _Problem:
    d = check_finite("disagreement", disagreement)
    if d.shape != (2,):
        raise ValueError(f"disagreement must have shape (2,), got shape {d.shape}")
    if callable(frontier):
        f = frontier
        right = np.inf if u1_max is None else float(u1_max)
    else:
        vertices = pareto_frontier(frontier)
        xs, ys = vertices[:, 0], vertices[:, 1]

        def f(u1: float) -> float:
            return float(np.interp(u1, xs, ys))

        right = float(xs[-1])
    if d[0] > right or f(d[0]) < d[1]:
        raise ValueError(
            f"disagreement point {d.tolist()} is infeasible: it lies above the frontier"
        )
    # u1_bar: where the frontier meets u2 = d2, or the right end of the domain.
    g = lambda u1: f(u1) - d[1]  # noqa: E731
    if np.isfinite(right) and g(right) >= 0:
        u1_bar, vertical = right, g(right) > 0
    else:
        hi = d[0] + 1.0 if not np.isfinite(right) else right
        step = 1.0
        while g(hi) > 0:
            step *= 2.0
            hi = d[0] + step
            if step > 1e12:
                raise ValueError("frontier never falls to the disagreement utility of player 2")
        u1_bar = d[0] if g(d[0]) == 0 else optimize.brentq(g, d[0], hi, xtol=1e-14, rtol=1e-15)
        vertical = False
    ideal = np.array([u1_bar, f(d[0])])
    return _Problem(f, d, float(u1_bar), ideal, bool(vertical))


def nash_bargaining(
    frontier: Frontier,
    disagreement: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    u1_max: float | None = None,
) -> BargainingSolution:
    r"""(Asymmetric) Nash bargaining solution of a two-player problem.

    Parameters
    ----------
    frontier : callable or array_like, shape (m, 2)
        The Pareto frontier ``u2 = f(u1)`` (decreasing, concave) or finite feasible utility
        pairs (their comprehensive convex hull is used).
    disagreement : array_like, shape (2,)
        Disagreement point :math:`d`; must lie on or below the frontier.
    weights : array_like, shape (2,), optional
        Bargaining powers :math:`w_i > 0` (default equal).
    u1_max : float, optional
        Right end of a callable frontier's domain (the frontier drops vertically there).

    Returns
    -------
    BargainingSolution

    Raises
    ------
    ValueError
        If the disagreement point is above the frontier or weights are not positive.

    Notes
    -----
    Maximises :math:`w_1\log(u_1-d_1) + w_2\log(f(u_1)-d_2)` over
    :math:`u_1 \in [d_1, \bar u_1]` (concave, so a bounded scalar search is exact to
    ``1e-12``). If :math:`d` is on the frontier the solution is :math:`d`. On the frontier
    :math:`u_1+u_2=1` the solution is :math:`u_i = d_i + \frac{w_i}{w_1+w_2}(1-d_1-d_2)`.

    References
    ----------
    .. [1] J. Nash, "The bargaining problem", Econometrica 18(2), 155-162, 1950.
    .. [2] E. Kalai, "Nonsymmetric Nash solutions and replications of 2-person bargaining",
       International Journal of Game Theory 6, 1977.

    Examples
    --------
    >>> sol = nash_bargaining(lambda u1: 1 - u1, [0.2, 0.0])
    >>> sol.utilities.round(6)
    array([0.6, 0.4])
    >>> nash_bargaining([[0, 1], [1, 0]], [0, 0], weights=[2, 1]).utilities.round(6)
    array([0.666667, 0.333333])
    """
    prob = _problem(frontier, disagreement, u1_max)
    w = np.ones(2) if weights is None else check_nonnegative("weights", weights)
    if w.shape != (2,) or np.any(w <= 0):
        raise ValueError(f"weights must be two positive numbers, got weights={w.tolist()}")
    d, f = prob.d, prob.f
    if prob.u1_bar <= d[0] or prob.ideal[1] <= d[1]:
        u = d.copy()
    else:

        def neg_log_product(u1: float) -> float:
            g1, g2 = u1 - d[0], f(u1) - d[1]
            if g1 <= 0 or g2 <= 0:
                return np.inf
            return -(w[0] * np.log(g1) + w[1] * np.log(g2))

        res = optimize.minimize_scalar(
            neg_log_product,
            bounds=(d[0], prob.u1_bar),
            method="bounded",
            options={"xatol": 1e-13},
        )
        u1 = float(res.x)
        u = np.array([u1, f(u1)])
    return BargainingSolution(u, d, prob.ideal, "nash")


def kalai_smorodinsky(
    frontier: Frontier, disagreement: ArrayLike, *, u1_max: float | None = None
) -> BargainingSolution:
    r"""Kalai-Smorodinsky solution of a two-player problem.

    Parameters
    ----------
    frontier : callable or array_like, shape (m, 2)
        As in :func:`nash_bargaining`.
    disagreement : array_like, shape (2,)
        Disagreement point :math:`d`.
    u1_max : float, optional
        Right end of a callable frontier's domain.

    Returns
    -------
    BargainingSolution

    Notes
    -----
    The ideal point is :math:`I = (\bar u_1, f(d_1))`; the solution is the Pareto point
    :math:`d + t^*(I-d)`, with :math:`t^*` the root of :math:`f(d_1+t(I_1-d_1)) = d_2+t(I_2-d_2)`,
    i.e. gains proportional to the ideal gains.

    References
    ----------
    .. [1] E. Kalai, M. Smorodinsky, "Other solutions to Nash's bargaining problem",
       Econometrica 43(3), 513-518, 1975.

    Examples
    --------
    >>> kalai_smorodinsky(lambda u1: 1 - u1**2, [0, 0]).utilities.round(6)
    array([0.618034, 0.618034])
    >>> kalai_smorodinsky([[0, 1], [0.5, 0.5]], [0, 0]).utilities.round(6)
    array([0.333333, 0.666667])
    """
    prob = _problem(frontier, disagreement, u1_max)
    d, f, ideal = prob.d, prob.f, prob.ideal

    def gap(t: float) -> float:
        return f(d[0] + t * (ideal[0] - d[0])) - (d[1] + t * (ideal[1] - d[1]))

    if gap(0.0) <= 0 or prob.u1_bar <= d[0]:
        t = 0.0
    elif gap(1.0) >= 0:
        t = 1.0
    else:
        t = optimize.brentq(gap, 0.0, 1.0, xtol=1e-15, rtol=1e-15)
    u = d + t * (ideal - d)
    u[1] = f(u[0]) if t > 0 else u[1]
    return BargainingSolution(u, d, ideal, "kalai_smorodinsky")


def egalitarian(
    frontier: Frontier, disagreement: ArrayLike, *, u1_max: float | None = None
) -> BargainingSolution:
    r"""Egalitarian (equal gains) solution of a two-player problem.

    Parameters
    ----------
    frontier : callable or array_like, shape (m, 2)
        As in :func:`nash_bargaining`.
    disagreement : array_like, shape (2,)
        Disagreement point :math:`d`.
    u1_max : float, optional
        Right end of a callable frontier's domain.

    Returns
    -------
    BargainingSolution

    Notes
    -----
    The largest :math:`g` with :math:`(d_1+g, d_2+g)` feasible: the root of
    :math:`f(d_1+g) = d_2+g`, or :math:`g = \bar u_1 - d_1` if the frontier drops vertically
    before that.

    References
    ----------
    .. [1] E. Kalai, "Proportional solutions to bargaining situations: interpersonal utility
       comparisons", Econometrica 45(7), 1623-1630, 1977.

    Examples
    --------
    >>> egalitarian(lambda u1: 1 - u1, [0.2, 0.0]).utilities.round(6)
    array([0.6, 0.4])
    """
    prob = _problem(frontier, disagreement, u1_max)
    d, f = prob.d, prob.f

    def gap(g: float) -> float:
        return f(d[0] + g) - (d[1] + g)

    g_max = prob.u1_bar - d[0]
    if gap(0.0) <= 0 or g_max <= 0:
        g = 0.0
    elif gap(g_max) >= 0:
        g = g_max  # the frontier drops vertically at u1_bar
    else:
        g = optimize.brentq(gap, 0.0, g_max, xtol=1e-15, rtol=1e-15)
    return BargainingSolution(d + g, d, prob.ideal, "egalitarian")


# --------------------------------------------------------------------------------------------
# n players on the simplex u_1 + ... + u_n = 1.
# --------------------------------------------------------------------------------------------


def _simplex_disagreement(disagreement: ArrayLike) -> NDArray[np.float64]:
    d = check_finite("disagreement", disagreement)
    if d.ndim == 0:
        raise ValueError("disagreement must have shape (..., n), got a scalar")
    total = d.sum(axis=-1)
    if np.any(total > 1.0 + 1e-12):
        raise ValueError(
            "disagreement point is infeasible: sum(disagreement) must be <= 1, "
            f"got sum(disagreement)={np.max(total)!r}"
        )
    return d


def nash_bargaining_simplex(
    disagreement: ArrayLike, weights: ArrayLike | None = None
) -> BargainingSolution:
    r"""n-player (asymmetric) Nash solution on the frontier :math:`\sum_i u_i = 1`.

    Parameters
    ----------
    disagreement : array_like, shape (..., n)
        Disagreement payoffs with :math:`\sum_i d_i \le 1`.
    weights : array_like, shape (..., n), optional
        Bargaining powers :math:`w_i \ge 0`, not all zero (default equal).

    Returns
    -------
    BargainingSolution
        ``utilities`` has the broadcast shape ``(..., n)``.

    Notes
    -----
    Maximising :math:`\prod_i (u_i - d_i)^{w_i}` subject to :math:`\sum u_i = 1` gives

    .. math:: u_i = d_i + \frac{w_i}{\sum_j w_j}\Big(1 - \sum_j d_j\Big).

    Examples
    --------
    >>> nash_bargaining_simplex([0.1, 0.2, 0.1], weights=[1, 1, 2]).utilities
    array([0.25, 0.35, 0.4 ])
    """
    d = _simplex_disagreement(disagreement)
    w = np.ones(d.shape[-1]) if weights is None else check_nonnegative("weights", weights)
    if np.any(w.sum(axis=-1) <= 0):
        raise ValueError("weights must not all be zero")
    surplus = 1.0 - d.sum(axis=-1, keepdims=True)
    u = d + w / w.sum(axis=-1, keepdims=True) * surplus
    ideal = d + surplus
    return BargainingSolution(u, d, np.broadcast_to(ideal, u.shape).copy(), "nash")


def kalai_smorodinsky_simplex(
    disagreement: ArrayLike, ideal: ArrayLike | None = None
) -> BargainingSolution:
    r"""n-player Kalai-Smorodinsky solution on the frontier :math:`\sum_i u_i = 1`.

    Parameters
    ----------
    disagreement : array_like, shape (..., n)
        Disagreement payoffs with :math:`\sum_i d_i \le 1`.
    ideal : array_like, shape (..., n), optional
        Ideal point :math:`I \ge d` (e.g. capped claims). Default: the simplex ideal
        :math:`I_i = 1 - \sum_{j \ne i} d_j`, for which the solution is egalitarian.

    Returns
    -------
    BargainingSolution

    Notes
    -----
    :math:`u = d + t(I-d)` with :math:`t = (1-\sum_j d_j)/\sum_j (I_j-d_j)` so that
    :math:`\sum_i u_i = 1`.

    Examples
    --------
    >>> kalai_smorodinsky_simplex([0, 0], ideal=[1.0, 0.5]).utilities.round(6)
    array([0.666667, 0.333333])
    """
    d = _simplex_disagreement(disagreement)
    surplus = 1.0 - d.sum(axis=-1, keepdims=True)
    i_pt = d + surplus if ideal is None else check_finite("ideal", ideal)
    gains = i_pt - d
    if np.any(gains < 0):
        raise ValueError("ideal must be >= disagreement componentwise")
    total = gains.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(total > 0, surplus / total, 0.0)
    u = d + t * gains
    return BargainingSolution(u, d, np.broadcast_to(i_pt, u.shape).copy(), "kalai_smorodinsky")


def egalitarian_simplex(disagreement: ArrayLike) -> BargainingSolution:
    r"""n-player egalitarian solution on the frontier :math:`\sum_i u_i = 1`.

    Parameters
    ----------
    disagreement : array_like, shape (..., n)
        Disagreement payoffs with :math:`\sum_i d_i \le 1`.

    Returns
    -------
    BargainingSolution

    Notes
    -----
    Equal gains: :math:`u_i = d_i + (1 - \sum_j d_j)/n`.

    Examples
    --------
    >>> egalitarian_simplex([0.1, 0.2, 0.4]).utilities
    array([0.2, 0.3, 0.5])
    """
    d = _simplex_disagreement(disagreement)
    surplus = 1.0 - d.sum(axis=-1, keepdims=True)
    u = d + surplus / d.shape[-1]
    return BargainingSolution(u, d, d + surplus, "egalitarian")


def compromise(
    positions: ArrayLike, capability: ArrayLike, salience: ArrayLike = 1.0
) -> NDArray[np.float64]:
    r"""Capability-times-salience weighted mean of the actors' ideal positions.

    Parameters
    ----------
    positions : array_like, shape (n_actors,) or (n_actors, n_issues)
        Ideal positions of the actors on each issue.
    capability : array_like, shape (n_actors,) or broadcastable to ``positions``
        Capabilities (power) :math:`c_i \ge 0`.
    salience : array_like, shape (n_actors,) or (n_actors, n_issues), optional
        Saliences :math:`s_{ij} \ge 0` (default 1).

    Returns
    -------
    float or ndarray, shape (n_issues,)
        The predicted outcome per issue.

    Notes
    -----
    .. math:: \hat x_j = \frac{\sum_i c_i s_{ij} x_{ij}}{\sum_i c_i s_{ij}}.

    One-dimensional weight vectors apply to every issue (actors on axis 0).

    References
    ----------
    .. [1] C. H. Achen, "Evaluating political decision-making models", in R. Thomson et al.
       (eds.), *The European Union Decides*, 2006 (the "compromise model").
    .. [2] B. Bueno de Mesquita, *The War Trap*, 1981.

    Examples
    --------
    >>> float(compromise([0, 100], capability=[3, 1]))
    25.0
    >>> compromise([[0, 10], [100, 20]], capability=[1, 1], salience=[[1, 1], [3, 1]])
    array([75., 15.])
    """
    x = check_finite("positions", positions)
    c = check_nonnegative("capability", capability)
    s = check_nonnegative("salience", salience)
    if x.ndim == 2:
        c = c[:, None] if c.ndim == 1 else c
        s = s[:, None] if s.ndim == 1 else s
    w = np.broadcast_to(c * s, x.shape)
    total = w.sum(axis=0)
    if np.any(total <= 0):
        raise ValueError("capability * salience must have a positive sum on every issue")
    return (w * x).sum(axis=0) / total
