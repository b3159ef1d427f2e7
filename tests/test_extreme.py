"""Extreme but valid scenarios (issue 8): solved right, or refused with a reason.

Closed forms are asserted where they exist: Rubinstein without discounting (the last
proposer takes everything), the ultimatum game, perpetual war with no costs, Nash's equal
split between identical actors, Baron-Ferejohn with 12 members, and the limits of the
format (10,000 rounds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import negsim
from negsim import NegsimError, ScenarioError, SolveError
from negsim.models import baron_ferejohn


def pie_game(
    n: int,
    discount: float | list[float],
    rounds: int,
    terminal: str = "war",
    protocol: str = "",
) -> str:
    """YAML of n actors splitting a pie ``cake``; actors m0 .. m{n-1} propose in turn."""
    deltas = discount if isinstance(discount, list) else [discount] * n
    names = [f"m{i}" for i in range(n)]
    actors = "".join(
        f"  {a}: {{discount: {d}, salience: {{cake: 1}}}}\n"
        for a, d in zip(names, deltas, strict=True)
    )
    return (
        f"name: pie\nrounds: {rounds}\nterminal: {terminal}\n"
        f"issues:\n  cake: {{kind: pie, among: [{', '.join(names)}]}}\n"
        f"actors:\n{actors}{protocol}"
    )


def round0(result, concept: str = "spe") -> np.ndarray:
    rows = result.actors.query("concept == @concept and round == 0")
    return rows["payoff"].to_numpy()


# -- discounting ---------------------------------------------------------------------------
def test_discount_one_with_infinite_horizon_is_refused_with_the_reason():
    s = negsim.load_text(pie_game(2, 1, 3, "stationary"))
    with pytest.raises(SolveError) as info:
        negsim.solve(s)
    assert str(info.value) == (
        "a discount factor of 1 with 'terminal: stationary' has no stationary equilibrium "
        "(perpetual disagreement is worth nothing less than agreement); use a discount below 1 "
        "or 'terminal: war'"
    )


@pytest.mark.parametrize("offers", [1, 2, 3, 4, 5, 6])
def test_discount_one_with_finite_horizon_gives_the_last_proposer_everything(offers: int):
    # Rubinstein without discounting and T offers: whoever makes the last offer makes an
    # ultimatum, so every earlier offer already concedes it the whole pie.
    result = negsim.solve(negsim.load_text(pie_game(2, 1, offers)), concepts=["spe", "nash"])
    last = (offers - 1) % 2
    expected = np.zeros(2)
    expected[last] = 1.0
    assert_allclose(round0(result), expected, atol=1e-9)
    assert result.agreement_round == 0
    assert_allclose(round0(result, "nash"), [0.5, 0.5], atol=1e-6)


def test_one_round_is_the_ultimatum_game():
    result = negsim.solve(negsim.load_text(pie_game(2, 0.9, 1)), concepts=["spe"])
    assert_allclose(round0(result), [1.0, 0.0], atol=1e-9)
    assert_allclose(result.actors["threat_point"], [0.0, 0.0])
    assert result.agreement_round == 0


def test_thousand_rounds_finish_and_approach_rubinstein():
    # A hang is caught by pytest-timeout (pyproject); no duration is asserted here.
    result = negsim.solve(negsim.load_text(pie_game(2, [0.9, 0.8], 1000)), concepts=["spe"])
    assert_allclose(round0(result), [0.2 / 0.28, 1 - 0.2 / 0.28], atol=1e-9)  # (1-d2)/(1-d1 d2)
    assert len(result.rounds) == 1000


def test_rounds_are_limited_to_ten_thousand():
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(pie_game(2, 0.9, 10_001))
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("rounds", 2)
    assert problem.message == "expected a number <= 10000, found 10001"


def test_zero_war_costs_make_the_threat_point_the_discounted_war_outcome():
    text = """\
name: nocost
rounds: 3
issues:
  x: {kind: position, war_value: 0.2}
actors:
  a: {discount: 0.9, ideal: {x: 0}, salience: {x: 1}, war_cost: 0}
  b: {discount: 0.9, ideal: {x: 1}, salience: {x: 1}, war_cost: 0}
"""
    result = negsim.solve(negsim.load_text(text), concepts=["spe", "nash"])
    threat = result.actors.query("concept == 'spe'").pivot(
        index="round", columns="actor", values="threat_point"
    )
    # W(t) = delta^(T - t) u(war): a gets 1 - 0.2, b gets 0.2
    for t in range(3):
        assert_allclose(threat.loc[t], 0.9 ** (3 - t) * np.array([0.8, 0.2]), atol=1e-12)
    assert result.agreement_round == 0
    assert_allclose(round0(result).sum(), 1.0, atol=1e-9)  # opposite linear ideals: u_a + u_b = 1


# -- empty bargaining range, symmetry ---------------------------------------------------------
def test_red_lines_that_never_overlap_mean_no_deal_in_any_round():
    text = """\
name: deadlock
rounds: 4
issues:
  x: {kind: position, war_value: 0.5}
actors:
  a: {discount: 0.9, ideal: {x: 0}, salience: {x: 1}, red_lines: {x: {max: 0.3}}}
  b: {discount: 0.9, ideal: {x: 1}, salience: {x: 1}, red_lines: {x: {min: 0.7}}}
"""
    result = negsim.solve(negsim.load_text(text), concepts=["spe", "nash"])
    assert (result.rounds["deal"] == 0).all()
    assert result.agreement_round is None
    assert result.agreement["probability"].sum() == 0
    assert result.summary().splitlines()[1] == (
        "No deal: the SPE reaches no agreement within the horizon (probability 0.00)."
    )
    choice = result.solution.choices[0, 0][0]
    assert choice.reason == "the coalition's red lines do not overlap"
    # the numbers the tables promise are still there: threat points and continuations
    assert np.isfinite(result.actors[["threat_point", "continuation"]]).all().all()
    assert result.actors["payoff"].isna().all()


def test_identical_actors_split_equally_under_nash():
    text = """\
name: twins
rounds: 3
issues:
  cake: {kind: pie, among: [a, b]}
  x: {kind: position}
actors:
  a: {discount: 0.9, ideal: {x: 0.5}, salience: {cake: 1, x: 1}, war_cost: 0.1}
  b: {discount: 0.9, ideal: {x: 0.5}, salience: {cake: 1, x: 1}, war_cost: 0.1}
"""
    result = negsim.solve(negsim.load_text(text), concepts=["spe", "nash", "kalai_smorodinsky"])
    nash = result.rounds.query("concept == 'nash'")
    assert len(nash) == 3
    assert_allclose(nash[["cake.a", "cake.b"]], 0.5, atol=1e-6)
    assert_allclose(nash["x"], 0.5, atol=1e-6)
    payoff = result.actors.query("concept == 'nash'").pivot(
        index="round", columns="actor", values="payoff"
    )
    assert_allclose(payoff["a"], payoff["b"], atol=1e-6)
    assert_allclose(payoff["a"], 0.75, atol=1e-6)  # half the pie, ideal position
    threat = result.actors.query("concept == 'spe'").pivot(
        index="round", columns="actor", values="threat_point"
    )
    assert_allclose(threat["a"], threat["b"])


# -- many actors, many issues ------------------------------------------------------------
@pytest.mark.parametrize("delta", [0.5, 0.9])
def test_twelve_member_legislature_matches_baron_ferejohn(delta: float):
    # comb(11, 6) = 462 coalitions is past the enumeration limit: the engine buys the
    # cheapest votes, rotating through members tied at that price.
    recognition = ", ".join(f"m{i}: {1 / 12!r}" for i in range(12))
    protocol = f"protocol: {{recognition: {{{recognition}}}, quota: 7}}\n"
    s = negsim.load_text(pie_game(12, delta, 1, "stationary", protocol))
    result = negsim.solve(s, concepts=["spe"])
    closed = baron_ferejohn(12, delta, quota=7)
    assert_allclose(closed.proposer_share, 1 - delta * 6 / 12)
    choice = result.solution.choices[0, 0][0]
    assert choice.deal
    proposer = choice.proposer
    assert_allclose(choice.settlement.utilities[proposer], 1 - delta * 6 / 12, atol=1e-9)
    # each other member is a partner with probability 6/11 and is paid delta / 12 then
    others = np.delete(choice.settlement.utilities, proposer)
    assert_allclose(others, closed.partner_share[1] * closed.coalition_matrix[0, 1], atol=1e-9)
    assert_allclose(round0(result), closed.payoffs, atol=1e-9)
    assert_allclose(result.actors["continuation"], delta / 12, atol=1e-9)


def test_eight_position_issues_solve_to_a_split_of_total_utility():
    issues = "".join(f"  i{k}: {{kind: position, war_value: 0.5}}\n" for k in range(8))
    ideal_a = ", ".join(f"i{k}: 0" for k in range(8))
    ideal_b = ", ".join(f"i{k}: 1" for k in range(8))
    salience_a = ", ".join(f"i{k}: {k + 1}" for k in range(8))  # a cares about later issues
    salience_b = ", ".join(f"i{k}: {8 - k}" for k in range(8))  # b about earlier ones
    text = (
        f"name: eight\nrounds: 3\nissues:\n{issues}actors:\n"
        f"  a: {{discount: 0.9, war_cost: 0.05, ideal: {{{ideal_a}}}, salience: {{{salience_a}}}}}\n"
        f"  b: {{discount: 0.9, war_cost: 0.05, ideal: {{{ideal_b}}}, salience: {{{salience_b}}}}}\n"
    )
    result = negsim.solve(negsim.load_text(text), concepts=["spe", "nash"])
    assert result.agreement_round == 0
    nash = result.rounds.query("concept == 'nash' and round == 0").iloc[0]
    terms = np.array([nash[f"i{k}"] for k in range(8)])
    # logrolling: each side wins the issues it cares about more
    assert_allclose(terms[:4], 1.0, atol=1e-6)
    assert_allclose(terms[4:], 0.0, atol=1e-6)
    payoff = round0(result, "nash")
    assert_allclose(payoff, [26 / 36, 26 / 36], atol=1e-6)
    assert np.isfinite(result.actors[["threat_point", "continuation"]]).all().all()


def test_degenerate_stage_games_still_have_rows():
    text = """\
name: flat
rounds: 2
issues: {x: {}}
actors:
  a: {discount: 0.9, ideal: {x: 0}, salience: {x: 1}}
  b: {discount: 0.9, ideal: {x: 1}, salience: {x: 1}}
stage_games:
  flat:
    {row: a, col: b, row_strategies: [u, d], col_strategies: [l, r],
     row_payoffs: [[1, 1], [1, 1]], col_payoffs: [[1, 1], [1, 1]]}
  single:
    {row: a, col: b, row_strategies: [u], col_strategies: [l],
     row_payoffs: [[0]], col_payoffs: [[0]], method: lemke_howson}
  flat_vertex:
    {row: a, col: b, row_strategies: [u, d], col_strategies: [l, r],
     row_payoffs: [[1, 1], [1, 1]], col_payoffs: [[1, 1], [1, 1]], method: vertex_enumeration}
"""
    table = negsim.solve(negsim.load_text(text)).stage_games
    counts = table.groupby(["game", "round"]).size()
    assert counts[("single", 0)] == counts[("single", 1)] == 1
    assert counts[("flat", 0)] >= 1 and counts[("flat_vertex", 1)] >= 1
    assert (table["row_payoff"].where(table["game"] != "single", 1.0) == 1.0).all()
    assert table.query("game == 'single'")["row_payoff"].tolist() == [0.0, 0.0]


# -- numbers too large for floating point (regressions) ----------------------------------
BATTLE = """\
name: huge
rounds: 3
issues:
  x: {{kind: position}}
actors:
  a: {{discount: 0.9, ideal: {{x: 0}}, salience: {{x: 1}}, capacity: {cap}, war_cost: {cost}}}
  b: {{discount: 0.9, ideal: {{x: 1}}, salience: {{x: 1}}, capacity: {cap}}}
battlefield: {{issue: x, initial_control: 0.5, drift: 0.1, sides: {{a: [a, b], b: [b]}}}}
"""


def test_schedule_that_overflows_is_refused_when_loading():
    # an exponential war cost reaches inf by round 154; it used to pass validation and
    # crash scipy's linprog ("b_ub must not contain values inf, nan")
    text = BATTLE.format(cap=1, cost="{kind: exponential, start: 1, rate: 100}").replace(
        "rounds: 3", "rounds: 200"
    )
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(text)
    (problem,) = info.value.problems
    assert problem.path == "actors.a.war_cost"
    assert problem.message == "expected a finite number, found inf at round 154"
    assert problem.line == 6


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy warns of the overflow
def test_capacities_that_overflow_are_refused_by_the_solver():
    # 1e308 + 1e308 capacity on side a: the control path used to be NaN and every threat
    # point a silent NaN
    s = negsim.load_text(BATTLE.format(cap="1.0e+308", cost=0))
    with pytest.raises(SolveError) as info:
        negsim.solve(s)
    assert str(info.value) == (
        "the scenario's numbers overflow floating point: the capacity of battlefield side a "
        "(capacities plus support) reach inf at round 0"
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy warns of the overflow
def test_war_costs_that_overflow_the_values_are_refused():
    s = negsim.load_text(BATTLE.format(cap=1, cost="1.7e+308"))
    with pytest.raises(SolveError, match="the threat values overflow to infinity"):
        negsim.solve(s)


# -- faults: no lost output, identical output -------------------------------------------------
REGIMES = """\
name: seeded
rounds: 5
seed: 7
start_date: 2026-01-01
time_unit: month
issues:
  x: {kind: position, war_value: 0.3}
  cake: {kind: pie, among: [a, b]}
actors:
  a: {discount: 0.9, ideal: {x: 0}, salience: {x: 2, cake: 1}, capacity: 1, war_cost: 0.02}
  b: {discount: 0.95, ideal: {x: 1}, salience: {x: 1, cake: 1}, capacity: 2, war_cost: 0.01}
battlefield: {issue: x, initial_control: 0.3, drift: 0.05, sides: {a: [a], b: [b]}}
proposals:
  plan: {terms: {x: 0.5, cake: {a: 0.5, b: 0.5}}}
regimes:
  initial: calm
  states:
    calm: {}
    erratic: {changes: {actors.b.capacity: 0.5}}
  transition:
    calm: {calm: 0.8, erratic: 0.2}
    erratic: {calm: 0.5, erratic: 0.5}
  samples: 20
"""


@pytest.fixture(scope="module")
def seeded_result():
    return negsim.solve(negsim.load_text(REGIMES))


def _failing_write(self, folder, fmt="csv"):
    (folder / "rounds.csv").write_text("half a table\n")
    raise OSError("disk full")


def test_failed_save_leaves_no_folder_and_no_staging(tmp_path: Path, seeded_result, monkeypatch):
    monkeypatch.setattr(negsim.Result, "write_tables", _failing_write)
    target = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        seeded_result.save(target)
    assert list(tmp_path.iterdir()) == []  # neither out/ nor a .out.* staging folder


def test_failed_save_with_force_leaves_the_old_folder_untouched(
    tmp_path: Path, seeded_result, monkeypatch
):
    target = tmp_path / "out"
    seeded_result.save(target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    monkeypatch.setattr(negsim.Result, "write_tables", _failing_write)
    with pytest.raises(OSError, match="disk full"):
        seeded_result.save(target, force=True)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_interrupted_save_cleans_up(tmp_path: Path, seeded_result, monkeypatch):
    def interrupted(self, folder, fmt="csv"):
        (folder / "rounds.csv").write_text("half\n")
        raise KeyboardInterrupt

    monkeypatch.setattr(negsim.Result, "write_tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        seeded_result.save(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_to_overwrite_without_force(tmp_path: Path, seeded_result):
    target = tmp_path / "out"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    with pytest.raises(NegsimError, match="negsim did not write"):  # not even with force
        seeded_result.save(target, force=True)
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    seeded_result.save(tmp_path / "run")
    with pytest.raises(FileExistsError, match="pass force=True"):
        seeded_result.save(tmp_path / "run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "run"]


def test_same_inputs_and_seed_give_byte_identical_files(tmp_path: Path):
    first = negsim.solve(negsim.load_text(REGIMES)).save(tmp_path / "one")
    second = negsim.solve(negsim.load_text(REGIMES)).save(tmp_path / "two")
    names = sorted(p.name for p in first.iterdir())
    assert names == [
        "actors.csv",
        "agreement.csv",
        "metadata.json",
        "proposals.csv",
        "rounds.csv",
        "stage_games.csv",
    ]
    assert sorted(p.name for p in second.iterdir()) == names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # and the seed matters where there is randomness (the sampled regime paths)
    other = negsim.solve(negsim.load_text(REGIMES.replace("seed: 7", "seed: 8")))
    assert other.metadata["seed"] == 8
    assert not np.array_equal(
        other.solution.sampled_regimes,
        negsim.solve(negsim.load_text(REGIMES)).solution.sampled_regimes,
    )
