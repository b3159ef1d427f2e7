r"""The sweep's batch path: the engine's backward induction for many points at once.

A sweep point that only sets ``actors.<a>.discount``, ``actors.<a>.war_cost`` or
``actors.<a>.private_benefit`` to numbers changes the per-round discount factors and
disagreement flows and nothing else: preferences, red lines, protocol, battlefield and
regimes are those of the scenario. :func:`solve_points` runs the engine's backward
induction (:mod:`negsim.engine`) once for a whole chunk of such points, looping over
rounds and regimes and vectorising over points:

* threat points ``W(t) = w(t) + delta(t) P W(t+1)`` and continuation values
  ``C(t) = w(t) + delta(t) P V(t+1)`` as arrays over points;
* the proposer's offer to each coalition (every veto player plus the votes it buys,
  every combination when there are at most 64): with a single pie shared by all and no
  position issues, the closed form of :func:`negsim.models.spatial._divide_one_pie`;
  otherwise the engine's linear program (:func:`negsim.models.spatial.best_proposal`
  with linear utilities), whose right-hand side -- the members' floors -- is all that
  differs between points, solved for all points with few simplex runs by
  :class:`negsim.models.parametric_lp.RowParametricLP`. Its feasibility comes from the
  same-shaped program ``max lam`` s.t. ``u_i - floor_i >= lam``;
* equally good coalitions mixed uniformly, a deal when the proposer's value is at least
  its continuation (1e-9 tolerance), recognition probabilities or a rotation;
* a ``war`` end or a ``stationary`` tail by value iteration to 1e-12;
* delay incentives by :func:`negsim.models.delay.delay_incentives`.

Points where a floor makes the proposer's program borderline feasible (``|lam| <= 1e-6``,
where solver tolerances decide) or where its optimum is not unique (even with the
tie-break: e.g. a pie that two responders weigh equally and the proposer does not weigh,
so any split between them is optimal; which one a solver returns depends on its path) go
to :func:`negsim.solve`, as do points whose stationary tail does not converge, so the rows
never depend on which path produced them (tests hold them equal to 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from negsim.dynamics import RoundArrays
from negsim.engine import (
    _MAX_COALITIONS,
    _STATIONARY_TOL,
    _TOL,
    _proposers,
    _regime_arrays,
    _space,
    _war_utilities,
    enumerated_coalitions,
    stationary_failure,
    stationary_round_limit,
)
from negsim.models import spatial
from negsim.models.delay import delay_incentives
from negsim.models.parametric_lp import (
    AMBIGUOUS,
    INFEASIBLE,
    OPTIMAL,
    RowParametricLP,
    row_products,
)
from negsim.scenario import Scenario

__all__ = ["FAST_FIELDS", "Batch", "batch_supported", "fast_point", "solve_points"]

FAST_FIELDS = ("discount", "war_cost", "private_benefit")
_BORDERLINE = 1e-6  # |lam| within which feasibility is left to the engine's solver


def batch_supported(scenario: Scenario) -> tuple[bool, str]:
    """Whether the sweep can solve ``scenario`` on its batch path, and why.

    Returns
    -------
    (bool, str)
        True with a description of the class, or False with the first reason it is not
        covered (the sweep then calls :func:`negsim.solve` per point).

    Examples
    --------
    >>> import negsim
    >>> batch_supported(negsim.load("textbook/baron_ferejohn"))
    (True, 'a single pie among 5 actors (closed form), recognition probabilities, terminal stationary')
    >>> batch_supported(negsim.load("ukraine_2025"))[1]
    'linear utilities over 4 position and 0 pie issues (linear programs), 2 regimes, rotating proposers, terminal war'
    """
    return Batch(scenario).supported


def fast_point(scenario: Scenario, point: Mapping[str, Any]) -> bool:
    """Whether a point only sets discount, war cost or private benefit to valid numbers
    that no regime overrides in part."""
    return _fast(point, set(scenario.actors), _regime_paths(scenario))


def _fast(point: Mapping[str, Any], actors: set[str], overridden: set[str]) -> bool:
    for path, value in point.items():
        parts = path.split(".")
        if len(parts) != 3 or parts[0] != "actors" or parts[1] not in actors:
            return False
        if parts[2] not in FAST_FIELDS:
            return False
        if any(p.startswith(path + ".") for p in overridden):
            return False
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return False
        v = float(value)
        if not math.isfinite(v):
            return False
        if parts[2] == "discount" and not 0.0 < v <= 1.0:
            return False
        if parts[2] == "war_cost" and v < 0.0:
            return False
    return True


@dataclass
class Batch:
    """A scenario prepared for the batch path: its regime arrays, every proposer's
    coalitions and, per (regime, round, proposer, coalition), the proposer's linear
    programs (their simplex bases are kept, so later chunks mostly need no simplex run)."""

    scenario: Scenario
    regimes: list[str] = field(init=False)
    transition: np.ndarray = field(init=False)
    arrays: list[RoundArrays] = field(init=False)
    closed_form: bool = field(init=False)
    coalitions: list[list[np.ndarray | None]] = field(init=False)  # [regime][proposer]
    supported: tuple[bool, str] = field(init=False)  # see :func:`batch_supported`
    _programs: dict[tuple, tuple[RowParametricLP, RowParametricLP, _Layout] | None] = field(
        init=False, default_factory=dict
    )
    _overridden: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regimes, self.transition, self.arrays = _regime_arrays(self.scenario)
        self.closed_form = _closed_form(self.arrays)
        self.coalitions = [
            [_masks(a, enumerated_coalitions(a, j)) for j in range(len(a.actors))]
            for a in self.arrays
        ]
        self.supported = self._support()
        self._overridden = _regime_paths(self.scenario)

    def _support(self) -> tuple[bool, str]:
        a = self.arrays[0]
        if self.scenario.terminal_outcome != "position" or self.scenario.deals != "binding":
            return False, "war as a lottery and self-enforcing deals need the engine"
        if any(not np.all(x.curvature == 1.0) for x in self.arrays):
            return False, "non-linear utilities (curvature other than 1) need the engine"
        if any(masks is None for per_regime in self.coalitions for masks in per_regime):
            return False, (
                f"more than {_MAX_COALITIONS} coalitions to choose from (the engine buys the "
                "cheapest votes)"
            )
        if self.closed_form:
            what = f"a single pie among {int(a.members.sum())} actors (closed form)"
        else:
            what = (
                f"linear utilities over {len(a.positions)} position and {len(a.pies)} pie "
                "issues (linear programs)"
            )
        kind = "recognition probabilities" if a.recognition is not None else "rotating proposers"
        regimes = f", {len(self.arrays)} regimes" if len(self.arrays) > 1 else ""
        return True, f"{what}{regimes}, {kind}, terminal {self.scenario.terminal}"

    def fast_point(self, point: Mapping[str, Any]) -> bool:
        """:func:`fast_point` for this batch's scenario."""
        return _fast(point, set(self.arrays[0].actors), self._overridden)

    @property
    def simplex_runs(self) -> int:
        """HiGHS runs so far (the rest of the points reused a basis)."""
        return sum(p[0].simplex_runs + p[1].simplex_runs for p in self._programs.values() if p)

    def point_arrays(self, points: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Discount and flow (n, R, T, N) of each point in each regime, as
        :func:`negsim.dynamics.round_arrays` computes them for the changed scenario."""
        s = self.scenario
        n, R = len(points), len(self.arrays)
        a0 = self.arrays[0]
        T, N = a0.rounds, len(a0.actors)
        index = {name: i for i, name in enumerate(a0.actors)}
        discount = np.empty((n, R, T, N))
        flow = np.empty((n, R, T, N))
        for r, regime in enumerate(self.regimes):
            changes = s.regimes.states[regime].changes if s.regimes else {}
            sr = s.with_changes(changes) if changes else s
            series = {
                f: np.stack([sr.series(getattr(x, f)) for x in sr.actors.values()], axis=1)
                for f in FAST_FIELDS
            }
            per = {f: np.broadcast_to(series[f], (n, T, N)).copy() for f in FAST_FIELDS}
            for p, point in enumerate(points):
                for path, value in point.items():
                    if path not in changes:  # a regime that sets the path overrides the point
                        _, actor, name = path.split(".")
                        per[name][p, :, index[actor]] = float(value)
            d = per["discount"]
            w = per["private_benefit"] - per["war_cost"]
            for i, spec in enumerate(sr.actors.values()):
                if spec.horizon is not None and spec.horizon.rounds <= T:
                    d[:, spec.horizon.rounds - 1, i] *= spec.horizon.weight_after
                for deadline in spec.deadlines:
                    w[:, deadline.round, i] -= deadline.penalty
            discount[:, r], flow[:, r] = d, w
        return discount, flow

    def programs(
        self, r: int, t: int, proposer: int, coalition: tuple[int, ...]
    ) -> tuple[RowParametricLP, RowParametricLP, _Layout] | None:
        """The feasibility and offer programs of one proposer and coalition (None when the
        members' red lines do not overlap)."""
        key = (r, t, proposer, coalition)
        if key not in self._programs:
            self._programs[key] = _build_programs(self.arrays[r], t, proposer, coalition)
        return self._programs[key]


# -- the backward induction ---------------------------------------------------------------
def solve_points(batch: Batch, discount: np.ndarray, flow: np.ndarray) -> dict[str, np.ndarray]:
    """SPE backward induction for n points at once (see :func:`_solve_points`).

    BLAS runs single-threaded here: the products are narrow (a few dozen columns), so
    OpenBLAS's threads cost more than they save (3x slower at 10,000 points on two
    cores), and sweeps already run one process per core.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return _solve_points(batch, discount, flow)


def _solve_points(batch: Batch, discount: np.ndarray, flow: np.ndarray) -> dict[str, np.ndarray]:
    """SPE backward induction for n points at once.

    Parameters
    ----------
    batch : the prepared scenario.
    discount, flow : (n, R, T, N) per-point discount factors and disagreement flows.

    Returns
    -------
    dict of arrays: ``ok`` (n,) False where the stationary tail is undefined (the engine
    raises :class:`SolveError` there), ``engine`` (n,) True where the point must be left to
    :func:`negsim.solve` (a stationary tail that cycles among them); ``threat``, ``value``, ``payoff``
    (n, T+1, R, N); ``continuation``, ``gain`` (n, T, R, N); ``delay`` (n, T, R, N) int;
    ``deal`` (n, T, R); ``x`` (n, T, R, P); ``y`` (n, T, R, N, Q) (NaN without a deal).
    """
    a0 = batch.arrays[0]
    n, R, T, N = discount.shape
    P, Q = len(a0.positions), len(a0.pies)
    P_ = batch.transition
    threat = np.zeros((n, T + 1, R, N))
    value = np.zeros((n, T + 1, R, N))
    ok = np.ones(n, dtype=bool)
    engine = np.zeros(n, dtype=bool)
    if batch.scenario.terminal == "stationary":
        value[:, T], threat[:, T], ok, engine = _stationary(
            batch, discount[:, :, -1], flow[:, :, -1]
        )
    else:
        war = np.stack([_war_utilities(a) for a in batch.arrays])
        threat[:, T] = value[:, T] = war
    continuation = np.zeros((n, T, R, N))
    deal = np.zeros((n, T, R))
    x = np.full((n, T, R, P), np.nan)
    y = np.full((n, T, R, N, Q), np.nan)
    payoff = np.full((n, T + 1, R, N), np.nan)
    for t in reversed(range(T)):
        threat[:, t] = flow[:, :, t] + discount[:, :, t] * (P_ @ threat[:, t + 1])
        continuation[:, t] = flow[:, :, t] + discount[:, :, t] * (P_ @ value[:, t + 1])
        for r in range(R):
            out = _bellman(batch, r, t, t, continuation[:, t, r], ok & ~engine)
            value[:, t, r] = out.value
            deal[:, t, r] = out.p_deal
            x[:, t, r] = np.where(out.dealt[:, None], out.x, np.nan)
            y[:, t, r] = np.where(out.dealt[:, None, None], out.y, np.nan)
            payoff[:, t, r] = np.where(out.dealt[:, None], out.value, np.nan)
            engine |= out.engine
    if batch.scenario.terminal == "war":
        payoff[:, T] = threat[:, T]
    # delay incentives: points x actors flattened onto the actor axis of the model
    flat = lambda v: np.moveaxis(v, 0, 2).reshape(v.shape[1], R, n * N)  # noqa: E731
    gain, delay = delay_incentives(
        flat(flow.swapaxes(1, 2)), flat(discount.swapaxes(1, 2)), flat(payoff), P_
    )
    unflat = lambda v: np.moveaxis(v.reshape(T, R, n, N), 2, 0)  # noqa: E731
    return {
        "ok": ok,
        "engine": engine,
        "threat": threat,
        "value": value,
        "continuation": continuation,
        "deal": deal,
        "x": x,
        "y": y,
        "payoff": payoff,
        "gain": unflat(gain),
        "delay": unflat(delay),
    }


@dataclass(frozen=True)
class _Round:
    """One (round, regime) of the Bellman recursion for n points."""

    value: np.ndarray  # (n, N)
    p_deal: np.ndarray  # (n,)
    x: np.ndarray  # (n, P) deal terms, averaged over proposers with a deal
    y: np.ndarray  # (n, N, Q)
    dealt: np.ndarray  # (n,) bool
    engine: np.ndarray  # (n,) bool: borderline, leave the point to the engine


def _bellman(
    batch: Batch, r: int, t: int, phase: int, cont: np.ndarray, active: np.ndarray
) -> _Round:
    """Expected SPE value at round t in regime r (as :func:`negsim.engine._bellman`)."""
    a = batch.arrays[r]
    n, N = cont.shape
    P, Q = len(a.positions), len(a.pies)
    value = np.zeros((n, N))
    p_deal = np.zeros(n)
    x_sum, y_sum, weight = np.zeros((n, P)), np.zeros((n, N, Q)), np.zeros(n)
    engine = np.zeros(n, dtype=bool)
    for j, p in _proposers(a, phase):
        offers = [
            _offer(batch, r, t, j, members, cont, active)
            for members in batch.coalitions[r][j]  # type: ignore[union-attr]
        ]
        u = np.stack([o[1] for o in offers], axis=1) if offers else np.zeros((n, 0, N))
        feasible = np.stack([o[0] for o in offers], axis=1) if offers else np.zeros((n, 0), bool)
        for o in offers:
            engine |= o[4]
        own = np.where(feasible, u[:, :, j], -np.inf)
        best = own.max(axis=1, initial=-np.inf)
        tied = feasible & (own >= best[:, None] - _TOL)
        deal = tied.any(axis=1) & (best >= cont[:, j] - _TOL)
        value += p * np.where(deal[:, None], _tied_mean(u, tied), cont)
        p_deal += np.where(deal, p, 0.0)
        if offers:
            x = _tied_mean(np.stack([o[2] for o in offers], 1), tied)
            y = _tied_mean(np.stack([o[3] for o in offers], 1), tied)
            x_sum += np.where(deal[:, None], p * x, 0.0)
            y_sum += np.where(deal[:, None, None], p * y, 0.0)
        weight += np.where(deal, p, 0.0)
    scale = np.where(weight > 0, weight, 1.0)
    return _Round(
        value=value,
        p_deal=p_deal,
        x=x_sum / scale[:, None],
        y=y_sum / scale[:, None, None],
        dealt=weight > 0,
        engine=engine,
    )


def _tied_mean(values: np.ndarray, tied: np.ndarray) -> np.ndarray:
    """Mean over the coalition axis (1) of ``values`` (n, C, ...) where ``tied`` (n, C)."""
    extra = (1,) * (values.ndim - 2)
    count = np.maximum(tied.sum(axis=1), 1).reshape((len(tied),) + extra)
    return np.where(tied.reshape(tied.shape + extra), values, 0.0).sum(axis=1) / count


def _masks(a: RoundArrays, coalitions: list[tuple[int, ...]] | None) -> np.ndarray | None:
    """Coalitions as (C, N) boolean masks (None stays None: too many to enumerate)."""
    if coalitions is None:
        return None
    masks = np.zeros((len(coalitions), len(a.actors)), dtype=bool)
    for c, members in enumerate(coalitions):
        masks[c, list(members)] = True
    return masks


def _floors(a: RoundArrays, t: int, j: int, members: np.ndarray, cont: np.ndarray) -> np.ndarray:
    """(n, N) floors as :func:`negsim.engine._proposer_choice`: the larger of continuation
    value and reservation utility for the other members, the reservation for the
    proposer; NaN outside the coalition or where infinite."""
    res = a.reservation[t]
    floors = np.where(members, np.maximum(cont, res), np.nan)
    floors[:, j] = res[j]
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(floors), floors, np.nan)


def _offer(
    batch: Batch,
    r: int,
    t: int,
    j: int,
    members: np.ndarray,
    cont: np.ndarray,
    active: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Proposer j's best offer to a coalition, for every point.

    Returns feasible (n,), utilities (n, N), positions (n, P), shares (n, N, Q) and
    engine (n,): points left to the engine.
    """
    a = batch.arrays[r]
    n, N = cont.shape
    P, Q = len(a.positions), len(a.pies)
    members = np.broadcast_to(members, (n, N))
    floors = _floors(a, t, j, members, cont)
    if batch.closed_form:
        return (*_divide_one_pie(a, t, j, floors), np.zeros(n, dtype=bool))
    feasible = np.zeros(n, dtype=bool)
    u, x, y = np.zeros((n, N)), np.zeros((n, P)), np.zeros((n, N, Q))
    engine = np.zeros(n, dtype=bool)
    programs = batch.programs(r, t, j, tuple(np.flatnonzero(members[0]).tolist()))
    if programs is None:  # the coalition's red lines do not overlap
        return feasible, u, x, y, engine
    feasibility, best, layout = programs
    rows = np.flatnonzero(active)
    if not rows.size:
        return feasible, u, x, y, engine
    lower, upper = layout.row_bounds(floors[rows])
    lam = -feasibility.solve(lower, upper).objective
    border = np.abs(lam) <= _BORDERLINE
    go = lam > _BORDERLINE
    sol = best.solve(lower[go], upper[go])
    solved = rows[go]
    # infeasible cannot happen when lam > 0; ambiguous: other optima exist, and which one
    # a solver returns depends on its path -- both are left to the engine
    bad = (sol.status == INFEASIBLE) | (sol.status == AMBIGUOUS)
    engine[rows[border]] = True
    engine[solved[bad]] = True
    good = sol.status == OPTIMAL
    space = layout.space
    xs = np.clip(sol.z[good][:, :P], space.low, space.high)
    ys = layout.shares(sol.z[good])
    feasible[solved[good]] = True
    x[solved[good]], y[solved[good]] = xs, ys
    u[solved[good]] = spatial.utilities(space, xs, ys)
    return feasible, u, x, y, engine


def _divide_one_pie(
    a: RoundArrays, t: int, j: int, floors: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`negsim.models.spatial._divide_one_pie`: each responder with a
    positive floor gets ``floor_i / s_i`` (infeasible if it does not weigh the pie), the
    proposer (or, if it is not a member, the first member) keeps the rest."""
    n, N = floors.shape
    weight = a.salience_pie[t, :, 0]
    member = a.members[:, 0]
    responder = ~np.isnan(floors) & (np.arange(N) != j) & (np.nan_to_num(floors) > 0)
    feasible = ~np.any(responder & ~(member & (weight > 0)), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(responder & member & (weight > 0), floors / weight, 0.0)
    rest = 1.0 - shares.sum(axis=1)
    feasible &= rest >= -1e-9
    keeper = j if member[j] else int(np.flatnonzero(member)[0])
    shares[:, keeper] += np.maximum(rest, 0.0)
    u = weight * shares
    own_floor = floors[:, j]
    feasible &= np.isnan(own_floor) | (u[:, j] >= own_floor - 1e-9)
    return feasible, u, np.zeros((n, 0)), shares[:, :, None]


# -- the proposer's linear programs --------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    """Where each piece of the settlement sits in the programs' variable vector
    ``z = (x, d, y[, lam])`` and how the members' floors enter the row bounds."""

    space: spatial.SettlementSpace
    distance: list[tuple[int, int]]  # (actor, issue) of each d variable
    slots: list[tuple[int, int]]  # (actor, pie) of each share variable
    constrained: np.ndarray  # actors with a floor row
    constant: np.ndarray  # (N,) utility at d = 0, y = 0: sum of position saliences
    fixed_lower: np.ndarray  # (rows,) bounds of the rows that do not depend on floors
    fixed_upper: np.ndarray

    def row_bounds(self, floors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row bounds (n, rows) of both programs for floors (n, N): ``u_i >= floor_i``
        becomes ``-s d + s y >= floor_i - constant_i`` (``... - lam`` in the first)."""
        n = len(floors)
        floor_rows = floors[:, self.constrained] - self.constant[self.constrained]
        fixed = (n, len(self.fixed_lower))
        lower = np.hstack([np.broadcast_to(self.fixed_lower, fixed), floor_rows])
        upper = np.hstack(
            [np.broadcast_to(self.fixed_upper, fixed), np.full(floor_rows.shape, np.inf)]
        )
        return lower, upper

    def shares(self, z: np.ndarray) -> np.ndarray:
        n_actors, n_pies = self.space.members.shape
        y = np.zeros((len(z), n_actors, n_pies))
        start = self.space.n_positions + len(self.distance)
        for s, (i, q) in enumerate(self.slots):
            y[:, i, q] = z[:, start + s]
        return y


def _build_programs(
    a: RoundArrays, t: int, j: int, coalition: tuple[int, ...]
) -> tuple[RowParametricLP, RowParametricLP, _Layout] | None:
    """The proposer's program ``max u_j + 1e-7 sum_C u_i`` s.t. ``u_i >= floor_i`` and its
    feasibility program ``max lam`` s.t. ``u_i - floor_i >= lam`` (engine's epigraph form:
    ``d_ik >= |x_k - a_ik|``; only coalition members with a salience on issue k need a
    d_ik, and actors outside the coalition none)."""
    space = _space(a, t, coalition)
    if space is None:
        return None
    N, P = space.n_actors, space.n_positions
    sal = space.salience_position
    distance = [(i, k) for i in coalition for k in range(P) if sal[i, k] > 0]
    slots = space.slots
    n_var = P + len(distance) + len(slots)
    # utility rows: u_i = constant_i + jac[i] @ z
    jac = np.zeros((N, n_var))
    for v, (i, k) in enumerate(distance):
        jac[i, P + v] = -sal[i, k]
    for s, (i, q) in enumerate(slots):
        jac[i, P + len(distance) + s] = space.salience_pie[i, q]
    rows, lower, upper = [], [], []
    for v, (i, k) in enumerate(distance):  # x_k - d <= a_ik and -x_k - d <= -a_ik
        for sign in (1.0, -1.0):
            row = np.zeros(n_var)
            row[k], row[P + v] = sign, -1.0
            rows.append(row)
            lower.append(-np.inf)
            upper.append(sign * space.ideal[i, k])
    for q in range(space.members.shape[1]):  # each pie is shared out in full
        row = np.zeros(n_var)
        for s, (_, pie) in enumerate(slots):
            if pie == q:
                row[P + len(distance) + s] = 1.0
        rows.append(row)
        lower.append(1.0)
        upper.append(1.0)
    floors = np.full(N, np.nan)
    floors[list(coalition)] = 0.0
    floors[j] = a.reservation[t, j]
    constrained = np.flatnonzero(np.isfinite(floors))
    matrix = (
        np.vstack([*rows, jac[constrained]]) if rows or len(constrained) else np.zeros((0, n_var))
    )
    col_lower = np.concatenate([space.low, np.zeros(n_var - P)])
    col_upper = np.concatenate([space.high, np.ones(n_var - P)])
    objective = np.zeros(N)
    objective[list(coalition)] = spatial._TIE_BREAK
    objective[j] = 1.0
    best = RowParametricLP(-(objective @ jac), matrix, col_lower, col_upper, unique=True)
    lam_column = np.zeros((len(matrix), 1))
    lam_column[len(rows) :, 0] = -1.0
    feasibility = RowParametricLP(
        np.append(np.zeros(n_var), -1.0),
        np.hstack([matrix, lam_column]),
        np.append(col_lower, -np.inf),
        np.append(col_upper, 1.0),  # bounded even without floors; feasible iff lam > 0
        unique=False,
    )
    layout = _Layout(
        space=space,
        distance=distance,
        slots=slots,
        constrained=constrained,
        constant=sal.sum(axis=1),
        fixed_lower=np.array(lower),
        fixed_upper=np.array(upper),
    )
    return feasibility, best, layout


# -- the stationary tail -------------------------------------------------------------------
def _stationary(
    batch: Batch, beta: np.ndarray, flow: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value iteration of the repeated last round per point, as the engine's tail.

    ``beta``, ``flow``: (n, R, N). Returns value and threat (n, R, N), ok and engine (n,).
    """
    n, R, N = beta.shape
    P_ = batch.transition
    ok = ~np.any(beta >= 1.0, axis=(1, 2))
    safe = np.where(ok[:, None, None], beta, 0.0)
    # perpetual disagreement W = w + beta P W, per point and actor
    system = np.eye(R) - safe.transpose(0, 2, 1)[..., None] * P_  # (n, N, R, R)
    threat = np.linalg.solve(system, flow.transpose(0, 2, 1)[..., None])[..., 0].transpose(0, 2, 1)
    value = threat.copy()
    a0 = batch.arrays[0]
    last = a0.rounds - 1
    period = max(len(a.proposers) if a.proposers is not None else 1 for a in batch.arrays)
    limits = np.array([stationary_round_limit(float(b)) for b in safe.reshape(n, -1).max(axis=1)])
    active = ok.copy()
    engine = np.zeros(n, dtype=bool)
    converged = np.zeros(n, dtype=bool)
    rounds = 0
    while True:
        active &= (rounds < limits) & ~engine
        if not active.any():
            break
        idx = np.flatnonzero(active)
        v = value[idx]
        before = v.copy()
        for m in reversed(range(period)):
            cont = flow[idx] + safe[idx] * (P_ @ v)
            v = np.empty_like(v)
            for r in range(R):
                out = _bellman(batch, r, last, last + 1 + m, cont[:, r], np.ones(len(idx), bool))
                v[:, r] = out.value
                engine[idx[out.engine]] = True
            rounds += 1
        value[idx] = v
        done = np.max(np.abs(v - before), axis=(1, 2)) < _STATIONARY_TOL
        converged[idx[done]] = True
        active[idx[done]] = False
    # not converged: value iteration cycles; the engine mixes over tied coalitions
    # (negsim.stationary) or raises its SolveError
    engine |= ok & ~converged
    return value, threat, ok, engine


def tail_error(beta: np.ndarray) -> str:
    """The engine's :class:`SolveError` message for a stationary tail it cannot solve."""
    if np.any(beta >= 1.0):
        return (
            "a discount factor of 1 with 'terminal: stationary' has no stationary equilibrium "
            "(perpetual disagreement is worth nothing less than agreement); use a discount below 1 "
            "or 'terminal: war'"
        )
    return stationary_failure(stationary_round_limit(float(beta.max())), float(beta.max()))


# -- rows ------------------------------------------------------------------------------------
def frame(
    batch: Batch, sol: dict[str, np.ndarray], outputs: str, index: np.ndarray
) -> pd.DataFrame:
    """Rows of solved points in the headline regime (the one the game starts in), with
    the columns of the engine's rows (``negsim.sweeps``)."""
    a = batch.arrays[0]
    deal = sol["deal"]
    n, T, R = deal.shape
    N = len(a.actors)
    players = a.players
    gain = sol["gain"][:, :, 0]
    alive = np.zeros((n, R))
    alive[:, 0] = 1.0
    prob = np.zeros((n, T))
    for t in range(T):
        prob[:, t] = (alive * deal[:, t]).sum(axis=1)
        alive = row_products(alive * (1 - deal[:, t]), batch.transition)  # chunk-independent
    cumulative = np.cumsum(prob, axis=1)
    if outputs == "summary":
        reached = cumulative >= 0.5 - 1e-9
        has = reached.any(axis=1)
        t_agree = np.argmax(reached, axis=1)
        ripe = (deal[:, :, 0] > 0) & ~np.any(gain[:, :, players] > 1e-9, axis=2)
        columns: dict[str, Any] = {
            "point": index,
            "agreement_round": np.where(has, t_agree, np.nan),
            "agreement_probability": cumulative[:, -1],
        }
        rows = np.arange(n)
        x_at = sol["x"][rows, t_agree, 0]
        y_at = sol["y"][rows, t_agree, 0]
        for k, issue in enumerate(a.positions):
            columns[f"terms.{issue}"] = np.where(has, x_at[:, k], np.nan)
        for q, pie in enumerate(a.pies):
            for m in np.flatnonzero(a.members[:, q]):
                columns[f"terms.{pie}.{a.actors[m]}"] = np.where(has, y_at[:, m, q], np.nan)
        for measure, table in (
            ("payoff", sol["payoff"]),
            ("threat", sol["threat"]),
            ("delay", sol["gain"]),
        ):
            for i, actor in enumerate(a.actors):
                columns[f"{measure}.{actor}"] = table[:, 0, 0, i]
        columns["ripe_round"] = np.where(ripe.any(axis=1), np.argmax(ripe, axis=1), np.nan)
        return pd.DataFrame(columns)
    payoff = sol["payoff"][:, :T, 0]
    threat = sol["threat"][:, :T, 0]
    surplus = payoff - threat
    total = np.where(players, surplus, 0.0).sum(axis=2, keepdims=True)
    share = np.where(
        players & (total > 1e-12), surplus / np.where(total > 1e-12, total, 1.0), np.nan
    )
    return pd.DataFrame(
        {
            "point": np.repeat(index, T * N),
            "concept": "spe",
            "round": np.tile(np.repeat(np.arange(T), N), n),
            "actor": np.tile(a.actors, n * T),
            "threat_point": threat.ravel(),
            "continuation": sol["continuation"][:, :, 0].ravel(),
            "payoff": payoff.ravel(),
            "surplus": surplus.ravel(),
            "surplus_share": share.ravel(),
            "delay_incentive": gain.ravel(),
            "preferred_delay": sol["delay"][:, :, 0].ravel(),
        }
    )


# -- helpers ---------------------------------------------------------------------------------
def _closed_form(arrays: list[RoundArrays]) -> bool:
    """A single pie shared by everyone, each weighing it 1, and no position issues."""
    a = arrays[0]
    return (
        not a.positions
        and len(a.pies) == 1
        and bool(a.members.all())
        and all(np.all(x.salience_pie == 1.0) for x in arrays)
    )


def _regime_paths(scenario: Scenario) -> set[str]:
    if scenario.regimes is None:
        return set()
    return {p for state in scenario.regimes.states.values() for p in state.changes}
