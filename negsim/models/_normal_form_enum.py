"""Vectorised enumeration kernels behind :mod:`negsim.models.normal_form`.

Private module: pure functions of payoff arrays, no validation (the public
functions validate once).  The kernels:

* :func:`enumerate_bases` - the indifference systems of both players for
  every pair of equal-size supports ``(I, J)`` are solved in batched calls to
  :func:`numpy.linalg.solve` (one call per support size, or one in all for
  small games), with feasibility and labels read off one batched product.  Pairs whose two solutions are both
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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

#: Support pairs per chunk (bounds memory on larger games).
CHUNK = 40_000
#: Games with at most this many support pairs are solved in one padded batch.  Timed on
#: random games: one batch is faster at 3x3 (19 pairs), 4x4 (69) and 3x6 (83), one batch
#: per support size at 5x5 (251).
ONE_BLOCK = 100
#: Hadamard ratio below which a basis is treated as singular.
SINGULAR_RATIO = 1e-12


@lru_cache(maxsize=64)
def _source_template(m: int, n: int) -> np.ndarray:
    """Payoff-independent part of :func:`_source`: the ``-1`` columns and the constants."""
    src = np.zeros(m * (n + 1) + n * (m + 1) + 2)
    src[n : m * (n + 1) : n + 1] = -1.0
    src[m * (n + 1) + m : -2 : m + 1] = -1.0
    src[-1] = 1.0
    src.flags.writeable = False
    return src


def _source(An: np.ndarray, Bn: np.ndarray) -> np.ndarray:
    """Every number any support system uses, in one flat array.

    ``[A | -1]`` row by row (``m x (n + 1)``), then ``[B^T | -1]`` row by row
    (``n x (m + 1)``), then the constants 0 and 1.  The systems are gathered
    from it by the index arrays of :func:`_systems`.
    """
    m, n = An.shape
    src = _source_template(m, n).copy()
    src[: m * (n + 1)].reshape(m, n + 1)[:, :n] = An
    src[m * (n + 1) : -2].reshape(n, m + 1)[:, :m] = Bn.T
    return src


@lru_cache(maxsize=64)
def _slack_template(m: int, n: int) -> np.ndarray:
    """The payoff-independent part of :func:`_slack_matrices`."""
    s = max(m, n)
    W = np.zeros((2, s + 2, m + n))  # the spare last row stays zero
    W[0, s, :m] = -1.0
    W[0, :n, m:] = -np.eye(n)
    W[1, :m, :m] = -np.eye(m)
    W[1, s, m:] = -1.0
    W.flags.writeable = False
    return W


def _slack_matrices(An: np.ndarray, Bn: np.ndarray) -> np.ndarray:
    """Matrices that map a solution ``(z, w)`` to the slacks of its ``m + n`` inequalities.

    For solutions laid out as in :func:`_solve_chunk` (strategy padded by zeros
    to length ``s = max(m, n)``, value, spare column),
    ``(y, v, 0) @ W[0] = (A y - v, -y)`` and ``(x, u, 0) @ W[1] = (-x, B^T x - u)``,
    in label order (rows, then columns).  A solution is feasible when every
    slack is ``<= tol``, and carries label ``k`` when slack ``k`` is ``>= -tol``.
    """
    m, n = An.shape
    W = _slack_template(m, n).copy()
    W[0, :n, :m] = An.T
    W[1, :m, m:] = Bn
    return W


@lru_cache(maxsize=64)
def _subsets(n: int, k: int) -> np.ndarray:
    """The ``k``-subsets of ``range(n)`` in lexicographic order, one per row."""
    subsets = np.array(list(combinations(range(n), k)), dtype=np.intp).reshape(-1, k)
    subsets.flags.writeable = False
    return subsets


@dataclass(frozen=True)
class _Block:
    """Support pairs whose systems share one size, ready to be gathered, solved, scattered.

    ``gather`` (2, c, t + 1, t + 1) indexes :func:`_source`: ``[0, p]`` is the
    column strategy's system ``A_IJ y_J - v = 0, sum y_J = 1`` and ``[1, p]``
    the row strategy's ``B_IJ^T x_I - u = 0, sum x_I = 1``, with unknowns
    (strategy on the support, value); a support of size ``k < t`` is padded by
    ``t - k`` unknowns fixed at zero.  ``scatter`` (2, c, t + 1) holds their
    flat positions in the chunk's solution array (see :func:`_solve_chunk`);
    ``pairs`` are the block's positions in the chunk.
    """

    gather: np.ndarray
    scatter: np.ndarray
    pairs: slice


def _systems(
    m: int, n: int, k: int, start: int, stop: int, t: int, offset: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Gather and scatter indices of the size-``k`` pairs ``start:stop``, padded to ``t``.

    Pairs ``(I, J)`` of size ``k`` are numbered with ``I`` (lexicographic)
    varying slowest; ``offset`` is the position of the first in a chunk of
    ``size`` pairs.
    """
    s = max(m, n)
    rows, cols = _subsets(m, k), _subsets(n, k)
    r, c = np.divmod(np.arange(start, stop), len(cols))
    row_sets, col_sets = rows[r], cols[c]
    count = stop - start
    zero = m * (n + 1) + n * (m + 1)  # positions of the constants 0 and 1 in the source
    position = (offset + np.arange(count))[:, None] * (s + 2)
    gather = np.full((2, count, t + 1, t + 1), zero)
    scatter = np.full((2, count, t + 1), s + 1) + position  # padding goes to the spare column
    for h, (base, width, equations, unknowns, own) in enumerate(
        [(0, n + 1, row_sets, col_sets, n), (m * (n + 1), m + 1, col_sets, row_sets, m)]
    ):
        rows_at = base + equations * width
        gather[h, :, :k, :k] = rows_at[:, :, None] + unknowns[:, None, :]
        gather[h, :, :k, t] = rows_at + own  # the -1 in front of the value
        gather[h, :, range(k, t), range(k, t)] = zero + 1  # padding unknown = 0
        gather[h, :, t, :k] = zero + 1  # sum of the strategy = 1
        scatter[h, :, :k] = position + unknowns
        scatter[h, :, t] = position[:, 0] + s
    scatter[1] += size * (s + 2)
    return gather, scatter


def _block(parts: list[tuple[np.ndarray, np.ndarray]], offset: int) -> _Block:
    """One block from the :func:`_systems` of consecutive pairs, the first at ``offset``."""
    gather = _joined([g for g, _ in parts], axis=1)
    scatter = _joined([sc for _, sc in parts], axis=1)
    gather.flags.writeable = False
    scatter.flags.writeable = False
    return _Block(gather, scatter, slice(offset, offset + gather.shape[1]))


def _pair_count(m: int, n: int) -> int:
    """Number of equal-size support pairs of an ``m x n`` game."""
    return sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))


@lru_cache(maxsize=64)
def _small_chunk(m: int, n: int) -> tuple[list[_Block], int]:
    """All support pairs of a game with at most :data:`CHUNK` of them, cached per shape.

    With at most :data:`ONE_BLOCK` pairs every system is padded to the largest
    support and all are solved in one call (per-call overhead dominates such
    small games); otherwise each support size is its own block of exact size.
    """
    size = _pair_count(m, n)
    sizes = range(1, min(m, n) + 1)
    groups = [list(sizes)] if size <= ONE_BLOCK else [[k] for k in sizes]
    blocks, offset = [], 0
    for group in groups:
        parts, first = [], offset
        for k in group:
            count = comb(m, k) * comb(n, k)
            parts.append(_systems(m, n, k, 0, count, group[-1], offset, size))
            offset += count
        blocks.append(_block(parts, first))
    return blocks, size


def _chunks(m: int, n: int) -> Iterator[tuple[list[_Block], int]]:
    """Every equal-size support pair in chunks of at most :data:`CHUNK` pairs.

    Pairs come ordered by size ``k``, then ``I``, then ``J``.  A game with at
    most :data:`CHUNK` pairs is one cached chunk (:func:`_small_chunk`); a
    larger one is generated chunk by chunk, one support size per chunk, so
    memory stays bounded and the time budget is checked before anything large
    is built.
    """
    if _pair_count(m, n) <= CHUNK:
        yield _small_chunk(m, n)
        return
    for k in range(1, min(m, n) + 1):
        total = comb(m, k) * comb(n, k)
        for start in range(0, total, CHUNK):
            stop = min(start + CHUNK, total)
            yield [_block([_systems(m, n, k, start, stop, k, 0, stop - start)], 0)], stop - start


@lru_cache(maxsize=64)
def _last_unit(size: int) -> np.ndarray:
    """The right-hand side ``(0, ..., 0, 1)`` as a column, shared by every system."""
    rhs = np.zeros((size, 1))
    rhs[-1] = 1.0
    rhs.flags.writeable = False
    return rhs


def _check_time(deadline: float | None, what: str) -> None:
    if deadline is not None and time.perf_counter() > deadline:
        raise TimeoutError(what)


def _unit(M: np.ndarray) -> np.ndarray:
    """Affine rescaling of a payoff matrix onto [0, 1] (best responses unchanged)."""
    low = M.min()
    span = M.max() - low
    return (M - low) / span if span > 0 else np.zeros_like(M)


def _solve_chunk(
    source: np.ndarray, blocks: list[_Block], size: int, s: int
) -> tuple[np.ndarray, np.ndarray]:
    """Solve both players' systems of a chunk's support pairs, one batched call per block.

    Returns the solutions, shape ``(2, size, s + 2)`` (strategies padded by
    zeros to ``s``, the value, and a spare column that receives the padding
    unknowns), and a mask of the systems that are not singular, i.e. whose
    Hadamard ratio ``|det M| / prod_i ||M_i||`` is at least
    :data:`SINGULAR_RATIO`; singular systems keep a zero solution.
    """
    sol = np.zeros((2, size, s + 2))
    ok = np.empty((2, size), dtype=bool)
    for block in blocks:
        M = source[block.gather]
        det = np.linalg.det(M)
        squared_norms = np.einsum("...ij,...ij->...i", M, M).prod(axis=-1)
        fine = det * det > SINGULAR_RATIO**2 * squared_norms
        rhs = _last_unit(M.shape[-1])
        if fine.all():
            np.put(sol, block.scatter, np.linalg.solve(M, rhs))
        elif fine.any():
            np.put(sol, block.scatter[fine], np.linalg.solve(M[fine], rhs))
        ok[:, block.pairs] = fine
    return sol, ok


def _joined(parts: list[np.ndarray], axis: int = 0) -> np.ndarray:
    """``np.concatenate`` that returns a single part as it is."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=axis)


def enumerate_bases(
    A: np.ndarray, B: np.ndarray, tol: float, deadline: float | None = None
) -> dict[str, np.ndarray]:
    """Solve every equal-size support system once; derive both enumerations.

    For a support pair ``(I, J)`` with ``|I| = |J| = k`` the column strategy
    solves ``A_IJ y_J = v 1, 1^T y_J = 1`` (``y`` zero outside ``J``) and the
    row strategy ``B_IJ^T x_I = u 1, 1^T x_I = 1``.  Both players' systems of
    all pairs of a size are gathered from one flat array of payoffs
    (:func:`_source`) by cached index arrays (:func:`_chunks`) and go to one
    batched :func:`numpy.linalg.det` and :func:`numpy.linalg.solve` call (small
    games: one call for all sizes, padded); one more batched product gives the
    slacks ``A y - v``, ``-y``, ``-x``, ``B^T x - u`` of every solution
    (:func:`_slack_matrices`).  A solution ``x`` that is a probability vector
    (entries ``>= -tol``) with ``max_j (B^T x - u)_j <= tol`` is, scaled by
    ``1 / u``, a vertex of ``P`` (payoffs shifted positive), and every non-zero
    vertex of ``P`` arises this way from some nonsingular system; likewise for
    ``y`` and ``Q`` (von Stengel 2007, Algorithm 3.4 and Theorem 3.3).  Payoffs
    are first mapped affinely onto ``[0, 1]`` per player, so ``tol`` is
    relative to each player's payoff range.

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
        the support-enumeration equilibria, in increasing order.
    """
    m, n = A.shape
    An, Bn = _unit(A), _unit(B)
    source = _source(An, Bn)
    W = _slack_matrices(An, Bn)
    Xs, Ys, LXs, LYs, SEs = [], [], [], [], []
    nx = ny = 0
    for blocks, size in _chunks(m, n):
        _check_time(deadline, "support enumeration")
        sol, ok = _solve_chunk(source, blocks, size, max(m, n))
        slack = sol @ W  # (2, P, m + n)
        feasible = ok & (slack.max(axis=-1) <= tol)
        fy, fx = feasible
        index = feasible[::-1].cumsum(axis=1)[:, fx & fy].T  # positions in X and Y, plus one
        labels = slack >= -tol
        SEs.append(index + (nx - 1, ny - 1))
        Xs.append(sol[1, fx, :m])
        Ys.append(sol[0, fy, :n])
        LXs.append(labels[1, fx])
        LYs.append(labels[0, fy])
        nx += len(Xs[-1])
        ny += len(Ys[-1])
    return {
        "X": _joined(Xs),
        "Y": _joined(Ys),
        "LX": _joined(LXs),
        "LY": _joined(LYs),
        "SE": _joined(SEs),
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
    return _joined(parts) if parts else np.empty((0, 2), dtype=np.intp)


def vertex_pair_indices(bases: dict[str, np.ndarray]) -> np.ndarray:
    """Index pairs into ``bases["X"]``, ``bases["Y"]`` of completely labelled vertices.

    Valid as a list of distinct equilibria when no vertex is repeated, i.e. for
    nondegenerate games; :func:`vertex_pairs` removes repeats first.  Shape
    ``(S, 2)``, sorted lexicographically like ``bases["SE"]``.
    """
    return _completely_labelled(bases["LX"], bases["LY"])


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
