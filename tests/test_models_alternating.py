"""Tests for negsim.models.alternating (and the docs/models.md doctests)."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from negsim.models import _validate, alternating
from negsim.models.alternating import (
    backward_induction_shares,
    breakdown_share,
    outside_option_share,
    rubinstein_share,
    rubinstein_share_continuous,
)

try:  # works whether or not tests/ is a package
    from tests.strategies import discounts, discounts_closed, horizons
except ImportError:
    from strategies import discounts, discounts_closed, horizons

REPO = Path(__file__).resolve().parents[1]


def brute_force_finite(d1: float, d2: float, rounds: int) -> float:
    """Explicit backward induction with player labels, from the last offer backwards."""
    delta = {1: d1, 2: d2}
    # value[i]: share player i gets in the subgame starting at the current offer.
    proposer = 1 if rounds % 2 == 1 else 2  # proposer of the last offer
    value = {proposer: 1.0, 3 - proposer: 0.0}
    for _ in range(rounds - 1):
        proposer = 3 - proposer  # one offer earlier
        responder = 3 - proposer
        offer = delta[responder] * value[responder]  # responder's continuation value
        value = {responder: offer, proposer: 1.0 - offer}
    assert proposer == 1
    return value[1]


class TestRubinsteinLiterature:
    def test_symmetric_infinite(self):
        # Rubinstein (1982): with delta1 = delta2 = delta the proposer gets 1/(1 + delta).
        assert_allclose(rubinstein_share(0.9, 0.9), 1 / 1.9)

    def test_ultimatum(self):
        # One offer: the ultimatum game, the proposer takes everything.
        assert_allclose(rubinstein_share(0.3, 0.7, rounds=1), 1.0)

    def test_two_rounds(self):
        # Two offers: player 1 must give player 2 delta2 * 1.
        assert_allclose(rubinstein_share(0.3, 0.7, rounds=2), 0.3)

    @pytest.mark.parametrize(
        ("d1", "d2", "t"),
        [
            (0.9, 0.9, 3),
            (0.9, 0.8, 10),
            (0.5, 0.95, 11),
            (0.0, 0.7, 4),
            (1.0, 1.0, 7),
            (1.0, 1.0, 8),
        ],
    )
    def test_closed_form_matches_brute_force(self, d1, d2, t):
        assert_allclose(rubinstein_share(d1, d2, rounds=t), brute_force_finite(d1, d2, t))
        assert_allclose(backward_induction_shares(d1, d2, t)[0], brute_force_finite(d1, d2, t))

    def test_broadcasting(self):
        d1 = np.linspace(0, 0.95, 5)
        out = rubinstein_share(d1[:, None], 0.9, rounds=np.array([1, 2, 3, 50]))
        assert out.shape == (5, 4)
        for i, a in enumerate(d1):
            for j, t in enumerate([1, 2, 3, 50]):
                assert_allclose(out[i, j], brute_force_finite(a, 0.9, t))

    def test_path_shape_and_roles(self):
        path = backward_induction_shares([0.5, 0.9], 0.8, 4)
        assert path.shape == (4, 2)
        assert_allclose(path[-1], 1.0)
        assert_allclose(path[2], 1 - 0.8 * 1.0)  # player 1 proposes at offer 3, 2 responds


class TestRubinsteinLimits:
    def test_both_patient_is_undetermined(self):
        assert np.isnan(rubinstein_share(1.0, 1.0))

    def test_one_patient(self):
        assert_allclose(rubinstein_share(1.0, 0.5), 1.0)
        assert_allclose(rubinstein_share(0.5, 1.0), 0.0)

    def test_impatient_responder(self):
        assert_allclose(rubinstein_share(0.0, 0.0), 1.0)

    def test_continuous_limit(self):
        # delta_i = exp(-r_i dt) -> r2 / (r1 + r2) as dt -> 0 (Binmore, Rubinstein, Wolinsky 1986).
        r1, r2, dt = 0.05, 0.2, 1e-6
        assert_allclose(
            rubinstein_share(np.exp(-r1 * dt), np.exp(-r2 * dt)),
            rubinstein_share_continuous(r1, r2),
            rtol=1e-5,
        )
        assert np.isnan(rubinstein_share_continuous(0.0, 0.0))


class TestRubinsteinProperties:
    @given(discounts_closed, discounts_closed, horizons)
    def test_shares_in_unit_interval(self, d1, d2, t):
        x = rubinstein_share(d1, d2, rounds=t)
        assert -1e-12 <= x <= 1 + 1e-12

    @given(discounts, discounts, discounts)
    def test_own_patience_never_hurts(self, d1, d1b, d2):
        lo, hi = sorted([d1, d1b])
        assert rubinstein_share(hi, d2) >= rubinstein_share(lo, d2) - 1e-12
        # ... and the opponent's patience never helps.
        assert rubinstein_share(d2, hi) <= rubinstein_share(d2, lo) + 1e-12

    @given(discounts, discounts)
    def test_finite_converges_to_infinite(self, d1, d2):
        assert_allclose(rubinstein_share(d1, d2, rounds=4001), rubinstein_share(d1, d2), atol=1e-9)
        assert_allclose(rubinstein_share(d1, d2, rounds=4000), rubinstein_share(d1, d2), atol=1e-9)

    @given(discounts_closed, discounts_closed, st.integers(1, 30))
    def test_path_matches_closed_form(self, d1, d2, t):
        path = backward_induction_shares(d1, d2, t)
        assert_allclose(path[0], rubinstein_share(d1, d2, rounds=t), atol=1e-12)


def fixed_point_outside(d1, d2, w1, w2, iters=3000):
    """Iterate x1 = 1 - max(w2, d2 x2), x2 = 1 - max(w1, d1 x1) (a contraction)."""
    x1 = x2 = 0.5
    for _ in range(iters):
        x1, x2 = 1 - max(w2, d2 * x2), 1 - max(w1, d1 * x1)
    return x1


class TestOutsideOption:
    @pytest.mark.parametrize(
        ("d1", "d2", "w1", "w2"),
        [
            (0.9, 0.9, 0.0, 0.0),
            (0.9, 0.9, 0.0, 0.3),  # does not bind
            (0.9, 0.9, 0.0, 0.6),  # binds for player 2
            (0.9, 0.9, 0.6, 0.0),  # binds for player 1
            (0.9, 0.9, 0.45, 0.5),  # both bind
            (0.5, 0.8, 0.2, 0.7),
            (0.0, 0.0, 0.3, 0.3),
        ],
    )
    def test_against_fixed_point(self, d1, d2, w1, w2):
        assert_allclose(outside_option_share(d1, d2, w1, w2), fixed_point_outside(d1, d2, w1, w2))

    @settings(max_examples=60)
    @given(discounts, discounts, st.floats(-0.5, 1.0), st.floats(-0.5, 1.0))
    def test_property_against_fixed_point(self, d1, d2, w1, w2):
        if w1 + w2 > 1:
            w2 = 1 - w1
        assert_allclose(
            outside_option_share(d1, d2, w1, w2), fixed_point_outside(d1, d2, w1, w2), atol=1e-9
        )

    def test_outside_option_principle(self):
        # Muthoo (1999, ch. 5): options below the Rubinstein continuation value are irrelevant.
        assert_allclose(outside_option_share(0.9, 0.9, 0.1, 0.1), rubinstein_share(0.9, 0.9))

    def test_invalid(self):
        with pytest.raises(ValueError, match="outside1 \\+ outside2"):
            outside_option_share(0.9, 0.9, 0.6, 0.6)
        with pytest.raises(ValueError, match="delta1"):
            outside_option_share(1.0, 0.9)


def brute_force_breakdown(q, d1, d2, rounds=4000):
    """Finite horizon: after the last rejection negotiations break down for sure."""
    # Responders' continuation if they reject the last offer: breakdown (d1, d2).
    cont = {1: d1, 2: d2}
    proposer = 1 if rounds % 2 == 1 else 2
    for k in range(rounds):
        responder = 3 - proposer
        offer = cont[responder]
        prop, resp = 1.0 - offer, offer
        values = {proposer: prop, responder: resp}
        # continuation for the previous offer: breakdown w.p. q, else this subgame.
        cont = {i: q * (d1 if i == 1 else d2) + (1 - q) * values[i] for i in (1, 2)}
        if k < rounds - 1:
            proposer = 3 - proposer
    assert proposer == 1
    return prop


class TestBreakdown:
    @pytest.mark.parametrize(
        ("q", "d1", "d2"), [(0.5, 0, 0), (0.1, 0.2, 0.3), (1.0, 0.2, 0.3), (0.05, 0.0, 0.5)]
    )
    def test_against_backward_induction(self, q, d1, d2):
        assert_allclose(breakdown_share(q, d1, d2), brute_force_breakdown(q, d1, d2), atol=1e-9)

    def test_literature_limits(self):
        # q -> 0: the Nash bargaining solution split-the-difference (Binmore et al. 1986).
        assert_allclose(breakdown_share(1e-9, 0.2, 0.4), 0.2 + 0.4 / 2, atol=1e-9)
        # q = 1: ultimatum game.
        assert_allclose(breakdown_share(1.0, 0.2, 0.4), 0.6)

    @given(st.floats(0.01, 1.0), st.floats(0, 0.5), st.floats(0, 0.5))
    def test_in_range_and_individually_rational(self, q, d1, d2):
        x = breakdown_share(q, d1, d2)
        assert d1 - 1e-12 <= x <= 1 - d2 + 1e-12

    def test_invalid(self):
        with pytest.raises(ValueError, match=r"q must lie in \(0.0, 1.0\], got q=0.0"):
            breakdown_share(0.0)
        with pytest.raises(ValueError, match="d1 \\+ d2"):
            breakdown_share(0.5, 0.7, 0.7)


class TestValidation:
    @pytest.mark.parametrize("bad", [-0.1, 1.5, np.nan])
    def test_discount_out_of_range(self, bad):
        with pytest.raises(ValueError, match="delta1 must lie in \\[0.0, 1.0\\]"):
            rubinstein_share(bad, 0.5)

    @pytest.mark.parametrize("bad", [0, -3, 2.5])
    def test_rounds(self, bad):
        with pytest.raises(ValueError, match="rounds must be an integer"):
            rubinstein_share(0.5, 0.5, rounds=bad)

    def test_negative_rate(self):
        with pytest.raises(ValueError, match="r1"):
            rubinstein_share_continuous(-1.0, 1.0)

    def test_probability_vector(self):
        with pytest.raises(ValueError, match="sum"):
            _validate.check_probability_vector("recognition", [0.5, 0.4])


def test_module_doctests():
    for module in (alternating, _validate):
        assert doctest.testmod(module, raise_on_error=False).failed == 0


def test_docs_models_md_doctests():
    result = doctest.testfile(
        str(REPO / "docs" / "models.md"), module_relative=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0
    assert result.failed == 0
