"""Tests for negsim.models.coalitions."""

from __future__ import annotations

import doctest
import itertools
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
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
