"""Textbook results through the whole pipeline: YAML -> Scenario -> engine -> Result.

Each shipped textbook scenario must reproduce the closed form in ``negsim.models``
within 1e-6 (issue 4, point 10).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import negsim
from negsim.models import alternating, conflict, multilateral


def spe_round0(result: negsim.Result) -> dict:
    rows = result.rounds.query("concept == 'spe' and round == 0")
    return rows.iloc[0].to_dict()


class TestRubinstein:
    """Rubinstein (1982): first proposer gets (1 - d2) / (1 - d1 d2)."""

    @pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.8), (0.5, 0.5), (0.95, 0.6), (0.3, 0.9)])
    def test_infinite_horizon_matches_closed_form(self, d1: float, d2: float) -> None:
        s = negsim.load("textbook/rubinstein").with_changes(
            {"actors.alice.discount": d1, "actors.bob.discount": d2}
        )
        row = spe_round0(negsim.solve(s, concepts=["spe"]))
        assert_allclose(row["dollar.alice"], alternating.rubinstein_share(d1, d2), atol=1e-6)
        assert_allclose(row["dollar.alice"] + row["dollar.bob"], 1.0, atol=1e-12)
        assert row["deal"] == 1.0

    def test_shipped_numbers(self) -> None:
        # (1 - 0.8) / (1 - 0.72) = 0.714285...
        row = spe_round0(negsim.solve(negsim.load("textbook/rubinstein"), concepts=["spe"]))
        assert_allclose(row["dollar.alice"], 0.2 / 0.28, atol=1e-6)

    @pytest.mark.parametrize("offers", [1, 2, 3, 4, 7, 10, 25])
    def test_finite_horizon_matches_backward_induction(self, offers: int) -> None:
        s = negsim.load("textbook/rubinstein_finite").with_changes({"rounds": offers})
        row = spe_round0(negsim.solve(s, concepts=["spe"]))
        assert_allclose(
            row["dollar.alice"], alternating.rubinstein_share(0.9, 0.8, rounds=offers), atol=1e-9
        )

    def test_finite_horizon_tends_to_infinite(self) -> None:
        s = negsim.load("textbook/rubinstein_finite").with_changes({"rounds": 200})
        row = spe_round0(negsim.solve(s, concepts=["spe"]))
        assert_allclose(row["dollar.alice"], alternating.rubinstein_share(0.9, 0.8), atol=1e-6)


def test_ultimatum_proposer_keeps_everything() -> None:
    row = spe_round0(negsim.solve(negsim.load("textbook/ultimatum")))
    assert row["pie.proposer"] == pytest.approx(1.0, abs=1e-12)
    assert row["pie.responder"] == pytest.approx(0.0, abs=1e-12)


class TestBaronFerejohn:
    """Baron & Ferejohn (1989): n = 5, q = 3, delta = 0.9 -> proposer 0.64, partners 0.18."""

    def test_equal_recognition(self) -> None:
        result = negsim.solve(negsim.load("textbook/baron_ferejohn"), concepts=["spe"])
        reference = multilateral.baron_ferejohn(5, 0.9, quota=3)
        choices = result.solution.choices[0, 0]
        assert len(choices) == 5
        for choice in choices:
            own = choice.settlement.utilities[choice.proposer]
            assert_allclose(own, reference.proposer_share[choice.proposer], atol=1e-6)
            assert_allclose(own, 0.64, atol=1e-6)
            others = np.delete(choice.settlement.y[:, 0], choice.proposer)
            # two partners out of four, each included with probability 1/2: 0.18 / 2 on average
            assert_allclose(others, 0.09, atol=1e-6)
        payoff = result.actors.query("concept == 'spe' and round == 0")["payoff"].to_numpy()
        assert_allclose(payoff, reference.payoffs, atol=1e-6)

    def test_unequal_recognition_matches_fixed_point(self) -> None:
        recognition = {"m1": 0.4, "m2": 0.3, "m3": 0.1, "m4": 0.1, "m5": 0.1}
        s = negsim.load("textbook/baron_ferejohn").with_changes(
            {"protocol.recognition": recognition}
        )
        result = negsim.solve(s, concepts=["spe"])
        reference = multilateral.baron_ferejohn(
            5, 0.9, quota=3, recognition=list(recognition.values())
        )
        payoff = result.actors.query("concept == 'spe' and round == 0")["payoff"].to_numpy()
        assert_allclose(payoff, reference.payoffs, atol=1e-6)
        assert_allclose(payoff.sum(), 1.0, atol=1e-9)

    def test_unanimity(self) -> None:
        s = negsim.load("textbook/baron_ferejohn").with_changes({"protocol.quota": 5})
        result = negsim.solve(s, concepts=["spe"])
        reference = multilateral.baron_ferejohn(5, 0.9, quota=5)
        own = result.solution.choices[0, 0][0].settlement.utilities[0]
        assert_allclose(own, reference.proposer_share[0], atol=1e-6)


class TestFearon:
    """Fearon (1995): the range is [p - c_A, p + c_B]; the proposer takes its end of it."""

    def test_proposer_a_demands_top_of_range(self) -> None:
        row = spe_round0(negsim.solve(negsim.load("textbook/fearon")))
        rng = conflict.fearon_range(0.6, 0.1, 0.1)
        assert_allclose(row["territory"], rng.high, atol=1e-6)
        assert_allclose(row["territory"], 0.7, atol=1e-6)

    def test_proposer_b_offers_bottom_of_range(self) -> None:
        s = negsim.load("textbook/fearon").with_changes({"protocol.proposers": ["b"]})
        row = spe_round0(negsim.solve(s))
        assert_allclose(row["territory"], conflict.fearon_range(0.6, 0.1, 0.1).low, atol=1e-6)

    @pytest.mark.parametrize(
        ("p", "ca", "cb"), [(0.3, 0.05, 0.2), (0.95, 0.1, 0.1), (0.05, 0.2, 0.01)]
    )
    def test_range_clipped(self, p: float, ca: float, cb: float) -> None:
        s = negsim.load("textbook/fearon").with_changes(
            {"battlefield.initial_control": p, "actors.a.war_cost": ca, "actors.b.war_cost": cb}
        )
        row = spe_round0(negsim.solve(s, concepts=["spe"]))
        assert_allclose(row["territory"], conflict.fearon_range(p, ca, cb).high, atol=1e-6)

    def test_threat_points_are_war_payoffs(self) -> None:
        result = negsim.solve(negsim.load("textbook/fearon"), concepts=["spe"])
        threat = result.actors.query("concept == 'spe' and round == 0").set_index("actor")[
            "threat_point"
        ]
        assert_allclose(threat["a"], 0.6 - 0.1, atol=1e-12)
        assert_allclose(threat["b"], 1 - 0.6 - 0.1, atol=1e-12)


def test_commitment_scenario_contrasts_binding_deals_with_powell() -> None:
    """The engine's deals bind, so a deal comes at once even where Powell predicts war."""
    s = negsim.load("textbook/commitment")
    result = negsim.solve(s, concepts=["spe"])
    control = result.rounds.query("concept == 'spe'")["control"].to_numpy()
    assert control[0] == pytest.approx(0.8)
    # p(t+1) = p(t) + 0.3 (cap_a - cap_b) / (cap_a + cap_b): A gains in round 0, then the shift
    assert_allclose(control, [0.8, 0.9, 0.8, 0.7, 0.6, 0.5], atol=1e-12)
    assert result.agreement_round == 0
