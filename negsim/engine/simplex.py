"""Offers by linear programs solved for many points with reused simplex bases.

With linear utilities (curvature 1) the proposer's program at (state, round, proposer,
coalition) is the engine's linear program (:func:`negsim.models.spatial.best_proposal`):
``max u_j + 1e-7 sum_C u_i`` s.t. ``u_i >= floor_i``, in epigraph form
``d_ik >= |x_k - a_ik|``. Only the members' floors -- the right-hand side -- differ
between points, so :class:`negsim.models.parametric_lp.RowParametricLP` solves it for all
points with few simplex runs. Its feasibility comes from the same-shaped program
``max lam`` s.t. ``u_i - floor_i >= lam``.

Points where a floor makes the program borderline feasible (``|lam| <= 1e-6``, where
solver tolerances decide) or where its optimum is not unique (even with the tie-break: a
pie that two responders weigh equally and the proposer does not weigh, so any split
between them is optimal) are left *undecided*, for the general solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.offers import NO_OVERLAP, NO_SETTLEMENT, Offer, settlement_space
from negsim.engine.states import StateSpace
from negsim.engine.tolerances import BORDERLINE
from negsim.models import spatial
from negsim.models.parametric_lp import AMBIGUOUS, INFEASIBLE, OPTIMAL, RowParametricLP

__all__ = ["SimplexOffers"]

_Programs = tuple[RowParametricLP, RowParametricLP, "_Layout"]


@dataclass
class SimplexOffers:
    """The offer strategy of linear scenarios on the sweep's fast path; keeps every
    program (and its simplex bases) for later chunks of points."""

    space: StateSpace
    masks: list[list[np.ndarray]]  # [state][proposer] -> (C, N)
    _programs: dict[tuple[int, int, int, tuple[int, ...]], _Programs | None] = field(
        default_factory=dict
    )

    @property
    def simplex_runs(self) -> int:
        """HiGHS runs so far (the rest of the points reused a basis)."""
        return sum(p[0].simplex_runs + p[1].simplex_runs for p in self._programs.values() if p)

    def coalitions(self, state: int, proposer: int, continuation: np.ndarray) -> np.ndarray:
        return self.masks[state][proposer]

    def programs(
        self, state: int, t: int, proposer: int, coalition: tuple[int, ...]
    ) -> _Programs | None:
        """The feasibility and offer programs of one proposer and coalition (None when the
        members' red lines do not overlap)."""
        key = (state, t, proposer, coalition)
        if key not in self._programs:
            self._programs[key] = _build_programs(self.space.arrays[state], t, proposer, coalition)
        return self._programs[key]

    def offer(
        self,
        state: int,
        t: int,
        proposer: int,
        members: np.ndarray,
        floor: np.ndarray,
        fallback: np.ndarray,
        active: np.ndarray,
    ) -> Offer:
        a = self.space.arrays[state]
        programs = self.programs(state, t, proposer, tuple(np.flatnonzero(members).tolist()))
        if programs is None:
            return Offer.none(len(floor), a, NO_OVERLAP)
        out = Offer.none(len(floor), a, NO_SETTLEMENT)
        feasibility, best, layout = programs
        rows = np.flatnonzero(active)
        if not rows.size:
            return out
        lower, upper = layout.row_bounds(floor[rows])
        lam = -feasibility.solve(lower, upper).objective
        border = np.abs(lam) <= BORDERLINE
        go = lam > BORDERLINE
        sol = best.solve(lower[go], upper[go])
        solved = rows[go]
        # infeasible cannot happen when lam > 0; ambiguous: other optima exist, and which
        # one a solver returns depends on its path -- both are left undecided
        bad = (sol.status == INFEASIBLE) | (sol.status == AMBIGUOUS)
        out.undecided[rows[border]] = True
        out.undecided[solved[bad]] = True
        good = sol.status == OPTIMAL
        space = layout.space
        P = space.n_positions
        xs = np.clip(sol.z[good][:, :P], space.low, space.high)
        out.feasible[solved[good]] = True
        out.x[solved[good]], out.y[solved[good]] = xs, layout.shares(sol.z[good])
        out.utilities[solved[good]] = spatial.utilities(space, xs, out.y[solved[good]])
        return out


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


def _build_programs(a: RoundArrays, t: int, j: int, coalition: tuple[int, ...]) -> _Programs | None:
    """The proposer's program and its feasibility program (only coalition members with a
    salience on issue k need a d_ik, and actors outside the coalition none)."""
    space = settlement_space(a, t, coalition)
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
    floor = np.full(N, np.nan)
    floor[list(coalition)] = 0.0
    floor[j] = a.reservation[t, j]
    constrained = np.flatnonzero(np.isfinite(floor))
    matrix = (
        np.vstack([*rows, jac[constrained]]) if rows or len(constrained) else np.zeros((0, n_var))
    )
    col_lower = np.concatenate([space.low, np.zeros(n_var - P)])
    col_upper = np.concatenate([space.high, np.ones(n_var - P)])
    objective = np.zeros(N)
    objective[list(coalition)] = spatial.TIE_BREAK
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
