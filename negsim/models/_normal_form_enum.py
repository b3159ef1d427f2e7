"""Compiled enumeration kernels behind :mod:`negsim.models.normal_form`.

Private module: pure functions of payoff arrays, no validation (the public
functions validate once).  The loops are compiled with numba (``cache=True``:
compiled once per machine, then loaded from ``__pycache__``).  The kernels:

* :func:`enumerate_bases` - the indifference systems of both players for
  every pair of equal-size supports ``(I, J)``, solved one at a time by
  Gaussian elimination and rejected as early as possible, skipping systems
  whose would-be best responses are strictly dominated on the other support
  (which could not be feasible).  Pairs whose two solutions are both
  feasible are the support-enumeration equilibria (von Stengel 2007,
  Algorithm 3.4).  Each feasible solution on its own is a vertex of a
  best-response polytope ``P = {x >= 0 : B^T x <= 1}`` or
  ``Q = {y >= 0 : A y <= 1}``, so the same solves give
* :func:`vertex_pairs` and :func:`vertex_pairs_agree` - every completely
  labelled vertex pair, i.e. every extreme equilibrium, also of degenerate
  games (von Stengel 2007, Algorithm 3.5 and Theorem 3.3), and
* :func:`degeneracy` - vertices with more labels than their dimension;
* :func:`profiles` - normalised, verified, distinct and ordered equilibria
  with their payoffs and deviation gains;
* :func:`lemke_howson` - one complementary pivoting path with a pivot cap;
* :func:`solve_plain` - enumeration, degeneracy test, agreement of the two
  enumerations and verification in one call, for the common case of
  ``solve(method="auto")`` on games with at most :data:`CHUNK` support pairs.

Payoffs are shifted to be positive before the polytopes are built; the shift
does not change best responses.

Longer than 600 lines because the kernels share their elimination, labelling and
verification helpers, compiled together; split it when the normal-form work (issue 15)
next touches it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np
from numba import njit

#: Support pairs per chunk (bounds the work between two checks of the time budget).
CHUNK = 40_000
#: Hadamard ratio below which a basis is treated as singular.
SINGULAR_RATIO = 1e-12


@lru_cache(maxsize=64)
def _subsets(n: int, k: int) -> np.ndarray:
    """The ``k``-subsets of ``range(n)`` in lexicographic order, one per row."""
    subsets = np.array(list(combinations(range(n), k)), dtype=np.intp).reshape(-1, k)
    subsets.flags.writeable = False
    return subsets


@lru_cache(maxsize=64)
def _sized_subsets(n: int, sizes: tuple[int, ...]) -> np.ndarray:
    """The subsets of ``range(n)`` of the given sizes, by size then lexicographic.

    One subset per row, padded by ``-1`` to the largest size, its size in the last column.
    """
    width = max(sizes)
    parts = [
        np.pad(_subsets(n, k), ((0, 0), (0, width - k + 1)), constant_values=-1) for k in sizes
    ]
    sets = np.concatenate(parts)
    sets[:, -1] = np.repeat(np.array(sizes, dtype=np.intp), [comb(n, k) for k in sizes])
    sets.flags.writeable = False
    return sets


@lru_cache(maxsize=64)
def _pair_count(m: int, n: int) -> int:
    """Number of equal-size support pairs of an ``m x n`` game."""
    return sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))


def _blocks(m: int, n: int) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Row and column support sets (as in :func:`_sized_subsets`), block by block.

    Every equal-size pair of a row set and a column set of a block is one
    support pair; over all blocks each pair comes once, ordered by size ``k``,
    then ``I``, then ``J`` (lexicographic).  A game with at most :data:`CHUNK`
    pairs is one block (cached); a larger one has one block per size and slice
    of row sets of about :data:`CHUNK` pairs, made as they are needed, so the
    time budget is checked between them.
    """
    return one_block(m, n) or _chunked_blocks(m, n)


@lru_cache(maxsize=64)
def one_block(m: int, n: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The single block of :func:`_blocks` when a game has at most :data:`CHUNK` pairs, else ``()``."""
    if _pair_count(m, n) > CHUNK:
        return ()
    sizes = tuple(range(1, min(m, n) + 1))
    return ((_sized_subsets(m, sizes), _sized_subsets(n, sizes)),)


def _chunked_blocks(m: int, n: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for k in range(1, min(m, n) + 1):
        rows, cols = _sized_subsets(m, (k,)), _sized_subsets(n, (k,))
        step = max(1, CHUNK // len(cols))
        for start in range(0, len(rows), step):
            yield rows[start : start + step], cols


def _check_time(deadline: float | None, what: str) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise TimeoutError(what)


@njit(cache=True, nogil=True, error_model="numpy")
def _unit(M: np.ndarray) -> np.ndarray:
    """Affine rescaling of a payoff matrix onto [0, 1] (best responses unchanged)."""
    low = M.min()
    span = M.max() - low
    return (M - low) / span if span > 0 else np.zeros_like(M)


@njit(cache=True, nogil=True, error_model="numpy")
def _undominated(G: np.ndarray, sets: np.ndarray, delta: float) -> np.ndarray:
    """``out[s, e]``: no row of ``G`` beats row ``e`` by more than ``delta`` on all of set ``s``.

    ``sets`` as in :func:`_sized_subsets` (size in the last column).

    A row ``e`` beaten by some row ``f`` by more than ``delta`` in every column
    of a support ``S`` is a strictly dominated strategy against every mixed
    strategy on ``S`` (Myerson 1991, Section 3.8), so it is never a best
    response there; see :func:`enumerate_bases` for why ``delta`` keeps this
    exact under the tolerance.
    """
    rows = G.shape[0]
    out = np.ones((len(sets), rows), dtype=np.bool_)
    for s in range(len(sets)):
        k = sets[s, -1]
        for e in range(rows):
            for f in range(rows):
                beaten = f != e
                for b in range(k):
                    if G[f, sets[s, b]] - G[e, sets[s, b]] <= delta:
                        beaten = False
                        break
                if beaten:
                    out[s, e] = False
                    break
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _solve_bordered(M: np.ndarray, d: int, ratio2: float) -> bool:
    """Solve ``M[:d, :d] z = e_d`` in place (the solution replaces column ``d``).

    Gaussian elimination with partial pivoting (Golub & Van Loan 2013,
    Algorithm 3.4.1), then back substitution.  Returns ``False`` when the
    system counts as singular: ``det^2 <= ratio2 * prod_i ||M_i||^2`` (Hadamard
    ratio below ``sqrt(ratio2)``), the row norms taken before elimination.
    """
    norms = 1.0
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += M[i, j] * M[i, j]
        norms *= s
    det = 1.0
    for c in range(d):
        p = c
        big = abs(M[c, c])
        for r in range(c + 1, d):
            if abs(M[r, c]) > big:
                big = abs(M[r, c])
                p = r
        if big == 0.0:
            return False
        if p != c:
            for j in range(c, d + 1):
                M[c, j], M[p, j] = M[p, j], M[c, j]
        det *= M[c, c]
        for r in range(c + 1, d):
            f = M[r, c] / M[c, c]
            if f != 0.0:
                for j in range(c + 1, d + 1):
                    M[r, j] -= f * M[c, j]
    if det * det <= ratio2 * norms:
        return False
    for c in range(d - 1, -1, -1):
        s = M[c, d]
        for j in range(c + 1, d):
            s -= M[c, j] * M[j, d]
        M[c, d] = s / M[c, c]
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _vertex(
    G: np.ndarray,
    equations: np.ndarray,
    eq: int,
    unknowns: np.ndarray,
    un: int,
    k: int,
    tol: float,
    ratio2: float,
    M: np.ndarray,
    z: np.ndarray,
    labels: np.ndarray,
    best_at: int,
    unplayed_at: int,
) -> bool:
    """One indifference system; ``True`` when its solution is feasible.

    Solves ``G[E, U] z_U - v 1 = 0, 1^T z_U = 1`` (``E = equations[eq, :k]``,
    ``U = unknowns[un, :k]``, ``z`` zero outside ``U``) and accepts it when
    ``z >= -tol`` and ``(G z)_e - v <= tol`` for every row ``e``.  Rejects as
    early as possible (singular system, negative entry, first row above
    ``v``).  On acceptance ``z`` holds the strategy, ``labels[best_at + e]``
    whether ``(G z)_e >= v - tol`` and ``labels[unplayed_at + q]`` whether
    ``z_q <= tol``.
    """
    d = k + 1
    for a in range(k):
        for b in range(k):
            M[a, b] = G[equations[eq, a], unknowns[un, b]]
        M[a, k] = -1.0
        M[a, d] = 0.0
    for b in range(k):
        M[k, b] = 1.0
    M[k, k] = 0.0
    M[k, d] = 1.0
    if not _solve_bordered(M, d, ratio2):
        return False
    for b in range(k):
        if M[b, d] < -tol:
            return False
    v = M[k, d]
    for e in range(G.shape[0]):
        slack = -v
        for b in range(k):
            slack += G[e, unknowns[un, b]] * M[b, d]
        if slack > tol:
            return False
        labels[best_at + e] = slack >= -tol
    z[:] = 0.0
    for b in range(k):
        z[unknowns[un, b]] = M[b, d]
    for q in range(len(z)):
        labels[unplayed_at + q] = z[q] <= tol
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def _grown(a: np.ndarray, need: int) -> np.ndarray:
    """``a`` itself, or a copy with at least twice the rows when it holds fewer than ``need``."""
    if need <= len(a):
        return a
    out = np.empty((2 * need,) + a.shape[1:], dtype=a.dtype)
    out[: len(a)] = a
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _enumerate(
    A: np.ndarray, B: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float, delta: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Both players' systems of every equal-size pair of ``rows`` and ``cols``.

    Payoffs are mapped onto ``[0, 1]`` (:func:`_unit`); sets as in
    :func:`_sized_subsets`.  A system is solved only when all of its would-be
    best responses are undominated on the other player's support
    (:func:`_undominated` with margin ``delta``).  The feasible solutions come
    in the order of the pairs (row set outer, column set inner).

    Returns
    -------
    Z : ndarray, shape (nx + ny, max(m, n))
        The ``nx`` feasible ``x`` (first ``m`` columns), then the ``ny``
        feasible ``y`` (first ``n`` columns).
    L : ndarray of bool, shape (nx + ny, m + n + 1)
        Their labels, and in the last column whether a solution has more
        labels than its dimension (``m`` for ``x``, ``n`` for ``y``).
    SE : ndarray, shape (S, 2)
        Index pairs into ``x`` and ``y`` of pairs with both solutions feasible.
    nx : int
    """
    An = _unit(A)
    BnT = np.ascontiguousarray(_unit(B).T)
    best_rows = _undominated(An, cols, delta)
    best_cols = _undominated(BnT, rows, delta)
    ratio2 = SINGULAR_RATIO**2
    m, n = An.shape
    X = np.empty((16, m))
    Y = np.empty((16, n))
    LX = np.empty((16, m + n), dtype=np.bool_)
    LY = np.empty((16, m + n), dtype=np.bool_)
    SE = np.empty((16, 2), dtype=np.int64)
    nx = ny = ns = 0
    M = np.empty((max(m, n) + 1, max(m, n) + 2))
    x, y = np.empty(m), np.empty(n)
    lx, ly = np.empty(m + n, dtype=np.bool_), np.empty(m + n, dtype=np.bool_)
    for r in range(len(rows)):
        k = rows[r, -1]
        for c in range(len(cols)):
            if cols[c, -1] != k:
                continue
            fy = True
            for a in range(k):
                fy = fy and best_rows[c, rows[r, a]]
            if fy and _vertex(An, rows, r, cols, c, k, tol, ratio2, M, y, ly, 0, m):
                Y, LY = _grown(Y, ny + 1), _grown(LY, ny + 1)
                Y[ny], LY[ny] = y, ly
                ny += 1
            else:
                fy = False
            fx = True
            for b in range(k):
                fx = fx and best_cols[r, cols[c, b]]
            if fx and _vertex(BnT, cols, c, rows, r, k, tol, ratio2, M, x, lx, m, 0):
                X, LX = _grown(X, nx + 1), _grown(LX, nx + 1)
                X[nx], LX[nx] = x, lx
                nx += 1
            else:
                fx = False
            if fx and fy:
                SE = _grown(SE, ns + 1)
                SE[ns, 0], SE[ns, 1] = nx - 1, ny - 1
                ns += 1
    Z = np.zeros((nx + ny, max(m, n)))
    Z[:nx, :m] = X[:nx]
    Z[nx:, :n] = Y[:ny]
    L = np.empty((nx + ny, m + n + 1), dtype=np.bool_)
    L[:nx, :-1] = LX[:nx]
    L[nx:, :-1] = LY[:ny]
    L[:nx, -1] = LX[:nx].sum(axis=1) > m
    L[nx:, -1] = LY[:ny].sum(axis=1) > n
    return Z, L, SE[:ns], nx


def enumerate_bases(
    A: np.ndarray, B: np.ndarray, tol: float, deadline: float | None = None
) -> dict[str, np.ndarray]:
    """Solve every equal-size support system that can be feasible; derive both enumerations.

    For a support pair ``(I, J)`` with ``|I| = |J| = k`` the column strategy
    solves ``A_IJ y_J = v 1, 1^T y_J = 1`` (``y`` zero outside ``J``) and the
    row strategy ``B_IJ^T x_I = u 1, 1^T x_I = 1``.  A solution ``x`` that is a
    probability vector (entries ``>= -tol``) with ``max_j (B^T x - u)_j <= tol``
    is, scaled by ``1 / u``, a vertex of ``P`` (payoffs shifted positive), and
    every non-zero vertex of ``P`` arises this way from some nonsingular
    system; likewise for ``y`` and ``Q`` (von Stengel 2007, Algorithm 3.4 and
    Theorem 3.3).  Payoffs are first mapped affinely onto ``[0, 1]`` per player,
    so ``tol`` is relative to each player's payoff range.

    The systems are solved one by one in a compiled loop (:func:`_enumerate`),
    each rejected as soon as it is singular, has a negative entry or a better
    reply.  Before that, a system is skipped when one of its would-be best
    responses is strictly dominated on the other player's support: if row ``f``
    beats row ``i`` by more than ``delta = (max(m, n) + 2) tol + 1e-13`` in every
    column of ``J``, then for any ``y`` with ``y_J >= -tol`` summing to one,
    ``(A y)_f - (A y)_i > delta - k tol > tol`` (payoffs in ``[0, 1]``), so the
    system of ``(I, J)`` with ``i`` in ``I`` would fail the best-response test
    anyway.  Skipping therefore changes no output, only the work.

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
        the support-enumeration equilibria, in increasing order; ``EX`` (Kx,)
        and ``EY`` (Ky,): solutions with more labels than their dimension
        (see :func:`degeneracy`).
    """
    m, n = A.shape
    delta = (max(m, n) + 2) * tol + 1e-13
    parts = []
    nx = ny = 0
    for rows, cols in _blocks(m, n):
        _check_time(deadline, "support enumeration")
        Z, L, SE, x_count = _enumerate(A, B, rows, cols, tol, delta)
        parts.append(
            {
                "X": Z[:x_count, :m],
                "Y": Z[x_count:, :n],
                "LX": L[:x_count, :-1],
                "LY": L[x_count:, :-1],
                "SE": SE + np.array([nx, ny]) if nx or ny else SE,
                "EX": L[:x_count, -1],
                "EY": L[x_count:, -1],
            }
        )
        nx += x_count
        ny += len(Z) - x_count
    if len(parts) == 1:
        return parts[0]
    return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}


@njit(cache=True, nogil=True, error_model="numpy")
def _precedes(a: np.ndarray, b: np.ndarray, size_a: int, size_b: int) -> bool:
    """Order of :func:`profiles`: fewer strategies played first, then larger entries first."""
    if size_a != size_b:
        return size_a < size_b
    for q in range(len(a)):
        if a[q] != b[q]:
            return a[q] > b[q]
    return False


@njit(cache=True, nogil=True, error_model="numpy")
def profiles(
    A: np.ndarray, B: np.ndarray, X: np.ndarray, Y: np.ndarray, accept: float, atol: float
) -> tuple[np.ndarray, int]:
    """Normalise, verify, drop repeats and sort candidate profiles ``(X[e], Y[e])``.

    Each ``x`` and ``y`` is clipped at zero and scaled to sum to one; its
    payoffs ``x^T A y``, ``x^T B y`` and deviation gain
    ``max(max_i (A y)_i - x^T A y, max_j (B^T x)_j - x^T B y, 0)`` are computed
    (Nash 1951: zero exactly at an equilibrium), and profiles with a gain above
    ``accept`` are dropped.  Of the rest, a profile within ``atol`` (maximum
    norm) of an earlier one is dropped.  The survivors are ordered by the
    number of strategies played (entries above ``1e-9`` after rounding to 9
    decimals), then by those rounded entries in decreasing lexicographic order
    (a stable sort).

    Returns
    -------
    out : ndarray, shape (E, m + n + 3)
        ``x``, ``y``, row payoff, column payoff and deviation gain per profile.
    failed : int
        Number of profiles dropped for failing verification.
    """
    count, m = X.shape
    n = Y.shape[1]
    Z = np.empty((count, m + n + 3))
    kept = np.empty(count, dtype=np.int64)
    k = failed = 0
    for e in range(count):
        sx = sy = 0.0
        for i in range(m):
            Z[e, i] = max(X[e, i], 0.0)
            sx += Z[e, i]
        for j in range(n):
            Z[e, m + j] = max(Y[e, j], 0.0)
            sy += Z[e, m + j]
        Z[e, :m] /= sx
        Z[e, m : m + n] /= sy
        row = col = 0.0
        best_row = best_col = -np.inf
        for i in range(m):
            ay = 0.0
            for j in range(n):
                ay += A[i, j] * Z[e, m + j]
            row += Z[e, i] * ay
            best_row = max(best_row, ay)
        for j in range(n):
            xb = 0.0
            for i in range(m):
                xb += Z[e, i] * B[i, j]
            col += Z[e, m + j] * xb
            best_col = max(best_col, xb)
        Z[e, m + n], Z[e, m + n + 1] = row, col
        Z[e, m + n + 2] = max(best_row - row, best_col - col, 0.0)
        if not Z[e, m + n + 2] <= accept:
            failed += 1
            continue
        repeat = False
        for f in range(k):
            if np.abs(Z[kept[f], : m + n] - Z[e, : m + n]).max() <= atol:
                repeat = True
                break
        if not repeat:
            kept[k] = e
            k += 1
    rounded = np.empty((k, m + n))
    size = np.empty(k, dtype=np.int64)
    for f in range(k):
        rounded[f] = np.rint(Z[kept[f], : m + n] * 1e9) / 1e9
        size[f] = (rounded[f] > 1e-9).sum()
    order = np.arange(k)
    for f in range(1, k):  # insertion sort: stable, and k is small
        g = f
        while g > 0 and _precedes(
            rounded[order[g]], rounded[order[g - 1]], size[order[g]], size[order[g - 1]]
        ):
            order[g], order[g - 1] = order[g - 1], order[g]
            g -= 1
    return Z[kept[:k][order]], failed


@njit(cache=True, nogil=True, error_model="numpy")
def solve_plain(
    A: np.ndarray,
    B: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    tol: float,
    verify_tol: float,
) -> tuple[np.ndarray, bool]:
    """The common case of ``solve(method="auto")`` in one compiled call.

    For a game whose support pairs are one block ``rows, cols`` (as in
    :func:`_blocks`): checks the payoffs are finite, enumerates the supports
    (:func:`_enumerate`, margin ``delta`` as in :func:`enumerate_bases`),
    tests degeneracy (:func:`degeneracy`), checks that vertex enumeration
    finds exactly the support-enumeration pairs (:func:`_complete_pairs_are`)
    and verifies the equilibria (:func:`profiles` with ``accept = verify_tol *
    max(1, max |payoff|)`` and ``atol = 1e-7``).

    Returns
    -------
    out : ndarray, shape (E, m + n + 3)
        As :func:`profiles`.
    plain : bool
        ``True`` when ``out`` is the whole answer: payoffs finite, game
        nondegenerate, both enumerations agree, every candidate verified and
        their number odd (von Stengel 2007, Corollary 3.8).  Otherwise the
        caller takes the general path, which explains, retries and notes.
    """
    m, n = A.shape
    scale = 1.0
    for i in range(m):
        for j in range(n):
            if not (np.isfinite(A[i, j]) and np.isfinite(B[i, j])):
                return np.empty((0, m + n + 3)), False
            scale = max(scale, abs(A[i, j]), abs(B[i, j]))
    delta = (max(m, n) + 2) * tol + 1e-13
    Z, L, SE, nx = _enumerate(A, B, rows, cols, tol, delta)
    if L[:, -1].any() or not _complete_pairs_are(L[:nx, :-1], L[nx:, :-1], SE):
        return np.empty((0, m + n + 3)), False
    X = np.empty((len(SE), m))
    Y = np.empty((len(SE), n))
    for s in range(len(SE)):
        X[s] = Z[SE[s, 0], :m]
        Y[s] = Z[nx + SE[s, 1], :n]
    out, failed = profiles(A, B, X, Y, verify_tol * scale, 1e-7)
    return out, failed == 0 and len(out) % 2 == 1


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
    return bases["EX"], bases["EY"]


@lru_cache(maxsize=64)
def _all_labels(count: int) -> np.ndarray:
    """``count`` set bits, packed like :func:`numpy.packbits` packs a row of labels."""
    return np.packbits(np.ones(count, dtype=bool))


def _completely_labelled(LX: np.ndarray, LY: np.ndarray) -> np.ndarray:
    """Index pairs ``(a, b)`` with every label in ``LX[a]`` or ``LY[b]``, shape (S, 2), sorted.

    Label sets are packed into bytes (:func:`numpy.packbits`); a pair is
    completely labelled when the bitwise or of its two rows has every bit set.
    Exact for any number of labels, no floating point; rows of ``LX`` are
    taken in blocks so that at most about ``8 * CHUNK`` pairs are compared at once.
    """
    bx = np.packbits(LX, axis=1)
    by = np.packbits(LY, axis=1)
    full = _all_labels(LX.shape[1])
    step = max(1, 8 * CHUNK // max(1, len(by)))
    parts = []
    for a in range(0, len(bx), step):
        rows, cols = np.nonzero(((bx[a : a + step, None, :] | by[None, :, :]) == full).all(axis=2))
        parts.append(np.array([rows + a, cols]).T)
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.intp)


@njit(cache=True, nogil=True, error_model="numpy")
def _complete_pairs_are(LX: np.ndarray, LY: np.ndarray, SE: np.ndarray) -> bool:
    """Whether the completely labelled pairs ``(a, b)`` of rows of ``LX``, ``LY`` are exactly ``SE``.

    ``SE`` holds distinct index pairs; the sets are equal when every pair of
    ``SE`` is completely labelled and there are no others.  Each pair is
    rejected at its first missing label.
    """
    labels = LX.shape[1]
    count = 0
    for a in range(len(LX)):
        for b in range(len(LY)):
            full = True
            for q in range(labels):
                if not (LX[a, q] or LY[b, q]):
                    full = False
                    break
            count += full
    if count != len(SE):
        return False
    for s in range(len(SE)):
        for q in range(labels):
            if not (LX[SE[s, 0], q] or LY[SE[s, 1], q]):
                return False
    return True


def vertex_pairs_agree(bases: dict[str, np.ndarray]) -> bool:
    """Whether vertex enumeration finds exactly the support-enumeration pairs ``bases["SE"]``.

    Vertex enumeration: every completely labelled pair of a vertex of ``P`` and
    one of ``Q`` (von Stengel 2007, Algorithm 3.5).  Meaningful for
    nondegenerate games, where no vertex is repeated; :func:`vertex_pairs`
    handles the degenerate case.
    """
    return bool(_complete_pairs_are(bases["LX"], bases["LY"], bases["SE"]))


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
    pairs = _completely_labelled(LX, LY)
    return X[pairs[:, 0]], Y[pairs[:, 1]]


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
