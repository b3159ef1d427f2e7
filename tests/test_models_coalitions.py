"""Tests for negsim.models.coalitions."""

from __future__ import annotations

import doctest
import itertools
from fractions import Fraction
from math import factorial

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from negsim.models import coalitions
from negsim.models.coalitions import banzhaf_index, shapley_value

try:  # works whether or not tests/ is a package
    from tests.strategies import weighted_games
except ImportError:
    from strategies import weighted_games


def shapley_by_permutations(w, q):
    """Average pivotal counts over all n! orders."""
    n = len(w)
    counts = np.zeros(n)
    for order in itertools.permutations(range(n)):
        total = 0.0
        for i in order:
            if total < q <= total + w[i]:
                counts[i] += 1
                break
            total += w[i]
    return counts / factorial(n)


def banzhaf_by_subsets(w, q):
    n = len(w)
    swings = np.zeros(n)
    for mask in itertools.product([0, 1], repeat=n):
        s = np.dot(mask, w)
        if s >= q:
            for i in range(n):
                if mask[i] and s - w[i] < q:
                    swings[i] += 1
    return swings / swings.sum()


class TestTextbook:
    def test_dictator(self):
        # [4; 4, 2, 1]: player 1 alone wins, the others are dummies.
        assert_allclose(shapley_value([4, 2, 1], 4), [1, 0, 0])
        assert_allclose(banzhaf_index([4, 2, 1], 4), [1, 0, 0])

    def test_symmetric_majority(self):
        # [4; 3, 2, 2]: any two players win, so every index is 1/3.
        assert_allclose(shapley_value([3, 2, 2], 4), [1 / 3] * 3)
        assert_allclose(banzhaf_index([3, 2, 2], 4), [1 / 3] * 3)

    def test_two_one_one(self):
        # [3; 2, 1, 1]: Shapley (2/3, 1/6, 1/6), Banzhaf (3/5, 1/5, 1/5) (Straffin 1993).
        assert_allclose(shapley_value([2, 1, 1], 3), [2 / 3, 1 / 6, 1 / 6])
        assert_allclose(banzhaf_index([2, 1, 1], 3), [0.6, 0.2, 0.2])

    def test_un_security_council(self):
        # UNSC as [39; 7 x 5, 1 x 10]. Shapley-Shubik: permanent 0.1963, non-permanent
        # 4/2145 = 0.00186; normalised Banzhaf: 0.1669 and 0.0165 (Felsenthal & Machover
        # 1998, sec. 2.3; Straffin 1993).
        w = [7] * 5 + [1] * 10
        ss = shapley_value(w, 39)
        assert_allclose(ss[:5], 0.1963, atol=1e-4)
        assert_allclose(ss[5:], 4 / 2145)
        bz = banzhaf_index(w, 39)
        assert_allclose(bz[:5], 0.1669, atol=1e-4)
        assert_allclose(bz[5:], 0.0165, atol=1e-4)

    def test_non_integer_weights_match_integer(self):
        w = np.array([7] * 5 + [1] * 10)
        assert_allclose(shapley_value(w * 0.5, 19.5), shapley_value(w, 39))
        assert_allclose(banzhaf_index(w * 0.5, 19.5), banzhaf_index(w, 39))


class TestBruteForce:
    @settings(max_examples=60, deadline=None)
    @given(weighted_games())
    def test_shapley_permutations(self, game):
        w, q = game
        assert_allclose(shapley_value(w, q), shapley_by_permutations(w, q), atol=1e-12)

    @settings(max_examples=60, deadline=None)
    @given(weighted_games())
    def test_banzhaf_subsets(self, game):
        w, q = game
        assert_allclose(banzhaf_index(w, q), banzhaf_by_subsets(w, q), atol=1e-12)
        assert_allclose(banzhaf_index(w + 0.25, q), banzhaf_by_subsets(w + 0.25, q), atol=1e-12)

    @given(weighted_games())
    def test_efficiency_and_monotonicity(self, game):
        w, q = game
        ss = shapley_value(w, q)
        assert_allclose(ss.sum(), 1.0)
        order = np.argsort(w, kind="stable")
        assert np.all(np.diff(ss[order]) >= -1e-12)  # more weight never means less power


class TestValidation:
    def test_quota(self):
        with pytest.raises(ValueError, match="quota must lie in"):
            shapley_value([1, 2], 4)
        with pytest.raises(ValueError, match="quota"):
            banzhaf_index([1, 2], 0)

    def test_weights(self):
        with pytest.raises(ValueError, match="weights"):
            shapley_value([-1, 2], 1)


def test_module_doctests():
    assert doctest.testmod(coalitions, raise_on_error=False).failed == 0


# -- decimal weights (issue 13, item 11) ----------------------------------------------------
def exact_power(weights, quota):
    """Shapley-Shubik (over all n! orders) and normalised Banzhaf (over all 2^n coalitions)
    in exact rational arithmetic: ``weights`` and ``quota`` are Fractions."""
    n = len(weights)
    shapley = [Fraction(0)] * n
    for order in itertools.permutations(range(n)):
        total = Fraction(0)
        for i in order:
            if total < quota <= total + weights[i]:
                shapley[i] += Fraction(1, factorial(n))
                break
            total += weights[i]
    swings = [0] * n
    for mask in itertools.product([0, 1], repeat=n):
        s = sum((w for w, m in zip(weights, mask, strict=True) if m), Fraction(0))
        for i in range(n):
            if mask[i] and s >= quota > s - weights[i]:
                swings[i] += 1
    banzhaf = [Fraction(k, sum(swings)) for k in swings]
    return shapley, banzhaf


#: Decimal weights with two digits (k / 100 for integer k), as a user types them.
decimal_games = st.lists(st.integers(0, 99), min_size=1, max_size=6).filter(lambda k: sum(k) > 0)


class TestDecimalWeights:
    def test_issue_example(self):
        w = [0.1, 0.2, 0.3]
        # unanimity of three: each player is pivotal in 2 of the 6 orders
        assert_allclose(shapley_value(w, sum(w)), [1 / 3] * 3, rtol=0, atol=1e-15)
        assert_allclose(banzhaf_index(w, sum(w)), [1 / 3] * 3, rtol=0, atol=1e-15)
        # the quota summed in another order than the weights (0.6 vs 0.6000000000000001)
        assert_allclose(shapley_value([0.3, 0.2, 0.1], sum(w)), [1 / 3] * 3, atol=1e-15)

    @settings(max_examples=80, deadline=None)
    @given(decimal_games, st.data())
    def test_equal_exact_rational_brute_force(self, cents, data):
        """Quota = the float sum of a winning set taken in a random order."""
        n = len(cents)
        chosen = data.draw(st.lists(st.integers(0, n - 1), min_size=1, unique=True))
        assume(sum(cents[i] for i in chosen) > 0)
        weights = [k / 100 for k in cents]
        quota = sum(weights[i] for i in chosen)  # float, with its rounding
        exact_w = [Fraction(k, 100) for k in cents]
        shapley, banzhaf = exact_power(exact_w, sum((exact_w[i] for i in chosen), Fraction(0)))
        assert_allclose(shapley_value(weights, quota), [float(x) for x in shapley], atol=1e-12)
        assert_allclose(banzhaf_index(weights, quota), [float(x) for x in banzhaf], atol=1e-12)
        # the integer path (weights in cents) agrees with the decimal one
        assert_allclose(
            shapley_value(cents, sum(cents[i] for i in chosen)),
            shapley_value(weights, quota),
            atol=1e-12,
        )

    @settings(max_examples=80, deadline=None)
    @given(decimal_games)
    def test_efficiency_when_the_grand_coalition_wins(self, cents):
        weights = [k / 100 for k in cents]
        for quota in (sum(weights), sum(reversed(weights))):
            assert_allclose(shapley_value(weights, quota).sum(), 1.0, rtol=0, atol=1e-12)
            assert_allclose(banzhaf_index(weights, quota).sum(), 1.0, rtol=0, atol=1e-12)

    def test_quota_a_hair_above_the_total_is_the_total(self):
        w = [0.1, 0.2, 0.3]
        assert_allclose(shapley_value(w, 0.6 * (1 + 1e-12)), [1 / 3] * 3, atol=1e-15)
        with pytest.raises(ValueError, match="quota must lie in"):
            shapley_value(w, 0.61)
        with pytest.raises(ValueError, match="quota must exceed"):
            banzhaf_index(w, 1e-12)
