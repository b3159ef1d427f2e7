r"""Many linear programs that differ only in their row bounds, with few simplex runs.

For a fixed cost ``c``, matrix ``A`` and column bounds, and n pairs of row bounds
``(L_p, U_p)``,

.. math::

    \min_z \; c^\top z \quad \text{s.t.} \quad L_p \le A z \le U_p, \quad l \le z \le u .

A basis (which columns are basic, at which bound every nonbasic column and row sits) is
*dual* feasible independently of the row bounds: its reduced costs involve only ``c`` and
``A``. So a basis that is optimal for one right-hand side is optimal for every
right-hand side at which its primal solution is feasible -- the critical regions of
multiparametric linear programming (Gal & Nedoma 1972, "Multiparametric linear
programming", Management Science 18(7); Borrelli, Bemporad & Morari 2017, *Predictive
Control*, ch. 6). :class:`RowParametricLP` solves one pending right-hand side with HiGHS
(Huangfu & Hall 2018, dual simplex), reads the optimal basis, evaluates it for every
pending right-hand side with one small linear solve, keeps those where it is primal
feasible, and repeats. Bases are cached, so later batches (the next iteration of a
stationary tail, the next chunk of a sweep) mostly need no simplex run at all.

When the optimum may not be unique (the reduced cost of a nonbasic column or the dual of
a nonbasic row that could move is within ``DEGENERATE`` of zero), which optimal vertex a
solver returns depends on its path. With ``unique=True`` such a basis is not reused, and
a right-hand side whose optimum is not unique is reported ``AMBIGUOUS`` (with one optimal
solution), so that callers needing a path-independent answer can tell.

With ``unique=True`` a point's answer is also independent of the points solved before it
(issue 13 item 9: a resumed sweep equals an uninterrupted one byte for byte). Which optimal
basis reaches a point depends on the cached bases and on HiGHS's warm start, and at a
degenerate vertex (more active constraints than columns) several do, each rounding the
vertex differently, some of them with a zero reduced cost although the optimum is unique.
So the final step is canonical: the vertex's active set (within ``_FIT_TOL``) decides the
status (optimum unique iff the cost is interior to the cone of the active constraints'
normals) and the basis the values are computed from (every active column bound, then
active rows chosen by pivoted QR), both cached per active set. With ``unique=False``
(objective values only) the objective can still differ in the last bit between optimal
vertices reached by different paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from scipy import linalg

__all__ = [
    "AMBIGUOUS",
    "DEGENERATE",
    "INFEASIBLE",
    "OPTIMAL",
    "BatchSolution",
    "RowParametricLP",
    "quiet_highs",
    "row_products",
]

OPTIMAL, INFEASIBLE, AMBIGUOUS = 0, 1, 2
DEGENERATE = 1e-9  # |reduced cost| below which the optimum may not be unique
_FIT_TOL = 1e-9  # primal feasibility of a cached basis at another right-hand side
_RANK_TOL = 1e-12  # relative pivot below which active rows do not determine a vertex
_HIGHS_TOL = 1e-10  # HiGHS primal and dual feasibility tolerances
# highspy.Highs() prints a banner on construction, before any option can be set; the core
# class it wraps (exported as highspy._Highs) does not.
_Solver: Any = highspy._Highs  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BatchSolution:
    """Solutions of n right-hand sides: ``status`` (n,) OPTIMAL, INFEASIBLE or AMBIGUOUS
    (optimal, but other optima exist), ``z`` (n, cols) and ``objective`` (n,) ``c @ z``
    (NaN where infeasible)."""

    status: np.ndarray
    z: np.ndarray
    objective: np.ndarray


@dataclass(frozen=True)
class _Basis:
    """An optimal basis, factorised for evaluation at any row bounds."""

    basic: np.ndarray  # (k,) basic columns
    tight_rows: np.ndarray  # (k,) nonbasic rows, held at a bound
    at_upper: np.ndarray  # (k,) bool: the tight row sits at its upper bound
    loose_rows: np.ndarray  # (m - k,) basic rows, whose activity must stay within bounds
    inverse: np.ndarray  # (k, k) inverse of A[tight_rows][:, basic]
    fixed: np.ndarray  # (cols,) values of the nonbasic columns (0 where basic)
    offset: np.ndarray  # (k,) A[tight_rows] @ fixed
    loose_matrix: np.ndarray  # (m - k, k) A[loose_rows][:, basic]
    loose_offset: np.ndarray  # (m - k,) A[loose_rows] @ fixed
    reusable: bool  # False when the optimum may not be unique
    key: tuple[bytes, ...]  # equal keys: equal values at every right-hand side
    uses: list[int] = field(default_factory=lambda: [0])  # right-hand sides served

    def fit(
        self, lp: RowParametricLP, lower: np.ndarray, upper: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Where the basis is primal feasible for row bounds (n, m), the basic values, and
        the activities of the tight rows (their bounds) and of the loose rows.

        Nonbasic columns and rows sit at their bounds by construction, so only the basic
        columns' bounds and the basic rows' activities are checked.
        """
        rhs, z_basic = self.values(lower, upper)
        activity = row_products(z_basic, self.loose_matrix.T) + self.loose_offset
        with np.errstate(invalid="ignore"):
            fits = np.isfinite(rhs).all(axis=1)
            fits &= (z_basic >= lp.col_lower[self.basic] - _FIT_TOL).all(axis=1)
            fits &= (z_basic <= lp.col_upper[self.basic] + _FIT_TOL).all(axis=1)
            fits &= (activity >= lower[:, self.loose_rows] - _FIT_TOL).all(axis=1)
            fits &= (activity <= upper[:, self.loose_rows] + _FIT_TOL).all(axis=1)
        return fits, z_basic, rhs, activity

    def values(self, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tight rows' bounds (n, k) and the basic columns' values (n, k) for row
        bounds (n, m): ``z_B = B^{-1} (b_T - A_TN z_N)``, each row summed in one order."""
        rhs = np.where(self.at_upper, upper[:, self.tight_rows], lower[:, self.tight_rows])
        return rhs, row_products(rhs - self.offset, self.inverse.T)

    @classmethod
    def build(
        cls,
        matrix: np.ndarray,
        basic: np.ndarray,
        tight: np.ndarray,
        at_upper: np.ndarray,
        fixed: np.ndarray,
        reusable: bool,
    ) -> _Basis:
        """The factorised basis of columns ``basic`` and rows ``tight`` (both sorted)."""
        is_loose = np.ones(len(matrix), dtype=bool)
        is_loose[tight] = False
        loose = np.flatnonzero(is_loose)
        sub = matrix[np.ix_(tight, basic)]
        return cls(
            basic=basic,
            tight_rows=tight,
            at_upper=at_upper,
            loose_rows=loose,
            inverse=np.linalg.inv(sub) if sub.size else np.zeros((0, 0)),
            fixed=fixed,
            offset=matrix[tight] @ fixed,
            loose_matrix=matrix[np.ix_(loose, basic)],
            loose_offset=matrix[loose] @ fixed,
            reusable=reusable,
            key=(basic.tobytes(), tight.tobytes(), at_upper.tobytes(), fixed.tobytes()),
        )


@dataclass
class RowParametricLP:
    """``min c @ z`` s.t. ``L_p <= A z <= U_p``, ``col_lower <= z <= col_upper``, for many p.

    Parameters
    ----------
    cost : (cols,) objective coefficients (minimised).
    matrix : (rows, cols) dense constraint matrix.
    col_lower, col_upper : (cols,) column bounds (``-inf``/``inf`` for none).
    unique : require a unique optimum before reusing a basis (set False when only the
        objective value is wanted: any optimal basis then gives the same value).

    Examples
    --------
    ``max x1 + 2 x2`` s.t. ``x1 + x2 <= b`` on the unit box, for b = 0.5, 1.5 and 3:

    >>> lp = RowParametricLP(np.array([-1.0, -2.0]), np.array([[1.0, 1.0]]),
    ...                      np.zeros(2), np.ones(2))
    >>> b = np.array([[0.5], [1.5], [3.0]])
    >>> sol = lp.solve(np.full((3, 1), -np.inf), b)
    >>> sol.z.tolist(), (-sol.objective).tolist()
    ([[0.0, 0.5], [0.5, 1.0], [1.0, 1.0]], [1.0, 2.5, 3.0])
    """

    cost: np.ndarray
    matrix: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    unique: bool = True
    simplex_runs: int = 0
    _bases: list[_Basis] = field(default_factory=list, repr=False)
    _highs: Any = field(default=None, repr=False)
    _vertices: dict[bytes, _Basis | None] = field(default_factory=dict, repr=False)
    _cone: Any = field(default=None, repr=False)  # HiGHS for the uniqueness tests

    def solve(self, row_lower: np.ndarray, row_upper: np.ndarray) -> BatchSolution:
        """Solve for row bounds ``row_lower``, ``row_upper`` of shape (n, rows)."""
        n = len(row_lower)
        status = np.full(n, -1)
        z = np.full((n, len(self.cost)), np.nan)
        reached = (
            _Reached(np.full((n, len(self.matrix)), np.nan), np.full(n, -1), [])
            if self.unique
            else None
        )
        for basis in self._bases:
            self._fit(basis, row_lower, row_upper, status, z, reached)
        self._bases.sort(key=lambda b: -b.uses[0])  # the most used first: less work next time
        while (pending := np.flatnonzero(status < 0)).size:
            p = int(pending[0])
            found = self._simplex(row_lower[p], row_upper[p])
            if found is None:
                status[p] = INFEASIBLE
                continue
            basis, z_p = found
            if basis.reusable:
                self._bases.append(basis)
                self._fit(basis, row_lower, row_upper, status, z, reached)
            if status[p] < 0:  # a non-reusable basis, or HiGHS's tolerance was looser
                status[p] = OPTIMAL if basis.reusable else AMBIGUOUS
                z[p] = z_p
                if reached is not None:
                    reached.activity[p] = self.matrix @ z_p
        if reached is not None:
            self._canonical(row_lower, row_upper, status, z, reached)
        objective = row_products(np.nan_to_num(z), self.cost[:, None])[:, 0]
        objective = np.where(status != INFEASIBLE, objective, np.nan)
        return BatchSolution(status=status, z=z, objective=objective)

    def _fit(
        self,
        basis: _Basis,
        lower: np.ndarray,
        upper: np.ndarray,
        status: np.ndarray,
        z: np.ndarray,
        reached: _Reached | None,
    ) -> None:
        pending = np.flatnonzero(status < 0)
        if not pending.size:
            return
        fits, z_basic, rhs, activity = basis.fit(self, lower[pending], upper[pending])
        done = pending[fits]
        basis.uses[0] += len(done)
        status[done] = OPTIMAL
        z[done] = basis.fixed
        z[np.ix_(done, basis.basic)] = z_basic[fits]
        if reached is not None and done.size:
            reached.activity[np.ix_(done, basis.tight_rows)] = rhs[fits]
            reached.activity[np.ix_(done, basis.loose_rows)] = activity[fits]
            reached.basis[done] = len(reached.bases)
            reached.bases.append(basis)

    def _canonical(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        status: np.ndarray,
        z: np.ndarray,
        reached: _Reached,
    ) -> None:
        """Replace each solution by its vertex's canonical one, and decide uniqueness there.

        Which optimal basis reached a point depends on the bases met before it (the cache,
        HiGHS's warm start); at a degenerate vertex (more than ``cols`` constraints active)
        several bases give the same vertex with different rounding, and some are dual
        degenerate although the optimum is unique. The vertex is identified by its active
        set (within ``_FIT_TOL``), and both the values and the status are functions of that
        set: see :meth:`_vertex`. Points whose basis is the canonical one keep their values.
        """
        solved = np.flatnonzero(status != INFEASIBLE)
        if not solved.size:
            return
        zs, lo, up = z[solved], lower[solved], upper[solved]
        activity = reached.activity[solved]
        with np.errstate(invalid="ignore"):
            active = np.hstack(
                [
                    zs <= self.col_lower + _FIT_TOL,
                    zs >= self.col_upper - _FIT_TOL,
                    activity <= lo + _FIT_TOL,
                    activity >= up - _FIT_TOL,
                ]
            )
        # one group per active set and basis that reached it (rows as 64-bit words, sorted)
        bits = np.packbits(active, axis=1)
        via = reached.basis[solved]
        tagged = np.hstack([bits, (via + 1).astype(">u4")[:, None].view(np.uint8)])
        words = np.pad(tagged, ((0, 0), (0, -tagged.shape[1] % 8))).view(np.uint64)
        order = np.lexsort(words.T)
        starts = np.flatnonzero(np.any(words[order[1:]] != words[order[:-1]], axis=1)) + 1
        for rows in np.split(order, starts):
            members, head = solved[rows], rows[0]
            key = bits[head].tobytes()
            if key not in self._vertices:
                self._vertices[key] = self._vertex(active[head])
            basis = self._vertices[key]
            if basis is None:
                status[members] = AMBIGUOUS
                continue
            status[members] = OPTIMAL
            if via[head] >= 0 and reached.bases[via[head]].key == basis.key:
                continue  # reached by the canonical basis itself: the same values
            z[members] = basis.fixed
            z[np.ix_(members, basis.basic)] = basis.values(lower[members], upper[members])[1]

    def vertex(self, active: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray | None:
        """The values :meth:`solve` gives a right-hand side (row bounds ``lower``, ``upper``,
        (rows,)) whose optimal vertex has the active constraints ``active`` (columns at
        lower, at upper, rows at lower, at upper, as :meth:`_canonical` finds them), from
        the vertex's canonical basis (cached per active set); None unless that vertex is
        the unique optimum. For callers that find the vertex themselves, one right-hand side
        at a time, and need the answer not to depend on how they found it."""
        key = np.packbits(active).tobytes()
        if key not in self._vertices:
            self._vertices[key] = self._vertex(active)
        basis = self._vertices[key]
        if basis is None:
            return None
        z = basis.fixed.copy()
        z[basis.basic] = basis.values(lower[None], upper[None])[1][0]
        return z

    def _vertex(self, active: np.ndarray) -> _Basis | None:
        r"""The canonical basis of a vertex from its active constraints, or None unless the
        vertex is the unique optimum.

        ``active`` is (columns at lower, at upper, rows at lower, at upper). Every active
        column bound is kept (its value is then exact), the remaining columns are basic,
        and among the active rows those of a QR factorisation with column pivoting of
        ``A[rows][:, basic]^T`` (Businger & Golub 1965) are tight: a well-conditioned
        choice that depends on the active set alone. The active set of a basic optimal
        solution contains a basis, so the pivoting finds enough independent rows.

        The optimum is unique iff ``c`` is interior to the cone of the active constraints'
        inward normals ``g_i`` (Mangasarian 1979, "Uniqueness of solution in linear
        programming", Linear Algebra Appl. 25), i.e. iff ``c = sum_i mu_i g_i`` with every
        multiplier of an inequality (not of an equality row or fixed column) positive;
        as for a basis's reduced costs, "positive" is ``max_mu min_i mu_i >= DEGENERATE``.
        """
        k = len(self.cost)
        col_low, col_up, row_low, row_up = np.split(active, np.cumsum([k, k, len(self.matrix)]))
        basic = np.flatnonzero(~(col_low | col_up))
        rows = np.flatnonzero(row_low | row_up)
        tight = rows[:0]
        if basic.size:
            if len(rows) < basic.size:
                return None  # not a vertex
            r, pivots = linalg.qr(
                self.matrix[np.ix_(rows, basic)].T, mode="r", pivoting=True, check_finite=False
            )
            if abs(r[basic.size - 1, basic.size - 1]) <= _RANK_TOL * abs(r[0, 0]):
                return None
            tight = np.sort(rows[pivots[: basic.size]])
        # inward normals: e_j at a lower bound, -e_j at an upper one, a_i at a lower row
        # bound, -a_i at an upper one; both at once is an equality (a free multiplier)
        cols = np.flatnonzero(col_low | col_up)
        lows = np.concatenate([col_low[cols], row_low[rows]])
        normals = np.vstack([np.eye(k)[cols], self.matrix[rows]])
        normals[~lows] *= -1.0
        free = np.concatenate([col_up[cols], row_up[rows]]) & lows
        if self._cone is None:
            self._cone = _highs()
        if not _interior(self._cone, self.cost, normals, free):
            return None
        fixed = np.where(col_low, self.col_lower, np.where(col_up, self.col_upper, 0.0))
        return _Basis.build(self.matrix, basic, tight, ~row_low[tight], fixed, True)

    def _simplex(self, lower: np.ndarray, upper: np.ndarray) -> tuple[_Basis, np.ndarray] | None:
        """One HiGHS dual simplex run; the optimal basis and solution, or None if infeasible."""
        h = self._solver()
        rows = np.arange(len(lower), dtype=np.int32)
        h.changeRowsBounds(len(rows), rows, finite_bounds(lower), finite_bounds(upper))
        h.run()
        self.simplex_runs += 1
        model_status = h.getModelStatus()
        if model_status == highspy.HighsModelStatus.kInfeasible:
            return None
        if model_status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {h.modelStatusToString(model_status)}")
        return self._basis(h, lower, upper), np.array(h.getSolution().col_value)

    def _basis(self, h: Any, lower: np.ndarray, upper: np.ndarray) -> _Basis:
        hb, solution = h.getBasis(), h.getSolution()
        basic_status = highspy.HighsBasisStatus.kBasic
        col_status = list(hb.col_status)
        row_status = list(hb.row_status)
        basic = np.array([j for j, s in enumerate(col_status) if s == basic_status], dtype=int)
        tight = np.array([i for i, s in enumerate(row_status) if s != basic_status], dtype=int)
        at_upper = np.array([row_status[i] == highspy.HighsBasisStatus.kUpper for i in tight])
        at_upper = at_upper.astype(bool) if tight.size else np.zeros(0, dtype=bool)
        fixed = np.zeros(len(self.cost))
        for j, s in enumerate(col_status):
            if s == highspy.HighsBasisStatus.kLower:
                fixed[j] = self.col_lower[j]
            elif s == highspy.HighsBasisStatus.kUpper:
                fixed[j] = self.col_upper[j]
        col_dual = np.abs(np.array(solution.col_dual))
        row_dual = np.abs(np.array(solution.row_dual))
        movable_cols = np.setdiff1d(np.arange(len(self.cost)), basic)
        movable_cols = movable_cols[self.col_lower[movable_cols] < self.col_upper[movable_cols]]
        movable_rows = tight[lower[tight] < upper[tight]]
        free_rows = np.isinf(lower[tight]) & np.isinf(upper[tight])
        degenerate = bool(
            np.any(col_dual[movable_cols] < DEGENERATE)
            or np.any(row_dual[movable_rows] < DEGENERATE)
        )
        reusable = not (self.unique and degenerate) and not free_rows.any()
        return _Basis.build(self.matrix, basic, tight, at_upper, fixed, reusable)

    def _solver(self) -> Any:
        if self._highs is None:
            free = np.full(len(self.matrix), np.inf)
            self._highs = pass_model(
                _highs(), self.cost, self.matrix, self.col_lower, self.col_upper, -free, free
            )
        return self._highs

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_highs"] = state["_cone"] = None  # solvers are rebuilt where unpickled
        return state


def quiet_highs(primal_tolerance: float, dual_tolerance: float) -> Any:
    """A silent HiGHS instance for warm-started dual simplex runs (no presolve, which
    would discard the basis between runs) with the given feasibility tolerances."""
    h = _Solver()
    for option, value in (
        ("output_flag", False),
        ("presolve", "off"),
        ("solver", "simplex"),
        ("primal_feasibility_tolerance", primal_tolerance),
        ("dual_feasibility_tolerance", dual_tolerance),
    ):
        h.setOptionValue(option, value)
    return h


@dataclass(frozen=True)
class _Reached:
    """How one batch's solutions were reached: the row activities (n, rows) and the index
    in ``bases`` of the cached basis that gave each (-1: HiGHS's own solution)."""

    activity: np.ndarray
    basis: np.ndarray
    bases: list[_Basis]


def row_products(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m`` for x (n, k) and m (k, j), each row's sums in one fixed order.

    A BLAS product may round a row differently depending on how many rows it is given
    (blocking, vector kernels for full blocks and scalar ones for the rest), so a sweep
    point's values would depend on its chunk; here row ``p`` is
    ``(...(x[p,0] m[0] + x[p,1] m[1]) + ...) + x[p,k-1] m[k-1]`` whatever ``n`` is.

    Examples
    --------
    >>> row_products(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]))
    array([[11.]])
    """
    out = np.zeros((x.shape[0], m.shape[1]))
    for k in range(m.shape[0]):
        out += x[:, k, None] * m[k]
    return out


def _interior(h: Any, cost: np.ndarray, normals: np.ndarray, free: np.ndarray) -> bool:
    """Whether ``cost = normals.T @ mu`` with ``mu_i >= DEGENERATE`` where not ``free``.

    With as many normals as columns (a nondegenerate vertex) ``mu`` is the basis's duals;
    otherwise the largest ``t`` with ``mu_i - t >= 0`` is found by a small LP.
    """
    if len(normals) == len(cost):
        try:
            mu = np.linalg.solve(normals.T, cost)
        except np.linalg.LinAlgError:
            return False
        return bool((mu[~free] >= DEGENERATE).all())
    # max t s.t. normals.T @ mu = cost, mu_i >= t (not free); with mu = nu + t * bounded:
    # max t s.t. normals.T @ nu + t * sum(bounded normals) = cost, nu >= 0 (not free), t <= 1
    n = len(normals)
    pass_model(
        h,
        np.append(np.zeros(n), -1.0),
        np.hstack([normals.T, normals[~free].sum(axis=0)[:, None]]),
        np.append(np.where(free, -np.inf, 0.0), -np.inf),
        np.append(np.full(n, np.inf), 1.0),
        cost,
        cost,
    )
    h.run()
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return bool(optimal and -h.getInfo().objective_function_value >= DEGENERATE)


def _highs() -> Any:
    """A quiet HiGHS dual simplex solver without presolve, with tight tolerances."""
    return quiet_highs(_HIGHS_TOL, _HIGHS_TOL)


def pass_model(
    h: Any,
    cost: np.ndarray,
    matrix: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> Any:
    """``h`` with the model ``min cost @ z`` s.t. ``row_lower <= matrix @ z <= row_upper``,
    ``col_lower <= z <= col_upper`` (replacing any earlier model, its basis and solution)."""
    lp = highspy.HighsLp()
    m, k = matrix.shape
    lp.num_col_, lp.num_row_ = k, m
    lp.col_cost_ = cost.astype(float)
    lp.col_lower_ = finite_bounds(col_lower)
    lp.col_upper_ = finite_bounds(col_upper)
    lp.row_lower_ = finite_bounds(row_lower)
    lp.row_upper_ = finite_bounds(row_upper)
    rows, cols = np.nonzero(matrix)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.searchsorted(rows, np.arange(m + 1)).astype(np.int32)
    lp.a_matrix_.index_ = cols.astype(np.int32)
    lp.a_matrix_.value_ = matrix[rows, cols].astype(float)
    h.passModel(lp)
    return h


def finite_bounds(bounds: np.ndarray) -> np.ndarray:
    """Bounds with +-inf as HiGHS's infinity."""
    return np.clip(np.asarray(bounds, dtype=float), -highspy.kHighsInf, highspy.kHighsInf)
