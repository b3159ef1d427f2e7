"""Vectorised enumeration kernels behind :mod:`negsim.models.normal_form`.

Private module: pure functions of payoff arrays, no validation (the public
functions validate once).  The kernels:

* :func:`enumerate_bases` - the indifference system of every pair of
  equal-size supports ``(I, J)`` is solved in one batched call to
  :func:`numpy.linalg.solve` per player.  Pairs whose two solutions are both
  feasible are the support-enumeration equilibria (von Stengel 2007,
  Algorithm 3.4).  Each feasible solution on its own is a vertex of a
  best-response polytope ``P = {x >= 0 : B^T x <= 1}`` or
  ``Q = {y >= 0 : A y <= 1}``, so the same solves give
* :func:`vertex_pairs` - every completely labelled vertex pair, i.e. every
  extreme equilibrium, also of degenerate games (von Stengel 2007,
  Algorithm 3.5 and Theorem 3.3), and
* :func:`degeneracy` - vertices with more labels than their dimension;
* :func:`lemke_howson` - one complementary pivoting path with a pivot cap.

Payoffs are shifted to be positive before the polytopes are built; the shift
does not change best responses.
"""

from __future__ import annotations

import time
from functools import lru_cache
from itertools import combinations

import numpy as np

#: Support pairs or bases solved per batched call (bounds memory on larger games).
CHUNK = 40_000
#: Hadamard ratio below which a basis is treated as singular.
SINGULAR_RATIO = 1e-12


@lru_cache(maxsize=64)
def _support_rows(m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Equation-row indices for every equal-size support pair of an m x n game.

    Row ``p`` of the first array lists, for the column-strategy system, the ``k``
    rows of ``I`` (indices into ``A``) followed by ``m + j`` for each column ``j``
    outside ``J`` (indices into the unit rows that force ``y_j = 0``); the second
    array is the same for the row-strategy system (columns of ``J``, then
    ``n + i`` for ``i`` outside ``I``).
    """
    eq_y, eq_x = [], []
    for k in range(1, min(m, n) + 1):
        for rows in combinations(range(m), k):
            out_rows = [n + i for i in range(m) if i not in rows]
            for cols in combinations(range(n), k):
                eq_y.append(list(rows) + [m + j for j in range(n) if j not in cols])
                eq_x.append(list(cols) + out_rows)
    return np.array(eq_y, dtype=np.intp), np.array(eq_x, dtype=np.intp)


def _solve_batch(
    M: np.ndarray, rhs: np.ndarray, row_norms: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Solve a stack of square systems, skipping (near-)singular ones.

    Returns the solutions (NaN rows where singular) and a mask of solved rows.
    With ``row_norms`` (the product of the row norms of each system) a system
    counts as singular when its Hadamard ratio ``|det M| / prod_i ||M_i||`` is
    below :data:`SINGULAR_RATIO`; without it only exactly singular systems (a
    zero pivot in the LU factorisation) are skipped.
    """
    rhs = np.broadcast_to(rhs, M.shape[:2])
    if row_norms is None:
        try:
            return np.linalg.solve(M, rhs[..., None])[..., 0], np.ones(len(M), dtype=bool)
        except np.linalg.LinAlgError:
            ok = np.linalg.det(M) != 0
    else:
        ok = np.abs(np.linalg.det(M)) > SINGULAR_RATIO * row_norms
    sol = np.full(M.shape[:2], np.nan)
    if ok.all():
        sol[:] = np.linalg.solve(M, rhs[..., None])[..., 0]
    elif ok.any():
        sol[ok] = np.linalg.solve(M[ok], rhs[ok][..., None])[..., 0]
    return sol, ok


def _check_time(deadline: float | None, what: str) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise TimeoutError(what)


def _unit(M: np.ndarray) -> np.ndarray:
    """Affine rescaling of a payoff matrix onto [0, 1] (best responses unchanged)."""
    low, span = float(M.min()), float(M.max() - M.min())
    return (M - low) / span if span > 0 else np.zeros_like(M)


def enumerate_bases(
    A: np.ndarray, B: np.ndarray, tol: float, deadline: float | None = None
) -> dict[str, np.ndarray]:
    """Solve every equal-size support system once; derive both enumerations.

    For a support pair ``(I, J)`` with ``|I| = |J| = k`` the column strategy
    solves ``A_I y = v 1, y_j = 0 (j not in J), 1^T y = 1`` and the row strategy
    ``B_J^T x = u 1, x_i = 0 (i not in I), 1^T x = 1``.  A solution ``x`` that is
    a probability vector (entries ``>= -tol``) with ``max_j (B^T x)_j <= u + tol``
    is, scaled by ``1 / u``, a vertex of ``P`` (payoffs shifted positive), and
    every non-zero vertex of ``P`` arises this way from some nonsingular system;
    likewise for ``y`` and ``Q``.  Payoffs are first mapped affinely onto
    ``[0, 1]`` per player, so ``tol`` is relative to each player's payoff range.

    Returns
    -------
    dict
        ``X`` (Kx, m) and ``Y`` (Ky, n): the feasible solutions (vertices of
        ``P`` and ``Q`` as normalised strategies, possibly repeated for
        degenerate vertices); ``LX`` (Kx, m + n) and ``LY`` (Ky, m + n): their
        game labels (label ``i < m``: row ``i`` unplayed by ``x`` / a best
        response to ``y``; label ``m + j``: column ``j`` a best response to ``x``
        / unplayed by ``y``); ``SE`` (S, 2): index pairs into ``X`` and ``Y`` of
        solutions from the *same* support pair that are both feasible, i.e.
        the support-enumeration equilibria.
    """
    m, n = A.shape
    An, Bn = _unit(A), _unit(B)
    eq_y, eq_x = _support_rows(m, n)
    Sy = np.zeros((m + n, n + 1))
    Sy[:m, :n] = An
    Sy[:m, n] = -1.0
    Sy[m:, :n] = np.eye(n)
    Sx = np.zeros((n + m, m + 1))
    Sx[:n, :m] = Bn.T
    Sx[:n, m] = -1.0
    Sx[n:, :m] = np.eye(m)
    norm_y = np.sqrt((Sy * Sy).sum(axis=1))
    norm_x = np.sqrt((Sx * Sx).sum(axis=1))
    ones_y = np.append(np.ones(n), 0.0)
    ones_x = np.append(np.ones(m), 0.0)
    rhs_y = np.zeros(n + 1)
    rhs_y[-1] = 1.0
    rhs_x = np.zeros(m + 1)
    rhs_x[-1] = 1.0
    Xs, Ys, LXs, LYs, SEs = [], [], [], [], []
    nx = ny = 0
    for start in range(0, len(eq_y), CHUNK):
        _check_time(deadline, "support enumeration")
        ey, ex = eq_y[start : start + CHUNK], eq_x[start : start + CHUNK]
        p = len(ey)
        My = np.empty((p, n + 1, n + 1))
        My[:, :n] = Sy[ey]
        My[:, n] = ones_y
        Mx = np.empty((p, m + 1, m + 1))
        Mx[:, :m] = Sx[ex]
        Mx[:, m] = ones_x
        ysol, oky = _solve_batch(My, rhs_y, norm_y[ey].prod(axis=1) * np.sqrt(n))
        xsol, okx = _solve_batch(Mx, rhs_x, norm_x[ex].prod(axis=1) * np.sqrt(m))
        y, v = ysol[:, :n], ysol[:, n]
        x, u = xsol[:, :m], xsol[:, m]
        with np.errstate(invalid="ignore"):
            Ay = y @ An.T
            xB = x @ Bn
            fy = oky & (y >= -tol).all(axis=1) & (Ay.max(axis=1) <= v + tol)
            fx = okx & (x >= -tol).all(axis=1) & (xB.max(axis=1) <= u + tol)
        iy, ix = np.cumsum(fy) - 1 + ny, np.cumsum(fx) - 1 + nx
        both = fx & fy
        SEs.append(np.column_stack([ix[both], iy[both]]))
        Xs.append(x[fx])
        Ys.append(y[fy])
        LXs.append(np.hstack([x[fx] <= tol, xB[fx] >= u[fx, None] - tol]))
        LYs.append(np.hstack([Ay[fy] >= v[fy, None] - tol, y[fy] <= tol]))
        nx += int(fx.sum())
        ny += int(fy.sum())
    return {
        "X": np.concatenate(Xs),
        "Y": np.concatenate(Ys),
        "LX": np.concatenate(LXs),
        "LY": np.concatenate(LYs),
        "SE": np.concatenate(SEs).astype(np.intp),
    }


def _distinct(Z: np.ndarray, labels: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated vertices (a degenerate vertex is reached from several bases)."""
    if len(Z) < 2:
        return Z, labels
    key = np.round(Z / max(tol, 1e-15)).astype(np.int64)
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    return Z[first], labels[first]


def degeneracy(bases: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the vertices of ``P`` and ``Q`` that carry too many labels.

    A game is nondegenerate iff no point of ``P`` has more than ``m`` labels and
    no point of ``Q`` more than ``n`` (von Stengel 2007, Section 3.5); it is
    enough to look at the vertices.
    """
    m = bases["X"].shape[1]
    n = bases["Y"].shape[1]
    return bases["LX"].sum(axis=1) > m, bases["LY"].sum(axis=1) > n


def vertex_pair_indices(bases: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs into ``bases["X"]``, ``bases["Y"]`` of completely labelled vertices.

    Valid as a list of distinct equilibria when no vertex is repeated, i.e. for
    nondegenerate games; :func:`vertex_pairs` removes repeats first.
    """
    k = bases["LX"].shape[1]
    weights = np.int64(1) << np.arange(k, dtype=np.int64)
    full = (np.int64(1) << k) - 1
    bx = bases["LX"].astype(np.int64) @ weights
    by = bases["LY"].astype(np.int64) @ weights
    ix, iy = np.nonzero((bx[:, None] | by[None, :]) == full)
    return ix, iy


def vertex_pairs(bases: dict[str, np.ndarray], tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Extreme equilibria: completely labelled pairs of vertices of ``P x Q``.

    Returns normalised strategies ``(X, Y)`` (von Stengel 2007, Algorithm 3.5
    and Theorem 3.3).
    """
    excess_p, excess_q = degeneracy(bases)
    X, LX, Y, LY = bases["X"], bases["LX"], bases["Y"], bases["LY"]
    if excess_p.any():
        X, LX = _distinct(X, LX, tol)
    if excess_q.any():
        Y, LY = _distinct(Y, LY, tol)
    k = LX.shape[1]
    weights = np.int64(1) << np.arange(k, dtype=np.int64)
    full = (np.int64(1) << k) - 1
    bx = LX.astype(np.int64) @ weights
    by = LY.astype(np.int64) @ weights
    ix, iy = np.nonzero((bx[:, None] | by[None, :]) == full)
    return X[ix], Y[iy]


def lemke_howson(
    A: np.ndarray, B: np.ndarray, label: int, max_pivots: int
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """One Lemke-Howson path with lexicographic ratio test and a pivot cap.

    Complementary pivoting on the tableaux ``B^T x + s = 1`` and ``A y + r = 1``
    (von Stengel 2007, Algorithm 3.6; Lemke & Howson 1964), starting at the
    artificial equilibrium ``(0, 0)`` by dropping ``label``.  Ties in the
    minimum-ratio test are broken lexicographically on the columns of the
    initial basis, which makes the path finite also for degenerate games.

    Returns ``(x, y, pivots)`` or ``None`` when ``max_pivots`` is reached.
    """
    m, n = A.shape
    A_pos = A - A.min() + 1.0
    B_pos = B - B.min() + 1.0
    # Columns are indexed by label; last column is the right-hand side.
    TP = np.hstack([B_pos.T, np.eye(n), np.ones((n, 1))])  # x_i: label i, s_j: label m+j
    TQ = np.hstack([np.eye(m), A_pos, np.ones((m, 1))])  # r_i: label i, y_j: label m+j
    basis = {"P": list(range(m, m + n)), "Q": list(range(m))}
    tableaux = {"P": TP, "Q": TQ}
    slack_cols = {"P": list(range(m, m + n)), "Q": list(range(m))}
    side = "P" if label < m else "Q"
    entering = label
    for pivots in range(1, max_pivots + 1):
        T = tableaux[side]
        col = T[:, entering]
        cand = np.flatnonzero(col > 1e-12 * np.abs(col).max())
        keys = T[np.ix_(cand, np.array([-1] + slack_cols[side]))] / col[cand, None]
        row = int(cand[np.lexsort(keys.T[::-1])[0]])
        T[row] /= T[row, entering]
        others = np.arange(T.shape[0]) != row
        T[others] -= np.outer(T[others, entering], T[row])
        leaving = basis[side][row]
        basis[side][row] = entering
        if leaving == label:
            x = np.zeros(m)
            y = np.zeros(n)
            for r, lab in enumerate(basis["P"]):
                if lab < m:
                    x[lab] = TP[r, -1]
            for r, lab in enumerate(basis["Q"]):
                if lab >= m:
                    y[lab - m] = TQ[r, -1]
            x = np.clip(x, 0.0, None)
            y = np.clip(y, 0.0, None)
            return x / x.sum(), y / y.sum(), pivots
        entering = leaving
        side = "Q" if side == "P" else "P"
    return None
