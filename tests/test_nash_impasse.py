"""Nash with the impasse point (``nash_impasse``) approximates the SPE as the period
shrinks (Binmore, Rubinstein & Wolinsky 1986); ``nash`` keeps the breakdown point."""

from __future__ import annotations

import math

import numpy as np
import pytest

import negsim
from negsim.engine.disagreement import impasse_points

R_A, R_B = 0.05, 0.10  # discount rates per unit of time
W_A, W_B = -0.01, -0.03  # payoff per unit of time while bargaining (a strike's cost)


def pie(dt: float) -> negsim.Scenario:
    """Two actors split a pie by alternating offers (a first), one round lasting dt:
    discount ``exp(-r dt)``, payoff ``w dt`` per round of disagreement."""
    return negsim.load_text(
        f"""
name: brw
rounds: 2
terminal: stationary
issues: {{pie: {{kind: pie, among: [a, b]}}}}
actors:
  a: {{discount: {math.exp(-R_A * dt)!r}, war_cost: {-W_A * dt!r}, salience: {{pie: 1}}}}
  b: {{discount: {math.exp(-R_B * dt)!r}, war_cost: {-W_B * dt!r}, salience: {{pie: 1}}}}
protocol: {{proposers: [a, b]}}
"""
    )


def shares(dt: float) -> dict[str, float]:
    result = negsim.solve(pie(dt), concepts=["spe", "nash", "nash_impasse"])
    rows = result.actors.query("round == 0 and actor == 'a'").set_index("concept")
    return rows["payoff"].to_dict()


def spe_share(dt: float) -> float:
    """Rubinstein with disagreement payoffs: a's share x when a proposes, y when b does.
    b accepts 1 - x = w_b dt + d_b (1 - y); a accepts y = w_a dt + d_a x, so
    x = (1 - d_b - w_b dt + d_b w_a dt) / (1 - d_a d_b)."""
    da, db = math.exp(-R_A * dt), math.exp(-R_B * dt)
    return (1 - db - W_B * dt + db * W_A * dt) / (1 - da * db)


def impasse_nash_share(dt: float) -> float:
    """Asymmetric Nash on the pie with impasse points ``I_i = w_i dt / (1 - d_i)`` (the
    disagreement payoffs for ever) and weights ``1 / r_i``: the first-order condition
    ``alpha_a / (x - I_a) = alpha_b / (1 - x - I_b)`` gives
    ``x = I_a + alpha_a (1 - I_a - I_b) / (alpha_a + alpha_b)``."""
    ia = W_A * dt / (1 - math.exp(-R_A * dt))
    ib = W_B * dt / (1 - math.exp(-R_B * dt))
    aa, ab = 1 / R_A, 1 / R_B
    return ia + aa * (1 - ia - ib) / (aa + ab)


LIMIT = (R_B * (1 - W_B / R_B) + R_A * (W_A / R_A)) / (R_A + R_B)  # 0.8: BRW's limit


@pytest.mark.parametrize("dt", [4.0, 1.0, 0.25, 1 / 16])
def test_engine_matches_the_closed_forms(dt: float) -> None:
    found = shares(dt)
    assert found["spe"] == pytest.approx(spe_share(dt), abs=1e-9)
    assert found["nash_impasse"] == pytest.approx(impasse_nash_share(dt), abs=1e-7)


def test_impasse_nash_converges_to_the_spe_as_the_period_shrinks() -> None:
    """|SPE - nash_impasse| falls in proportion to dt and both reach BRW's limit
    ``r_a (x - w_a / r_a) = r_b (1 - x - w_b / r_b)``, x = 0.8; ``nash`` (equal weights)
    stays away from it."""
    gaps = []
    for dt in [1.0, 0.25, 1 / 16]:
        found = shares(dt)
        gaps.append(abs(found["spe"] - found["nash_impasse"]))
        assert abs(found["spe"] - found["nash"]) > 0.2
    assert gaps[0] > 4 * gaps[1] * 0.9 and gaps[1] > 4 * gaps[2] * 0.9  # first order in dt
    assert gaps[2] < 2e-3
    assert spe_share(1e-6) == pytest.approx(LIMIT, abs=1e-5)
    assert impasse_nash_share(1e-6) == pytest.approx(LIMIT, abs=1e-5)


def test_nash_impasse_is_not_computed_unless_asked() -> None:
    result = negsim.solve(negsim.load("textbook/rubinstein"))
    assert "nash_impasse" not in set(result.actors["concept"])
    assert "nash_impasse" in negsim.CONCEPTS


def test_impasse_point_leaves_the_war_outcome_out() -> None:
    """textbook/commitment (terminal war, p(T) = 0.4): the impasse point values the last
    round's flows for ever, ``-c / (1 - delta) = -0.01 / 0.1 = -0.1`` at the horizon, and
    ``I(t) = -c + delta I(t + 1) = -0.1`` in every round, the same for both states, whose
    discount factors are equal too: the impasse Nash solution splits 0.5 / 0.5, while the
    breakdown point, which includes the war outcome 0.4, moves ``nash`` below 0.5."""
    result = negsim.solve(negsim.load("textbook/commitment"), concepts=["nash", "nash_impasse"])
    a = result.solution.arrays[0]
    impasse = impasse_points(a.flow[:, None], a.discount[:, None], np.ones((1, 1)))
    np.testing.assert_allclose(impasse[:, 0], -0.1, atol=1e-12)
    rounds = result.rounds.set_index(["concept", "round"])["territory"]
    np.testing.assert_allclose(rounds["nash_impasse"].to_numpy(), 0.5, atol=1e-7)
    assert (rounds["nash"].to_numpy() < 0.45).all()


def test_nash_impasse_refuses_discount_one() -> None:
    with pytest.raises(negsim.SolveError, match="below 1"):
        negsim.solve(negsim.load("textbook/fearon"), concepts=["nash_impasse"])
