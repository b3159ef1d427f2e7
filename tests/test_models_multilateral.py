"""Tests for negsim.models.multilateral (Baron-Ferejohn)."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from negsim.models import multilateral
from negsim.models.multilateral import BaronFerejohnEquilibrium, baron_ferejohn

try:  # works whether or not tests/ is a package
    from tests.strategies import discounts_closed, recognition_vectors
except ImportError:
    from strategies import discounts_closed, recognition_vectors


def iterate_symmetric_ties(p, delta, q, iters=5000, damping=0.5):
    """Damped fixed-point iteration of the stationary payoffs, splitting inclusion evenly
    among members whose values are equal up to 1e-9 (valid when ties come from symmetry)."""
    p = np.asarray(p, float)
    n = len(p)
    v = np.full(n, 1.0 / n)
    for _ in range(iters):
        new = np.zeros(n)
        for k in range(n):
            others = np.array([j for j in range(n) if j != k])
            prices = v[others]
            order = np.argsort(prices, kind="stable")
            cutoff = prices[order[q - 2]] if q > 1 else -np.inf
            below = others[prices < cutoff - 1e-9]
            tied = others[np.abs(prices - cutoff) <= 1e-9]
            incl = np.zeros(n)
            incl[below] = 1.0
            if len(tied):
                incl[tied] = (q - 1 - len(below)) / len(tied)
            cost = delta * (incl @ v)
            new[k] += p[k] * (1.0 - cost)
            new += p[k] * incl * delta * v
        v = damping * v + (1 - damping) * new
    return v


def assert_equilibrium(eq: BaronFerejohnEquilibrium, p, delta, q):
    """Check the stationary SPE conditions directly."""
    p = np.asarray(p, float)
    n = len(p)
    v, pi = eq.payoffs, eq.coalition_matrix
    assert_allclose(v.sum(), 1.0, atol=1e-9)
    assert np.all(pi >= -1e-9) and np.all(pi <= 1 + 1e-9)
    assert_allclose(np.diag(pi), 0.0, atol=1e-12)
    assert_allclose(pi.sum(axis=1), q - 1, atol=1e-8)
    for k in range(n):
        others = np.array([j for j in range(n) if j != k])
        cheapest = np.sort(v[others])[: q - 1].sum()
        # Only the cheapest votes are bought: cost equals the q - 1 smallest values.
        assert_allclose(pi[k] @ v, cheapest, atol=1e-8)
        assert_allclose(eq.proposer_share[k], 1 - delta * cheapest, atol=1e-8)
    # Stationarity: v_i = p_i (1 - cost_i) + delta v_i m_i.
    m = p @ pi
    assert_allclose(eq.inclusion_probability, m, atol=1e-8)
    assert_allclose(v, p * eq.proposer_share + delta * v * m, atol=1e-8)
    assert_allclose(eq.partner_share, delta * v)


def simulate(eq: BaronFerejohnEquilibrium, p, rng, rounds=200_000):
    """Monte Carlo: draw proposers and coalitions (independent inclusion with the
    equilibrium marginals, exact in expectation) and average realised payoffs."""
    n = len(p)
    proposers = rng.choice(n, size=rounds, p=p)
    totals = np.zeros(n)
    for k in range(n):
        mask = proposers == k
        count = mask.sum()
        totals[k] += count * eq.proposer_share[k]
        totals += count * eq.coalition_matrix[k] * eq.partner_share
    return totals / rounds


class TestEqualRecognition:
    def test_baron_ferejohn_1989(self):
        # Baron & Ferejohn (1989): n = 5, delta = 1, majority: proposer 0.6, two partners 0.2.
        eq = baron_ferejohn(5, 1.0)
        assert_allclose(eq.proposer_share, 0.6)
        assert_allclose(eq.partner_share, 0.2)
        assert eq.coalition_size == 3
        assert_allclose(eq.payoffs, 0.2)

    @pytest.mark.parametrize(
        ("n", "delta", "q"), [(3, 0.9, None), (7, 0.5, 5), (4, 0.8, 4), (9, 0.0, None)]
    )
    def test_closed_form(self, n, delta, q):
        eq = baron_ferejohn(n, delta, quota=q)
        qq = n // 2 + 1 if q is None else q
        assert_allclose(eq.proposer_share, 1 - delta * (qq - 1) / n)
        assert_allclose(eq.partner_share, delta / n)
        assert_equilibrium(eq, np.full(n, 1 / n), delta, qq)
        assert_allclose(eq.payoffs, iterate_symmetric_ties(np.full(n, 1 / n), delta, qq, iters=300))

    def test_unanimity_and_dictator(self):
        assert_allclose(baron_ferejohn(4, 1.0, quota=4).proposer_share, 0.25)
        assert_allclose(baron_ferejohn(4, 1.0, quota=1).proposer_share, 1.0)
        assert_allclose(baron_ferejohn(1, 0.5).proposer_share, 1.0)


class TestUnequalRecognition:
    @pytest.mark.parametrize(
        ("p", "delta"),
        [
            ([0.6, 0.1, 0.1, 0.1, 0.1], 0.9),
            ([0.9, 0.025, 0.025, 0.025, 0.025], 0.5),
            ([0.4, 0.4, 0.1, 0.1], 0.8),
        ],
    )
    def test_against_fixed_point_iteration(self, p, delta):
        eq = baron_ferejohn(len(p), delta, recognition=p)
        q = len(p) // 2 + 1
        assert_allclose(eq.payoffs, iterate_symmetric_ties(p, delta, q), atol=1e-8)
        assert_equilibrium(eq, p, delta, q)

    @pytest.mark.parametrize(
        ("p", "delta"),
        [
            ([0.5, 0.3, 0.2], 0.9),
            ([0.3, 0.25, 0.2, 0.15, 0.1], 0.5),
            ([0.3, 0.25, 0.2, 0.15, 0.1], 0.95),
        ],
    )
    def test_asymmetric_ties_are_equilibria(self, p, delta):
        # Payoff ties between members with different recognition probabilities need
        # uneven mixing; check the equilibrium conditions and the sum directly.
        eq = baron_ferejohn(len(p), delta, recognition=p)
        assert_equilibrium(eq, p, delta, len(p) // 2 + 1)

    def test_monte_carlo(self):
        p = np.array([0.5, 0.3, 0.2])
        eq = baron_ferejohn(3, 0.9, recognition=p)
        sim = simulate(eq, p, np.random.default_rng(0))
        # Realised per-round payoffs average to delta-independent ex-ante values.
        assert_allclose(sim, eq.payoffs, atol=5e-3)

    def test_delta_zero(self):
        eq = baron_ferejohn(3, 0.0, recognition=[0.5, 0.3, 0.2])
        assert_allclose(eq.payoffs, [0.5, 0.3, 0.2])
        assert_allclose(eq.proposer_share, 1.0)

    @settings(max_examples=25, deadline=None)
    @given(recognition_vectors(), discounts_closed, st.data())
    def test_property_equilibrium(self, p, delta, data):
        n = len(p)
        q = data.draw(st.integers(1, n))
        eq = baron_ferejohn(n, delta, quota=q, recognition=p)
        assert np.all(eq.payoffs >= -1e-12)
        assert np.all((eq.proposer_share >= -1e-12) & (eq.proposer_share <= 1 + 1e-12))
        if delta > 0:
            assert_equilibrium(eq, p, delta, q)
            # More recognition never hurts (Eraslan 2002).
            order = np.argsort(p)
            assert np.all(np.diff(eq.payoffs[order]) >= -1e-9)


class TestValidation:
    def test_quota_too_large(self):
        with pytest.raises(ValueError, match=r"quota must be an integer in \[1, 3\], got quota=4"):
            baron_ferejohn(3, 0.9, quota=4)

    def test_delta(self):
        with pytest.raises(ValueError, match="delta"):
            baron_ferejohn(3, 1.2)

    def test_recognition(self):
        with pytest.raises(ValueError, match="recognition must sum to 1"):
            baron_ferejohn(3, 0.9, recognition=[0.5, 0.5, 0.5])
        with pytest.raises(ValueError, match="shape"):
            baron_ferejohn(3, 0.9, recognition=[0.5, 0.5])


def test_module_doctests():
    assert doctest.testmod(multilateral, raise_on_error=False).failed == 0
