"""Tests for negsim.models.conflict."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose

from negsim.models import conflict
from negsim.models.conflict import (
    commitment_problem,
    fearon_range,
    fearon_risk_return,
    war_of_attrition,
)

try:  # works whether or not tests/ is a package
    from tests.strategies import costs, probabilities
except ImportError:
    from strategies import costs, probabilities


class TestFearonRange:
    def test_literature(self):
        # Fearon (1995, Fig. 1): the range is [p - c_A, p + c_B], width c_A + c_B.
        r = fearon_range(0.6, 0.1, 0.15)
        assert_allclose([r.low, r.high, r.width], [0.5, 0.75, 0.25])
        assert r.nonempty

    def test_edges_and_broadcast(self):
        r = fearon_range(np.array([0.0, 1.0]), 0.2, 0.2)
        assert_allclose(r.low, [0.0, 0.8])
        assert_allclose(r.high, [0.2, 1.0])
        r0 = fearon_range(1.0, 0.0, 0.0)
        assert_allclose([r0.low, r0.high, r0.width], [1.0, 1.0, 0.0])
        assert r0.nonempty

    @given(probabilities, costs, costs)
    def test_both_prefer_deals_in_range(self, p, ca, cb):
        r = fearon_range(p, ca, cb)
        for x in np.linspace(r.low, r.high, 5):
            assert x >= p - ca - 1e-12 and 1 - x >= 1 - p - cb - 1e-12

    def test_invalid(self):
        with pytest.raises(ValueError, match=r"p must lie in \[0.0, 1.0\], got p=1.5"):
            fearon_range(1.5, 0.1, 0.1)
        with pytest.raises(ValueError, match="cost_a"):
            fearon_range(0.5, -0.1, 0.1)


def grid_risk_return(p, ca, lo, hi, n=400_001):
    x = np.linspace(0, 1, n)
    accept = np.clip((p + hi - x) / (hi - lo), 0, 1) if hi > lo else (x <= p + lo).astype(float)
    u = x * accept + (p - ca) * (1 - accept)
    k = np.argmax(u)
    return x[k], 1 - accept[k], u[k]


class TestRiskReturn:
    @pytest.mark.parametrize(
        ("p", "ca", "lo", "hi"),
        [
            (0.5, 0.1, 0.0, 0.3),  # interior, war with positive probability
            (0.5, 0.1, 0.2, 0.3),  # corner: safe demand p + lo
            (0.9, 0.0, 0.0, 0.5),  # capped at 1
            (0.0, 0.05, 0.0, 0.4),  # p = 0
            (1.0, 0.1, 0.1, 0.2),  # p = 1
            (0.4, 0.1, 0.1, 0.1),  # no uncertainty
        ],
    )
    def test_against_grid(self, p, ca, lo, hi):
        rr = fearon_risk_return(p, ca, lo, hi)
        x, war, u = grid_risk_return(p, ca, lo, hi)
        assert_allclose(rr.demand, x, atol=1e-5)
        assert_allclose(rr.expected_payoff, u, atol=1e-8)
        assert_allclose(rr.war_probability, war, atol=1e-4)

    def test_monte_carlo(self):
        rng = np.random.default_rng(1)
        p, ca, lo, hi = 0.5, 0.1, 0.0, 0.3
        rr = fearon_risk_return(p, ca, lo, hi)
        cb = rng.uniform(lo, hi, 400_000)
        war = rr.demand > p + cb  # B fights iff 1 - x < 1 - p - c_B
        assert_allclose(war.mean(), rr.war_probability, atol=3e-3)
        assert_allclose(np.where(war, p - ca, rr.demand).mean(), rr.expected_payoff, atol=2e-3)

    def test_invalid(self):
        with pytest.raises(ValueError, match="cost_b_high - cost_b_low"):
            fearon_risk_return(0.5, 0.1, 0.3, 0.2)


def grid_commitment(p_now, p_next, delta, ca, cb, n=2001):
    """Does some credible offer today beat A's war value? B offers x today in [0, 1] and
    y from tomorrow on, credible only if B then prefers it to war: 1 - y >= 1 - p_next - cb."""
    x = np.linspace(0, 1, n)[:, None]
    y = np.linspace(0, 1, n)[None, :]
    credible = y <= p_next + cb + 1e-12
    value = (1 - delta) * x + delta * y
    return not np.any(credible & (value >= p_now - ca))


class TestCommitment:
    @pytest.mark.parametrize(
        "args",
        [
            (0.8, 0.3, 0.9, 0.05, 0.05),
            (0.6, 0.5, 0.9, 0.05, 0.05),
            (0.9, 0.1, 1.0, 0.3, 0.3),
            (0.9, 0.1, 0.0, 0.0, 0.0),
            (1.0, 0.0, 0.95, 0.0, 0.0),
            (0.5, 0.5, 0.99, 0.0, 0.0),
        ],
    )
    def test_against_grid(self, args):
        assert bool(commitment_problem(*args).war_unavoidable) == grid_commitment(*args)

    def test_powell_condition_delta_one(self):
        # Powell (2006): with delta = 1, war iff the shift exceeds c_A + c_B.
        cp = commitment_problem(0.8, 0.4, 1.0, 0.15, 0.2)
        assert cp.war_unavoidable
        assert not commitment_problem(0.8, 0.4, 1.0, 0.2, 0.2).war_unavoidable
        assert_allclose(cp.shift, 0.4)

    @given(probabilities, probabilities, probabilities, costs, costs)
    def test_equivalent_forms(self, pn, px, d, ca, cb):
        cp = commitment_problem(pn, px, d, ca, cb)
        if px + cb <= 1:
            assert_allclose(
                cp.war_value_a - cp.max_credible_offer, cp.effective_shift - cp.surplus, atol=1e-12
            )


class TestWarOfAttrition:
    def test_continuous_literature(self):
        # Hazard c/V; first exit of two exponentials at rate 2c/V.
        eq = war_of_attrition(10.0, 2.0)
        assert_allclose(eq.hazard, 0.2)
        assert_allclose(eq.expected_duration, 2.5)

    def test_continuous_monte_carlo(self):
        rng = np.random.default_rng(2)
        eq = war_of_attrition(10.0, 2.0)
        t = rng.exponential(1 / eq.hazard, size=(2, 200_000))
        first = t.min(axis=0)
        assert_allclose(first.mean(), eq.expected_duration, rtol=1e-2)
        # Indifference: a player who stays until time s has expected payoff 0 for every s.
        for s in (0.5, 2.0, 5.0):
            other = t[1]
            win = other < s
            payoff = np.where(win, 10.0 - 2.0 * other, -2.0 * s)
            assert abs(payoff.mean()) < 0.06

    def test_discrete_monte_carlo_and_indifference(self):
        rng = np.random.default_rng(3)
        v, c, d = 10.0, 2.0, 0.8
        eq = war_of_attrition(v, c, discount=d)
        s = float(eq.hazard)
        quits = rng.geometric(s, size=(2, 200_000)) - 1  # period of first quit (0-based)
        assert_allclose(quits.min(axis=0).mean(), eq.expected_duration, rtol=2e-2)
        # Exact indifference: staying through periods 0..k-1 then quitting pays 0 for all k.
        for k in range(6):
            t = np.arange(k)
            alive = (1 - s) ** t  # opponent still in at the start of period t
            payoff = np.sum(d**t * alive * (-c + s * d * v))
            assert abs(payoff) < 1e-12

    def test_discrete_limit(self):
        # Period length dt: cost c dt, discount exp(-r dt): s / dt -> c / V.
        dt = 1e-5
        eq = war_of_attrition(10.0, 2.0 * dt, discount=np.exp(-0.1 * dt))
        assert_allclose(eq.hazard / dt, 0.2, rtol=1e-4)

    def test_invalid(self):
        with pytest.raises(ValueError, match="discount"):
            war_of_attrition(1.0, 1.0, discount=0.0)
        with pytest.raises(ValueError, match="prize"):
            war_of_attrition(0.0, 1.0)


def test_module_doctests():
    assert doctest.testmod(conflict, raise_on_error=False).failed == 0
