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
from collections.abc import Iterator
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

#: Support pairs or bases solved per batched call (bounds memory on larger games).
CHUNK = 40_000
#: Hadamard ratio below which a basis is treated as singular.
SINGULAR_RATIO = 1e-12


@lru_cache(maxsize=64)
def _equation_bank_template(m: int, n: int) -> np.ndarray:
    """The payoff-independent rows of the equation bank of an ``m x n`` game.

    With ``s = max(m, n)`` the bank has ``s + 1`` columns (a strategy padded
    with zeros to length ``s``, then the value) and these rows:
    ``0 .. m-1`` the row player's payoff rows ``(a_i, 0, -1)`` (filled in by
    :func:`_equation_bank`), ``m .. m+s-1`` the unit rows ``e_j`` (``z_j = 0``),
    ``m+s`` the column strategy's sum ``(1_n, 0, 0)``, then ``n`` rows
    ``(b_j^T, 0, -1)`` of the column player and the row strategy's sum
    ``(1_m, 0, 0)``.
    """
    s = max(m, n)
    bank = np.zeros((m + s + n + 2, s + 1))
    bank[:m, s] = -1.0
    bank[m : m + s, :s] = np.eye(s)
    bank[m + s, :n] = 1.0
    bank[m + s + 1 : m + s + 1 + n, s] = -1.0
    bank[-1, :m] = 1.0
    bank.flags.writeable = False
    return bank


def _equation_bank(An: np.ndarray, Bn: np.ndarray) -> np.ndarray:
    """Every equation any support system of the game ``(An, Bn)`` can use, one per row."""
    m, n = An.shape
    s = max(m, n)
    bank = _equation_bank_template(m, n).copy()
    bank[:m, :n] = An
    bank[m + s + 1 : m + s + 1 + n, :m] = Bn.T
    return bank


@lru_cache(maxsize=64)
def _slack_template(m: int, n: int) -> np.ndarray:
    """The payoff-independent part of :func:`_slack_matrices`: the ``-I`` blocks."""
    s = max(m, n)
    W = np.zeros((2, s + 1, m + n))
    W[0, :n, m:] = -np.eye(n)
    W[1, :m, :m] = -np.eye(m)
    W.flags.writeable = False
    return W


def _slack_matrices(bank: np.ndarray, m: int, n: int) -> np.ndarray:
    """Matrices that map a solution ``(z, w)`` to the slacks of its ``m + n`` inequalities.

    ``(y, v) @ W[0] = (A y - v, -y)`` and ``(x, u) @ W[1] = (-x, B^T x - u)``,
    in label order (rows, then columns).  A solution is feasible when every
    slack is ``<= tol``, and carries label ``k`` when slack ``k`` is ``>= -tol``.
    """
    s = max(m, n)
    W = _slack_template(m, n).copy()
    W[0, :, :m] = bank[:m].T
    W[1, :, m:] = bank[m + s + 1 : m + s + 1 + n].T
    return W


@lru_cache(maxsize=64)
def _subsets(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k``-subsets of ``range(n)`` in lexicographic order, and their complements."""
    inside = np.array(list(combinations(range(n), k)), dtype=np.intp).reshape(-1, k)
    mask = np.ones((len(inside), n), dtype=bool)
    np.put_along_axis(mask, inside, False, axis=1)
    outside = np.nonzero(mask)[1].reshape(len(inside), n - k)
    return inside, outside


def _system_block(m: int, n: int, k: int, start: int, stop: int) -> np.ndarray:
    """Bank rows of both indifference systems of the size-``k`` support pairs ``start:stop``.

    Pairs ``(I, J)`` of size ``k`` are numbered with ``I`` (lexicographic)
    varying slowest.  Returns an index array of shape ``(2, stop - start,
    s + 1)``, ``s = max(m, n)``, into the rows of :func:`_equation_bank`:
    ``[0, p]`` is the column strategy's system (payoff rows ``I``, ``y_j = 0``
    for ``j`` outside ``J`` and for the padding ``n <= j < s``, ``sum y = 1``),
    ``[1, p]`` the row strategy's (payoff rows ``J`` of ``B^T``, ``x_i = 0``
    outside ``I`` and for ``m <= i < s``, ``sum x = 1``).  Both are square of
    size ``s + 1``, so all of them go to one batched solve.
    """
    s = max(m, n)
    unit, ones_y, b_rows, ones_x = m, m + s, m + s + 1, m + s + 1 + n
    rows_in, rows_out = _subsets(m, k)
    cols_in, cols_out = _subsets(n, k)
    r, c = np.divmod(np.arange(start, stop), len(cols_in))
    count = stop - start
    pad_y = np.broadcast_to([*range(unit + n, unit + s), ones_y], (count, s - n + 1))
    pad_x = np.broadcast_to([*range(unit + m, unit + s), ones_x], (count, s - m + 1))
    sys_y = np.concatenate([rows_in[r], unit + cols_out[c], pad_y], axis=1)
    sys_x = np.concatenate([b_rows + cols_in[c], unit + rows_out[r], pad_x], axis=1)
    return np.stack([sys_y, sys_x])


def _support_system_chunks(m: int, n: int) -> Iterator[np.ndarray]:
    """Both systems of every equal-size support pair, at most :data:`CHUNK` pairs at a time.

    Pairs come ordered by size ``k``, then ``I``, then ``J``.  Games with at
    most :data:`CHUNK` pairs get one cached array (:func:`_all_systems`); larger
    ones are generated chunk by chunk, so memory stays bounded and the time
    budget is checked before anything large is built.
    """
    if _pair_count(m, n) <= CHUNK:
        yield _all_systems(m, n)
        return
    for k in range(1, min(m, n) + 1):
        total = comb(m, k) * comb(n, k)
        for start in range(0, total, CHUNK):
            yield _system_block(m, n, k, start, min(start + CHUNK, total))


def _pair_count(m: int, n: int) -> int:
    return sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))


@lru_cache(maxsize=64)
def _all_systems(m: int, n: int) -> np.ndarray:
    """:func:`_system_block` for all support pairs of a small game, cached per shape."""
    blocks = [_system_block(m, n, k, 0, comb(m, k) * comb(n, k)) for k in range(1, min(m, n) + 1)]
    systems = np.concatenate(blocks, axis=1)
    systems.flags.writeable = False
    return systems


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
    bank: np.ndarray, norms: np.ndarray, systems: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve both players' systems of some support pairs in one batched call.

    Returns the solutions, shape ``(2, P, s + 1)``, and a mask of the systems
    that are not singular, i.e. whose Hadamard ratio ``|det M| / prod_i ||M_i||``
    is at least :data:`SINGULAR_RATIO`; singular systems keep a zero solution.
    """
    M = bank[systems]
    ok = np.abs(np.linalg.det(M)) > SINGULAR_RATIO * norms[systems].prod(axis=-1)
    rhs = _last_unit(M.shape[-1])
    if ok.all():
        return np.linalg.solve(M, rhs)[..., 0], ok
    sol = np.zeros(M.shape[:-1])
    if ok.any():
        sol[ok] = np.linalg.solve(M[ok], rhs)[..., 0]
    return sol, ok


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def enumerate_bases(
    A: np.ndarray, B: np.ndarray, tol: float, deadline: float | None = None
) -> dict[str, np.ndarray]:
    """Solve every equal-size support system once; derive both enumerations.

    For a support pair ``(I, J)`` with ``|I| = |J| = k`` the column strategy
    solves ``A_I y = v 1, y_j = 0 (j not in J), 1^T y = 1`` and the row strategy
    ``B_J^T x = u 1, x_i = 0 (i not in I), 1^T x = 1``.  Both systems of all
    pairs are gathered from one bank of equations (:func:`_equation_bank`) by
    an index array (:func:`_support_system_chunks`) and solved by one batched
    call to :func:`numpy.linalg.solve` (in chunks of :data:`CHUNK` pairs); the
    bank's payoff rows applied to a solution give the slacks ``A y - v`` and
    ``B^T x - u`` of all pure strategies at once.  A solution ``x`` that is a
    probability vector (entries ``>= -tol``) with ``max_j (B^T x - u)_j <= tol``
    is, scaled by ``1 / u``, a vertex of ``P`` (payoffs shifted positive), and
    every non-zero vertex of ``P`` arises this way from some nonsingular system;
    likewise for ``y`` and ``Q`` (von Stengel 2007, Algorithm 3.4 and Theorem
    3.3).  Payoffs are first mapped affinely onto ``[0, 1]`` per player, so
    ``tol`` is relative to each player's payoff range.

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
    bank = _equation_bank(_unit(A), _unit(B))
    norms = np.sqrt(np.einsum("ij,ij->i", bank, bank))
    W = _slack_matrices(bank, m, n)
    Xs, Ys, LXs, LYs, SEs = [], [], [], [], []
    nx = ny = 0
    for systems in _support_system_chunks(m, n):
        _check_time(deadline, "support enumeration")
        sol, ok = _solve_chunk(bank, norms, systems)
        slack = sol @ W  # (2, P, m + n)
        fy, fx = ok & (slack.max(axis=-1) <= tol)
        index = np.cumsum([fx, fy], axis=1)[:, fx & fy].T  # positions in X and Y, plus one
        SEs.append(index + (nx - 1, ny - 1))
        Xs.append(sol[1, fx, :m])
        Ys.append(sol[0, fy, :n])
        LXs.append(slack[1, fx] >= -tol)
        LYs.append(slack[0, fy] >= -tol)
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


def _completely_labelled(LX: np.ndarray, LY: np.ndarray) -> np.ndarray:
    """Index pairs ``(a, b)`` with every label in ``LX[a]`` or ``LY[b]``, shape (S, 2), sorted.

    Label sets are packed into bytes (:func:`numpy.packbits`); a pair is
    completely labelled when the bitwise or of its two rows has every bit set.
    Exact for any number of labels, no floating point; rows of ``LX`` are
    taken in blocks so that at most about ``8 * CHUNK`` pairs are compared at once.
    """
    bx = np.packbits(LX, axis=1)
    by = np.packbits(LY, axis=1)
    full = np.packbits(np.ones(LX.shape[1], dtype=bool))
    step = max(1, 8 * CHUNK // max(1, len(by)))
    blocks = [
        np.argwhere(((bx[a : a + step, None, :] | by[None, :, :]) == full).all(axis=2)) + (a, 0)
        for a in range(0, len(bx), step)
    ]
    return _joined(blocks) if blocks else np.empty((0, 2), dtype=np.intp)


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
