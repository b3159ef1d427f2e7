"""War as a lottery (``terminal_outcome: lottery``): Fearon's range widens with curvature."""

from __future__ import annotations

import math

import numpy as np
import pytest

import negsim
from negsim.errors import ScenarioError

P, C_A, C_B = 0.6, 0.1, 0.1  # textbook/fearon


def fearon(curvature: float, outcome: str, proposer: str = "a") -> negsim.Scenario:
    return negsim.load("textbook/fearon").with_changes(
        {
            "actors.a.curvature": curvature,
            "actors.b.curvature": curvature,
            "terminal_outcome": outcome,
            "protocol.proposers": [proposer],
        }
    )


def share(scenario: negsim.Scenario) -> float:
    result = negsim.solve(scenario, concepts=["spe"])
    assert result.agreement_round == 0
    return result.terms("spe", 0)["territory"]


def test_lottery_widens_fearons_range_in_closed_form() -> None:
    r"""One round, no discounting, utilities ``u_A(x) = 1 - (1 - x)^2``, ``u_B(x) = 1 - x^2``
    (curvature 2, ideals 1 and 0), war costs ``c_A``, ``c_B`` and A's win probability p.

    War as a lottery: the issue goes to 1 with probability p, to 0 otherwise, so
    ``W_A = p u_A(1) + (1 - p) u_A(0) - c_A = p - c_A`` and ``W_B = 1 - p - c_B``. A accepts
    x iff ``1 - (1 - x)^2 >= p - c_A``, i.e. ``x >= 1 - sqrt(1 - p + c_A)``; B accepts iff
    ``1 - x^2 >= 1 - p - c_B``, i.e. ``x <= sqrt(p + c_B)``. The range is

        [1 - sqrt(1 - p + c_A), sqrt(p + c_B)] = [0.29289, 0.83666]  (p = 0.6, c = 0.1).

    War as the sure position p: ``W_A = 1 - (1 - p)^2 - c_A``, ``W_B = 1 - p^2 - c_B``, so
    ``x >= 1 - sqrt((1 - p)^2 + c_A)`` and ``x <= sqrt(p^2 + c_B)``:
    [0.49010, 0.67823], strictly inside (Fearon 1995, p. 388: risk aversion widens the
    range). A take-it-or-leave-it proposer takes its end of the range.
    """
    top, bottom = math.sqrt(P + C_B), 1 - math.sqrt(1 - P + C_A)
    assert share(fearon(2.0, "lottery", "a")) == pytest.approx(top, abs=1e-9)
    assert share(fearon(2.0, "lottery", "b")) == pytest.approx(bottom, abs=1e-9)
    sure_top, sure_bottom = math.sqrt(P**2 + C_B), 1 - math.sqrt((1 - P) ** 2 + C_A)
    assert share(fearon(2.0, "position", "a")) == pytest.approx(sure_top, abs=1e-9)
    assert share(fearon(2.0, "position", "b")) == pytest.approx(sure_bottom, abs=1e-9)
    assert bottom < sure_bottom < sure_top < top


def test_lottery_threat_points_are_expected_utilities() -> None:
    result = negsim.solve(fearon(2.0, "lottery"), concepts=["spe"])
    threat = result.actors.query("concept == 'spe' and round == 0").set_index("actor")
    assert threat.loc["a", "threat_point"] == pytest.approx(P - C_A, abs=1e-12)
    assert threat.loc["b", "threat_point"] == pytest.approx(1 - P - C_B, abs=1e-12)


@pytest.mark.parametrize("name", ["textbook/fearon", "textbook/commitment"])
def test_linear_utilities_make_the_lottery_the_sure_position(name: str) -> None:
    """With curvature 1 expected utility is linear in the outcome: both readings agree."""
    base = negsim.load(name)
    sure = negsim.solve(base, concepts=["spe"])
    gamble = negsim.solve(base.with_changes({"terminal_outcome": "lottery"}), concepts=["spe"])
    np.testing.assert_allclose(
        gamble.actors["payoff"].to_numpy(), sure.actors["payoff"].to_numpy(), atol=1e-12
    )
    np.testing.assert_allclose(
        gamble.actors["threat_point"].to_numpy(),
        sure.actors["threat_point"].to_numpy(),
        atol=1e-12,
    )


def test_lottery_without_a_battlefield_is_a_located_error() -> None:
    text = (
        "name: t\nrounds: 1\nterminal_outcome: lottery\nissues: {x: {}}\n"
        "actors: {a: {discount: 0.9}, b: {discount: 0.9}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(text, "t.yaml")
    problem = info.value.problems[0]
    assert problem.path == "terminal_outcome"
    assert problem.line == 3
    assert "needs a battlefield" in problem.message


def test_unknown_terminal_outcome_is_a_located_error() -> None:
    text = (
        "name: t\nrounds: 1\nterminal_outcome: gamble\nissues: {x: {}}\n"
        "actors: {a: {discount: 0.9}, b: {discount: 0.9}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(text, "t.yaml")
    problem = info.value.problems[0]
    assert problem.path == "terminal_outcome" and problem.line == 3
    assert "'position' or 'lottery'" in problem.message
