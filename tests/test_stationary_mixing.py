"""Baron-Ferejohn with unequal recognition (and discounts) through the engine: the
stationary equilibrium mixes over equally cheap coalitions (Eraslan 2002)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

import negsim
from negsim.models import baron_ferejohn


def legislature(recognition: tuple[float, ...], discounts: tuple[float, ...]) -> negsim.Scenario:
    changes: dict[str, float] = {}
    for i, (p, d) in enumerate(zip(recognition, discounts, strict=True)):
        changes[f"protocol.recognition.m{i + 1}"] = p
        changes[f"actors.m{i + 1}.discount"] = d
    return negsim.load("textbook/baron_ferejohn").with_changes(changes)


def engine_values(result: negsim.Result) -> np.ndarray:
    return result.actors.query("concept == 'spe' and round == 0")["payoff"].to_numpy()


def assert_stationary_equilibrium(result: negsim.Result, p: np.ndarray, d: np.ndarray) -> None:
    """Brute force over all coalitions of 3 out of 5: with values v and prices c = d v, each
    proposer j keeps ``1 - min_C sum_{i in C \\ j} c_i`` (the cheapest two votes), gives each
    other member i an expected share ``m_ji c_i`` with inclusion probability m_ji in [0, 1],
    positive only for members no dearer than the marginal vote, the m_ji sum to 2, and
    ``v_i = sum_j p_j (expected share of i when j proposes)`` (Baron & Ferejohn 1989;
    Eraslan 2002)."""
    v = engine_values(result)
    c = d * v
    expected = np.zeros(5)
    for choice in result.solution.choices[0, 0]:
        j = choice.proposer
        y = choice.settlement.y[:, 0]
        others = [i for i in range(5) if i != j]
        cheapest = min(c[a] + c[b] for a, b in combinations(others, 2))
        assert y[j] == pytest.approx(1 - cheapest, abs=1e-9)
        m = np.array([y[i] / c[i] if c[i] > 0 else 0.0 for i in others])
        assert np.all(m >= -1e-9) and np.all(m <= 1 + 1e-9)
        assert m.sum() == pytest.approx(2.0, abs=1e-9)
        marginal = sorted(c[others])[1]
        for k, i in enumerate(others):
            if m[k] > 1e-9:
                assert c[i] <= marginal + 1e-9
        expected += choice.probability * y
    np.testing.assert_allclose(v, expected, atol=1e-9)


@pytest.mark.parametrize(
    ("recognition", "delta"),
    [
        ((0.5, 0.2, 0.1, 0.1, 0.1), 0.8),  # the cases of issue 18
        ((0.3, 0.3, 0.2, 0.1, 0.1), 0.9),
        ((0.25, 0.25, 0.2, 0.15, 0.15), 0.5),
        ((0.35, 0.25, 0.2, 0.1, 0.1), 0.95),
        ((0.4, 0.3, 0.1, 0.1, 0.1), 0.9),  # converges without mixing
        ((0.6, 0.1, 0.1, 0.1, 0.1), 0.8),
    ],
)
def test_unequal_recognition_equals_the_function(recognition, delta) -> None:
    result = negsim.solve(legislature(recognition, (delta,) * 5), concepts=["spe"])
    expected = baron_ferejohn(5, delta, 3, recognition).payoffs
    np.testing.assert_allclose(engine_values(result), expected, rtol=0, atol=1e-9)
    assert_stationary_equilibrium(result, np.array(recognition), np.full(5, delta))


def test_unequal_discounts_give_a_stationary_equilibrium() -> None:
    """No closed form here (negsim.models.baron_ferejohn takes one discount factor): the
    engine's answer is checked against the equilibrium conditions themselves."""
    discounts = (0.5, 0.7, 0.9, 0.9, 0.9)
    result = negsim.solve(legislature((0.2,) * 5, discounts), concepts=["spe"])
    assert_stationary_equilibrium(result, np.full(5, 0.2), np.array(discounts))
    assert engine_values(result).sum() == pytest.approx(1.0, abs=1e-9)


def test_mixing_is_reported_in_the_reason() -> None:
    result = negsim.solve(legislature((0.5, 0.2, 0.1, 0.1, 0.1), (0.8,) * 5), concepts=["spe"])
    reasons = {c.reason for c in result.solution.choices[0, 0]}
    assert any("mixed as the stationary equilibrium requires" in r for r in reasons)
