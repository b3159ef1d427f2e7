r"""Stage games in normal form: equilibria you can trust.

A two-player (bimatrix) game is a pair of ``m x n`` payoff matrices ``A`` (row
player) and ``B`` (column player).  Mixed strategies ``x`` and ``y`` form a Nash
equilibrium (Nash 1951) when neither player gains by deviating:

.. math::

    \max_i (A y)_i = x^\top A y, \qquad \max_j (B^\top x)_j = x^\top B y .

Equivalently every pure strategy in the support of ``x`` is a best response to
``y`` and vice versa.  A game is *nondegenerate* when no mixed strategy with
support of size ``k`` has more than ``k`` pure best responses; then equilibria
are isolated, they are found on supports of equal size, and their number is odd
(von Stengel 2007, Theorem 3.4 and Corollary 3.8).  In a degenerate game
equilibria come in connected sets; what can be listed are their extreme points,
the completely labelled vertex pairs of the best-response polytopes

.. math::

    P = \{x \ge 0 : B^\top x \le 1\}, \qquad Q = \{y \ge 0 : A y \le 1\}

(payoffs shifted to be positive; von Stengel 2007, Section 3.5).

:func:`solve` enumerates equal-size supports in a compiled loop (each system
solved once, rejected early, and skipped when one of its would-be best
responses is strictly dominated on the opponent's support), reads the
vertices of ``P`` and ``Q`` off the same solutions to detect degeneracy and to
cross-check, verifies all equilibria at once (largest deviation gain), and never returns an empty or
even-numbered answer for a nondegenerate game without retrying other back ends
(including Nashpy) and saying so in ``notes``.  With ``method="auto"`` on a
game of at most ``_enum.CHUNK`` support pairs (square games up to 8 x 8), the common case
(finite payoffs, nondegenerate, both enumerations agree, all verified, an odd
count) is decided in one compiled call, with no Python between the steps.  :func:`solve_2x2_batch` solves
many ``2 x 2`` games at once in closed form, :func:`pure_equilibria` finds pure
equilibria of ``N``-player games, :func:`select` picks one equilibrium by
payoff dominance, risk dominance (Harsanyi & Selten 1988) or maximum entropy,
and :func:`to_nfg` writes a game in Gambit's ``.nfg`` format.

References
----------
.. [Nash1951] J. Nash, "Non-cooperative games", Annals of Mathematics 54 (1951)
   286-295.
.. [vS2007] B. von Stengel, "Equilibrium computation for two-player games in
   strategic and extensive form", ch. 3 of N. Nisan et al. (eds.), Algorithmic
   Game Theory, Cambridge University Press, 2007.
.. [LH1964] C. E. Lemke and J. T. Howson, "Equilibrium points of bimatrix
   games", SIAM Journal on Applied Mathematics 12 (1964) 413-423.
.. [HS1988] J. C. Harsanyi and R. Selten, A General Theory of Equilibrium
   Selection in Games, MIT Press, 1988.

Longer than 600 lines because the solver, its verification, the retry ladder
of backends and the Gambit export share the game's representation.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from negsim.models import _normal_form_enum as _enum

__all__ = [
    "Batch2x2Solution",
    "Equilibrium",
    "SelectedEquilibrium",
    "StageGameSolution",
    "deviation_gains",
    "pure_equilibria",
    "select",
    "solve",
    "solve_2x2_batch",
    "to_nfg",
]

Method = Literal["auto", "support_enumeration", "vertex_enumeration", "lemke_howson"]
_METHODS = ("auto", "support_enumeration", "vertex_enumeration", "lemke_howson")
_RULES = ("payoff_dominance", "risk_dominance", "max_entropy")
#: Largest deviation gain accepted as "verified", relative to max(1, max |payoff|).
VERIFY_TOL = 1e-9


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One Nash equilibrium of a bimatrix game.

    Attributes
    ----------
    row_strategy : ndarray, shape (m,)
        Probabilities of the row player's pure strategies.
    col_strategy : ndarray, shape (n,)
        Probabilities of the column player's pure strategies.
    row_payoff, col_payoff : float
        Expected payoffs ``x^T A y`` and ``x^T B y``.
    """

    row_strategy: np.ndarray
    col_strategy: np.ndarray
    row_payoff: float
    col_payoff: float

    @property
    def supports(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices played with positive probability (above 1e-12)."""
        return (
            tuple(int(i) for i in np.flatnonzero(self.row_strategy > 1e-12)),
            tuple(int(j) for j in np.flatnonzero(self.col_strategy > 1e-12)),
        )

    @property
    def is_pure(self) -> bool:
        """True when both players play a single pure strategy."""
        rows, cols = self.supports
        return len(rows) == 1 and len(cols) == 1


@dataclass(frozen=True, eq=False)
class StageGameSolution:
    """Equilibria of a bimatrix game with the evidence that they are right.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Distinct equilibria: all of them for a nondegenerate game, all extreme
        equilibria for a degenerate one (``lemke_howson`` alone may find fewer).
    method : str
        The method that produced the answer (``"auto"`` names its parts).
    tolerance : float
        Relative tolerance used for probabilities and best-response tests.
    verified : tuple of float
        Largest gain of either player from a unilateral deviation, one per
        equilibrium; each is at most ``1e-9 * max(1, max |payoff|)``.
    degenerate : bool
        Whether some mixed strategy with ``k`` strategies in its support has
        more than ``k`` pure best responses (within ``tolerance``).
    explanation : str
        For degenerate games, which strategies have several best responses and
        what that means for the equilibrium set; empty otherwise.
    notes : tuple of str
        Cross-checks, retries and fall-backs that were performed.
    A, B : ndarray
        The payoff matrices (read-only copies), used by :func:`select`.
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    tolerance: float
    verified: tuple[float, ...]
    degenerate: bool
    explanation: str
    notes: tuple[str, ...]
    A: np.ndarray = field(repr=False)
    B: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.equilibria)


@dataclass(frozen=True, eq=False)
class SelectedEquilibrium:
    """Outcome of :func:`select`.

    Attributes
    ----------
    rule : str
        The selection rule applied.
    equilibrium : Equilibrium or None
        The selected equilibrium, or ``None`` when the rule selects none.
    index : int or None
        Position of ``equilibrium`` in ``solution.equilibria``.
    reason : str
        Why this equilibrium (or none) was selected, with the numbers compared.
    """

    rule: str
    equilibrium: Equilibrium | None
    index: int | None
    reason: str


@dataclass(frozen=True, eq=False)
class Batch2x2Solution:
    """Extreme equilibria of many ``2 x 2`` games, as arrays.

    Each game has 9 candidate slots: the 4 pure profiles ``(0,0), (0,1),
    (1,0), (1,1)``, the completely mixed profile, the row player mixing against
    column 0 or 1, and the column player mixing against row 0 or 1 (the last
    four exist only in degenerate games).  Invalid slots hold NaN.

    Attributes
    ----------
    row_prob, col_prob : ndarray, shape (g, 9)
        Probability of the first strategy of the row / column player.
    row_payoff, col_payoff : ndarray, shape (g, 9)
        Expected payoffs.
    valid : ndarray of bool, shape (g, 9)
        Which slots are equilibria.
    count : ndarray of int, shape (g,)
        Number of (extreme) equilibria per game.
    degenerate : ndarray of bool, shape (g,)
        Whether some pure strategy has two best responses (the only way a
        ``2 x 2`` game can be degenerate).
    """

    row_prob: np.ndarray
    col_prob: np.ndarray
    row_payoff: np.ndarray
    col_payoff: np.ndarray
    valid: np.ndarray
    count: np.ndarray
    degenerate: np.ndarray

    def equilibria(self, game: int) -> list[Equilibrium]:
        """The equilibria of game ``game`` as :class:`Equilibrium` objects."""
        slots = np.flatnonzero(self.valid[game])
        return [
            Equilibrium(
                np.array([self.row_prob[game, s], 1.0 - self.row_prob[game, s]]),
                np.array([self.col_prob[game, s], 1.0 - self.col_prob[game, s]]),
                float(self.row_payoff[game, s]),
                float(self.col_payoff[game, s]),
            )
            for s in slots
        ]


# --------------------------------------------------------------------------- validation


def _as_payoffs(name: str, value: object, ndim: int | None = 2) -> np.ndarray:
    try:
        arr = np.ascontiguousarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not numeric; expected an array of payoffs") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} has shape {arr.shape}; expected a {ndim}-D array of payoffs "
            f"({'row strategies x column strategies' if ndim == 2 else 'games x 2 x 2'})"
        )
    if arr.size == 0:
        raise ValueError(f"{name} has shape {arr.shape}; expected at least one strategy each")
    if math.isfinite(arr.sum()):  # a finite sum has finite terms; one reduction
        return arr
    finite = np.isfinite(arr)
    if not finite.all():
        idx = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise ValueError(
            f"{name} contains the non-finite payoff {arr[idx]} at index {idx}; "
            "expected finite numbers"
        )
    return arr


def _as_bimatrix(A: object, B: object) -> tuple[np.ndarray, np.ndarray]:
    A_arr = _as_payoffs("A", A)
    B_arr = _as_payoffs("B", B)
    if A_arr.shape != B_arr.shape:
        raise ValueError(
            f"B has shape {B_arr.shape} but A has shape {A_arr.shape}; "
            "expected both to be (row strategies, column strategies)"
        )
    return A_arr, B_arr


def _scale(A: np.ndarray, B: np.ndarray) -> float:
    return max(1.0, -A.min(), A.max(), -B.min(), B.max())


# --------------------------------------------------------------------------- helpers


def _payoffs_and_gains(
    A: np.ndarray, B: np.ndarray, X: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected payoffs ``x^T A y``, ``x^T B y`` and deviation gains of each profile."""
    Ay = Y @ A.T
    xB = X @ B
    row_payoff = np.einsum("ei,ei->e", X, Ay)
    col_payoff = np.einsum("ej,ej->e", Y, xB)
    gains = np.maximum(Ay.max(axis=1) - row_payoff, xB.max(axis=1) - col_payoff)
    return row_payoff, col_payoff, np.maximum(gains, 0.0)


def deviation_gains(A: np.ndarray, B: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Largest unilateral deviation gain for each strategy profile.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Payoff matrices.
    X : ndarray, shape (E, m)
        Row strategies.
    Y : ndarray, shape (E, n)
        Column strategies.

    Returns
    -------
    ndarray, shape (E,)
        ``max(max_i (A y)_i - x^T A y, max_j (B^T x)_j - x^T B y)``; zero (up to
        rounding) exactly at Nash equilibria.

    Examples
    --------
    >>> A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> deviation_gains(A, -A, np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([[0.5, 0.5]] * 2))
    array([0., 1.])

    In the second profile the column player gains 1 by switching to column 1.
    """
    return _payoffs_and_gains(A, B, X, Y)[2]


def _same_set(X1: np.ndarray, Y1: np.ndarray, X2: np.ndarray, Y2: np.ndarray) -> bool:
    """Whether two lists of profiles are equal as sets (each within 1e-7 of one in the other)."""
    if len(X1) != len(X2):
        return False
    if len(X1) == 0:
        return True
    Z1 = np.concatenate([X1, Y1], axis=1)
    Z2 = np.concatenate([X2, Y2], axis=1)
    return bool((np.abs(Z1[:, None, :] - Z2[None, :, :]).max(axis=2).min(axis=1) <= 1e-7).all())


def _fmt_strategy(x: np.ndarray, who: str) -> str:
    support = np.flatnonzero(x > 1e-9)
    if len(support) == 1:
        return f"{who} {support[0]}"
    mix = ", ".join(f"{i}: {x[i]:.4g}" for i in support)
    return f"{who} mix {{{mix}}}"


def _explain_degeneracy(
    bases: dict, excess_p: np.ndarray, excess_q: np.ndarray, X: np.ndarray, Y: np.ndarray
) -> str:
    """Words for the vertices of P and Q that have too many labels."""
    m = X.shape[1]
    statements: list[str] = []
    seen: set[str] = set()
    for key, lab, excess, player, other in (
        ("X", "LX", excess_p, "row", "column"),
        ("Y", "LY", excess_q, "column", "row"),
    ):
        for v in np.flatnonzero(excess):
            z = bases[key][v]
            br_mask = bases[lab][v, m:] if key == "X" else bases[lab][v, :m]
            br = tuple(int(i) for i in np.flatnonzero(br_mask))
            k = int((z > 1e-9).sum())
            text = (
                f"against {_fmt_strategy(z, player)} the {other} player has {len(br)} "
                f"best responses ({other} {', '.join(map(str, br))}), more than the {k} "
                f"strateg{'y' if k == 1 else 'ies'} in that support"
            )
            if text not in seen and len(statements) < 6:
                seen.add(text)
                statements.append(text)
    text = "The game is degenerate: " + "; ".join(statements) + "."
    text += (
        " Equilibria of a degenerate game can form connected sets (segments or larger "
        "faces); the equilibria listed are the extreme points of those sets."
    )
    pairs = []
    for a in range(len(X)):
        for b in range(a + 1, len(X)):
            if np.allclose(X[a], X[b], atol=1e-9):
                pairs.append(f"{a} and {b} share the row strategy")
            elif np.allclose(Y[a], Y[b], atol=1e-9):
                pairs.append(f"{a} and {b} share the column strategy")
    if pairs:
        text += (
            " Equilibria "
            + "; ".join(pairs[:6])
            + ", so every convex combination of each such pair is also an equilibrium."
        )
    return text


def _nashpy_backend(A: np.ndarray, B: np.ndarray, which: str, tol: float) -> tuple:
    import nashpy

    game = nashpy.Game(A, B)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if which == "support_enumeration":
            eqs = list(game.support_enumeration(tol=tol))
        else:
            eqs = list(game.vertex_enumeration())
    if not eqs:
        return np.empty((0, A.shape[0])), np.empty((0, A.shape[1]))
    return np.array([e[0] for e in eqs], float), np.array([e[1] for e in eqs], float)


def _lemke_howson_all(
    A: np.ndarray, B: np.ndarray, deadline: float, max_pivots: int, notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    m, n = A.shape
    xs, ys, capped = [], [], []
    for label in range(m + n):
        if time.perf_counter() > deadline:
            notes.append(
                f"Lemke-Howson: time budget ran out after {label} of {m + n} dropped labels."
            )
            break
        out = _enum.lemke_howson(A, B, label, max_pivots)
        if out is None:
            capped.append(label)
            continue
        xs.append(out[0])
        ys.append(out[1])
    if capped:
        notes.append(
            f"Lemke-Howson: dropped label(s) {capped} reached the cap of {max_pivots} "
            "pivots without an equilibrium; the other labels were tried instead."
        )
    if not xs:
        return np.empty((0, m)), np.empty((0, n))
    return np.array(xs), np.array(ys)


# --------------------------------------------------------------------------- solve


def solve(
    A: object,
    B: object,
    method: Method = "auto",
    tol: float = 1e-9,
    time_budget: float = 30.0,
    max_pivots: int = 10_000,
) -> StageGameSolution:
    r"""All (extreme) Nash equilibria of the bimatrix game ``(A, B)``, verified.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player; finite numbers.
    method : {"auto", "support_enumeration", "vertex_enumeration", "lemke_howson"}
        ``"support_enumeration"``: every pair of equal-size supports, solved in
        a compiled loop.  ``"vertex_enumeration"``: completely labelled vertex pairs of
        the best-response polytopes.  ``"lemke_howson"``: one path per dropped
        label (``m + n`` paths, capped at ``max_pivots`` pivots each); finds at
        least one equilibrium, not necessarily all.  ``"auto"`` (default) runs
        support and vertex enumeration and cross-checks them.  Whatever the
        method, degenerate games are completed by vertex enumeration.
    tol : float, default 1e-9
        Tolerance for probabilities (``x_i >= -tol``) and best responses
        (``(A y)_i <= v + tol * r`` with ``r = max A - min A``, the row
        player's payoff range, and likewise for ``B``); also decides degeneracy
        (a tie within ``tol * r`` counts as a tie).
    time_budget : float, default 30
        Seconds; enumeration raises :class:`TimeoutError` beyond it, and
        Lemke-Howson stops trying further labels.
    max_pivots : int, default 10000
        Pivot cap for each Lemke-Howson path.

    Returns
    -------
    StageGameSolution
        Distinct equilibria with their deviation gains (``verified``),
        degeneracy flag and explanation, and notes on cross-checks and retries.

    Raises
    ------
    ValueError
        For payoffs that are not finite 2-D arrays of equal shape, an unknown
        ``method`` or a non-positive ``tol`` / ``time_budget``.
    TimeoutError
        When enumeration exceeds ``time_budget``.

    Notes
    -----
    For supports ``I, J`` with ``|I| = |J| = k``, the column strategy solves
    ``sum_{j in J} a_ij y_j = v`` for ``i in I`` with ``sum y_j = 1`` (and the
    row strategy the analogous system in ``B``); the pair is an equilibrium when
    both are non-negative and no strategy outside the support earns more than
    ``v`` (resp. ``u``) (von Stengel 2007, Algorithm 3.4).  A nondegenerate game
    has an odd number of equilibria (Lemke & Howson 1964; von Stengel 2007,
    Corollary 3.8): an empty or even answer triggers retries (looser tolerance,
    vertex enumeration, Nashpy) recorded in ``notes``; every candidate is
    accepted only if its deviation gain is at most ``1e-9 * max(1, max|payoff|)``.

    References
    ----------
    Nash (1951); von Stengel (2007), Sections 3.3-3.5; Lemke & Howson (1964).

    Examples
    --------
    Battle of the sexes has two pure and one mixed equilibrium:

    >>> sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> len(sol), sol.degenerate
    (3, False)
    >>> [eq.row_strategy.round(3).tolist() for eq in sol.equilibria]
    [[1.0, 0.0], [0.0, 1.0], [0.6, 0.4]]
    >>> max(sol.verified) <= 1e-9
    True

    A degenerate game: against row 1 the column player is indifferent, so the
    equilibria form a segment whose end points are returned:

    >>> sol = solve([[1, 1], [0, 0]], [[1, 1], [0, 2]])
    >>> sol.degenerate, len(sol)
    (True, 2)
    >>> [eq.col_strategy.tolist() for eq in sol.equilibria]
    [[1.0, 0.0], [0.0, 1.0]]
    """
    try:  # the common case first; input errors are reported by the general path below
        common = method == "auto" and math.isfinite(tol) and 0 < tol < 1e-2 and time_budget > 0
    except TypeError:
        common = False
    plain = _solve_plain(A, B, tol, time.perf_counter() + time_budget) if common else None
    if plain is not None:
        return plain
    A_arr, B_arr = _as_bimatrix(A, B)
    if method not in _METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, _METHODS))}")
    if not (math.isfinite(tol) and 0 < tol < 1e-2):
        raise ValueError(f"tol={tol!r} is invalid; expected a number in (0, 0.01)")
    if not (time_budget > 0):
        raise ValueError(f"time_budget={time_budget!r} is invalid; expected seconds > 0")
    m, n = A_arr.shape
    start = time.perf_counter()
    deadline = start + time_budget
    scale = _scale(A_arr, B_arr)
    accept = VERIFY_TOL * scale
    notes: list[str] = []

    checked: list[np.ndarray] = []  # outputs of verified(), whose columns hold payoffs and gains

    def verified(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised, verified, distinct and ordered (see :func:`_enum.profiles`)."""
        if len(X) == 0:
            return X, Y
        X, Y = np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float)
        out, failed = _enum.profiles(A_arr, B_arr, X, Y, accept, 1e-7)
        if failed:
            notes.append(f"{failed} candidate(s) failed verification and were dropped.")
        checked.append(out)
        return out[:, :m], out[:, m : m + n]

    try:
        bases = _enum.enumerate_bases(A_arr, B_arr, tol, deadline)
    except TimeoutError:
        raise TimeoutError(
            f"solve: time_budget={time_budget} s ran out while enumerating the supports of a "
            f"{m}x{n} game; raise time_budget or use method='lemke_howson'"
        ) from None
    excess_p, excess_q = _enum.degeneracy(bases)
    degenerate = bool(excess_p.any() or excess_q.any())
    used: str = method  # descriptive label for the result; may go beyond Method
    se = bases["SE"]
    agree = False
    if method == "auto" and not degenerate:
        # Both enumerations come from the same solves: compare them as index pairs.
        agree = _enum.vertex_pairs_agree(bases)
    if agree:
        used = "auto (support enumeration + vertex enumeration)"
        X, Y = verified(bases["X"][se[:, 0]], bases["Y"][se[:, 1]])
        notes.append(f"Support and vertex enumeration agree on {len(X)} equilibria.")
    else:
        if method == "auto" or method == "vertex_enumeration" or degenerate:
            Xv, Yv = verified(*_enum.vertex_pairs(bases, tol))
        else:
            Xv, Yv = np.empty((0, m)), np.empty((0, n))

        if method in ("auto", "support_enumeration"):
            se = bases["SE"]
            Xs, Ys = verified(bases["X"][se[:, 0]], bases["Y"][se[:, 1]])
        elif method == "lemke_howson":
            Xs, Ys = _lemke_howson_all(A_arr, B_arr, deadline, max_pivots, notes)
            Xs, Ys = verified(Xs, Ys)
            notes.append(
                f"Lemke-Howson from all {m + n} dropped labels found {len(Xs)} distinct "
                "equilibri" + ("um." if len(Xs) == 1 else "a.")
            )
        else:
            Xs, Ys = Xv, Yv

        if method == "auto":
            used = "auto (support enumeration + vertex enumeration)"
            if degenerate:
                X, Y = verified(np.vstack([Xv, Xs]), np.vstack([Yv, Ys]))
            elif _same_set(Xs, Ys, Xv, Yv):
                X, Y = Xs, Ys
                notes.append(f"Support and vertex enumeration agree on {len(X)} equilibria.")
            else:
                X, Y = verified(np.vstack([Xs, Xv]), np.vstack([Ys, Yv]))
                notes.append(
                    f"Support enumeration found {len(Xs)} and vertex enumeration {len(Xv)} "
                    f"equilibria; their verified union ({len(X)}) is returned."
                )
        elif degenerate and method != "vertex_enumeration":
            X, Y = verified(np.vstack([Xs, Xv]), np.vstack([Ys, Yv]))
            if len(X) > len(Xs):
                notes.append(
                    f"The game is degenerate: vertex enumeration added {len(X) - len(Xs)} extreme "
                    f"equilibri{'um' if len(X) - len(Xs) == 1 else 'a'} that {method} missed."
                )
        else:
            X, Y = Xs, Ys

    if not degenerate and len(X) % 2 == 0 and method != "lemke_howson":
        X, Y = _retry(A_arr, B_arr, X, Y, tol, deadline, verified, notes)
    elif not degenerate and len(X) % 2 == 0:
        notes.append(
            f"Lemke-Howson found an even number ({len(X)}) of equilibria in a nondegenerate "
            "game, which has an odd number; completing with support enumeration."
        )
        se = bases["SE"]
        Xs, Ys = verified(bases["X"][se[:, 0]], bases["Y"][se[:, 1]])
        X, Y = verified(np.vstack([X, Xs]), np.vstack([Y, Ys]))
        if len(X) % 2 == 0:
            X, Y = _retry(A_arr, B_arr, X, Y, tol, deadline, verified, notes)

    if len(X) == 0:
        # Every finite game has an equilibrium (Nash 1951): say so loudly.
        notes.append(
            "No equilibrium passed verification; this should not happen for a finite game. "
            "Check the payoff scale or loosen tol."
        )
        warnings.warn(
            f"solve: no verified equilibrium for a {m}x{n} game; see notes",
            RuntimeWarning,
            stacklevel=2,
        )
    if checked and X.base is checked[-1] and Y.base is checked[-1]:
        out = checked[-1]
    else:  # X, Y are verified and ordered already: this only adds payoffs and gains
        X, Y = np.ascontiguousarray(X, dtype=float), np.ascontiguousarray(Y, dtype=float)
        out = _enum.profiles(A_arr, B_arr, X, Y, np.inf, 0.0)[0]
    explanation = (
        _explain_degeneracy(bases, excess_p, excess_q, out[:, :m], out[:, m : m + n])
        if degenerate
        else ""
    )
    return _solution(out, used, tol, degenerate, explanation, tuple(notes), A, B, A_arr, B_arr)


def _solve_plain(A: object, B: object, tol: float, deadline: float) -> StageGameSolution | None:
    """:func:`solve` with ``method="auto"`` for the common case, or ``None`` when it is not.

    The common case: payoffs that convert to finite ``m x n`` arrays of equal
    shape, with at most :data:`_enum.CHUNK` support pairs, and a nondegenerate
    game on which support and vertex enumeration agree, every candidate is
    verified and the count is odd, all decided by one compiled call
    (:func:`_enum.solve_plain`).  The result is the one the general path of
    :func:`solve` gives; any other case (including every input error, which
    the general path reports, and a ``deadline`` already passed, which it
    raises for) returns ``None``.
    """
    try:
        A_arr = np.ascontiguousarray(A, dtype=float)
        B_arr = np.ascontiguousarray(B, dtype=float)
    except (TypeError, ValueError):
        return None
    if A_arr.ndim != 2 or A_arr.shape != B_arr.shape or A_arr.size == 0:
        return None
    blocks = _enum.one_block(*A_arr.shape)
    if not blocks or time.perf_counter() > deadline:
        return None
    rows, cols = blocks[0]
    out, plain = _enum.solve_plain(A_arr, B_arr, rows, cols, tol, VERIFY_TOL)
    if not plain:
        return None
    notes = (f"Support and vertex enumeration agree on {len(out)} equilibria.",)
    method = "auto (support enumeration + vertex enumeration)"
    return _solution(out, method, tol, False, "", notes, A, B, A_arr, B_arr)


def _solution(
    out: np.ndarray,
    method: str,
    tol: float,
    degenerate: bool,
    explanation: str,
    notes: tuple[str, ...],
    A: object,
    B: object,
    A_arr: np.ndarray,
    B_arr: np.ndarray,
) -> StageGameSolution:
    """The result of :func:`solve` from verified profiles ``out`` (as :func:`_enum.profiles`)."""
    m, n = A_arr.shape
    X, Y = out[:, :m], out[:, m : m + n]
    row_payoffs, col_payoffs, gains = out[:, m + n], out[:, m + n + 1], out[:, m + n + 2]
    equilibria = tuple(map(Equilibrium, X, Y, row_payoffs.tolist(), col_payoffs.tolist()))
    # Read-only copies, unless validation made fresh arrays that the caller cannot reach.
    A_ro = A_arr if A_arr is not A and A_arr.base is None else A_arr.copy()
    B_ro = B_arr if B_arr is not B and B_arr.base is None else B_arr.copy()
    A_ro.flags.writeable = False
    B_ro.flags.writeable = False
    return StageGameSolution(
        equilibria=equilibria,
        method=method,
        tolerance=tol,
        verified=tuple(gains.tolist()),
        degenerate=degenerate,
        explanation=explanation,
        notes=notes,
        A=A_ro,
        B=B_ro,
    )


def _retry(A, B, X, Y, tol, deadline, verified, notes):
    """Empty or even answer for a nondegenerate game: try other back ends."""
    notes.append(
        f"Found {len(X)} equilibria in a game that looks nondegenerate (which has an odd "
        "number); retrying."
    )

    def support_loose():
        bases = _enum.enumerate_bases(A, B, tol * 100, deadline)
        return bases["X"][bases["SE"][:, 0]], bases["Y"][bases["SE"][:, 1]]

    def vertex_loose():
        return _enum.vertex_pairs(_enum.enumerate_bases(A, B, tol * 100, deadline), tol * 100)

    attempts = [
        ("support enumeration with tol x 100", support_loose),
        ("vertex enumeration with tol x 100", vertex_loose),
        ("nashpy vertex enumeration", lambda: _nashpy_backend(A, B, "vertex_enumeration", tol)),
        ("nashpy support enumeration", lambda: _nashpy_backend(A, B, "support_enumeration", tol)),
    ]
    for name, attempt in attempts:
        try:
            Xr, Yr = verified(*attempt())
        except Exception as exc:  # a back end failing is itself worth a note
            notes.append(f"Retry with {name} failed: {exc!r}.")
            continue
        X2, Y2 = verified(np.vstack([X, Xr]), np.vstack([Y, Yr]))
        notes.append(f"Retry with {name}: {len(Xr)} verified, {len(X2) - len(X)} new.")
        X, Y = X2, Y2
        if len(X) % 2 == 1:
            return X, Y
    notes.append(
        f"After retries the count is still {len(X)} (even): the game is probably degenerate "
        "within rounding (a tie closer than the tolerance); treat the list with care."
    )
    return X, Y


# --------------------------------------------------------------------------- 2x2 batch


def solve_2x2_batch(A: object, B: object, tol: float = 1e-9) -> Batch2x2Solution:
    r"""Every extreme equilibrium of many ``2 x 2`` games at once, in closed form.

    Parameters
    ----------
    A, B : array_like, shape (g, 2, 2)
        Payoffs of the row and column player for ``g`` games.
    tol : float, default 1e-9
        Ties within ``tol * max(1, max |payoff of the game|)`` count as ties.

    Returns
    -------
    Batch2x2Solution
        Arrays of shape ``(g, 9)`` over the candidate slots, with ``valid`` and
        ``count``.  For a nondegenerate game these are all its equilibria.

    Notes
    -----
    Pure profile ``(i, j)`` is an equilibrium when ``a_ij >= a_{1-i,j}`` and
    ``b_ij >= b_{i,1-j}``.  The row probability that makes the column player
    indifferent and the column probability that makes the row player
    indifferent are

    .. math::

        p^* = \frac{b_{11} - b_{10}}{b_{00} - b_{01} - b_{10} + b_{11}}, \qquad
        q^* = \frac{a_{11} - a_{01}}{a_{00} - a_{01} - a_{10} + a_{11}},

    and ``(p*, q*)`` is the mixed equilibrium when both lie strictly inside
    ``(0, 1)``.  In a degenerate game (a pure strategy with two best
    responses), ``(p*, column j)`` is an extreme equilibrium when
    ``a_0j = a_1j`` and ``(row i, q*)`` when ``b_i0 = b_i1`` (von Stengel 2007,
    Section 3.2).  All games are handled with array operations, no loop.

    Examples
    --------
    Matching pennies and the prisoner's dilemma in one call:

    >>> A = np.array([[[1, -1], [-1, 1]], [[3, 0], [5, 1]]])
    >>> B = np.array([[[-1, 1], [1, -1]], [[3, 5], [0, 1]]])
    >>> sol = solve_2x2_batch(A, B)
    >>> sol.count.tolist()
    [1, 1]
    >>> [(e.row_strategy.tolist(), e.col_strategy.tolist()) for e in sol.equilibria(0)]
    [([0.5, 0.5], [0.5, 0.5])]
    >>> [(e.row_strategy.tolist(), e.col_strategy.tolist()) for e in sol.equilibria(1)]
    [([0.0, 1.0], [0.0, 1.0])]
    """
    A_arr = _as_payoffs("A", A, ndim=3)
    B_arr = _as_payoffs("B", B, ndim=3)
    if A_arr.shape[1:] != (2, 2) or B_arr.shape != A_arr.shape:
        raise ValueError(
            f"A has shape {A_arr.shape} and B has shape {B_arr.shape}; "
            "expected both to be (games, 2, 2)"
        )
    g = A_arr.shape[0]
    # Row-major copies: a[k] is a_{k//2, k%2} for every game, contiguous.
    a = np.ascontiguousarray(A_arr.reshape(g, 4).T)
    b = np.ascontiguousarray(B_arr.reshape(g, 4).T)
    eps = tol * np.maximum(np.maximum(np.abs(a).max(axis=0), np.abs(b).max(axis=0)), 1.0)
    da0, da1 = a[0] - a[2], a[1] - a[3]  # row 0 minus row 1, against column 0 / 1
    db0, db1 = b[0] - b[1], b[2] - b[3]  # column 0 minus column 1, against row 0 / 1
    valid = np.empty((9, g), dtype=bool)
    # Pure profiles (0,0), (0,1), (1,0), (1,1).
    valid[0] = (da0 >= -eps) & (db0 >= -eps)
    valid[1] = (da1 >= -eps) & (db0 <= eps)
    valid[2] = (da0 <= eps) & (db1 >= -eps)
    valid[3] = (da1 <= eps) & (db1 <= eps)
    # Indifference points p* (makes the column player indifferent) and q*.
    den_b = db0 - db1
    den_a = da0 - da1
    with np.errstate(divide="ignore", invalid="ignore"):
        p_star = -db1 / den_b
        q_star = -da1 / den_a
    inner_p = (np.abs(den_b) > eps) & (p_star > tol) & (p_star < 1 - tol)
    inner_q = (np.abs(den_a) > eps) & (q_star > tol) & (q_star < 1 - tol)
    valid[4] = inner_p & inner_q
    # Degenerate extreme equilibria: one player mixes at the indifference point.
    tie_a0, tie_a1 = np.abs(da0) <= eps, np.abs(da1) <= eps
    tie_b0, tie_b1 = np.abs(db0) <= eps, np.abs(db1) <= eps
    valid[5] = tie_a0 & inner_p
    valid[6] = tie_a1 & inner_p
    valid[7] = tie_b0 & inner_q
    valid[8] = tie_b1 & inner_q
    p = np.empty((9, g))
    q = np.empty((9, g))
    p[0:2], p[2:4] = 1.0, 0.0
    q[0::2][:2], q[1::2][:2] = 1.0, 0.0
    p[4:7] = p_star
    q[4] = q_star
    q[5], q[6] = 1.0, 0.0
    p[7], p[8] = 1.0, 0.0
    q[7:9] = q_star
    p[~valid] = np.nan
    q[~valid] = np.nan
    pq, p1q, pq1, p1q1 = p * q, p * (1 - q), (1 - p) * q, (1 - p) * (1 - q)
    row_payoff = pq * a[0] + p1q * a[1] + pq1 * a[2] + p1q1 * a[3]
    col_payoff = pq * b[0] + p1q * b[1] + pq1 * b[2] + p1q1 * b[3]
    return Batch2x2Solution(
        row_prob=p.T,
        col_prob=q.T,
        row_payoff=row_payoff.T,
        col_payoff=col_payoff.T,
        valid=valid.T,
        count=valid.sum(axis=0),
        degenerate=tie_a0 | tie_a1 | tie_b0 | tie_b1,
    )


# --------------------------------------------------------------------------- N players


def pure_equilibria(payoffs: object, tol: float = 1e-9) -> list[tuple[int, ...]]:
    r"""All pure Nash equilibria of an ``N``-player game in normal form.

    Parameters
    ----------
    payoffs : array_like, shape (s_1, ..., s_N, N)
        ``payoffs[a_1, ..., a_N, i]`` is player ``i``'s payoff at the profile
        ``(a_1, ..., a_N)``.
    tol : float, default 1e-9
        Ties within ``tol * max(1, max |payoff|)`` count as best responses.

    Returns
    -------
    list of tuple of int
        The profiles ``a`` at which every player's action is a best response,
        ``u_i(a) >= max_{a_i'} u_i(a_i', a_{-i})``, in lexicographic order.

    Notes
    -----
    One maximum per player along that player's axis, compared with the payoff
    array: ``N`` vectorised reductions, no loop over profiles (Nash 1951).

    Examples
    --------
    A three-player coordination game: everyone gets 1 if all choose the same
    action and 0 otherwise.

    >>> same = np.zeros((2, 2, 2, 3))
    >>> same[0, 0, 0] = same[1, 1, 1] = 1
    >>> pure_equilibria(same)
    [(0, 0, 0), (1, 1, 1)]
    """
    arr = _as_payoffs("payoffs", payoffs, ndim=None)
    n_players = arr.ndim - 1
    if n_players < 1 or arr.shape[-1] != n_players:
        raise ValueError(
            f"payoffs has shape {arr.shape}; expected (s_1, ..., s_N, N) with the last "
            f"axis of length N = number of strategy axes ({n_players})"
        )
    eps = tol * max(1.0, float(np.max(np.abs(arr))))
    ok = np.ones(arr.shape[:-1], dtype=bool)
    for i in range(n_players):
        u = arr[..., i]
        ok &= u >= u.max(axis=i, keepdims=True) - eps
    return [tuple(int(a) for a in idx) for idx in np.argwhere(ok)]


# --------------------------------------------------------------------------- Gambit


def _nfg_number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return np.format_float_positional(value, unique=True, trim="-")


def _nfg_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_nfg(
    A: object,
    B: object,
    names: tuple[str, str] | None = None,
    title: str = "negsim stage game",
) -> str:
    """The game in Gambit's ``.nfg`` (payoff version) text format.

    Parameters
    ----------
    A, B : array_like, shape (m, n)
        Payoffs of the row and the column player.
    names : pair of str, optional
        Player names; default ``("Row", "Column")``.
    title : str
        Game title written in the header.

    Returns
    -------
    str
        ``NFG 1 R "title" { "Row" "Column" } { m n }``, a blank line, then the
        payoff pairs of all outcomes with the row player's strategy varying
        fastest, as Gambit expects.  Numbers are written without exponents
        (integers as integers, other values as the shortest exact decimal).

    References
    ----------
    Gambit documentation, "Game representation formats: the .nfg format".

    Examples
    --------
    >>> print(to_nfg([[3, 0], [5, 1]], [[3, 5], [0, 1]], title="Prisoner's dilemma"), end="")
    NFG 1 R "Prisoner's dilemma" { "Row" "Column" } { 2 2 }
    <BLANKLINE>
    3 3 5 0 0 5 1 1
    """
    A_arr, B_arr = _as_bimatrix(A, B)
    if names is None:
        names = ("Row", "Column")
    if len(names) != 2:
        raise ValueError(f"names={names!r} has {len(names)} entries; expected 2 player names")
    m, n = A_arr.shape
    values = []
    for j in range(n):
        for i in range(m):
            values += [_nfg_number(A_arr[i, j]), _nfg_number(B_arr[i, j])]
    header = f"NFG 1 R {_nfg_quote(title)} {{ {_nfg_quote(names[0])} {_nfg_quote(names[1])} }} {{ {m} {n} }}"
    return header + "\n\n" + " ".join(values) + "\n"


# --------------------------------------------------------------------------- selection


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def select(
    solution: StageGameSolution,
    rule: Literal["payoff_dominance", "risk_dominance", "max_entropy"] = "payoff_dominance",
) -> SelectedEquilibrium:
    r"""Pick one equilibrium of a solved game by a selection rule.

    Parameters
    ----------
    solution : StageGameSolution
        Output of :func:`solve`.
    rule : {"payoff_dominance", "risk_dominance", "max_entropy"}
        ``"payoff_dominance"``: the equilibrium that gives both players at
        least as much as every other equilibrium (Pareto-best), if one exists.
        ``"risk_dominance"``: for a ``2 x 2`` game with exactly two strict pure
        equilibria, the one with the larger product of deviation losses
        (Harsanyi & Selten 1988, Section 3.9).  ``"max_entropy"``: the
        equilibrium maximising ``H(x) + H(y)``, ``H(p) = -sum p_i log p_i``
        (among the listed, i.e. extreme, equilibria).

    Returns
    -------
    SelectedEquilibrium
        The selected equilibrium and its index, or ``None`` with the reason
        when the rule does not single one out.

    Notes
    -----
    For pure equilibria ``(0, 0)`` and ``(1, 1)`` of a ``2 x 2`` game the
    deviation losses are ``(a_00 - a_10)(b_00 - b_01)`` and
    ``(a_11 - a_01)(b_11 - b_10)``; the larger product risk-dominates.

    Examples
    --------
    Stag hunt: (stag, stag) is payoff dominant, (hare, hare) risk dominant.

    >>> sol = solve([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> select(sol, "payoff_dominance").equilibrium.row_strategy.tolist()
    [1.0, 0.0]
    >>> pick = select(sol, "risk_dominance")
    >>> pick.equilibrium.row_strategy.tolist()
    [0.0, 1.0]
    >>> pick.reason
    'risk dominance: deviation-loss products 1 for (0, 0) and 9 for (1, 1); (1, 1) risk-dominates'
    """
    if rule not in _RULES:
        raise ValueError(f"rule={rule!r} is not one of {', '.join(map(repr, _RULES))}")
    eqs = solution.equilibria
    if not eqs:
        return SelectedEquilibrium(rule, None, None, "the solution has no equilibria")
    if len(eqs) == 1:
        return SelectedEquilibrium(rule, eqs[0], 0, "the game has a single equilibrium")
    if rule == "payoff_dominance":
        u = np.array([[e.row_payoff, e.col_payoff] for e in eqs])
        eps = VERIFY_TOL * _scale(solution.A, solution.B)
        best = [k for k in range(len(eqs)) if (u[k] >= u - eps).all()]
        if best:
            k = best[0]
            return SelectedEquilibrium(
                rule,
                eqs[k],
                k,
                f"payoff dominance: equilibrium {k} gives payoffs ({u[k, 0]:.6g}, "
                f"{u[k, 1]:.6g}), at least as much for both players as every other",
            )
        top_row, top_col = int(np.argmax(u[:, 0])), int(np.argmax(u[:, 1]))
        return SelectedEquilibrium(
            rule,
            None,
            None,
            f"no equilibrium is payoff dominant: the row player prefers equilibrium {top_row} "
            f"({u[top_row, 0]:.6g}) and the column player equilibrium {top_col} "
            f"({u[top_col, 1]:.6g})",
        )
    if rule == "max_entropy":
        h = np.array([_entropy(e.row_strategy) + _entropy(e.col_strategy) for e in eqs])
        k = int(np.argmax(h))
        ties = int((h >= h[k] - 1e-12).sum())
        reason = f"maximum entropy: equilibrium {k} has H(x) + H(y) = {h[k]:.6g}"
        if ties > 1:
            reason += f" ({ties} equilibria tie; the first is taken)"
        if solution.degenerate:
            reason += "; the game is degenerate, so only extreme equilibria were compared"
        return SelectedEquilibrium(rule, eqs[k], k, reason)
    # risk dominance
    A, B = solution.A, solution.B
    pure = [k for k, e in enumerate(eqs) if e.is_pure]
    if A.shape != (2, 2) or len(pure) != 2:
        return SelectedEquilibrium(
            rule,
            None,
            None,
            f"risk dominance is defined here for 2x2 games with two strict pure equilibria; "
            f"this game is {A.shape[0]}x{A.shape[1]} with {len(pure)} pure equilibria",
        )
    (i0, j0), (i1, j1) = (tuple(s[0] for s in eqs[k].supports) for k in pure)
    if i0 == i1 or j0 == j1:
        return SelectedEquilibrium(
            rule,
            None,
            None,
            "risk dominance needs two pure equilibria on different rows and columns",
        )
    loss = []
    for i, j in ((i0, j0), (i1, j1)):
        loss.append((A[i, j] - A[1 - i, j]) * (B[i, j] - B[i, 1 - j]))
    if min(loss) <= 0:
        return SelectedEquilibrium(
            rule,
            None,
            None,
            "risk dominance needs strict pure equilibria (positive deviation losses)",
        )
    names = [f"({i0}, {j0})", f"({i1}, {j1})"]
    reason = (
        f"risk dominance: deviation-loss products {loss[0]:.6g} for {names[0]} and "
        f"{loss[1]:.6g} for {names[1]}"
    )
    if abs(loss[0] - loss[1]) <= VERIFY_TOL * max(loss):
        return SelectedEquilibrium(rule, None, None, reason + "; neither risk-dominates")
    w = int(loss[1] > loss[0])
    return SelectedEquilibrium(rule, eqs[pure[w]], pure[w], reason + f"; {names[w]} risk-dominates")
