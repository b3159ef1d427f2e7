"""Exact rational reference enumerator for small bimatrix games (tests only).

Every extreme equilibrium of ``(A, B)`` is a completely labelled pair of
vertices of ``P = {x >= 0 : B^T x <= 1}`` and ``Q = {y >= 0 : A y <= 1}`` (payoffs
shifted positive; von Stengel 2007, Theorem 3.3).  Here every basis is solved by
Gaussian elimination in :class:`fractions.Fraction`, so ties are exact and the
answer does not depend on any tolerance.  Slow, and meant to be.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np


def _solve_exact(M: list[list[Fraction]], b: list[Fraction]) -> list[Fraction] | None:
    """Gauss-Jordan elimination; ``None`` if ``M`` is singular."""
    d = len(M)
    aug = [row[:] + [rhs] for row, rhs in zip(M, b, strict=True)]
    for c in range(d):
        pivot = next((r for r in range(c, d) if aug[r][c] != 0), None)
        if pivot is None:
            return None
        aug[c], aug[pivot] = aug[pivot], aug[c]
        inv = 1 / aug[c][c]
        aug[c] = [v * inv for v in aug[c]]
        for r in range(d):
            if r != c and aug[r][c] != 0:
                f = aug[r][c]
                aug[r] = [vr - f * vc for vr, vc in zip(aug[r], aug[c], strict=True)]
    return [aug[r][d] for r in range(d)]


def _vertices(M: list[list[Fraction]]) -> dict[tuple, frozenset]:
    """Non-zero vertices of ``{z >= 0, M z <= 1}`` with their tight constraints."""
    c, d = len(M), len(M[0])
    rows = [[Fraction(int(i == t)) for i in range(d)] for t in range(d)] + M
    rhs = [Fraction(0)] * d + [Fraction(1)] * c
    out: dict[tuple, frozenset] = {}
    for basis in combinations(range(d + c), d):
        z = _solve_exact([rows[t] for t in basis], [rhs[t] for t in basis])
        if z is None or all(v == 0 for v in z) or any(v < 0 for v in z):
            continue
        slack = [1 - sum(a * v for a, v in zip(row, z, strict=True)) for row in M]
        if any(s < 0 for s in slack):
            continue
        key = tuple(z)
        if key not in out:
            labels = [t for t in range(d) if z[t] == 0] + [d + s for s in range(c) if slack[s] == 0]
            out[key] = frozenset(labels)
    return out


def exact_equilibria(A, B) -> list[tuple[tuple[Fraction, ...], tuple[Fraction, ...]]]:
    """All extreme Nash equilibria of ``(A, B)`` in exact rational arithmetic.

    Float entries are converted exactly (``Fraction(float)``).  Returns pairs of
    probability vectors as tuples of :class:`~fractions.Fraction`.
    """
    A = np.asarray(A)
    B = np.asarray(B)
    m, n = A.shape
    Af = [[Fraction(v) for v in row] for row in A.tolist()]
    Bf = [[Fraction(v) for v in row] for row in B.tolist()]
    shift_a = 1 - min(min(r) for r in Af)
    shift_b = 1 - min(min(r) for r in Bf)
    Ap = [[v + shift_a for v in row] for row in Af]
    BpT = [[Bf[i][j] + shift_b for i in range(m)] for j in range(n)]
    P = _vertices(BpT)  # labels: x_i = 0 -> i, column j best response -> m + j
    Q = _vertices(Ap)  # labels: y_j = 0 -> j, row i best response -> n + i
    full = frozenset(range(m + n))
    result = []
    for x, lx in P.items():
        for y, ly in Q.items():
            game_ly = {lab - n if lab >= n else m + lab for lab in ly}
            if lx | game_ly == full:
                sx, sy = sum(x), sum(y)
                result.append((tuple(v / sx for v in x), tuple(v / sy for v in y)))
    return result


def is_degenerate_exact(A, B) -> bool:
    """Exact degeneracy test: some vertex of P or Q has too many labels."""
    A = np.asarray(A)
    B = np.asarray(B)
    m, n = A.shape
    Af = [[Fraction(v) for v in row] for row in A.tolist()]
    Bf = [[Fraction(v) for v in row] for row in B.tolist()]
    shift_a = 1 - min(min(r) for r in Af)
    shift_b = 1 - min(min(r) for r in Bf)
    P = _vertices([[Bf[i][j] + shift_b for i in range(m)] for j in range(n)])
    Q = _vertices([[v + shift_a for v in row] for row in Af])
    return any(len(lab) > m for lab in P.values()) or any(len(lab) > n for lab in Q.values())
