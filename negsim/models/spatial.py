r"""Bargaining over a multi-issue settlement space.

A settlement has a *position* ``x_k`` in ``[lo_k, hi_k] \subseteq [0, 1]`` on each of P
position issues and, on each of Q *pie* issues, shares ``y_iq >= 0`` that sum to one over
the pie's members. Actor i's utility is

.. math::

    u_i(x, y) = \sum_k s_{ik} \left(1 - |x_k - a_{ik}|^{\rho_i}\right) + \sum_q s_{iq} y_{iq},

with ideal points ``a``, salience ``s`` and curvature ``rho >= 1`` (1 linear, 2
quadratic). Writing ``d_ik >= |x_k - a_ik|`` makes every problem below convex in
``z = (x, d, y)``: the constraints on ``d`` are linear and ``u`` is concave and decreasing
in ``d``, so ``d`` is tight at any optimum. With ``rho = 1`` everywhere the problems are
linear programs, solved exactly with HiGHS; otherwise with SLSQP.

Solution concepts (each returns a :class:`Settlement`, or ``None`` when the set of
admissible settlements is empty):

* :func:`best_proposal` -- the proposer's constrained optimum in alternating-offers and
  Baron-Ferejohn bargaining: max ``u_j`` s.t. ``u_i >= floor_i`` for the coalition
  (Rubinstein 1982; Baron & Ferejohn 1989; multi-issue form as in Banks & Duggan 2000).
  Ties are broken towards the coalition's total utility (a weight of 1e-7 on it, which
  for a linear program selects the lexicographic optimum).
* :func:`max_min_gain` -- max ``lam`` s.t. ``u_i - W_i >= lam * scale_i``: the egalitarian
  solution (Kalai 1977) with ``scale = 1`` and Kalai-Smorodinsky (1975) with
  ``scale = U*_i - W_i``.
* :func:`nash_settlement` -- max ``sum_i w_i log(u_i - W_i)`` (Nash 1950; asymmetric
  weights as in Kalai 1977 / Roth 1979).
* :func:`compromise_settlement` -- the capability x salience weighted mean of ideal points
  (Achen 2006; van den Bos 1991).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import LinearConstraint, NonlinearConstraint, linprog, minimize

__all__ = [
    "Settlement",
    "SettlementSpace",
    "best_proposal",
    "compromise_settlement",
    "ideal_utilities",
    "max_min_gain",
    "nash_settlement",
    "utilities",
]

_FEAS_TOL = 1e-9
_TIE_BREAK = 1e-7  # weight of the coalition's total utility: a lexicographic tie-break for LPs


@dataclass(frozen=True)
class SettlementSpace:
    """Preferences of N actors over P position issues and Q pie issues.

    Parameters
    ----------
    ideal : (N, P) ideal positions in [0, 1].
    salience_position : (N, P) and salience_pie : (N, Q) non-negative weights.
    curvature : (N,) rho >= 1.
    members : (N, Q) bool, who shares each pie.
    low, high : (P,) bounds on positions (red lines already intersected by the caller).
    """

    ideal: np.ndarray
    salience_position: np.ndarray
    salience_pie: np.ndarray
    curvature: np.ndarray
    members: np.ndarray
    low: np.ndarray
    high: np.ndarray
    slots: list[tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        slots = [
            (int(i), int(q))
            for q in range(self.members.shape[1])
            for i in np.flatnonzero(self.members[:, q])
        ]
        object.__setattr__(self, "slots", slots)

    @property
    def n_actors(self) -> int:
        return self.ideal.shape[0]

    @property
    def n_positions(self) -> int:
        return self.ideal.shape[1]

    @property
    def n_variables(self) -> int:
        return self.n_positions * (1 + self.n_actors) + len(self.slots)

    @property
    def linear(self) -> bool:
        return bool(np.all(self.curvature == 1.0))

    def with_bounds(self, low: np.ndarray, high: np.ndarray) -> SettlementSpace:
        return SettlementSpace(
            self.ideal,
            self.salience_position,
            self.salience_pie,
            self.curvature,
            self.members,
            low,
            high,
        )


@dataclass(frozen=True)
class Settlement:
    """A settlement: positions ``x`` (P,), pie shares ``y`` (N, Q), utilities (N,)."""

    x: np.ndarray
    y: np.ndarray
    utilities: np.ndarray


def utilities(space: SettlementSpace, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Every actor's utility of positions ``x`` (..., P) and shares ``y`` (..., N, Q).

    Returns an array of shape (..., N).

    Examples
    --------
    >>> space = SettlementSpace(np.array([[1.0], [0.0]]), np.array([[1.0], [1.0]]),
    ...     np.zeros((2, 0)), np.ones(2), np.zeros((2, 0), bool), np.zeros(1), np.ones(1))
    >>> utilities(space, np.array([0.25]), np.zeros((2, 0))).tolist()
    [0.25, 0.75]
    """
    x = np.asarray(x, dtype=float)
    distance = np.abs(x[..., None, :] - space.ideal)
    position = (space.salience_position * (1.0 - distance ** space.curvature[:, None])).sum(axis=-1)
    return position + (space.salience_pie * np.asarray(y, dtype=float)).sum(axis=-1)


# -- the variable vector z = (x, d, y) -----------------------------------------------------
def _split(space: SettlementSpace, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, p = space.n_actors, space.n_positions
    x = z[:p]
    d = z[p : p + n * p].reshape(n, p)
    y = np.zeros(space.members.shape)
    for value, (i, q) in zip(z[p + n * p :], space.slots, strict=True):
        y[i, q] = value
    return x, d, y


def _u_of_z(space: SettlementSpace, z: np.ndarray) -> np.ndarray:
    _, d, y = _split(space, z)
    position = (space.salience_position * (1.0 - d ** space.curvature[:, None])).sum(axis=1)
    return position + (space.salience_pie * y).sum(axis=1)


def _u_jacobian(space: SettlementSpace, z: np.ndarray) -> np.ndarray:
    """d u_i / d z, shape (N, n_variables)."""
    n, p = space.n_actors, space.n_positions
    _, d, _ = _split(space, z)
    jac = np.zeros((n, space.n_variables))
    rho = space.curvature[:, None]
    grad_d = -space.salience_position * rho * np.where(d > 0, d, 0.0) ** (rho - 1.0)
    for i in range(n):
        jac[i, p + i * p : p + (i + 1) * p] = grad_d[i]
    for s, (i, q) in enumerate(space.slots):
        jac[i, p + n * p + s] = space.salience_pie[i, q]
    return jac


def _linear_parts(
    space: SettlementSpace,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list]:
    """Constraints common to every problem: d >= |x - a|, pie simplices, variable bounds."""
    n, p, nv = space.n_actors, space.n_positions, space.n_variables
    rows, rhs = [], []
    for i in range(n):
        for k in range(p):
            for sign in (1.0, -1.0):  # sign*(x_k - a_ik) - d_ik <= 0
                row = np.zeros(nv)
                row[k] = sign
                row[p + i * p + k] = -1.0
                rows.append(row)
                rhs.append(sign * space.ideal[i, k])
    a_ub = np.array(rows).reshape(-1, nv)
    b_ub = np.array(rhs)
    n_pies = space.members.shape[1]
    a_eq = np.zeros((n_pies, nv))
    for s, (_, q) in enumerate(space.slots):
        a_eq[q, p + n * p + s] = 1.0
    b_eq = np.ones(n_pies)
    bounds = [(float(lo), float(hi)) for lo, hi in zip(space.low, space.high, strict=True)]
    bounds += [(0.0, 1.0)] * (n * p + len(space.slots))
    return a_ub, b_ub, a_eq, b_eq, bounds


def _settlement(space: SettlementSpace, z: np.ndarray) -> Settlement:
    x, _, y = _split(space, z)
    x = np.clip(x, space.low, space.high)
    return Settlement(x=x, y=y, utilities=utilities(space, x, y))


def _maximize(
    space: SettlementSpace,
    objective: np.ndarray,
    floors: np.ndarray,
    extra_var: bool = False,
    scale: np.ndarray | None = None,
) -> np.ndarray | None:
    """Maximise ``objective @ u(z)`` (or an extra variable lam) s.t. ``u_i >= floors_i (+ lam*scale_i)``.

    ``floors`` holds NaN for actors without a constraint. Returns the optimal z, or None
    when the constraints cannot all be met.
    """
    a_ub, b_ub, a_eq, b_eq, bounds = _linear_parts(space)
    constrained = np.flatnonzero(~np.isnan(floors))
    nv = space.n_variables
    if space.linear:
        jac = _u_jacobian(space, np.zeros(nv))  # constant for rho = 1
        const = space.salience_position.sum(axis=1)
        width = nv + int(extra_var)
        cost = np.zeros(width)
        cost[:nv] = -(objective @ jac)
        if extra_var:
            cost[-1] = -1.0
        pad = np.zeros((a_ub.shape[0], width - nv))
        rows = [np.hstack([a_ub, pad])]
        rhs = [b_ub]
        for i in constrained:  # -(u_i) + lam*scale_i <= -floor_i
            row = np.zeros(width)
            row[:nv] = -jac[i]
            if extra_var:
                row[-1] = 1.0 if scale is None else scale[i]
            rows.append(row[None])
            rhs.append(np.array([const[i] - floors[i]]))
        a_eq_full = np.hstack([a_eq, np.zeros((a_eq.shape[0], width - nv))])
        var_bounds = bounds + ([(None, None)] if extra_var else [])
        res = linprog(
            cost,
            A_ub=np.vstack(rows),
            b_ub=np.concatenate(rhs),
            A_eq=a_eq_full if a_eq.shape[0] else None,
            b_eq=b_eq if a_eq.shape[0] else None,
            bounds=var_bounds,
            method="highs",
        )
        if res.status != 0:
            return None
        return res.x
    return _maximize_smooth(
        space, objective, floors, constrained, extra_var, scale, a_ub, b_ub, a_eq, b_eq, bounds
    )


def _maximize_smooth(
    space, objective, floors, constrained, extra_var, scale, a_ub, b_ub, a_eq, b_eq, bounds
):  # noqa: ANN001, ANN202
    nv = space.n_variables
    width = nv + int(extra_var)
    scale_vec = np.ones(space.n_actors) if scale is None else scale

    def objective_fn(z: np.ndarray) -> tuple[float, np.ndarray]:
        if extra_var:
            grad = np.zeros(width)
            grad[-1] = -1.0
            return -z[-1], grad
        u_jac = _u_jacobian(space, z[:nv])
        return -float(objective @ _u_of_z(space, z[:nv])), -(objective @ u_jac)

    def floor_fn(z: np.ndarray) -> np.ndarray:
        lam = z[-1] if extra_var else 0.0
        return (_u_of_z(space, z[:nv]) - lam * scale_vec)[constrained] - floors[constrained]

    def floor_jac(z: np.ndarray) -> np.ndarray:
        jac = np.zeros((len(constrained), width))
        jac[:, :nv] = _u_jacobian(space, z[:nv])[constrained]
        if extra_var:
            jac[:, -1] = -scale_vec[constrained]
        return jac

    pad = lambda m: np.hstack([m, np.zeros((m.shape[0], width - nv))])  # noqa: E731
    constraints = [LinearConstraint(pad(a_ub), -np.inf, b_ub)] if a_ub.shape[0] else []
    if a_eq.shape[0]:
        constraints.append(LinearConstraint(pad(a_eq), b_eq, b_eq))
    if len(constrained):
        constraints.append(NonlinearConstraint(floor_fn, 0.0, np.inf, jac=floor_jac))
    z0 = _start_point(space)
    if extra_var:
        z0 = np.append(z0, 0.0)
    res = minimize(
        objective_fn,
        z0,
        jac=True,
        method="SLSQP",
        bounds=bounds + ([(None, None)] if extra_var else []),
        constraints=constraints,
        options={"maxiter": 500, "ftol": 1e-12},
    )
    z = res.x
    if len(constrained) and floor_fn(z).min() < -1e-7:
        return None
    if (pad(a_ub) @ z - b_ub).max(initial=0.0) > 1e-7:
        return None
    return z


def _start_point(space: SettlementSpace) -> np.ndarray:
    x = (space.low + space.high) / 2.0
    d = np.abs(x[None, :] - space.ideal)
    y = [1.0 / max(space.members[:, q].sum(), 1) for _, q in space.slots]
    return np.concatenate([x, d.ravel(), np.array(y)])


def best_proposal(space: SettlementSpace, proposer: int, floors: np.ndarray) -> Settlement | None:
    """The proposer's best settlement giving each constrained actor at least its floor.

    Parameters
    ----------
    space : the settlement space (bounds already restricted to the coalition's red lines).
    proposer : index of the proposer j.
    floors : (N,) least utility each coalition member accepts (its continuation value,
        or its reservation utility if higher); NaN for actors whose consent is not needed.

    Returns
    -------
    The optimal :class:`Settlement`, or None if no settlement meets every floor.

    Notes
    -----
    ``max u_j(z)`` s.t. ``u_i(z) >= floor_i``; among the proposer's optima, the one
    maximising the coalition's total utility (a 1e-7 weight on it), so that a proposer
    indifferent on an issue concedes it (deterministic, Pareto-efficient).

    Examples
    --------
    Rubinstein's split: the responder must get delta2 times its value as next proposer.

    >>> space = SettlementSpace(np.zeros((2, 0)), np.zeros((2, 0)), np.ones((2, 1)),
    ...     np.ones(2), np.ones((2, 1), bool), np.zeros(0), np.zeros(0))
    >>> s = best_proposal(space, 0, np.array([np.nan, 0.8 * 0.5]))
    >>> np.round(s.utilities, 6).tolist()
    [0.6, 0.4]
    """
    if space.n_positions == 0 and space.members.shape[1] == 1:
        return _divide_one_pie(space, proposer, floors)
    coalition = ~np.isnan(floors)
    objective = _TIE_BREAK * coalition
    objective[proposer] = 1.0
    z = _maximize(space, objective, floors)
    return None if z is None else _settlement(space, z[: space.n_variables])


def _divide_one_pie(space: SettlementSpace, proposer: int, floors: np.ndarray) -> Settlement | None:
    """Closed form for a single pie: each constrained member gets exactly the share that
    meets its floor (``floor_i / s_i``), the proposer keeps the rest (Rubinstein 1982;
    Baron & Ferejohn 1989)."""
    weight = space.salience_pie[:, 0]
    member = space.members[:, 0]
    y = np.zeros((space.n_actors, 1))
    for i in np.flatnonzero(~np.isnan(floors)):
        if i == proposer:
            continue
        if floors[i] <= 0:
            continue
        if not member[i] or weight[i] <= 0:
            return None
        y[i, 0] = floors[i] / weight[i]
    rest = 1.0 - y.sum()
    if rest < -_FEAS_TOL:
        return None
    keeper = proposer if member[proposer] else int(np.flatnonzero(member)[0])
    y[keeper, 0] += max(rest, 0.0)
    settlement = Settlement(x=np.zeros(0), y=y, utilities=utilities(space, np.zeros(0), y))
    if (
        not np.isnan(floors[proposer])
        and settlement.utilities[proposer] < floors[proposer] - _FEAS_TOL
    ):
        return None
    return settlement


def max_min_gain(
    space: SettlementSpace, threat: np.ndarray, players: np.ndarray, scale: np.ndarray | None = None
) -> tuple[Settlement, float] | None:
    """Max ``lam`` s.t. ``u_i - W_i >= lam * scale_i`` for every player (egalitarian / KS).

    Returns the settlement and lam, or None when no settlement gives every player at
    least its threat point (lam < 0: the bargaining set is empty).
    """
    floors = np.where(players, threat, np.nan)
    z = _maximize(space, _TIE_BREAK * players, floors, extra_var=True, scale=scale)
    if z is None or z[-1] < -_FEAS_TOL:
        return None
    return _settlement(space, z[: space.n_variables]), float(z[-1])


def ideal_utilities(space: SettlementSpace, threat: np.ndarray, players: np.ndarray) -> np.ndarray:
    """``U*_i``: each player's best utility among settlements giving all players their threat."""
    floors = np.where(players, threat, np.nan)
    best = np.full(space.n_actors, np.nan)
    for i in np.flatnonzero(players):
        objective = np.zeros(space.n_actors)
        objective[i] = 1.0
        z = _maximize(space, objective, floors)
        if z is not None:
            best[i] = _u_of_z(space, z[: space.n_variables])[i]
    return best


def nash_settlement(
    space: SettlementSpace,
    threat: np.ndarray,
    players: np.ndarray,
    weights: np.ndarray | None = None,
    start: tuple[Settlement, float] | None = None,
) -> Settlement | None:
    """The (asymmetric) Nash bargaining solution over the settlement space.

    ``max sum_i w_i log(u_i - W_i)`` over settlements with ``u_i > W_i`` for the players
    (Nash 1950; asymmetric form, Kalai 1977). Solved with SLSQP from the egalitarian point
    (``start``: the result of :func:`max_min_gain`, computed here if not given).
    Returns None when no settlement gives every player at least its threat point.
    """
    start = max_min_gain(space, threat, players) if start is None else start
    if start is None or start[1] <= _FEAS_TOL:
        return None if start is None else start[0]
    w = np.where(players, 1.0 if weights is None else weights, 0.0)
    idx = np.flatnonzero(players)
    a_ub, b_ub, a_eq, b_eq, bounds = _linear_parts(space)

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        gain = np.maximum(_u_of_z(space, z)[idx] - threat[idx], 1e-12)
        jac = _u_jacobian(space, z)[idx]
        return -float(w[idx] @ np.log(gain)), -((w[idx] / gain) @ jac)

    constraints = [LinearConstraint(a_ub, -np.inf, b_ub)] if a_ub.shape[0] else []
    if a_eq.shape[0]:
        constraints.append(LinearConstraint(a_eq, b_eq, b_eq))
    z0 = _z_of(space, start[0])
    res = minimize(
        objective,
        z0,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": 500, "ftol": 1e-14},
    )
    z = res.x if res.success and objective(res.x)[0] <= objective(z0)[0] else z0
    return _settlement(space, z)


def _z_of(space: SettlementSpace, settlement: Settlement) -> np.ndarray:
    d = np.abs(settlement.x[None, :] - space.ideal)
    y = [settlement.y[i, q] for i, q in space.slots]
    return np.concatenate([settlement.x, d.ravel(), np.array(y)])


def compromise_settlement(space: SettlementSpace, capability: np.ndarray) -> Settlement:
    """The capability x salience weighted mean of ideal points, clipped to the bounds.

    ``x_k = sum_i c_i s_ik a_ik / sum_i c_i s_ik``; pie shares proportional to
    ``c_i s_iq`` among the pie's members (Achen 2006, the EU decision-making benchmark).
    Issues nobody weighs fall back to the midpoint of their bounds.
    """
    weight = capability[:, None] * space.salience_position
    total = weight.sum(axis=0)
    mean = np.divide(
        (weight * space.ideal).sum(axis=0), total, out=np.full(total.shape, np.nan), where=total > 0
    )
    x = np.clip(np.where(total > 0, mean, (space.low + space.high) / 2), space.low, space.high)
    pie_weight = capability[:, None] * space.salience_pie * space.members
    pie_total = pie_weight.sum(axis=0)
    equal = space.members / np.maximum(space.members.sum(axis=0), 1)
    y = np.where(pie_total > 0, pie_weight / np.where(pie_total > 0, pie_total, 1.0), equal)
    return Settlement(x=x, y=y, utilities=utilities(space, x, y))
