"""Tests for negsim.models.normal_form.

Expected values quote their source; random games are seeded.  The reference
for "all extreme equilibria" is the exact rational enumerator in
``tests/exact_reference.py``.  Set ``NEGSIM_NF_GAMES`` to multiply the number
of random games (default 1).
"""

from __future__ import annotations

import doctest
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from exact_reference import exact_equilibria, is_degenerate_exact
from numpy.testing import assert_allclose

from negsim.models import normal_form as nf
from negsim.models.normal_form import (
    pure_equilibria,
    select,
    solve,
    solve_2x2_batch,
    to_nfg,
)

FACTOR = int(os.environ.get("NEGSIM_NF_GAMES", "1"))
ROOT = Path(__file__).resolve().parents[1]


def _as_set(pairs) -> np.ndarray:
    """Equilibria as rows of concatenated strategies, sorted."""
    rows = [np.concatenate([np.asarray(x, float), np.asarray(y, float)]) for x, y in pairs]
    if not rows:
        return np.empty((0, 0))
    return np.array(sorted(rows, key=lambda r: tuple(np.round(r, 8))))


def _assert_same_equilibria(solution, reference) -> None:
    got = _as_set((e.row_strategy, e.col_strategy) for e in solution.equilibria)
    want = _as_set(reference)
    assert got.shape == want.shape, f"{len(got)} equilibria, expected {len(want)}"
    assert_allclose(got, want, atol=1e-7)


# --------------------------------------------------------------------------- textbook


class TestTextbookGames:
    def test_battle_of_the_sexes(self):
        # Two pure equilibria and the mixed one (3/5, 2/5), (2/5, 3/5).
        sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]])
        assert len(sol) == 3 and not sol.degenerate and sol.explanation == ""
        mixed = sol.equilibria[2]
        assert_allclose(mixed.row_strategy, [0.6, 0.4])
        assert_allclose(mixed.col_strategy, [0.4, 0.6])
        assert_allclose([mixed.row_payoff, mixed.col_payoff], [1.2, 1.2])
        assert sol.notes == ("Support and vertex enumeration agree on 3 equilibria.",)

    def test_von_stengel_2007_example(self):
        # von Stengel (2007), Figure 3.3 game: A = [[3,3],[2,5],[0,6]], B = [[3,2],[2,6],[3,1]];
        # equilibria: ((1,0,0),(1,0)), ((0,1/3,2/3),(1/3,2/3)), ((4/5,1/5,0),(2/3,1/3)).
        A = [[3, 3], [2, 5], [0, 6]]
        B = [[3, 2], [2, 6], [3, 1]]
        sol = solve(A, B)
        want = [
            ([1, 0, 0], [1, 0]),
            ([0, 1 / 3, 2 / 3], [1 / 3, 2 / 3]),
            ([4 / 5, 1 / 5, 0], [2 / 3, 1 / 3]),
        ]
        _assert_same_equilibria(sol, want)
        assert not sol.degenerate

    def test_matching_pennies_verified(self):
        sol = solve([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
        assert len(sol) == 1
        assert_allclose(sol.equilibria[0].row_strategy, [0.5, 0.5])
        assert max(sol.verified) <= 1e-9

    def test_rock_paper_scissors_unique_uniform(self):
        A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
        for method in ("auto", "support_enumeration", "vertex_enumeration", "lemke_howson"):
            sol = solve(A, -A, method=method)
            assert len(sol) == 1, method
            assert_allclose(sol.equilibria[0].row_strategy, [1 / 3] * 3)
            assert_allclose(sol.equilibria[0].col_payoff, 0.0, atol=1e-12)


class TestDegenerate:
    def test_segment_explained(self):
        # Against row 0 the column player is indifferent: a segment of equilibria.
        sol = solve([[1, 1], [0, 0]], [[1, 1], [0, 2]])
        assert sol.degenerate
        _assert_same_equilibria(sol, [([1, 0], [1, 0]), ([1, 0], [0, 1])])
        assert "against row 0 the column player has 2 best responses (column 0, 1)" in (
            sol.explanation
        )
        assert "connected sets" in sol.explanation
        assert "Equilibria 0 and 1 share the row strategy" in sol.explanation

    def test_all_zero_game(self):
        sol = solve(np.zeros((2, 3)), np.zeros((2, 3)))
        assert sol.degenerate and len(sol) == 6  # every pure profile is an extreme point

    def test_degenerate_integer_game_pinned(self):
        # nashpy 0.0.43's vertex_enumeration was seen to return nothing on this degenerate
        # integer game (found with numpy seed 7); what it returns is nashpy's business and
        # depends on floating point. The exact reference has 2 extreme equilibria.
        A, B = [[0, 2], [0, 1]], [[2, 0], [1, 0]]
        sol = solve(A, B)
        assert sol.degenerate
        _assert_same_equilibria(sol, exact_equilibria(A, B))
        assert len(sol) == 2

    @pytest.mark.parametrize("size", [2, 3, 4])
    def test_integer_games_match_exact(self, size):
        rng = np.random.default_rng(100 + size)
        degenerate_seen = 0
        for _ in range({2: 200, 3: 100, 4: 30}[size] * FACTOR):
            A = rng.integers(0, 3, (size, size))
            B = rng.integers(0, 3, (size, size))
            sol = solve(A, B)
            assert sol.degenerate == is_degenerate_exact(A, B), (A, B)
            _assert_same_equilibria(sol, exact_equilibria(A, B))
            assert max(sol.verified) <= 1e-9
            degenerate_seen += sol.degenerate
            if sol.degenerate:
                assert sol.explanation.startswith("The game is degenerate: against ")
        assert degenerate_seen > 10  # the family really exercises degeneracy


# --------------------------------------------------------------------------- random games


def _dyadic(rng, shape):
    """Random payoffs in [0, 1) on a 2^-12 grid: floats with exact small rationals."""
    return rng.integers(0, 4096, shape) / 4096


class TestRandomAgainstExact:
    @pytest.mark.parametrize(("size", "count"), [(2, 300), (3, 150), (4, 60), (5, 15)])
    def test_square(self, size, count):
        rng = np.random.default_rng(size)
        for _ in range(count * FACTOR):
            A, B = _dyadic(rng, (size, size)), _dyadic(rng, (size, size))
            sol = solve(A, B)
            ref = exact_equilibria(A, B)
            _assert_same_equilibria(sol, ref)
            if not sol.degenerate:
                assert len(sol) % 2 == 1

    @pytest.mark.parametrize("shape", [(2, 3), (3, 2), (2, 5), (4, 3)])
    def test_rectangular(self, shape):
        rng = np.random.default_rng(sum(shape))
        for _ in range(40 * FACTOR):
            A, B = _dyadic(rng, shape), _dyadic(rng, shape)
            _assert_same_equilibria(solve(A, B), exact_equilibria(A, B))

    def test_lemke_howson_results_are_equilibria_from_the_exact_set(self):
        rng = np.random.default_rng(11)
        for _ in range(40 * FACTOR):
            A, B = _dyadic(rng, (4, 4)), _dyadic(rng, (4, 4))
            ref = _as_set(exact_equilibria(A, B))
            sol = solve(A, B, method="lemke_howson")
            assert len(sol) >= 1
            for e in sol.equilibria:
                z = np.concatenate([e.row_strategy, e.col_strategy])
                assert np.min(np.abs(ref - z).max(axis=1)) <= 1e-7


def _brute_force_bases(A, B, tol):
    """Every equal-size support system solved by numpy, nothing skipped (von Stengel 2007, Alg. 3.4).

    Same semantics as ``enumerate_bases`` (payoffs mapped onto [0, 1], Hadamard
    ratio 1e-12 for singular systems, feasibility and labels within ``tol``),
    written independently and without the dominance pre-pass.  Returns the
    sorted rows ``(x, labels)`` and ``(y, labels)`` and the number of pairs with both feasible.
    """
    from itertools import combinations

    def unit(M):
        span = M.max() - M.min()
        return (M - M.min()) / span if span > 0 else np.zeros_like(M)

    An, Bn = unit(np.asarray(A, float)), unit(np.asarray(B, float))
    m, n = An.shape

    def side(G, E, U, size):  # G[E, U] z - v = 0, sum z = 1; slacks over all rows of G
        k = len(E)
        M = np.zeros((k + 1, k + 1))
        M[:k, :k] = G[np.ix_(E, U)]
        M[:k, k] = -1.0
        M[k, :k] = 1.0
        if np.linalg.det(M) ** 2 <= 1e-24 * np.prod((M * M).sum(axis=1)):
            return None
        sol = np.linalg.solve(M, np.eye(k + 1)[k])
        z = np.zeros(size)
        z[list(U)] = sol[:k]
        slack = G @ z - sol[k]
        if z.min() < -tol or slack.max() > tol:
            return None
        return z, slack >= -tol, z <= tol

    xs, ys, both = [], [], 0
    for k in range(1, min(m, n) + 1):
        for rows in combinations(range(m), k):
            for J in combinations(range(n), k):
                y = side(An, rows, J, n)
                x = side(Bn.T, J, rows, m)
                if y is not None:
                    ys.append(np.concatenate([y[0], y[1], y[2]]))
                if x is not None:
                    xs.append(np.concatenate([x[0], x[2], x[1]]))
                both += x is not None and y is not None
    return sorted(map(tuple, np.round(xs, 9))), sorted(map(tuple, np.round(ys, 9))), both


class TestDominancePruning:
    """Systems whose would-be best responses are strictly dominated are skipped, never needed ones."""

    @staticmethod
    def _bases(A, B, tol=1e-9):
        bases = nf._enum.enumerate_bases(np.asarray(A, float), np.asarray(B, float), tol)
        xs = np.concatenate([bases["X"], bases["LX"]], axis=1)
        ys = np.concatenate([bases["Y"], bases["LY"]], axis=1)
        return (
            sorted(map(tuple, np.round(xs, 9))),
            sorted(map(tuple, np.round(ys, 9))),
            len(bases["SE"]),
        )

    def test_undominated_against_brute_force(self):
        rng = np.random.default_rng(31)
        G = _dyadic(rng, (5, 4))
        G[3] = G[1] - 2e-3  # row 3 strictly dominated by row 1 on every set
        sets = nf._enum._sized_subsets(4, (1, 2, 3, 4))
        delta = 1e-3
        got = nf._enum._undominated(G, sets, delta)
        for s, row in enumerate(sets):
            cols = row[: row[-1]]
            for e in range(5):
                beaten = any((G[f, cols] - G[e, cols] > delta).all() for f in range(5) if f != e)
                assert got[s, e] == (not beaten)
        assert not got[:, 3].any()

    @pytest.mark.parametrize("margin", [0.0, 1e-12, 1e-9, 1e-8, 2e-8, 1e-3, 0.25])
    def test_dominated_rows_and_columns_keep_every_vertex(self, margin):
        # Row 2 and column 1 are beaten by `margin` everywhere: at or below the
        # tolerance they still tie (degenerate), above it they are never best responses.
        rng = np.random.default_rng(int(margin * 1e12) % 1000)
        for _ in range(8):
            A, B = _dyadic(rng, (4, 4)), _dyadic(rng, (4, 4))
            A[2] = A[0] - margin
            B[:, 1] = B[:, 3] - margin
            assert self._bases(A, B) == _brute_force_bases(A, B, 1e-9)

    def test_iterated_dominance_game_matches_exact(self):
        # Rows 1, 2 and columns 0, 2 go by iterated strict dominance; the equilibrium set
        # is the exact one and the reduced game's.
        A = [[4, 3, 5, 1], [3, 2, 4, 0], [2, 1, 3, 0], [5, 0, 1, 2]]
        B = [[1, 3, 0, 2], [0, 2, 1, 1], [1, 4, 0, 3], [0, 1, 0, 2]]
        sol = solve(A, B)
        _assert_same_equilibria(sol, exact_equilibria(A, B))
        assert self._bases(A, B) == _brute_force_bases(A, B, 1e-9)

    @pytest.mark.parametrize("size", [3, 4])
    def test_integer_games_keep_every_vertex(self, size):
        rng = np.random.default_rng(40 + size)
        for _ in range(30):
            A, B = rng.integers(0, 3, (size, size)), rng.integers(0, 3, (size, size))
            assert self._bases(A, B) == _brute_force_bases(A, B, 1e-9)


class TestNashpyMisses:
    """Regression: games on which nashpy's support enumeration has been seen to miss equilibria.

    How many equilibria nashpy finds on them depends on the CPU's floating point
    (``[2, 0]`` on one machine, ``[3, 1]`` on another), so nothing here asserts it:
    only what negsim guarantees, that its set equals the exact rational reference.
    """

    @staticmethod
    def _games():
        rng = np.random.default_rng(2024)
        games = [(rng.random((3, 3)), rng.random((3, 3))) for _ in range(330)]
        return games[29], games[328]

    def test_pinned_games(self):
        for A, B in self._games():
            sol = solve(A, B)
            ref = exact_equilibria(A, B)
            assert not sol.degenerate and len(sol) % 2 == 1
            assert len(sol) == len(ref)
            _assert_same_equilibria(sol, ref)
            assert max(sol.verified) <= 1e-9

    def test_near_degenerate_support(self):
        # Column 1 is a best response to row 0 by a margin of 1e-12 only.
        eps = 1e-12
        A = [[1.0, 0.0], [0.0, 1.0]]
        B = [[0.0, eps], [1.0, 0.0]]
        sol = solve(A, B)
        assert sol.degenerate  # a tie within tol * scale counts as a tie
        assert len(sol) >= 1 and max(sol.verified) <= 1e-9
        finer = solve(A, B, tol=1e-14)
        assert not finer.degenerate and len(finer) % 2 == 1

    def test_even_count_retry_is_reported(self, monkeypatch):
        # Simulate a back end that loses an equilibrium: solve must retry and say so.
        real = nf._enum.enumerate_bases

        def lossy(A, B, tol, deadline=None):
            out = real(A, B, tol, deadline)
            if tol == 1e-9:
                out = dict(out, SE=out["SE"][:-1], LX=out["LX"], X=out["X"])
            return out

        monkeypatch.setattr(nf._enum, "enumerate_bases", lossy)
        sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]], method="support_enumeration")
        assert len(sol) == 3
        assert sol.notes[0].startswith("Found 2 equilibria in a game that looks nondegenerate")
        assert any(
            n.startswith("Retry with support enumeration with tol x 100: 3 verified, 1 new")
            for n in sol.notes
        )


class TestLemkeHowson:
    def test_cap_is_reported_and_other_labels_tried(self):
        A = np.array([[3, 3], [2, 5], [0, 6]])
        B = np.array([[3, 2], [2, 6], [3, 1]])
        sol = solve(A, B, method="lemke_howson", max_pivots=2)
        assert any("reached the cap of 2 pivots" in n for n in sol.notes)
        assert len(sol) >= 1 and max(sol.verified) <= 1e-9

    def test_paths_terminate_on_8x8(self):
        rng = np.random.default_rng(8)
        for _ in range(5):
            A, B = rng.random((8, 8)), rng.random((8, 8))
            for label in range(16):
                out = nf._enum.lemke_howson(A, B, label, max_pivots=10_000)
                assert out is not None
                gain = nf.deviation_gains(A, B, out[0][None], out[1][None])
                assert gain[0] <= 1e-9

    def test_8x8_auto_odd_and_verified(self):
        rng = np.random.default_rng(88)
        A, B = rng.random((8, 8)), rng.random((8, 8))
        sol = solve(A, B)
        assert not sol.degenerate and len(sol) % 2 == 1
        assert max(sol.verified) <= 1e-9
        assert sol.notes == (f"Support and vertex enumeration agree on {len(sol)} equilibria.",)

    def test_time_budget_message(self):
        rng = np.random.default_rng(0)
        with pytest.raises(TimeoutError, match=r"time_budget=1e-09 s ran out .* 6x6 game"):
            solve(rng.random((6, 6)), rng.random((6, 6)), time_budget=1e-9)


# --------------------------------------------------------------------------- 2x2 batch


class TestBatch2x2:
    def test_random_games_match_exact(self):
        # The reference is the exact rational enumerator, not nashpy: what nashpy finds on
        # floating-point games depends on the CPU (see TestNashpyMisses).
        rng = np.random.default_rng(22)
        A = rng.normal(size=(2_000, 2, 2))
        B = rng.normal(size=(2_000, 2, 2))
        sol = solve_2x2_batch(A, B)
        assert not sol.degenerate.any()
        for g in range(2_000):
            got = [(e.row_strategy, e.col_strategy) for e in sol.equilibria(g)]
            want = exact_equilibria(A[g], B[g])
            assert len(got) == len(want) == sol.count[g]
            assert_allclose(_as_set(got), _as_set(want), atol=1e-9)

    def test_degenerate_games_match_exact(self):
        rng = np.random.default_rng(5)
        A = rng.integers(0, 3, (300, 2, 2))
        B = rng.integers(0, 3, (300, 2, 2))
        sol = solve_2x2_batch(A, B)
        for g in range(300):
            got = [(e.row_strategy, e.col_strategy) for e in sol.equilibria(g)]
            want = exact_equilibria(A[g], B[g])
            assert_allclose(_as_set(got), _as_set(want), atol=1e-12)
            assert sol.degenerate[g] == is_degenerate_exact(A[g], B[g])

    def test_payoffs_and_slots(self):
        # Battle of the sexes: slots (0,0), (1,1) and the mixed slot 4.
        sol = solve_2x2_batch([[[3, 0], [0, 2]]], [[[2, 0], [0, 3]]])
        assert sol.valid[0].tolist() == [True, False, False, True, True] + [False] * 4
        assert_allclose(sol.row_prob[0, 4], 0.6)
        assert_allclose(sol.col_prob[0, 4], 0.4)
        assert_allclose(sol.row_payoff[0, [0, 3, 4]], [3, 2, 1.2])
        assert np.isnan(sol.row_prob[0, 1])

    def test_shape_error(self):
        with pytest.raises(
            ValueError, match=r"A has shape \(3, 2, 3\).*expected both to be \(games, 2, 2\)"
        ):
            solve_2x2_batch(np.zeros((3, 2, 3)), np.zeros((3, 2, 3)))


# --------------------------------------------------------------------------- N players


class TestPureEquilibria:
    def test_prisoners_dilemma(self):
        payoffs = np.stack([[[3, 0], [5, 1]], np.transpose([[3, 0], [5, 1]])], axis=-1)
        assert pure_equilibria(payoffs) == [(1, 1)]

    def test_matches_bimatrix_solver(self):
        rng = np.random.default_rng(3)
        for _ in range(50):
            A, B = rng.integers(0, 4, (3, 4)), rng.integers(0, 4, (3, 4))
            want = sorted(e.supports for e in solve(A, B).equilibria if e.is_pure)
            got = pure_equilibria(np.stack([A, B], axis=-1))
            assert [((i,), (j,)) for i, j in got] == want

    def test_three_player_brute_force(self):
        rng = np.random.default_rng(4)
        u = rng.integers(0, 3, (3, 2, 4, 3))
        brute = []
        for a in np.ndindex(3, 2, 4):
            if all(
                u[a][i] >= max(u[a[:i] + (k,) + a[i + 1 :]][i] for k in range(u.shape[i]))
                for i in range(3)
            ):
                brute.append(a)
        assert pure_equilibria(u) == brute and len(brute) > 0

    def test_shape_error(self):
        with pytest.raises(ValueError, match=r"payoffs has shape \(2, 2, 3\); expected .* \(2\)"):
            pure_equilibria(np.zeros((2, 2, 3)))


# --------------------------------------------------------------------------- Gambit


class TestNfg:
    def test_order_row_fastest(self):
        text = to_nfg(
            [[1, 2], [3, 4], [5, 6]],
            [[-1, -2], [-3, -4], [-5, -6]],
            names=("Ann", "Bob"),
            title="t",
        )
        header, blank, payoffs, end = text.split("\n")
        assert header == 'NFG 1 R "t" { "Ann" "Bob" } { 3 2 }'
        assert blank == "" and end == ""
        assert payoffs == "1 -1 3 -3 5 -5 2 -2 4 -4 6 -6"

    def test_numbers_and_quotes(self):
        text = to_nfg([[0.1, 1e-7]], [[2.5, -3]], title='say "hi"')
        assert text.startswith('NFG 1 R "say \\"hi\\"" {')
        assert text.split("\n")[2] == "0.1 2.5 0.0000001 -3"
        assert Fraction(text.split("\n")[2].split()[0]) == Fraction("0.1")


# --------------------------------------------------------------------------- selection


class TestSelect:
    def test_stag_hunt(self):
        # Harsanyi & Selten (1988): in the stag hunt (stag, stag) is payoff dominant and
        # (hare, hare) risk dominant: products (4-3)(4-3) = 1 < (3-0)(3-0) = 9.
        sol = solve([[4, 0], [3, 3]], [[4, 3], [0, 3]])
        assert select(sol, "payoff_dominance").index == 0
        pick = select(sol, "risk_dominance")
        assert pick.equilibrium.supports == ((1,), (1,))
        assert "1 for (0, 0) and 9 for (1, 1); (1, 1) risk-dominates" in pick.reason

    def test_no_payoff_dominant(self):
        pick = select(solve([[3, 0], [0, 2]], [[2, 0], [0, 3]]), "payoff_dominance")
        assert pick.equilibrium is None
        assert pick.reason == (
            "no equilibrium is payoff dominant: the row player prefers equilibrium 0 (3) "
            "and the column player equilibrium 1 (3)"
        )

    def test_max_entropy_picks_mixed(self):
        pick = select(solve([[3, 0], [0, 2]], [[2, 0], [0, 3]]), "max_entropy")
        assert pick.index == 2
        h = -2 * (0.6 * np.log(0.6) + 0.4 * np.log(0.4))
        assert f"{h:.6g}" in pick.reason

    def test_risk_dominance_not_applicable(self):
        A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
        pick = select(solve([[3, 0], [0, 2], [1, 1]], [[2, 0], [0, 3], [0, 0]]), "risk_dominance")
        assert pick.equilibrium is None and "this game is 3x2" in pick.reason
        assert select(solve(A, -A), "risk_dominance").reason == "the game has a single equilibrium"

    def test_bad_rule(self):
        with pytest.raises(ValueError, match="rule='best' is not one of"):
            select(solve([[1]], [[1]]), "best")


# --------------------------------------------------------------------------- validation


class TestValidation:
    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"B has shape \(3, 2\) but A has shape \(2, 3\)"):
            solve(np.zeros((2, 3)), np.zeros((3, 2)))

    def test_non_finite(self):
        with pytest.raises(
            ValueError, match=r"A contains the non-finite payoff nan at index \(0, 1\)"
        ):
            solve([[0, np.nan]], [[0, 0]])
        with pytest.raises(ValueError, match=r"B contains the non-finite payoff inf"):
            to_nfg([[0, 0]], [[0, np.inf]])

    def test_not_matrix(self):
        with pytest.raises(ValueError, match=r"A has shape \(3,\); expected a 2-D array"):
            solve([1, 2, 3], [1, 2, 3])

    def test_first_error_is_reported_when_several_inputs_are_wrong(self):
        # The compiled common case of method="auto" runs before validation; it must
        # leave every error to the general path, in the documented order.
        with pytest.raises(ValueError, match=r"A contains the non-finite payoff inf"):
            solve([[0, np.inf]], np.zeros((2, 2)), tol=0)
        with pytest.raises(ValueError, match=r"A has shape \(2,\); expected a 2-D array"):
            solve([1, 2], [[np.nan]], time_budget=-1)
        A = np.array([[3.0, 0.0], [0.0, 2.0]])
        sol = solve(A, A.T)
        A[0, 0] = 9.0  # the solution keeps its own read-only copy
        assert sol.A[0, 0] == 3.0 and not sol.A.flags.writeable and A.flags.writeable

    def test_bad_method_and_tol(self):
        with pytest.raises(ValueError, match="method='simplex' is not one of"):
            solve([[1]], [[1]], method="simplex")
        with pytest.raises(ValueError, match=r"tol=0 is invalid; expected a number in \(0, 0.01\)"):
            solve([[1]], [[1]], tol=0)


# --------------------------------------------------------------------------- docs


def test_module_doctests():
    result = doctest.testmod(nf, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted >= 15


def test_markdown_doctests():
    result = doctest.testfile(
        str(ROOT / "docs" / "normal_form.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.failed == 0 and result.attempted >= 10
