"""Issue 18: leaders, public and non-credible deadlines, ratifiers and outside options.

Every expected number is derived here in closed form (or by an independent root search),
not by calling the engine twice.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import expit

import negsim
from negsim.errors import ScenarioError
from negsim.models import outside_option_share
from negsim.scenario import load_text


# -- outside options (Binmore, Rubinstein & Wolinsky 1986) -----------------------------------
def _rubinstein(d1: float, d2: float, w1: float | None, w2: float | None) -> str:
    opt_a = f"outside_option: {{payoffs: {{alice: {w1}, bob: {w2}}}}}" if w1 is not None else ""
    opt_b = f"outside_option: {{payoffs: {{alice: {w1}, bob: {w2}}}}}" if w2 is not None else ""
    return f"""
name: oo
rounds: 2
terminal: stationary
issues: {{dollar: {{kind: pie, among: [alice, bob]}}}}
actors:
  alice: {{discount: {d1}, salience: {{dollar: 1}}, {opt_a}}}
  bob: {{discount: {d2}, salience: {{dollar: 1}}, {opt_b}}}
protocol: {{proposers: [alice, bob]}}
"""


@pytest.mark.parametrize(
    ("d1", "d2", "w1", "w2"),
    [
        (0.9, 0.9, 0.0, 0.3),  # options do not bind
        (0.9, 0.9, 0.0, 0.6),  # bob's binds: 1 - w2
        (0.9, 0.8, 0.7, 0.1),  # alice's binds: 1 - d2 (1 - w1)
        (0.9, 0.8, 0.45, 0.5),  # both bind
        (0.6, 0.95, 0.2, 0.0),
        (0.95, 0.6, 0.1, 0.3),
    ],
)
def test_outside_option_principle_through_the_engine(d1, d2, w1, w2):
    result = negsim.solve(load_text(_rubinstein(d1, d2, w1, w2)), ["spe"])
    share = result.solution.y["spe"][0, 0, 0, 0]
    assert result.solution.deal["spe"][0, 0] == 1.0
    assert share == pytest.approx(float(outside_option_share(d1, d2, w1, w2)), abs=1e-9)


def test_outside_option_taken_when_no_deal_pays_more():
    """Bob's red line makes every deal impossible; his option (0.4, alice 0.1) beats the
    war outcome (0), so the game ends with the option's payoffs in round 0."""
    text = """
name: oo_taken
rounds: 2
issues: {x: {war_value: 0.5}}
actors:
  alice: {discount: 0.9, ideal: {x: 1}, salience: {x: 1}, red_lines: {x: {min: 0.8}}}
  bob:
    discount: 0.9
    ideal: {x: 0}
    salience: {x: 1}
    red_lines: {x: {max: 0.2}}
    outside_option: {payoffs: {alice: 0.1, bob: 0.7}}
protocol: {proposers: [alice]}
"""
    sol = negsim.solve(load_text(text), ["spe"]).solution
    assert sol.deal["spe"][0, 0] == 0.0
    np.testing.assert_allclose(sol.value[0, 0], [0.1, 0.7], atol=1e-12)


# -- ratification (Putnam 1988) -------------------------------------------------------------
def _ultimatum(extra: str) -> str:
    return f"""
name: rat
rounds: 1
issues: {{pie: {{kind: pie, among: [proposer, responder]}}}}
actors:
  proposer: {{discount: 0.9, salience: {{pie: 1}}}}
  responder: {{discount: 0.9, salience: {{pie: 1}}, {extra}}}
protocol: {{proposers: [proposer, responder]}}
"""


@pytest.mark.parametrize(("m", "k"), [(0.3, 10.0), (0.3, 40.0), (0.6, 5.0), (0.1, 100.0)])
def test_ratifier_priced_in_closed_form(m, k):
    """max_v s(k(v - m)) (1 - v): the first-order condition k (1 - s) (1 - v) = 1."""
    result = negsim.solve(load_text(_ultimatum(f"ratifier: {{midpoint: {m}, steepness: {k}}}")))
    sol = result.solution

    def foc(v: float) -> float:
        return k * (1.0 - expit(k * (v - m))) * (1.0 - v) - 1.0

    v = brentq(foc, 0.0, 1.0, xtol=1e-14)
    assert sol.y["spe"][0, 0, 1, 0] == pytest.approx(v, abs=1e-8)
    assert sol.deal["spe"][0, 0] == pytest.approx(expit(k * (v - m)), abs=1e-8)
    # a failed vote leaves both with the fallback (nothing: the game ends)
    assert sol.value[0, 0, 0] == pytest.approx(expit(k * (v - m)) * (1 - v), abs=1e-9)


def test_steep_ratifier_is_a_reservation():
    steep = negsim.solve(load_text(_ultimatum("ratifier: {midpoint: 0.3, steepness: 1.0e6}")))
    step = negsim.solve(load_text(_ultimatum("reservation: 0.3")))
    assert step.solution.y["spe"][0, 0, 1, 0] == pytest.approx(0.3, abs=1e-12)
    assert steep.solution.y["spe"][0, 0, 1, 0] == pytest.approx(0.3, abs=5e-5)
    assert steep.solution.deal["spe"][0, 0] == pytest.approx(1.0, abs=5e-5)


def test_lenient_ratifier_is_no_constraint():
    lenient = negsim.solve(load_text(_ultimatum("ratifier: {midpoint: -60, steepness: 1}")))
    assert lenient.solution.y["spe"][0, 0, 1, 0] == pytest.approx(0.0, abs=1e-9)
    assert lenient.solution.deal["spe"][0, 0] == pytest.approx(1.0, abs=1e-12)


# -- leaders (Goemans 2000; Chiozza & Goemans 2011) -----------------------------------------
def _leader_game(leader: str, proposer_leader: str = "") -> str:
    return f"""
name: lead
rounds: 1
issues: {{x: {{war_value: 0.5}}}}
actors:
  a: {{discount: 1, ideal: {{x: 1}}, salience: {{x: 1}}, war_cost: 0.2, {proposer_leader}}}
  b: {{discount: 1, ideal: {{x: 0}}, salience: {{x: 1}}, {leader}}}
protocol: {{proposers: [a]}}
"""


@pytest.mark.parametrize(
    ("q0", "slope", "loss", "ref"),
    [(0.2, 0.0, 0.5, 0.4), (0.1, 0.6, 0.5, 0.4), (0.0, 0.9, 1.0, 0.2), (0.3, 0.5, 0.2, 0.45)],
)
def test_leader_floor_shifts_by_expected_removal_loss(q0, slope, loss, ref):
    """b's leader accepts x iff 1 - x - L (q0 + b max(0, x - ref)) >= 1 - 0.5 (war; no
    discounting, a's war cost 0.2 leaves it a bargaining range)."""
    text = _leader_game(
        f"leader: {{issue: x, reference: {ref}, base_risk: {q0}, slope: {slope}, "
        f"removal_loss: {loss}}}"
    )
    result = negsim.solve(load_text(text), ["spe"])
    sol = result.solution
    flat = 0.5 - loss * q0  # the floor shifted by q0 L, if it stays within the reference
    x = flat if flat <= ref else (0.5 - loss * q0 + loss * slope * ref) / (1 + loss * slope)
    assert sol.x["spe"][0, 0, 0] == pytest.approx(x, abs=1e-9)
    np.testing.assert_allclose(sol.value[0, 0], [x, 1 - x], atol=1e-9)
    assert sol.leader_value[0, 0, 1] == pytest.approx(0.5, abs=1e-9)  # the leader's floor binds
    table = result.actors.query("concept == 'spe' and actor == 'b'")
    assert table["leader_payoff"].iloc[0] == pytest.approx(0.5, abs=1e-9)
    assert table["payoff"].iloc[0] == pytest.approx(1 - x, abs=1e-9)
    assert "Leaders refuse a deal their states would take" in result.summary()


def test_proposing_leader_maximises_its_own_utility():
    """a's leader (reference 0.7, slope 1, loss 1) gains nothing past 0.7 ... but loses
    per unit below it: with b's war floor x <= 0.5, a's leader still takes x = 0.5."""
    text = _leader_game(
        "", "leader: {issue: x, reference: 0.7, base_risk: 0.0, slope: 1.0, removal_loss: 0.1}"
    )
    sol = negsim.solve(load_text(text), ["spe"]).solution
    assert sol.x["spe"][0, 0, 0] == pytest.approx(0.5, abs=1e-9)
    # leader: 0.5 - 0.1 * (|0.5 - 1| - |0.7 - 1|) = 0.48
    assert sol.leader_value[0, 0, 0] == pytest.approx(0.48, abs=1e-9)


def test_leader_without_risk_is_todays_engine():
    plain = negsim.solve(load_text(_leader_game("")), ["spe"]).solution
    for leader in (
        "leader: {issue: x, reference: 0.4, base_risk: 0.3, slope: 0.5, removal_loss: 0}",
        "leader: {issue: x, reference: 0.4, base_risk: 0, slope: 0, removal_loss: 2}",
    ):
        sol = negsim.solve(load_text(_leader_game(leader)), ["spe"]).solution
        assert sol.leader_value is None
        np.testing.assert_array_equal(sol.value, plain.value)
        np.testing.assert_array_equal(sol.x["spe"], plain.x["spe"])


def test_leader_reference_control_uses_territory_held():
    """Reference 'control': p(0) = 0.3 (a's share); b's leader is judged against 1 - 0.3."""
    text = """
name: lead_control
rounds: 1
issues: {x: {}}
actors:
  a: {discount: 1, ideal: {x: 1}, salience: {x: 1}, capacity: 1, war_cost: 0.1}
  b:
    discount: 1
    ideal: {x: 0}
    salience: {x: 1}
    capacity: 1
    leader: {issue: x, reference: control, slope: 1.0, removal_loss: 0.5}
battlefield: {issue: x, initial_control: 0.3, sides: {a: [a], b: [b]}}
protocol: {proposers: [a]}
"""
    sol = negsim.solve(load_text(text), ["spe"]).solution
    # war: x = p(T) = 0.3, b's floor 0.7; leader: 1 - x - 0.5 max(0, |x - 0| - |0.3 - 0|) >= 0.7
    assert sol.x["spe"][0, 0, 0] == pytest.approx(0.3, abs=1e-9)


# -- deadlines (Fearon 1994) --------------------------------------------------------------------
def _deadline_game(deadline: str) -> str:
    """a proposes every round; its private benefit of 0.05 in rounds 0-1 makes waiting worth
    more than any deal (C_a + C_b > 1) until round 2: the deal comes at round 2."""
    return f"""
name: dl
rounds: 4
issues: {{x: {{war_value: 0.5}}}}
actors:
  a:
    discount: 1
    ideal: {{x: 1}}
    salience: {{x: 1}}
    private_benefit: {{kind: steps, initial: 0.05, steps: [{{round: 2, value: 0}}]}}
    deadlines: [{deadline}]
  b: {{discount: 1, ideal: {{x: 0}}, salience: {{x: 1}}}}
protocol: {{proposers: [a]}}
"""


def test_public_deadline_moves_the_agreement_earlier():
    without = negsim.solve(load_text(_deadline_game("")))
    assert without.agreement_round == 2
    for paid in ("once", "every_round"):
        text = _deadline_game(
            "{round: 0, public: true, audience_cost: 0.1, audience_cost_paid: " + paid + "}"
        )
        result = negsim.solve(load_text(text))
        assert result.agreement_round == 0
        assert result.terms("spe", 0)["x"] == pytest.approx(0.5, abs=1e-9)
        assert "changes the outcome: a deal at round 0" in result.summary()


def test_non_credible_deadline_changes_nothing():
    plain = negsim.solve(load_text(_deadline_game("")))
    text = _deadline_game("{round: 0, public: true, audience_cost: 0.1, credible: false}")
    result = negsim.solve(load_text(text))
    assert result.agreement_round == 2
    np.testing.assert_array_equal(result.solution.value, plain.solution.value)
    assert "is not credible" in result.summary()


def test_small_public_deadline_changes_nothing_and_says_so():
    text = _deadline_game("{round: 0, public: true, audience_cost: 0.01}")
    result = negsim.solve(load_text(text))
    # C_a(0) = 0.05 - 0.01 + 0.55 = 0.59 > 0.5: still no deal before round 2
    assert result.agreement_round == 2
    assert "changes nothing: the same deal comes without it" in result.summary()


# -- located errors -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("snippet", "path", "words"),
    [
        ("deadlines: [{round: 0, audience_cost: 0.1}]", "audience_cost", "public: true"),
        ("leader: {issue: y, reference: 0.4}", "leader.issue", "unknown position issue"),
        ("leader: {issue: x, reference: 1.5}", "leader.reference", "[0, 1]"),
        ("leader: {issue: x, reference: control}", "leader.reference", "battlefield"),
        (
            "leader: {issue: x, reference: 0.4, base_risk: 0.5, slope: 0.7}",
            "leader.slope",
            "at most 1",
        ),
        ("ratifier: {midpoint: 0.3, steepness: 0}", "ratifier.steepness", "expected a number > 0"),
        ("outside_option: {payoffs: {a: 0.1}}", "outside_option.payoffs", "missing payoff for b"),
        ("outside_option: {payoffs: {a: 0.1, b: 0, c: 1}}", "payoffs.c", "unknown actor 'c'"),
    ],
)
def test_located_errors(snippet, path, words):
    text = f"""name: bad
rounds: 2
issues: {{x: {{}}}}
actors:
  a: {{discount: 0.9, ideal: {{x: 1}}, salience: {{x: 1}}}}
  b:
    discount: 0.9
    ideal: {{x: 0}}
    salience: {{x: 1}}
    {snippet}
"""
    with pytest.raises(ScenarioError) as info:
        load_text(text, "bad.yaml")
    message = str(info.value)
    assert path in message and words in message and "bad.yaml" in message


# -- the textbook scenarios ------------------------------------------------------------------
def test_textbook_outside_option():
    sol = negsim.solve(negsim.load("textbook/outside_option"), ["spe"]).solution
    assert sol.y["spe"][0, 0, 0, 0] == pytest.approx(0.4, abs=1e-9)
    assert float(outside_option_share(0.9, 0.9, 0.0, 0.6)) == pytest.approx(0.4, abs=1e-12)


def test_textbook_two_level():
    k, m = 15.0, 0.4
    v = brentq(lambda v: k * (1 - expit(k * (v - m))) * (1 - v) - 1, 0.0, 1.0, xtol=1e-14)
    result = negsim.solve(negsim.load("textbook/two_level"))
    assert result.solution.y["spe"][0, 0, 1, 0] == pytest.approx(v, abs=1e-8)
    assert result.agreement["probability"].iloc[0] == pytest.approx(expit(k * (v - m)), abs=1e-8)


# -- sweeps ------------------------------------------------------------------------------------
def test_batch_path_prices_public_deadlines_and_leaves_new_mechanisms_to_the_engine():
    from negsim import batch
    from negsim.engine import round_arrays

    s = load_text(
        _deadline_game(
            "{round: 1, penalty: 0.02, public: true, audience_cost: 0.1, "
            "audience_cost_paid: every_round}"
        )
    )
    discount, flow = batch.Batch(s).point_arrays([{"actors.a.war_cost": 0.0}])
    # w_a(t) = benefit - penalty at round 1 - 0.1 from round 1 on: [0.05, -0.07, -0.1, -0.1]
    np.testing.assert_allclose(flow[0, 0, :, 0], [0.05, 0.05 - 0.12, -0.1, -0.1], atol=1e-15)
    np.testing.assert_array_equal(flow[0, 0], round_arrays(s).flow)
    for extra in (
        "leader: {issue: x, reference: 0.4, base_risk: 0.2, removal_loss: 0.5}",
        "ratifier: {midpoint: 0.3, steepness: 10}",
        "outside_option: {payoffs: {a: 0, b: 0.2}}",
    ):
        ok, why = batch.batch_supported(load_text(_leader_game(extra)))
        assert not ok and "need the engine" in why
