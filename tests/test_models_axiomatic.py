"""Tests for negsim.models.axiomatic."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize

from negsim.models import axiomatic
from negsim.models.axiomatic import (
    BargainingSolution,
    compromise,
    egalitarian,
    egalitarian_simplex,
    kalai_smorodinsky,
    kalai_smorodinsky_simplex,
    nash_bargaining,
    nash_bargaining_simplex,
    pareto_frontier,
)

try:  # works whether or not tests/ is a package
    from tests.strategies import disagreement_points, frontier_points
except ImportError:
    from strategies import disagreement_points, frontier_points

FRONTIERS = {
    "linear": lambda u: 1.0 - u,
    "quarter_circle": lambda u: np.sqrt(np.clip(1.0 - u**2, 0.0, None)),
    "parabola": lambda u: 1.0 - u**2,
    "kinked": lambda u: np.minimum(1.0 - 0.5 * u, 2.0 - 2.0 * u),
}


def dense_grid(f, d, u1_hi, n=200_001):
    """Points (u1, f(u1)) on a dense grid with both gains nonnegative."""
    u1 = np.linspace(d[0], u1_hi, n)
    u2 = f(u1)
    ok = u2 >= d[1]
    return u1[ok], u2[ok]


class TestTwoPlayerAgainstGrid:
    @pytest.mark.parametrize("name", sorted(FRONTIERS))
    @pytest.mark.parametrize("d", [(0.0, 0.0), (0.2, 0.1), (0.1, 0.5)])
    def test_nash(self, name, d):
        f = FRONTIERS[name]
        u1, u2 = dense_grid(f, d, 1.0)
        k = np.argmax((u1 - d[0]) * (u2 - d[1]))
        sol = nash_bargaining(f, d, u1_max=1.0)
        assert_allclose(sol.utilities, [u1[k], u2[k]], atol=2e-5)

    @pytest.mark.parametrize("w", [(1, 2), (3, 1), (0.5, 0.5)])
    def test_asymmetric_nash_scipy(self, w):
        f = FRONTIERS["quarter_circle"]
        res = optimize.minimize_scalar(
            lambda u: -(u ** w[0]) * f(u) ** w[1],
            bounds=(0, 1),
            method="bounded",
            options={"xatol": 1e-12},
        )
        sol = nash_bargaining(f, [0, 0], weights=w, u1_max=1.0)
        assert_allclose(sol.utilities[0], res.x, atol=1e-6)

    def test_asymmetric_linear_closed_form(self):
        # On u1 + u2 = 1: u_i = d_i + w_i / (w1 + w2) (1 - d1 - d2).
        sol = nash_bargaining(lambda u: 1 - u, [0.1, 0.2], weights=[1, 3])
        assert_allclose(sol.utilities, [0.1 + 0.25 * 0.7, 0.2 + 0.75 * 0.7], atol=1e-9)

    @pytest.mark.parametrize("name", sorted(FRONTIERS))
    @pytest.mark.parametrize("d", [(0.0, 0.0), (0.2, 0.1)])
    def test_kalai_smorodinsky(self, name, d):
        f = FRONTIERS[name]
        u1, u2 = dense_grid(f, d, 1.0)
        ideal = np.array([u1.max(), u2.max()])
        # Largest t with d + t (I - d) feasible, by the grid.
        ts = np.linspace(0, 1, 200_001)
        pts = np.asarray(d) + ts[:, None] * (ideal - d)
        feasible = pts[:, 1] <= f(pts[:, 0]) + 1e-15
        t = ts[feasible].max()
        sol = kalai_smorodinsky(f, d, u1_max=1.0)
        assert_allclose(sol.ideal, ideal, atol=1e-5)
        assert_allclose(sol.utilities, np.asarray(d) + t * (ideal - d), atol=2e-5)

    @pytest.mark.parametrize("name", sorted(FRONTIERS))
    @pytest.mark.parametrize("d", [(0.0, 0.0), (0.3, 0.1)])
    def test_egalitarian(self, name, d):
        f = FRONTIERS[name]
        g = np.linspace(0, 1, 200_001)
        feasible = (d[1] + g <= f(d[0] + g) + 1e-15) & (d[0] + g <= 1.0)
        gmax = g[feasible].max()
        sol = egalitarian(f, d, u1_max=1.0)
        assert_allclose(sol.gains, [gmax, gmax], atol=2e-5)

    def test_parabola_literature(self):
        # u2 = 1 - u1^2, d = 0: Nash maximises u1 (1 - u1^2) -> u1 = 1/sqrt(3);
        # KS: ideal (1, 1) so u1 = u2 = (sqrt(5) - 1) / 2, the golden section.
        f = FRONTIERS["parabola"]
        assert_allclose(nash_bargaining(f, [0, 0]).utilities, [3**-0.5, 2 / 3], atol=1e-7)
        gold = (np.sqrt(5) - 1) / 2
        assert_allclose(kalai_smorodinsky(f, [0, 0]).utilities, [gold, gold], atol=1e-9)
        assert_allclose(egalitarian(f, [0, 0]).utilities, [gold, gold], atol=1e-9)


class TestPointFrontiers:
    def test_pareto_frontier(self):
        pts = [[0, 0], [0.2, 0.9], [0.6, 0.7], [1, 0], [0.5, 0.5], [0.1, 0.9]]
        assert_allclose(pareto_frontier(pts), [[0.2, 0.9], [0.6, 0.7], [1, 0]])

    def test_triangle_matches_callable(self):
        pts = [[0, 1], [1, 0], [0.2, 0.2]]
        for solve in (nash_bargaining, kalai_smorodinsky, egalitarian):
            a = solve(pts, [0.1, 0.2]).utilities
            b = solve(lambda u: 1 - u, [0.1, 0.2]).utilities
            assert_allclose(a, b, atol=1e-9)

    def test_vertical_drop(self):
        # Feasible set: the square [0, 0.5] x [0, 1]; egalitarian and KS hit the corner/edge.
        pts = [[0, 1], [0.5, 1], [0.5, 0]]
        assert_allclose(egalitarian(pts, [0, 0]).utilities, [0.5, 0.5])
        assert_allclose(kalai_smorodinsky(pts, [0, 0]).utilities, [0.5, 1.0])
        assert_allclose(nash_bargaining(pts, [0, 0]).utilities, [0.5, 1.0], atol=1e-9)


class TestDegenerate:
    @pytest.mark.parametrize("solve", [nash_bargaining, kalai_smorodinsky, egalitarian])
    def test_disagreement_on_frontier(self, solve):
        sol = solve(lambda u: 1 - u, [0.4, 0.6])
        assert_allclose(sol.utilities, [0.4, 0.6], atol=1e-12)

    @pytest.mark.parametrize("solve", [nash_bargaining, kalai_smorodinsky, egalitarian])
    def test_infeasible_disagreement(self, solve):
        with pytest.raises(ValueError, match="infeasible"):
            solve(lambda u: 1 - u, [0.6, 0.6])
        with pytest.raises(ValueError, match="infeasible"):
            solve([[0, 1], [1, 0]], [0.6, 0.6])

    def test_bad_weights(self):
        with pytest.raises(ValueError, match="weights"):
            nash_bargaining(lambda u: 1 - u, [0, 0], weights=[1, -1])

    def test_result_is_frozen(self):
        sol = nash_bargaining(lambda u: 1 - u, [0, 0])
        assert isinstance(sol, BargainingSolution)
        with pytest.raises(AttributeError):
            sol.concept = "x"  # type: ignore[misc]


class TestProperties:
    @settings(max_examples=40, deadline=None)
    @given(
        frontier_points(),
        st.floats(0.0, 0.3),
        st.floats(0.0, 0.3),
        st.floats(0.1, 10),
        st.floats(-5, 5),
        st.floats(0.1, 10),
        st.floats(-5, 5),
    )
    def test_nash_affine_invariance(self, pts, d1, d2, a1, b1, a2, b2):
        d = np.array([d1, d2])
        sol = nash_bargaining(pts, d)
        scale, shift = np.array([a1, a2]), np.array([b1, b2])
        sol2 = nash_bargaining(pts * scale + shift, d * scale + shift)
        assert_allclose(
            sol2.utilities, sol.utilities * scale + shift, atol=1e-6 * (1 + scale.max())
        )

    @settings(max_examples=40, deadline=None)
    @given(frontier_points(), st.floats(0.0, 0.3), st.floats(0.0, 0.3))
    def test_pareto_efficient_and_rational(self, pts, d1, d2):
        vertices = pareto_frontier(pts)
        for solve in (nash_bargaining, kalai_smorodinsky, egalitarian):
            u = solve(pts, [d1, d2]).utilities
            assert np.all(u >= np.array([d1, d2]) - 1e-9)
            # On the upper boundary: no feasible point dominates u.
            assert u[1] <= np.interp(u[0], vertices[:, 0], vertices[:, 1]) + 1e-9
            assert u[0] <= vertices[-1, 0] + 1e-12
            if solve is nash_bargaining or u[0] < vertices[-1, 0] - 1e-9:
                assert_allclose(u[1], np.interp(u[0], vertices[:, 0], vertices[:, 1]), atol=1e-6)

    @settings(max_examples=40, deadline=None)
    @given(frontier_points(), frontier_points())
    def test_ks_individual_monotonicity(self, s_pts, extra):
        # Kalai & Smorodinsky (1975): enlarging S without changing player 2's ideal
        # never hurts player 1.
        top = s_pts[:, 1].max()
        extra = extra.copy()
        extra[:, 1] = np.minimum(extra[:, 1], top)
        extra[:, 0] *= 1.5
        t_pts = np.vstack([s_pts, extra])
        ks_s = kalai_smorodinsky(s_pts, [0, 0])
        ks_t = kalai_smorodinsky(t_pts, [0, 0])
        assume(abs(ks_s.ideal[1] - ks_t.ideal[1]) < 1e-12)
        assert ks_t.utilities[0] >= ks_s.utilities[0] - 1e-9


class TestSimplex:
    def test_nash_closed_form_literature(self):
        # Symmetric split-the-surplus: u_i = d_i + (1 - sum d)/n.
        sol = nash_bargaining_simplex([0.1, 0.2, 0.3])
        assert_allclose(sol.utilities, [0.1, 0.2, 0.3] + np.full(3, 0.4 / 3))

    def test_nash_against_scipy(self):
        d = np.array([0.05, 0.1, 0.2, 0.0])
        w = np.array([1.0, 2.0, 0.5, 1.5])
        cons = {"type": "eq", "fun": lambda u: u.sum() - 1}
        res = optimize.minimize(
            lambda u: -np.sum(w * np.log(np.maximum(u - d, 1e-300))),
            x0=d + (1 - d.sum()) / 4,
            constraints=[cons],
            method="SLSQP",
            bounds=[(di + 1e-9, 1) for di in d],
            options={"ftol": 1e-14, "maxiter": 500},
        )
        assert_allclose(nash_bargaining_simplex(d, w).utilities, res.x, atol=1e-6)

    def test_two_player_simplex_matches_frontier(self):
        d = [0.1, 0.3]
        for simplex, general in (
            (nash_bargaining_simplex, nash_bargaining),
            (kalai_smorodinsky_simplex, kalai_smorodinsky),
            (egalitarian_simplex, egalitarian),
        ):
            assert_allclose(simplex(d).utilities, general(lambda u: 1 - u, d).utilities, atol=1e-9)

    def test_ks_with_claims(self):
        # Ideal capped by claims (1, 0.5): gains proportional to (1, 0.5), summing to 1.
        assert_allclose(kalai_smorodinsky_simplex([0, 0], [1.0, 0.5]).utilities, [2 / 3, 1 / 3])

    def test_broadcasting(self):
        d = np.array([[0.1, 0.2, 0.3], [0.0, 0.0, 0.0]])
        for solve in (nash_bargaining_simplex, kalai_smorodinsky_simplex, egalitarian_simplex):
            u = solve(d).utilities
            assert u.shape == (2, 3)
            assert_allclose(u.sum(axis=-1), 1.0)

    @given(disagreement_points(n=4))
    def test_sums_to_one_and_rational(self, d):
        for solve in (nash_bargaining_simplex, kalai_smorodinsky_simplex, egalitarian_simplex):
            u = solve(d).utilities
            assert_allclose(u.sum(), 1.0)
            assert np.all(u >= d - 1e-12)

    def test_infeasible(self):
        with pytest.raises(ValueError, match=r"sum\(disagreement\) must be <= 1"):
            egalitarian_simplex([0.6, 0.6])


class TestCompromise:
    def test_weighted_mean(self):
        # Achen (2006): the capability x salience weighted mean of positions.
        assert_allclose(compromise([0, 50, 100], [1, 2, 1], [1, 1, 2]), (0 + 100 + 200) / 5)

    def test_issues(self):
        pos = np.array([[0, 10], [100, 20], [50, 30]])
        cap = np.array([1, 2, 3])
        sal = np.array([[1, 1], [1, 2], [0, 1]])
        expected = [(w := cap * sal[:, j]) @ pos[:, j] / w.sum() for j in range(2)]
        assert_allclose(compromise(pos, cap, sal), expected)

    def test_invalid(self):
        with pytest.raises(ValueError, match="capability"):
            compromise([0, 1], [-1, 1])
        with pytest.raises(ValueError, match="positive sum"):
            compromise([0, 1], [0, 0])


def test_module_doctests():
    assert doctest.testmod(axiomatic, raise_on_error=False).failed == 0
