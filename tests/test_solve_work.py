"""Work a solve leaves out (issue 20, item 3): the ex-ante pass where nothing reads it, and
the summary's counterfactuals solved once; the results themselves do not change.

The counts below are of calls (how many backward inductions ran), never of seconds.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim import load_text
from negsim.results import counterfactual

# a proposes every round; its private benefit of 0.05 in rounds 0-1 makes waiting worth more
# than any deal until round 2, so the deal comes at round 2 -- unless its public deadline at
# round 0 (audience cost 0.1) makes it settle at once (tests/test_issue18_mechanisms.py)
DEADLINE_GAME = """
name: dl
rounds: 4
issues: {x: {war_value: 0.5}}
actors:
  a:
    discount: 1
    ideal: {x: 1}
    salience: {x: 1}
    private_benefit: {kind: steps, initial: 0.05, steps: [{round: 2, value: 0}]}
    deadlines: [{round: 0, public: true, audience_cost: 0.1}]
  b: {discount: 1, ideal: {x: 0}, salience: {x: 1}}
protocol: {proposers: [a]}
"""

CLAIM = """
claims:
  deadline_bites:
    quote: "the deadline forces a deal"
    fields: [actors.a.deadlines.0.audience_cost]
    off: {actors.a.deadlines.0.audience_cost: 0.0}
    expect: [{output: agreement_round, direction: lowers}]
"""


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the scenarios the summary's counterfactuals solve, with an empty store."""
    calls: list[str] = []
    solved = counterfactual.solved

    def counting(record, scenario, concepts, **kwargs):  # noqa: ANN001, ANN202
        calls.append(scenario.name)
        return solved(record, scenario, concepts, **kwargs)

    monkeypatch.setattr(counterfactual, "solved", counting)
    monkeypatch.setattr(counterfactual, "_outcomes", {})
    return calls


@pytest.fixture
def ex_ante_passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ex-ante backward induction run while the test solves."""
    import negsim.result as result_module

    calls: list[int] = []
    original = result_module.ex_ante_values

    def counting(space, terminal):  # noqa: ANN001, ANN202
        calls.append(1)
        return original(space, terminal)

    monkeypatch.setattr(result_module, "ex_ante_values", counting)
    return calls


def test_deadline_named_by_a_claim_is_switched_off_in_place(solves: list[str]) -> None:
    """Removing deadline 0 from the list broke the claim's path ``deadlines.0`` (a
    ScenarioError from the summary of variants/us_hard_deadline); the counterfactual now
    makes it not credible, which leaves its costs out exactly as removing it would."""
    result = negsim.solve(load_text(DEADLINE_GAME + CLAIM), ["spe"])
    assert result.agreement_round == 0
    assert "changes the outcome: a deal at round 0" in result.summary()
    assert "instead of a deal at round 2" in result.summary()
    no_deadline = DEADLINE_GAME.replace(
        "    deadlines: [{round: 0, public: true, audience_cost: 0.1}]\n", ""
    )
    removed = negsim.solve(load_text(no_deadline), ["spe"])
    assert removed.agreement_round == 2


def test_summary_solves_each_counterfactual_once(solves: list[str]) -> None:
    result = negsim.solve(load_text(DEADLINE_GAME), ["spe"])
    first = result.summary()
    assert solves == ["dl"]
    assert result.summary() == first  # the report, then the terminal: no second solve
    again = negsim.solve(load_text(DEADLINE_GAME), ["spe"])
    assert again.summary() == first
    assert solves == ["dl"]


def test_counterfactuals_and_worlds_run_no_ex_ante_pass(
    solves: list[str], ex_ante_passes: list[int]
) -> None:
    result = negsim.solve(load_text(DEADLINE_GAME), ["spe"])
    assert ex_ante_passes == []  # left to the first read of the actors table
    result.summary()
    assert solves == ["dl"] and ex_ante_passes == [1]  # the counterfactual reads no ex-ante
    worlds = load_text(DEADLINE_GAME).with_changes({"worlds": {"only": {"changes": {}}}})
    believed = negsim.solve(worlds, ["spe"])
    assert ex_ante_passes == [1]  # worlds: the value is not reported, so not computed
    assert believed.actors["ex_ante"].isna().all()


def test_ex_ante_pass_runs_on_the_first_read_of_the_actors_table(
    ex_ante_passes: list[int], tmp_path: Path
) -> None:
    """A solve runs no ex-ante pass until its actors table is read, then exactly one;
    the column is then the leverage module's values (random recognition, written out
    here), in the saved table, a pickled copy and a reloaded one alike."""
    from negsim.engine import solve_scenario
    from negsim.results.leverage import ex_ante_values

    scenario = negsim.load("textbook/baron_ferejohn")
    result = negsim.solve(scenario, ["spe", "nash"])
    outcome = (result.agreement_round, result.terms(), result.rounds["deal"].sum())
    copy = pickle.loads(pickle.dumps(result))
    assert ex_ante_passes == [] and outcome[0] == 0
    table = result.actors
    assert ex_ante_passes == [1]
    assert result.actors is table and ex_ante_passes == [1]  # computed once
    sol = solve_scenario(scenario, ("spe",))
    values = ex_ante_values(sol.space, scenario.terminal)  # (T + 1, R, N)
    spe = table[table["concept"] == "spe"]
    expected = values[spe["round"].to_numpy(), 0, spe["actor"].map(sol.arrays[0].actors.index)]
    np.testing.assert_array_equal(spe["ex_ante"].to_numpy(), expected)
    nash = table[table["concept"] == "nash"]
    np.testing.assert_array_equal(nash["ex_ante"].to_numpy(), spe["ex_ante"].to_numpy())
    pd.testing.assert_frame_equal(copy.actors, table)  # the copy runs its own pass
    assert ex_ante_passes == [1, 1]
    loaded = negsim.Result.load(result.save(tmp_path / "run"))
    np.testing.assert_allclose(loaded.actors["ex_ante"], table["ex_ante"], rtol=1e-12)
    replaced = negsim.solve(scenario, ["spe"])
    replaced.actors = table.iloc[:2]  # a table set by hand is kept as set, with no pass
    assert len(replaced.actors) == 2 and ex_ante_passes == [1, 1]


def test_solve_without_ex_ante_changes_nothing_else(ex_ante_passes: list[int]) -> None:
    scenario = negsim.load("textbook/baron_ferejohn")
    full = negsim.solve(scenario, ["spe", "nash"])
    lean = negsim.solve(scenario, ["spe", "nash"], ex_ante=False)
    full.actors  # noqa: B018  # the first read runs the ex-ante pass
    assert ex_ante_passes == [1]
    assert lean.actors["ex_ante"].isna().all() and full.actors["ex_ante"].notna().all()
    pd.testing.assert_frame_equal(
        lean.actors.drop(columns="ex_ante"), full.actors.drop(columns="ex_ante")
    )
    for table in ("rounds", "proposals", "agreement"):
        pd.testing.assert_frame_equal(getattr(lean, table), getattr(full, table))
    np.testing.assert_array_equal(lean.solution.value, full.solution.value)
