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
  for a linear program selects the lexicographic optimum; HiGHS runs with a dual
  feasibility tolerance of 1e-10, far below the weight, so that it resolves it).
* :func:`max_min_gain` -- max ``lam`` s.t. ``u_i - W_i >= lam * scale_i``: the egalitarian
  solution (Kalai 1977) with ``scale = 1`` and Kalai-Smorodinsky (1975) with
  ``scale = U*_i - W_i`` (:func:`ideal_utilities`); ties broken as above, exactly.
* :func:`nash_settlement` -- max ``sum_i w_i log(u_i - W_i)`` (Nash 1950; asymmetric
  weights as in Kalai 1977 / Roth 1979), by SLSQP.
* :func:`compromise_settlement` -- the capability x salience weighted mean of ideal points
  (Achen 2006; van den Bos 1991).

The ``*_batch`` functions (:func:`max_min_gain_batch`, :func:`ideal_utilities_batch`,
:func:`kalai_smorodinsky_batch`, :func:`nash_settlement_batch`) solve many independent
problems at once, as the engine does for all rounds and regimes (and signal nodes): the
problems over one space differ only in their threat points, so one is solved (HiGHS for
the linear programs, Clarabel's exponential-cone program for Nash) and its optimal vertex
or face is reused at the others wherever it verifiably is their optimum.

Longer than 600 lines because every solver of the settlement space (proposals,
Nash, Kalai-Smorodinsky, compromise, their batches) shares its variable layout and
the linear and conic program builders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby
from typing import Any

import clarabel
import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, NonlinearConstraint, linprog, minimize, nnls

from negsim.models.parametric_lp import pass_model, quiet_highs

__all__ = [
    "Penalty",
    "Settlement",
    "SettlementSpace",
    "best_proposal",
    "compromise_settlement",
    "ideal_utilities",
    "ideal_utilities_batch",
    "kalai_smorodinsky_batch",
    "max_min_gain",
    "max_min_gain_batch",
    "nash_settlement",
    "nash_settlement_batch",
    "utilities",
]

_FEAS_TOL = 1e-9
_TIE_BREAK = 1e-7  # weight of the coalition's total utility: a lexicographic tie-break for LPs
TIE_BREAK = _TIE_BREAK  # public name, for the batch path's linear programs
_EXACT_TIES_TOL = 1e-10  # HiGHS dual feasibility tolerance that resolves the tie-break
_CONIC_TOL = 1e-8  # Clarabel's gap and feasibility tolerances (its defaults), then polished
_ACTIVE_TOL = 1e-5  # slack below which a constraint counts as active when polishing
_NEWTON_STEPS = 20
_FLAT = 1e-9  # singular value below which a face direction counts as moving no gain
_KKT_TOL = 1e-9  # relative residual of the KKT conditions for a polished Nash solution
# highspy.Highs() prints a banner on construction; the core class it wraps does not
_HIGHS_PRIMAL_TOL = 1e-7  # HiGHS's default primal feasibility tolerance


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

    @cached_property
    def _linear_form(self) -> _LinearForm:
        """The parts every LP over this space shares (built once per space)."""
        return _LinearForm.of(self)

    @cached_property
    def _preferences(self) -> tuple[bytes, ...]:
        """What fixes the matrix and costs of the space's linear programs (not its ideal
        points and bounds, which enter right-hand sides and column bounds)."""
        return tuple(
            np.ascontiguousarray(a).tobytes() + str(np.shape(a)).encode()
            for a in (self.salience_position, self.salience_pie, self.members)
        )

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
    pair = np.arange(n * p)  # (i, k) in row-major order; d_ik is variable p + pair
    a_ub = np.zeros((2 * n * p, nv))
    for sign, rows in ((1.0, 2 * pair), (-1.0, 2 * pair + 1)):  # sign*(x_k - a_ik) - d_ik <= 0
        a_ub[rows, pair % p] = sign
        a_ub[rows, p + pair] = -1.0
    b_ub = np.stack([space.ideal.ravel(), -space.ideal.ravel()], axis=1).ravel()
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


@dataclass(frozen=True)
class _LinearProgram:
    """``min cost @ v`` s.t. ``a_ub v <= b_ub``, ``a_eq v = b_eq``, ``bounds`` (one block)."""

    cost: np.ndarray
    a_ub: np.ndarray
    b_ub: np.ndarray
    a_eq: np.ndarray
    b_eq: np.ndarray
    bounds: np.ndarray  # (width, 2), infinite where unbounded


@dataclass(frozen=True)
class _LinearForm:
    """What every LP over one linear space shares: :func:`_linear_parts` with the bounds as
    an array, and ``u(z) = const + jac @ z``."""

    a_ub: np.ndarray
    b_ub: np.ndarray
    a_eq: np.ndarray
    b_eq: np.ndarray
    bounds: np.ndarray  # (n_variables, 2)
    jac: np.ndarray
    const: np.ndarray

    @classmethod
    def of(cls, space: SettlementSpace) -> _LinearForm:
        a_ub, b_ub, a_eq, b_eq, bounds = _linear_parts(space)
        return cls(
            a_ub,
            b_ub,
            a_eq,
            b_eq,
            np.array(bounds, dtype=float).reshape(-1, 2),
            _u_jacobian(space, np.zeros(space.n_variables)),  # constant for rho = 1
            space.salience_position.sum(axis=1),
        )


def _linear_program(
    form: _LinearForm, objective: np.ndarray, floors: np.ndarray, scale: np.ndarray | None
) -> _LinearProgram:
    """The LP of :func:`_maximize_many` for one linear space, over ``v = (z, lam)``."""
    constrained = np.flatnonzero(~np.isnan(floors))
    rows, nv = form.a_ub.shape
    width = nv + int(scale is not None)
    cost = np.zeros(width)
    cost[:nv] = -(objective @ form.jac)
    a_ub = np.zeros((rows + len(constrained), width))
    a_ub[:rows, :nv] = form.a_ub
    a_ub[rows:, :nv] = -form.jac[constrained]  # -(u_i) + lam*scale_i <= -floor_i
    a_eq, bounds = form.a_eq, form.bounds
    if scale is not None:
        cost[-1] = -1.0
        a_ub[rows:, -1] = scale[constrained]
        a_eq = np.hstack([a_eq, np.zeros((len(form.b_eq), 1))])
        bounds = np.vstack([bounds, [-np.inf, np.inf]])
    return _LinearProgram(
        cost=cost,
        a_ub=a_ub,
        b_ub=np.concatenate([form.b_ub, form.const[constrained] - floors[constrained]]),
        a_eq=a_eq,
        b_eq=form.b_eq,
        bounds=bounds,
    )


def _solve_linear_programs(programs: list[_LinearProgram]) -> list[np.ndarray | None]:
    """Solve independent LPs in one HiGHS call, stacked block-diagonally.

    The stacked LP is separable, so its optimum restricted to each block is optimal for that
    block. If the stack has no optimum (a block infeasible or unbounded; callers avoid this),
    the blocks are solved one by one to tell which; those without an optimum give None.

    HiGHS's dual feasibility tolerance is lowered (1e-7 by default, the size of the
    tie-break weight ``_TIE_BREAK``) so that the tie-break is resolved: otherwise the
    simplex may stop at any optimum of the main objective, and which one depends on the
    solver's path (e.g. on what else is stacked with the problem).
    """
    if not programs:
        return []
    stack = _block_diag if len(programs) > 1 else lambda blocks: blocks[0]  # dense is faster
    a_eq = stack([lp.a_eq for lp in programs])
    res = linprog(
        np.concatenate([lp.cost for lp in programs]),
        A_ub=stack([lp.a_ub for lp in programs]),
        b_ub=np.concatenate([lp.b_ub for lp in programs]),
        A_eq=a_eq if a_eq.shape[0] else None,
        b_eq=np.concatenate([lp.b_eq for lp in programs]) if a_eq.shape[0] else None,
        bounds=np.vstack([lp.bounds for lp in programs]),
        method="highs",
        options={"dual_feasibility_tolerance": _EXACT_TIES_TOL},
    )
    if res.status == 0:
        return list(np.split(res.x, np.cumsum([len(lp.cost) for lp in programs])[:-1]))
    if len(programs) == 1:
        return [None]
    return [_solve_linear_programs([lp])[0] for lp in programs]


def _maximize_many(
    spaces: Sequence[SettlementSpace],
    objectives: np.ndarray,
    floors: np.ndarray,
    scales: np.ndarray | None = None,
) -> list[np.ndarray | None]:
    """For each problem b, maximise ``objectives[b] @ u(z)`` s.t. ``u_i >= floors[b, i]``;
    with ``scales``, maximise an extra variable lam s.t.
    ``u_i >= floors[b, i] + lam * scales[b, i]`` instead (the objective then breaks ties).

    ``floors`` holds NaN for actors without a constraint. Returns the optimal ``(z, lam)``
    (or z) of each problem, or None when its constraints cannot all be met. The linear
    problems are solved together in one LP (:func:`_solve_linear_programs`); the others by
    SLSQP one at a time.
    """
    out: list[np.ndarray | None] = [None] * len(spaces)
    linear = [b for b, space in enumerate(spaces) if space.linear]
    programs = [
        _linear_program(
            spaces[b]._linear_form,
            objectives[b],
            floors[b],
            None if scales is None else scales[b],
        )
        for b in linear
    ]
    for b, v in zip(linear, _solve_linear_programs(programs), strict=True):
        out[b] = v
    for b, space in enumerate(spaces):
        if not space.linear:
            out[b] = _maximize_smooth(
                space, objectives[b], floors[b], None if scales is None else scales[b]
            )
    return out


def _maximize_smooth(
    space: SettlementSpace, objective: np.ndarray, floors: np.ndarray, scale: np.ndarray | None
) -> np.ndarray | None:
    """:func:`_maximize_many` for one space with curved utilities, by SLSQP."""
    a_ub, b_ub, a_eq, b_eq, bounds = _linear_parts(space)
    constrained = np.flatnonzero(~np.isnan(floors))
    extra_var = scale is not None
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


@dataclass(frozen=True)
class Penalty:
    r"""A term subtracted from one actor's utility where it decides (a leader's expected
    removal loss, :mod:`negsim.engine.leaders`):

    .. math:: c + b \max(0, |x_k - a| - f)

    with ``constant`` c, ``slope`` b >= 0, position issue ``issue`` k, ``centre`` a and
    ``free`` f >= 0. Convex in x, so the decider's utility stays concave; in the linear
    program it is an extra variable ``s >= 0, s >= x_k - a - f, s >= a - x_k - f``.
    """

    actor: int
    issue: int
    centre: float
    free: float
    constant: float
    slope: float

    def of(self, x: np.ndarray) -> float:
        """The penalty at positions ``x``."""
        return self.constant + self.slope * max(0.0, abs(x[self.issue] - self.centre) - self.free)


def _penalised_form(form: _LinearForm, penalties: Sequence[Penalty]) -> _LinearForm:
    """``form`` with one shortfall variable per penalty and ``u_i`` lowered by it."""
    m = len(penalties)
    rows, nv = form.a_ub.shape
    a_ub = np.zeros((rows + 2 * m, nv + m))
    a_ub[:rows, :nv] = form.a_ub
    b_ub = np.concatenate([form.b_ub, np.zeros(2 * m)])
    jac = np.hstack([form.jac, np.zeros((form.jac.shape[0], m))])
    const = form.const.copy()
    for j, pen in enumerate(penalties):
        for sign, row in ((1.0, rows + 2 * j), (-1.0, rows + 2 * j + 1)):
            a_ub[row, pen.issue] = sign  # sign * (x_k - a) - s <= f
            a_ub[row, nv + j] = -1.0
            b_ub[row] = pen.free + sign * pen.centre
        jac[pen.actor, nv + j] = -pen.slope
        const[pen.actor] -= pen.constant
    return _LinearForm(
        a_ub,
        b_ub,
        np.hstack([form.a_eq, np.zeros((form.a_eq.shape[0], m))]),
        form.b_eq,
        np.vstack([form.bounds, np.tile([0.0, np.inf], (m, 1))]),
        jac,
        const,
    )


def best_proposal(
    space: SettlementSpace,
    proposer: int,
    floors: np.ndarray,
    penalties: Sequence[Penalty] = (),
) -> Settlement | None:
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

    With ``penalties`` (linear utilities only), the proposer's objective and the floors
    apply to each decider's utility less its :class:`Penalty`; the settlement's
    ``utilities`` are still ``u`` (without penalties).
    """
    if penalties:
        if not space.linear:
            raise ValueError("penalties need linear utilities (curvature 1)")
        coalition = ~np.isnan(floors)
        objective = _TIE_BREAK * coalition
        objective[proposer] = 1.0
        form = _penalised_form(space._linear_form, penalties)
        z = _solve_linear_programs([_linear_program(form, objective, floors, None)])[0]
        return None if z is None else _settlement(space, z[: space.n_variables])
    if space.n_positions == 0 and space.members.shape[1] == 1:
        return _divide_one_pie(space, proposer, floors)
    coalition = ~np.isnan(floors)
    objective = _TIE_BREAK * coalition
    objective[proposer] = 1.0
    z = _maximize_many([space], objective[None], floors[None])[0]
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
    return max_min_gain_batch(
        [space], threat[None], players[None], None if scale is None else scale[None]
    )[0]


def max_min_gain_batch(
    spaces: Sequence[SettlementSpace],
    threats: np.ndarray,
    players: np.ndarray,
    scales: np.ndarray | None = None,
) -> list[tuple[Settlement, float] | None]:
    r""":func:`max_min_gain` for B independent bargaining problems at once.

    Parameters
    ----------
    spaces : B settlement spaces over the same N actors.
    threats : (B, N) threat points ``W``.
    players : (B, N) bool, whose gains count.
    scales : (B, N) gain units; None for 1 (the egalitarian solution).

    Returns
    -------
    For each problem, the settlement and ``lam`` solving

    .. math::

        \max_{z, \lambda} \lambda \quad \text{s.t.} \quad
        u_i(z) - W_i \ge \lambda \, \mathrm{scale}_i \ \text{for every player } i,

    or None when ``lam < 0`` (no settlement gives every player its threat point). With
    ``scale = 1`` this is the egalitarian solution (Kalai 1977); with
    ``scale_i = U*_i - W_i`` the Kalai-Smorodinsky solution (Kalai & Smorodinsky 1975).
    Ties are broken towards the players' total utility (a 1e-7 weight, resolved exactly:
    the lexicographic optimum).

    Notes
    -----
    The problems with linear utilities over one space are solved by
    :func:`_solve_related`: HiGHS for one, its optimal vertex reused at the others where
    it is verifiably their unique optimum. Curved utilities are solved one by one with
    SLSQP.
    """
    floors = np.where(players, threats, np.nan)
    scales = np.ones(floors.shape) if scales is None else scales
    zs = _maximize_related(spaces, _TIE_BREAK * players, floors, scales)
    kept = [z if z is not None and z[-1] >= -_FEAS_TOL else None for z in zs]
    settlements = _settlements(spaces, [None if z is None else z[:-1] for z in kept])
    return [
        None if z is None or found is None else (found, float(z[-1]))
        for z, found in zip(kept, settlements, strict=True)
    ]


def ideal_utilities(space: SettlementSpace, threat: np.ndarray, players: np.ndarray) -> np.ndarray:
    """``U*_i``: each player's best utility among settlements giving all players their threat."""
    return _ideal_utilities([space], threat[None], players[None])[0]


def ideal_utilities_batch(
    spaces: Sequence[SettlementSpace],
    threats: np.ndarray,
    players: np.ndarray,
    egalitarian: Sequence[tuple[Settlement, float] | None] | None = None,
) -> np.ndarray:
    r""":func:`ideal_utilities` for B independent bargaining problems at once.

    Parameters
    ----------
    spaces, threats, players : as in :func:`max_min_gain_batch`.
    egalitarian : the problems' :func:`max_min_gain_batch` results (computed if None);
        they tell which problems have settlements giving every player its threat point.

    Returns
    -------
    (B, N) array of each player's ideal utility (Kalai & Smorodinsky 1975)

    .. math::

        U^*_i = \max_z u_i(z) \quad \text{s.t.} \quad u_j(z) \ge W_j \
        \text{for every player } j,

    NaN for non-players and in problems without such settlements.

    Notes
    -----
    The set ``{u_j >= W_j}`` is nonempty exactly when the egalitarian ``lam >= 0``; only
    those problems are solved, the LPs of one space and player together
    (:func:`_solve_related`).
    """
    egalitarian = (
        max_min_gain_batch(spaces, threats, players) if egalitarian is None else egalitarian
    )
    best = np.full(threats.shape, np.nan)
    feasible = [b for b, found in enumerate(egalitarian) if found is not None]
    best[feasible] = _ideal_utilities(
        [spaces[b] for b in feasible], threats[feasible], players[feasible]
    )
    return best


def _ideal_utilities(
    spaces: Sequence[SettlementSpace], threats: np.ndarray, players: np.ndarray
) -> np.ndarray:
    """One maximisation of ``u_i`` per (problem, player), all solved together."""
    floors = np.where(players, threats, np.nan)
    cases = np.argwhere(players)  # (problem b, player i)
    objectives = np.zeros((len(cases), threats.shape[1]))
    objectives[np.arange(len(cases)), cases[:, 1]] = 1.0
    case_spaces = [spaces[b] for b, _ in cases]
    zs = _maximize_related(  # only the optimal value counts: any optimal vertex will do
        case_spaces, objectives, floors[cases[:, 0]], unique=False
    )
    best = np.full(threats.shape, np.nan)
    for space, members in _by_space(case_spaces, zs):
        x, y = _positions_shares(space, np.stack([np.asarray(zs[k]) for k in members]))
        b, i = cases[members].T
        best[b, i] = utilities(space, x, y)[np.arange(len(members)), i]
    return best


def kalai_smorodinsky_batch(
    spaces: Sequence[SettlementSpace],
    threats: np.ndarray,
    players: np.ndarray,
    egalitarian: Sequence[tuple[Settlement, float] | None] | None = None,
) -> list[Settlement | None]:
    r"""The Kalai-Smorodinsky solution of B independent bargaining problems at once.

    Parameters
    ----------
    spaces, threats, players, egalitarian : as in :func:`ideal_utilities_batch`.

    Returns
    -------
    For each problem, the settlement maximising ``lam`` s.t.
    ``u_i - W_i >= lam (U*_i - W_i)`` for every player (Kalai & Smorodinsky 1975): the
    furthest point towards the ideal utilities ``U*`` (:func:`ideal_utilities_batch`),
    found by :func:`max_min_gain_batch`. None where a player has no ideal utility (no
    settlement gives every player its threat point) or ``lam < 0``.
    """
    ideal = ideal_utilities_batch(spaces, threats, players, egalitarian)
    solvable = [b for b in range(len(spaces)) if not np.isnan(ideal[b, players[b]]).any()]
    scales = np.where(players[solvable], ideal[solvable] - threats[solvable], 0.0)
    found = max_min_gain_batch(
        [spaces[b] for b in solvable], threats[solvable], players[solvable], scales
    )
    out: list[Settlement | None] = [None] * len(spaces)
    for b, result in zip(solvable, found, strict=True):
        out[b] = None if result is None else result[0]
    return out


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
    :func:`nash_settlement_batch` solves many problems with linear utilities faster and
    more exactly (an exponential-cone program).
    """
    start = max_min_gain(space, threat, players) if start is None else start
    if start is None or start[1] <= _FEAS_TOL:
        return None if start is None else start[0]
    w = np.where(players, 1.0 if weights is None else weights, 0.0)
    w = w / w.sum()  # same solution; unnormalised weights made SLSQP's line search fail
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


def nash_settlement_batch(
    spaces: Sequence[SettlementSpace],
    threats: np.ndarray,
    players: np.ndarray,
    weights: np.ndarray | None = None,
    start: Sequence[tuple[Settlement, float] | None] | None = None,
) -> list[Settlement | None]:
    r"""The (asymmetric) Nash bargaining solution of B independent problems at once.

    Parameters
    ----------
    spaces, threats, players : as in :func:`max_min_gain_batch`.
    weights : (B, N) positive bargaining weights ``w``; None for equal weights.
    start : the problems' egalitarian :func:`max_min_gain_batch` results (computed if None).

    Returns
    -------
    For each problem, the settlement solving

    .. math::

        \max_z \sum_{i \in \text{players}} w_i \log\left(u_i(z) - W_i\right)

    (Nash 1950; asymmetric weights, Kalai 1977); the egalitarian settlement where the
    egalitarian gain is 0 (every settlement meeting the threat points leaves some player
    at its threat point); None where no settlement gives every player its threat point.

    Notes
    -----
    With linear utilities a problem is solved as an exponential-cone program by
    Clarabel's interior-point method (Goulart & Chen 2024):

    .. math::

        \max_{z, \tau} \sum_i \frac{w_i}{\sum_j w_j} \tau_i \quad \text{s.t.} \quad
        \left(\tau_i, 1, \frac{u_i(z) - W_i}{\lambda}\right) \in K_{\exp}
        = \{(a, b, c): b e^{a / b} \le c, b > 0\},

    with the settlement constraints of each problem; ``tau_i <= log((u_i - W_i) / lam)``
    is tight at the optimum, and measuring gains in the egalitarian gain ``lam`` (which
    does not move the solution) keeps them of order one. An interior-point solution is exact only to about the square root of
    its tolerance where the Nash product is flat to first order (an interior split of a
    pie), so each problem's solution is then polished by Newton's method on its optimal
    face and kept only if it verifiably satisfies the KKT conditions (see
    ``_NashBlock.polish``). A problem whose polish is not verified is finished by
    :func:`nash_settlement` (SLSQP) from the interior-point solution; curved utilities,
    and a problem for which Clarabel reports no optimum, by SLSQP from the egalitarian
    point. The problems over one space differ only in their threat points: once one is
    polished, Newton's method on its optimal face runs for the others at once and is kept
    wherever the KKT conditions verifiably hold (``_nash_linear``), so Clarabel runs once
    per distinct optimal face rather than once per problem.
    """
    start = max_min_gain_batch(spaces, threats, players) if start is None else start
    w = np.where(players, 1.0 if weights is None else weights, 0.0)
    out = [None if found is None else found[0] for found in start]  # no gain to share
    gaining = {
        b: found for b, found in enumerate(start) if found is not None and found[1] > _FEAS_TOL
    }
    is_linear = _linear_spaces(spaces)
    linear = {b: found for b, found in gaining.items() if is_linear[b]}
    for b, settlement in _nash_linear(spaces, threats, players, w, linear).items():
        out[b] = settlement
    for b, found in gaining.items():
        if b not in linear:
            out[b] = nash_settlement(spaces[b], threats[b], players[b], w[b], found)
    return out


def _nash_conic(blocks: list[_NashBlock]) -> list[np.ndarray | None]:
    """Clarabel's solution ``v`` of each Nash problem, from one call for all.

    If Clarabel reports no optimum for the stack, the blocks are solved one by one; those
    still without an optimum give None.
    """
    if not blocks:
        return []
    cones = [
        (clarabel.ZeroConeT, "zero_a", "zero_b"),
        (clarabel.NonnegativeConeT, "nonneg_a", "nonneg_b"),
    ]
    if len(blocks) == 1:  # one block: its rows stacked densely, the same sparse matrix
        one = blocks[0]
        a = sparse.csc_array(np.vstack([one.zero_a, one.nonneg_a, one.exp_a]))
    else:
        a = sparse.vstack(
            [_block_diag([getattr(block, rows) for block in blocks]) for _, rows, _ in cones]
            + [_block_diag([block.exp_a for block in blocks])],
            format="csc",
        )
    b = np.concatenate(
        [getattr(block, rhs) for _, _, rhs in cones for block in blocks]
        + [block.exp_b for block in blocks]
    )
    q = np.concatenate([block.q for block in blocks])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = settings.tol_gap_rel = settings.tol_feas = _CONIC_TOL
    solution = clarabel.DefaultSolver(
        sparse.csc_matrix((len(q), len(q))),
        q,
        a,
        b,
        [cone(sum(len(getattr(block, rhs)) for block in blocks)) for cone, _, rhs in cones]
        + [clarabel.ExponentialConeT()] * (sum(len(block.exp_b) for block in blocks) // 3),
        settings,
    ).solve()
    if solution.status == clarabel.SolverStatus.Solved:
        ends = np.cumsum([len(block.q) for block in blocks])[:-1]
        return list(np.split(np.asarray(solution.x), ends))
    if len(blocks) == 1:
        return [None]
    return [_nash_conic([block])[0] for block in blocks]


@dataclass(frozen=True)
class _NashBlock:
    """One Nash problem in Clarabel's form: ``min q @ v`` s.t. ``b - A v`` in the cones.

    ``v = (x, d, y, tau)`` with ``d`` only for the players (nobody else's utility enters):
    ``d_jk >= |x_k - a_jk|`` and the bounds on ``x`` and ``y >= 0`` in the nonnegative
    cone, the pie sums and pinned positions in the zero cone, and per player the
    exponential cone ``(tau_j, 1, (u_j(x, d, y) - W_j) / unit)``. ``d <= 1`` and
    ``y <= 1`` are implied and left out.
    """

    space: SettlementSpace
    q: np.ndarray
    zero_a: np.ndarray
    zero_b: np.ndarray
    nonneg_a: np.ndarray
    nonneg_b: np.ndarray
    exp_a: np.ndarray
    exp_b: np.ndarray

    @classmethod
    def of(
        cls,
        space: SettlementSpace,
        threat: np.ndarray,
        players: np.ndarray,
        weights: np.ndarray,
        unit: float,
    ) -> _NashBlock:
        """The block of one problem; gains are measured in ``unit`` (the egalitarian gain,
        so that they are of order one: scaling a gain does not move the solution)."""
        idx = np.flatnonzero(players)
        m, p, n_slots = len(idx), space.n_positions, len(space.slots)
        x, d, y, tau = (
            np.arange(p),
            p + np.arange(m * p).reshape(m, p),
            p + m * p + np.arange(n_slots),
            p + m * p + n_slots + np.arange(m),
        )
        width = p + m * p + n_slots + m
        fixed = space.low == space.high  # pinned by red lines: an equation
        free = np.flatnonzero(~fixed)
        n_pies = space.members.shape[1]
        zero_a = np.zeros((n_pies + fixed.sum(), width))
        for s, (_, pie) in enumerate(space.slots):
            zero_a[pie, y[s]] = 1.0
        zero_a[n_pies + np.arange(fixed.sum()), x[fixed]] = 1.0
        nonneg_a = np.zeros((2 * m * p + 2 * len(free) + n_slots, width))
        pair = np.arange(m * p)
        for sign, rows in ((1.0, 2 * pair), (-1.0, 2 * pair + 1)):  # sign*(x_k - a_jk) <= d_jk
            nonneg_a[rows, pair % p] = sign
            nonneg_a[rows, d.ravel()] = -1.0
        rows = 2 * m * p + np.arange(len(free))
        nonneg_a[rows, x[free]] = 1.0
        nonneg_a[rows + len(free), x[free]] = -1.0
        nonneg_a[2 * m * p + 2 * len(free) + np.arange(n_slots), y] = -1.0
        nonneg_b, zero_b = cls.right_hand_sides(space, players)
        exp_a = np.zeros((3 * m, width))
        exp_b = np.zeros(3 * m)
        exp_a[3 * np.arange(m), tau] = -1.0  # s = tau_j
        exp_b[3 * np.arange(m) + 1] = 1.0  # s = 1
        for j, i in enumerate(idx):  # s = u_i - W_i = sum_k s_ik (1 - d_jk) + pie shares - W_i
            exp_a[3 * j + 2, d[j]] = space.salience_position[i] / unit
            for s, (owner, pie) in enumerate(space.slots):
                if owner == i:
                    exp_a[3 * j + 2, y[s]] = -space.salience_pie[i, pie] / unit
            exp_b[3 * j + 2] = (space.salience_position[i].sum() - threat[i]) / unit
        q = np.zeros(width)
        q[tau] = -weights[idx] / weights[idx].sum()
        return cls(space, q, zero_a, zero_b, nonneg_a, nonneg_b, exp_a, exp_b)

    @staticmethod
    def right_hand_sides(space: SettlementSpace, players: np.ndarray) -> tuple[np.ndarray, ...]:
        """``nonneg_b`` and ``zero_b`` of the block of :meth:`of`: what its ideal points and
        red lines set (the threat points and unit enter ``exp_b`` alone)."""
        fixed = space.low == space.high
        ideal = space.ideal[np.flatnonzero(players)].ravel()
        nonneg_b = np.concatenate(
            [
                np.stack([ideal, -ideal], axis=1).ravel(),
                space.high[~fixed],
                -space.low[~fixed],
                np.zeros(len(space.slots)),
            ]
        )
        return nonneg_b, np.concatenate([np.ones(space.members.shape[1]), space.low[fixed]])

    def z(self, v: np.ndarray) -> np.ndarray:
        """The variables ``z = (x, d, y)`` of :func:`_split` for the settlement in ``v``."""
        space = self.space
        p, n_slots, m = space.n_positions, len(space.slots), len(self.exp_b) // 3
        x, y = v[:p], v[p + m * p : p + m * p + n_slots]
        return np.concatenate([x, np.abs(x[None, :] - space.ideal).ravel(), y])

    def face(self, v: np.ndarray) -> np.ndarray:
        """The nonnegative-cone rows with slack below ``_ACTIVE_TOL`` at ``v``: the face
        on which :meth:`polish` runs Newton's method."""
        nz = len(self.q) - len(self.exp_b) // 3
        return self.nonneg_b - self.nonneg_a[:, :nz] @ v[:nz] <= _ACTIVE_TOL

    def polish(self, v: np.ndarray) -> np.ndarray | None:
        """Newton's method on the face of the interior-point solution ``v``: the exact
        optimum if the result is a verified KKT point, else None.

        An interior-point method stops with the gap below its tolerance, which pins
        directions in which the Nash product is flat to first order (an interior split
        of a pie) only to about the square root of the tolerance. The constraints with
        slack below ``_ACTIVE_TOL`` are taken as equations; on that face the problem is
        smooth and Newton converges quadratically. The result is accepted only if it
        satisfies every constraint and its gradient is a non-negative combination of the
        active constraints (the KKT conditions of the convex problem: the optimum).
        """
        n_tau = len(self.exp_b) // 3
        nz = len(self.q) - n_tau
        weight = -self.q[nz:]
        grad_g = -self.exp_a[2::3, :nz]  # g = gain0 + grad_g @ z
        gain0 = self.exp_b[2::3]
        ineq_a, ineq_b = self.nonneg_a[:, :nz], self.nonneg_b
        z = v[:nz]
        active = self.face(v)
        eq_a = np.vstack([self.zero_a[:, :nz], ineq_a[active]])
        eq_b = np.concatenate([self.zero_b, ineq_b[active]])
        face = np.eye(nz)  # directions within the face, after moving z onto it
        if len(eq_b):
            u, sv, vt = np.linalg.svd(eq_a)
            rank = int((sv > 1e-10 * sv[0]).sum())
            z = z - vt[:rank].T @ ((u[:, :rank].T @ (eq_a @ z - eq_b)) / sv[:rank])
            face = vt[rank:].T
        m = grad_g @ face
        for _ in range(_NEWTON_STEPS):
            gain = gain0 + grad_g @ z
            if np.any(gain <= 0):
                return None
            # Newton step: least squares ||sqrt(w) (m step / gain - 1)||, directions that
            # move no gain (singular values below _FLAT) left alone
            root = np.sqrt(weight) / gain
            u, sv, vt = np.linalg.svd(root[:, None] * m, full_matrices=False)
            keep = sv > _FLAT
            step = vt[keep].T @ ((u[:, keep].T @ np.sqrt(weight)) / sv[keep])
            z = z + face @ step
            if np.abs(m @ step).max(initial=0.0) < 1e-15:  # gains no longer move
                break
        gain = gain0 + grad_g @ z
        if np.any(gain <= 0) or np.any(ineq_b - ineq_a @ z < -_FEAS_TOL):
            return None
        if np.abs(self.zero_a[:, :nz] @ z - self.zero_b).max(initial=0.0) > _FEAS_TOL:
            return None
        gradient = grad_g.T @ (weight / gain)  # = A_eq' mu + A_act' lam with lam >= 0
        n_eq = len(self.zero_b)
        basis = np.hstack([eq_a[:n_eq].T, -eq_a[:n_eq].T, eq_a[n_eq:].T])
        residual = nnls(basis, gradient)[1] if basis.shape[1] else np.linalg.norm(gradient)
        if residual > _KKT_TOL * max(1.0, float(np.linalg.norm(gradient))):
            return None
        out = v.copy()
        out[:nz] = z
        return out


def _block_diag(blocks: Sequence[np.ndarray]) -> sparse.csc_array:
    """Dense blocks placed along the diagonal of one sparse matrix (zeros dropped); runs of
    blocks of one shape are handled as one 3-d array."""
    rows, cols, values = [], [], []
    offset = np.zeros(2, dtype=int)
    for shape, run in groupby(blocks, key=np.shape):
        stacked = np.stack(list(run))
        b, r, c = np.nonzero(stacked)
        rows.append(offset[0] + b * shape[0] + r)
        cols.append(offset[1] + b * shape[1] + c)
        values.append(stacked[b, r, c])
        offset += len(stacked) * np.array(shape)
    return sparse.csc_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
        shape=tuple(offset),
    )


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


# -- linear programs of one space at many threat points: optimal active sets reused ----------
_STRICT = 1e-9  # least multiplier of an active inequality for a reused vertex (a unique optimum)
_FUTILE = 8  # active sets in a row that serve no other program: stop trying to reuse them


def _highs(
    cost: np.ndarray,
    g: np.ndarray,
    h: np.ndarray,
    n_eq: int,
    bounds: np.ndarray,
    solver: Any = None,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``min cost @ v`` s.t. ``g[:-n_eq] v <= h[:-n_eq]``, ``g[-n_eq:] v = h[-n_eq:]`` and
    ``bounds`` by HiGHS's dual simplex: the solution and its active set (the indices, in
    the rows of :func:`_stacked_rows`, of the nonbasic rows and bounds: n constraints that
    define the vertex), or (None, None) without an optimum. ``solver``: a HiGHS instance
    of :func:`_highs_solver` to reuse (the model passed replaces its model and basis, so
    the run starts cold as in a new one)."""
    solver = _highs_solver() if solver is None else solver
    m, n = g.shape
    row_lower = np.r_[np.full(m - n_eq, -highspy.kHighsInf), h[m - n_eq :]]
    pass_model(solver, cost, g, bounds[:, 0], bounds[:, 1], row_lower, h)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None, None
    v = np.array(solver.getSolution().col_value)
    basis = solver.getBasis()
    lower, upper, basic = (
        highspy.HighsBasisStatus.kLower,
        highspy.HighsBasisStatus.kUpper,
        highspy.HighsBasisStatus.kBasic,
    )
    active = [i for i, s in enumerate(basis.row_status) if s != basic]
    for j, s in enumerate(basis.col_status):
        if s == upper or (s == lower and bounds[j, 0] == bounds[j, 1]):
            active.append(m + j)
        elif s == lower:
            active.append(m + n + j)
        elif s != basic:  # a free column held at zero: no vertex to reuse
            return v, None
    return v, np.array(active) if len(active) == n else None


def _highs_solver() -> Any:
    """A quiet HiGHS dual simplex with the tolerances of :func:`_highs`."""
    return quiet_highs(_HIGHS_PRIMAL_TOL, _EXACT_TIES_TOL)


def _stacked_rows(g: np.ndarray, h: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every constraint as a row of ``G v <= h`` (cells stacked on the first axis): the
    rows of ``g`` (inequalities, then equations), then ``v_j <= hi_j``, then
    ``-v_j <= -lo_j``."""
    n = g.shape[-1]
    eye = np.broadcast_to(np.eye(n), (*g.shape[:-2], n, n))
    big_g = np.concatenate([g, eye, -eye], axis=-2)
    big_h = np.concatenate(
        [
            h,
            np.broadcast_to(bounds[..., 1], (*h.shape[:-1], n)),
            np.broadcast_to(-bounds[..., 0], (*h.shape[:-1], n)),
        ],
        axis=-1,
    )
    return big_g, big_h


def _vertices(
    g: np.ndarray,
    h: np.ndarray,
    cost: np.ndarray,
    equation: np.ndarray,
    active: np.ndarray,
    least: float = _STRICT,
    shared: bool = False,
    column: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which of C programs ``min cost @ v`` s.t. ``G_c v <= h_c`` (rows in ``equation``
    held with equality) have their unique optimum at the vertex where the rows
    ``active`` hold with equality, and that vertex: (C,) bool and (C, n).

    The vertex is the unique optimum when it is feasible and the cost is a combination
    ``-cost = sum_k mu_k G_k`` of the active rows with ``mu_k >= _STRICT`` for the active
    inequalities (the KKT conditions of the linear program with strict complementarity:
    then every feasible direction raises the cost; Bertsimas & Tsitsiklis 1997, thm 3.1).
    With ``least`` slightly negative instead, the vertex is *an* optimum (its value is the
    optimal value) but other optima may exist. ``shared``: every program has the matrix
    and cost of the first (only ``h`` differs; ``g`` may hold the first alone).
    ``column``: (C, rows) the last column of each program's matrix, the rest of which
    (and the cost) is the first's (:func:`_vertices_by_column`).
    """
    if column is not None:
        if g.shape[2] > 1:
            return _vertices_by_column(g[0], h, cost[0], equation, active, least, column)
        g = np.repeat(g[:1], len(h), axis=0)
        g[:, :, -1] = column
        cost = np.broadcast_to(cost[:1], (len(h), g.shape[2]))
        shared = False
    if shared:  # one matrix and cost: one factorisation
        m = g[0, active]
        if abs(np.linalg.det(m)) <= 1e-12:
            return np.zeros(len(h), dtype=bool), np.full((len(h), g.shape[2]), np.nan)
        mu = np.linalg.solve(m.T, -cost[0])
        if not np.any(np.all((mu >= least) | equation[:, active], axis=1)):
            return np.zeros(len(h), dtype=bool), np.full((len(h), g.shape[2]), np.nan)
        v = np.linalg.solve(m, h[:, active].T).T
        mu = np.broadcast_to(mu, v.shape)
        slack = h - v @ g[0].T
    else:
        m = g[:, active]  # (C, n, n)
        try:
            v = np.linalg.solve(m, h[:, active][..., None])[..., 0]
            mu = np.linalg.solve(np.swapaxes(m, 1, 2), -cost[..., None])[..., 0]
        except np.linalg.LinAlgError:  # some singular: those are not vertices
            invertible = np.abs(np.linalg.det(m)) > 1e-12
            v = np.full(g.shape[::2], np.nan)
            mu = np.full(v.shape, np.nan)
            v[invertible] = np.linalg.solve(m[invertible], h[invertible][:, active][..., None])[
                ..., 0
            ]
            mu[invertible] = np.linalg.solve(
                np.swapaxes(m[invertible], 1, 2), -cost[invertible][..., None]
            )[..., 0]
        slack = h - np.einsum("cmn,cn->cm", g, v)
    with np.errstate(invalid="ignore"):
        ok = np.all(np.where(equation, np.abs(slack), -slack) <= _FEAS_TOL, axis=1)
        ok &= np.all((mu >= least) | equation[:, active], axis=1)
    return ok, v


def _vertices_by_column(
    g: np.ndarray,
    h: np.ndarray,
    cost: np.ndarray,
    equation: np.ndarray,
    active: np.ndarray,
    least: float,
    column: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    r""":func:`_vertices` for C programs whose matrices ``G_c`` are ``g`` with the last
    column replaced by ``column[c]`` (one cost): the Kalai-Smorodinsky programs of one
    space, whose floor rows carry each cell's gain units in the column of ``lam``.

    With ``M_c = [A | c_c]`` the active rows (``A`` shared, n x (n - 1)) and
    ``A = Q_1 R`` (QR), ``q`` the unit normal of the range of ``A``: the vertex
    ``M_c v = b_c`` is ``v_n = q.b_c / q.c_c`` and ``v_{1..n-1} = R^{-1} Q_1^T (b_c - c_c v_n)``;
    the multipliers ``M_c^T mu = -cost`` are ``mu = mu_0 + t q`` with
    ``mu_0 = -Q_1 R^{-T} cost_{1..n-1}`` and ``t = (-cost_n - c_c.mu_0) / q.c_c``
    (a bordered system solved by elimination; Golub & Van Loan 2013, sec. 5.2 and 6.5).
    ``M_c`` is singular where ``|det M_c| = |prod diag R| |q.c_c| <= 1e-12``: not a vertex.
    """
    n = g.shape[1]
    m = g[active]
    q_full, r_full = np.linalg.qr(m[:, :-1], mode="complete")
    q1, r1, normal = q_full[:, :-1], r_full[:-1], q_full[:, -1]
    c = column[:, active]  # (C, n)
    denom = c @ normal
    ok = np.abs(np.prod(np.diag(r1)) * denom) > 1e-12  # invertible
    v = np.full((len(h), n), np.nan)
    if not ok.any():
        return ok, v
    safe = np.where(ok, denom, 1.0)
    mu0 = -q1 @ np.linalg.solve(r1.T, cost[:-1])
    mu = mu0[None] + ((-cost[-1] - c @ mu0) / safe)[:, None] * normal[None]
    ok &= np.all((mu >= least) | equation[:, active], axis=1)
    at = np.flatnonzero(ok)  # the vertex and its feasibility only where the multipliers hold
    b, c = h[np.ix_(at, active)], c[at]
    v[at, -1] = (b @ normal) / denom[at]
    v[at, :-1] = np.linalg.solve(r1, q1.T @ (b - c * v[at, -1:]).T).T
    slack = h[at] - v[at, :-1] @ g[:, :-1].T - column[at] * v[at, -1:]
    ok[at] = np.all(np.where(equation[at], np.abs(slack), -slack) <= _FEAS_TOL, axis=1)
    return ok, v


def _solve_related(
    cost: np.ndarray,
    g: np.ndarray,
    h: np.ndarray,
    n_eq: int,
    bounds: np.ndarray,
    known: list[list[Any]],
    unique: bool = True,
    shared: bool = False,
    column: np.ndarray | None = None,
) -> np.ndarray:
    """``min cost_c @ v`` s.t. ``g_c v <= h_c`` (the last ``n_eq`` rows equations) and
    ``bounds`` ((n, 2), or (C, n, 2) per program), for C programs of one shape that differ
    in their numbers (settlement spaces with the same preferences at many threat points);
    returns the solutions (C, n), NaN rows for programs without an optimum.

    HiGHS solves one program; its optimal active set is tried at every other
    (:func:`_vertices`, one batched linear solve); and so on with the programs not yet
    solved -- the reuse of optimal bases of multiparametric linear programming (Gal &
    Nedoma 1972, "Multiparametric linear programming", Management Science 18(7)).
    Vertices are reused only where they are the unique optimum, so every answer is the
    one HiGHS would give; a program whose optimum is not unique is answered by HiGHS
    itself. With ``unique=False`` (callers that want only the optimal value) any optimal
    vertex is reused. ``shared``: ``g`` and ``cost`` hold one matrix and cost for all
    (only ``h`` differs); with ``column`` (C, m) as well, the last column of program c's
    matrix is ``column[c]`` (:func:`_vertices_by_column`). ``known``: ``[active set,
    programs served]`` of programs of this shape (over other spaces), tried first, most
    served first; those found are added.
    """
    count, (m, n) = len(h), g.shape[1:]
    out = np.full((count, n), np.nan)  # NaN rows: no optimum
    bounds = np.broadcast_to(bounds, (count, n, 2))
    big_g, big_h = _stacked_rows(g, h, bounds)
    if column is not None:  # the last column of the bound rows: e_n and -e_n
        unit = np.broadcast_to(np.eye(n)[-1], (count, n))
        column = np.concatenate([column, unit, -unit], axis=1)
    fixed = bounds[..., 0] == bounds[..., 1]
    rows = np.broadcast_to(np.arange(m) >= m - n_eq, (count, m))
    equation = np.hstack([rows, fixed, fixed])
    pending = np.arange(count)

    def reuse(active: np.ndarray) -> np.ndarray:
        ok, found = _vertices(
            big_g if shared else big_g[pending],
            big_h[pending],
            cost if shared else cost[pending],
            equation[pending],
            active,
            _STRICT if unique else -_EXACT_TIES_TOL,
            shared,
            None if column is None else column[pending],
        )
        out[pending[ok]] = found[ok]
        return pending[~ok]

    known.sort(key=lambda entry: -entry[1])  # the active sets that served most first
    for entry in known:
        if not pending.size:
            break
        left = reuse(entry[0])
        entry[1] += len(pending) - len(left)
        pending = left
    futile = 0  # active sets in a row that served no other program
    solver = None  # one HiGHS instance for the programs HiGHS solves here
    while pending.size:
        first = int(pending[0])
        own = 0 if shared else first
        matrix = g[own]
        if column is not None:
            matrix = matrix.copy()
            matrix[:, -1] = column[first, :m]
        solver = _highs_solver() if solver is None else solver
        v, found = _highs(cost[own], matrix, h[first], n_eq, bounds[first], solver)
        if v is not None:
            out[first] = v
        pending = pending[1:]
        if found is None:
            continue
        if not pending.size:  # tried first at the next programs of this shape
            known.insert(0, [found, 1])
        elif futile < _FUTILE:
            left = reuse(found)
            known.append([found, 1 + len(pending) - len(left)])
            futile = futile + 1 if len(left) == len(pending) else 0
            pending = left
    return out


def _maximize_related(
    spaces: Sequence[SettlementSpace],
    objectives: np.ndarray,
    floors: np.ndarray,
    scales: np.ndarray | None = None,
    unique: bool = True,
) -> list[np.ndarray | None]:
    """:func:`_maximize_many` for many problems over few kinds of space: the linear
    problems with one objective and one set of constrained actors over spaces that differ
    only in their ideal points and bounds (red lines that move between rounds) differ only
    in the right-hand sides, column bounds and scales of one matrix, and are solved
    together by :func:`_solve_related` (``unique``: as there; False when only the optimal
    value counts)."""
    out: list[np.ndarray | None] = [None] * len(spaces)
    groups: dict[tuple, list[int]] = {}
    linear = _linear_spaces(spaces)
    for b, space in enumerate(spaces):
        if linear[b]:
            key = (
                space._preferences,
                objectives[b].tobytes(),
                np.isnan(floors[b]).tobytes(),
            )
            groups.setdefault(key, []).append(b)
        else:
            out[b] = _maximize_smooth(
                space, objectives[b], floors[b], None if scales is None else scales[b]
            )
    known: dict[tuple, list[list[Any]]] = {}
    for members in groups.values():
        idx = np.array(members)
        first = members[0]
        form = spaces[first]._linear_form
        lp = _linear_program(
            form, objectives[first], floors[first], None if scales is None else scales[first]
        )
        constrained = np.flatnonzero(~np.isnan(floors[first]))
        floor_rows = form.a_ub.shape[0] + np.arange(len(constrained))
        # one matrix for all; the scales, where given, in each problem's last column (lam's)
        g = np.vstack([lp.a_ub, lp.a_eq])[None]
        h = np.repeat(np.r_[lp.b_ub, lp.b_eq][None], len(idx), axis=0)
        h[:, : form.a_ub.shape[0]] = [spaces[b]._linear_form.b_ub for b in members]
        bounds = np.repeat(lp.bounds[None], len(idx), axis=0)
        bounds[:, : len(form.bounds)] = [spaces[b]._linear_form.bounds for b in members]
        column = None
        if scales is not None:
            column = np.repeat(g[:, :, -1], len(idx), axis=0)
            column[:, floor_rows] = scales[np.ix_(idx, constrained)]
        h[:, floor_rows] = form.const[constrained] - floors[np.ix_(idx, constrained)]
        cost = np.repeat(lp.cost[None], len(g), axis=0)
        # the distances d_ik of actors that neither count nor are constrained enter no
        # cost or floor: left out (any value is optimal, which would make no optimum
        # unique) and set to |x_k - a_ik| in the answer
        space = spaces[first]
        p, n_actors = space.n_positions, space.n_actors
        idle = (objectives[first] == 0) & np.isnan(floors[first])
        cols = np.flatnonzero(
            ~np.r_[
                np.zeros(p, bool), np.repeat(idle, p), np.zeros(g.shape[2] - p - n_actors * p, bool)
            ]
        )
        rows = np.flatnonzero(
            ~np.r_[np.repeat(idle, 2 * p), np.zeros(g.shape[1] - 2 * n_actors * p, bool)]
        )
        g, h, cost = g[:, rows][:, :, cols], h[:, rows], cost[:, cols]
        shape = (g.shape[1:], len(lp.b_eq))
        solved = _solve_related(
            cost,
            g,
            h,
            len(lp.b_eq),
            bounds[:, cols],
            known.setdefault(shape, []),
            unique,
            shared=True,
            column=None if column is None else column[:, rows],
        )
        full = np.zeros((len(idx), len(lp.cost)))
        full[:, cols] = solved
        ideal = np.stack([spaces[b].ideal[idle] for b in members])  # (C, idle, P)
        distance = np.abs(solved[:, None, :p] - ideal)
        idle_cols = p + (np.flatnonzero(idle)[:, None] * p + np.arange(p)).ravel()
        full[:, idle_cols] = distance.reshape(len(idx), -1)
        missing = [bool(no) for no in np.isnan(full).sum(axis=1) > 0]
        for b, v, no in zip(members, full, missing, strict=True):
            out[b] = None if no else v
    return out


# -- Nash problems of one space at many threat points: optimal faces reused ------------------
def _nash_linear(
    spaces: Sequence[SettlementSpace],
    threats: np.ndarray,
    players: np.ndarray,
    weights: np.ndarray,
    gaining: dict[int, tuple[Settlement, float]],
) -> dict[int, Settlement | None]:
    """The Nash problems ``gaining`` (linear utilities, positive egalitarian gain) of
    :func:`nash_settlement_batch`, grouped by preferences (spaces that differ only in
    their ideal points and in red lines that pin the same positions), players and weights.

    In a group the problems differ only in the threat points and in the right-hand sides
    of their constraints. One is solved as before (Clarabel, polished on its optimal
    face, else SLSQP); Newton's method on that face (:func:`_nash_on_face`) is then run
    for every other problem of the group at once and kept where its result verifiably
    satisfies the KKT conditions -- the optimum of the convex problem, the same as a
    polished interior-point solution; and so on with the problems not yet solved. Faces
    found are tried first in the next groups.
    """
    out: dict[int, Settlement | None] = {}
    groups: dict[tuple, list[int]] = {}
    for b in gaining:
        space = spaces[b]
        key = (
            space._preferences,
            (space.low == space.high).tobytes(),
            players[b].tobytes(),
            weights[b].tobytes(),
        )
        groups.setdefault(key, []).append(b)
    known: dict[tuple, list[tuple[np.ndarray, np.ndarray]]] = {}
    for members in groups.values():
        first = members[0]
        idx = np.flatnonzero(players[first])
        template = _NashBlock.of(
            spaces[first], np.zeros(spaces[first].n_actors), players[first], weights[first], 1.0
        )
        sides = {b: _NashBlock.right_hand_sides(spaces[b], players[b]) for b in members}
        pool = known.setdefault((template.nonneg_a.shape, template.zero_a.shape), [])
        pending = np.array(members)

        def reuse(
            active: np.ndarray,
            start: np.ndarray,
            pending: np.ndarray,
            template: _NashBlock = template,
            sides: dict[int, tuple[np.ndarray, ...]] = sides,
            idx: np.ndarray = idx,
        ) -> np.ndarray:
            ok, z = _nash_on_face(
                template,
                active,
                start,
                threats[np.ix_(pending, idx)],
                np.stack([sides[b][0] for b in pending]),
                np.stack([sides[b][1] for b in pending]),
            )
            p = template.space.n_positions
            if template.space.slots:
                owner, pie = np.array(template.space.slots).T
                start_y = p + len(idx) * p
            for b, z_b in zip(pending[ok].tolist(), z[ok], strict=True):
                y = np.zeros((1, *template.space.members.shape))
                if template.space.slots:
                    y[0, owner, pie] = z_b[start_y : start_y + len(owner)]
                out[b] = _settlements_of(spaces[b], z_b[None, :p], y)[0]
            return pending[~ok]

        for active, start in pool:
            if pending.size:
                pending = reuse(active, start, pending)
        while pending.size:
            b = int(pending[0])
            pending = pending[1:]
            block = _NashBlock.of(spaces[b], threats[b], players[b], weights[b], gaining[b][1])
            v = _nash_conic([block])[0]
            begin = gaining[b]
            if v is not None:
                polished = block.polish(v)
                if polished is not None:
                    out[b] = _settlement(spaces[b], block.z(polished))
                    face = (block.face(v), polished[: len(block.q) - len(idx)])
                    pool.append(face)
                    if pending.size:
                        pending = reuse(*face, pending)
                    continue
                begin = (_settlement(spaces[b], block.z(v)), gaining[b][1])
            out[b] = nash_settlement(spaces[b], threats[b], players[b], weights[b], begin)
    return out


def _nash_on_face(
    block: _NashBlock,
    active: np.ndarray,
    start: np.ndarray,
    threats: np.ndarray,
    nonneg_b: np.ndarray,
    zero_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`_NashBlock.polish` on the face where the nonnegative-cone rows ``active``
    hold with equality, for C threat points (C, players) of ``block``'s problem (built
    with threat 0 and unit 1) at once, each with its own right-hand sides ``nonneg_b``
    (C, rows) and ``zero_b`` (C, equations) (its ideal points and red lines), from
    ``start`` (projected onto each problem's face). Newton's
    method for ``max sum_i w_i log g_i`` with ``g = g_0 + M s`` over the face coordinates
    ``s``: ``(M^T diag(w / g^2) M) ds = M^T (w / g)`` (Boyd & Vandenberghe 2004, sec. 9.5),
    a problem left alone once its step moves no gain by 1e-15.

    Returns which problems' results are verified optima (feasible, and the gradient of
    the Nash product a combination of the face's equations with non-negative multipliers
    on its inequalities: the KKT conditions of the convex problem) and the results
    ``z`` (C, nz).
    """
    n_tau = len(block.exp_b) // 3
    nz = len(block.q) - n_tau
    weight = -block.q[nz:]
    grad_g = -block.exp_a[2::3, :nz]
    gain0 = block.exp_b[2::3][None, :] - threats  # (C, players)
    ineq_a, ineq_b = block.nonneg_a[:, :nz], nonneg_b
    zero_a = block.zero_a[:, :nz]
    eq_a = np.vstack([zero_a, ineq_a[active]])
    eq_b = np.hstack([zero_b, ineq_b[:, active]])  # (C, equations)
    count = len(threats)
    zs = np.repeat(start[None], count, axis=0)
    face = np.eye(nz)
    if eq_b.shape[1]:
        u, sv, vt = np.linalg.svd(eq_a)
        rank = int((sv > 1e-10 * sv[0]).sum())
        zs = zs - (((zs @ eq_a.T - eq_b) @ u[:, :rank]) / sv[:rank]) @ vt[:rank]
        face = vt[rank:].T
    # the face directions that move some gain: m = grad_g face = U S V^T, the k >= rank
    # directions face V cut to those with singular values above _FLAT; on them the
    # Newton step below is determined (its Hessian is positive definite)
    _, sv, vt = np.linalg.svd(grad_g @ face, full_matrices=False)
    face = face @ vt[sv > _FLAT].T
    m = grad_g @ face  # (players, k)
    alive = np.ones(count, dtype=bool)
    moving = np.ones(count, dtype=bool)  # the problems whose last step still moved a gain
    for _ in range(_NEWTON_STEPS):
        gain = gain0 + zs @ grad_g.T
        alive &= np.all(gain > 0, axis=1)
        live = np.flatnonzero(alive & moving)
        if not live.size:
            break
        # Newton's step on the face: (m^T D m) step = m^T (w / gain), D = diag(w / gain^2)
        inverse = 1.0 / gain[live]
        scaled = (weight * inverse**2)[:, :, None] * m[None]  # D m, (C, players, k)
        step = np.linalg.solve(
            np.einsum("pk,cpl->ckl", m, scaled), ((weight * inverse) @ m)[..., None]
        )[..., 0]
        zs[live] += step @ face.T
        moving[live] = np.abs(step @ m.T).max(axis=1, initial=0.0) >= 1e-15
    gain = gain0 + zs @ grad_g.T
    ok = alive & np.all(gain > 0, axis=1)
    ok &= np.all(ineq_b - zs @ ineq_a.T >= -_FEAS_TOL, axis=1)
    ok &= np.abs(zs @ zero_a.T - zero_b).max(axis=1, initial=0.0) <= _FEAS_TOL
    gradient = (weight / np.where(ok[:, None], gain, 1.0)) @ grad_g  # (C, nz)
    n_eq = len(block.zero_b)
    basis = eq_a.T  # columns: equations (free multipliers), then active rows (>= 0)
    scale = np.maximum(1.0, np.linalg.norm(gradient, axis=1))
    if basis.shape[1] and np.linalg.matrix_rank(basis) == basis.shape[1]:
        mult, *_ = np.linalg.lstsq(basis, gradient.T, rcond=None)
        residual = np.linalg.norm(basis @ mult - gradient.T, axis=0)
        ok &= residual <= _KKT_TOL * scale
        ok &= np.all(mult[n_eq:] >= -_KKT_TOL * scale, axis=0)
    else:  # dependent equations: one problem's cone test (as in polish) gives the rows
        # with positive multipliers; the others are tested on those rows alone (least
        # squares, multipliers >= 0), and where that fails by the cone test themselves
        signed = np.hstack([basis[:, :n_eq], -basis[:, :n_eq], basis[:, n_eq:]])
        plain = np.zeros(count, dtype=bool)
        todo = np.flatnonzero(ok)
        if todo.size and signed.shape[1]:
            weights_c, _ = nnls(signed, gradient[todo[0]])
            support = np.r_[np.arange(n_eq), n_eq + np.flatnonzero(weights_c[2 * n_eq :] > 0)]
            rows = basis[:, support]
            mult, *_ = np.linalg.lstsq(rows, gradient[todo].T, rcond=None)
            residual = np.linalg.norm(rows @ mult - gradient[todo].T, axis=0)
            plain[todo] = (residual <= _KKT_TOL * scale[todo]) & np.all(mult[n_eq:] >= 0.0, axis=0)
        for c in np.flatnonzero(ok & ~plain):
            residual = (
                nnls(signed, gradient[c])[1] if signed.shape[1] else np.linalg.norm(gradient[c])
            )
            ok[c] = residual <= _KKT_TOL * scale[c]
    return ok, zs


def _settlements(
    spaces: Sequence[SettlementSpace], zs: Sequence[np.ndarray | None]
) -> list[Settlement | None]:
    """:func:`_settlement` of many ``z`` (None stays None), the utilities of the problems
    over one space computed together."""
    out: list[Settlement | None] = [None] * len(spaces)
    for space, members in _by_space(spaces, zs):
        x, y = _positions_shares(space, np.stack([np.asarray(zs[b]) for b in members]))
        for b, settlement in zip(members, _settlements_of(space, x, y), strict=True):
            out[b] = settlement
    return out


def _by_space(
    spaces: Sequence[SettlementSpace], zs: Sequence[np.ndarray | None]
) -> list[tuple[SettlementSpace, list[int]]]:
    """The problems with a solution (``zs[b]`` not None), grouped by their space object."""
    groups: dict[int, list[int]] = {}
    for b, z in enumerate(zs):
        if z is not None:
            groups.setdefault(id(spaces[b]), []).append(b)
    return [(spaces[members[0]], members) for members in groups.values()]


def _positions_shares(space: SettlementSpace, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``x`` (C, P), clipped to the bounds, and shares ``y`` (C, N, Q) of the
    solutions ``z`` (C, ...) of problems over one space (the variables of :func:`_z_of`
    first)."""
    p, n_slots, n_variables = space.n_positions, len(space.slots), space.n_variables
    y = np.zeros((len(z), *space.members.shape))
    if n_slots:
        owner, pie = np.array(space.slots).T
        y[:, owner, pie] = z[:, n_variables - n_slots : n_variables]
    return np.clip(z[:, :p], space.low, space.high), y


def _settlements_of(space: SettlementSpace, x: np.ndarray, y: np.ndarray) -> list[Settlement]:
    """Settlements of positions ``x`` (C, P), clipped to the bounds, and shares ``y``
    (C, N, Q) over one space, their utilities computed together."""
    x = np.clip(x, space.low, space.high)
    u = utilities(space, x, y)
    return [Settlement(x=x[k], y=y[k], utilities=u[k]) for k in range(len(x))]


def _linear_spaces(spaces: Sequence[SettlementSpace]) -> list[bool]:
    """``space.linear`` of each space, computed once per distinct space object."""
    seen: dict[int, bool] = {}
    for space in spaces:
        if id(space) not in seen:
            seen[id(space)] = space.linear
    return [seen[id(space)] for space in spaces]
