"""The engine's invariants, results, explanations and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import negsim
from negsim.models import commitment_problem

FIRST_EDITION = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"  # issue 19


@pytest.fixture(scope="module")
def ukraine() -> negsim.Result:
    return negsim.solve(negsim.load(FIRST_EDITION / "ukraine_2025.yaml"))


def test_tables_have_expected_shapes(ukraine: negsim.Result) -> None:
    T, N = 36, 4
    concepts = len(negsim.DEFAULT_CONCEPTS)
    regimes = 2
    assert len(ukraine.rounds) == concepts * regimes * T
    assert len(ukraine.actors) == concepts * regimes * T * N
    assert set(ukraine.actors["actor"]) == {"russia", "ukraine", "us", "europe"}
    assert len(ukraine.proposals) == regimes * T * 2 * N
    assert list(ukraine.agreement.columns) == ["round", "probability", "cumulative"]
    assert ukraine.agreement["probability"].sum() == pytest.approx(1.0)
    for column in ("territory", "sanctions", "guarantees", "neutrality", "control", "ripe", "deal"):
        assert column in ukraine.rounds


def test_responders_get_at_least_their_continuation(ukraine: negsim.Result) -> None:
    sol = ukraine.solution
    checked = 0
    for (t, r), choices in sol.choices.items():
        for choice in choices:
            if not choice.deal:
                continue
            for i in choice.coalition:
                if i != choice.proposer:
                    assert choice.settlement.utilities[i] >= sol.continuation[t, r, i] - 1e-7
                    checked += 1
    assert checked > 100


def test_veto_players_get_at_least_their_threat_point(ukraine: negsim.Result) -> None:
    spe = ukraine.actors.query("concept == 'spe' and veto")
    assert (spe["payoff"] >= spe["threat_point"] - 1e-7).all()


def test_deal_iff_feasible_and_proposer_prefers(ukraine: negsim.Result) -> None:
    sol = ukraine.solution
    for (t, r), choices in sol.choices.items():
        for choice in choices:
            if choice.settlement is None:
                assert not choice.deal
            else:
                prefers = (
                    choice.settlement.utilities[choice.proposer]
                    >= sol.continuation[t, r, choice.proposer] - 1e-9
                )
                assert choice.deal == prefers


def test_settlements_respect_red_lines(ukraine: negsim.Result) -> None:
    rows = ukraine.rounds.query("concept == 'spe' and deal > 0")
    s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml")
    # Ukraine's territorial red line: at most 0.5 + 0.01 t, capped at 0.85
    limit = np.minimum(0.5 + 0.01 * rows["round"].to_numpy(), 0.85)
    assert (rows["territory"].to_numpy() <= limit + 1e-7).all()
    assert (
        rows["guarantees"].to_numpy() <= s.actors["russia"].red_lines["guarantees"].max.value + 1e-7
    ).all()


def test_same_scenario_same_numbers(ukraine: negsim.Result) -> None:
    again = negsim.solve(negsim.load(FIRST_EDITION / "ukraine_2025.yaml"))
    pd.testing.assert_frame_equal(again.actors, ukraine.actors)
    pd.testing.assert_frame_equal(again.rounds, ukraine.rounds)
    np.testing.assert_array_equal(again.solution.sampled_control, ukraine.solution.sampled_control)


def test_control_paths_of_many_samples_follow_the_recursion() -> None:
    """``control_path`` of (S, T) capacities (the sampled regime paths, at once) is, row by
    row, ``p(t+1) = min(max(p(t) + kappa(t) (A - B) / (A + B), 0), 1)`` (0 without
    capacity), written out here; paths hit both bounds."""
    from negsim.engine.arrays import control_path

    rng = np.random.default_rng(3)
    drift = rng.uniform(0.0, 0.4, size=12)
    cap_a, cap_b = rng.uniform(0, 3, size=(2, 4, 12))
    cap_a[1], cap_b[2] = 10 * cap_b[1], 10 * cap_a[2]  # one path to each bound
    cap_a[3, ::3] = cap_b[3, ::3] = 0.0  # rounds without capacity
    paths = control_path(0.5, drift, cap_a, cap_b)
    for a, b, path in zip(cap_a, cap_b, paths, strict=True):
        p = [0.5]
        for t in range(12):
            step = drift[t] * (a[t] - b[t]) / (a[t] + b[t]) if a[t] + b[t] > 0 else 0.0
            p.append(min(max(p[-1] + step, 0.0), 1.0))
        np.testing.assert_array_equal(path, p)
    assert paths.max() == 1.0 and paths.min() == 0.0


def test_ukraine_regression(ukraine: negsim.Result) -> None:
    """Summary figures of the shipped scenario (update deliberately when the model changes)."""
    assert ukraine.agreement_round == 0
    terms = ukraine.terms("spe", 0)
    assert terms["territory"] == pytest.approx(0.5, abs=1e-3)  # Ukraine's red line binds
    assert terms["neutrality"] == pytest.approx(1.0, abs=1e-3)
    control = ukraine.rounds.query("concept == 'spe' and regime == 'pressure_ukraine'")["control"]
    assert control.iloc[0] == pytest.approx(0.75)
    assert 0.9 < control.iloc[-1] < 1.0  # Russia advances slowly but steadily
    text = ukraine.summary()
    assert "Deal: the SPE agreement comes at month 0 (Nov 2025)" in text
    assert "Proposal 'plan_27' accepted by:" in text


def test_explain_names_binding_constraints(ukraine: negsim.Result) -> None:
    text = ukraine.explain(round=0)
    assert "Proposer: United States." in text
    assert "binding" in text
    assert "DEAL" in text
    with pytest.raises(ValueError, match="round must be in 0..35"):
        ukraine.explain(round=99)


def test_save_and_load_round_trip(ukraine: negsim.Result, tmp_path) -> None:
    folder = ukraine.save(tmp_path / "run")
    loaded = negsim.Result.load(folder)
    pd.testing.assert_frame_equal(loaded.actors, ukraine.actors, check_dtype=False)
    pd.testing.assert_frame_equal(loaded.agreement, ukraine.agreement, check_dtype=False)
    assert (
        loaded.metadata["scenario_hash"]
        == negsim.load(FIRST_EDITION / "ukraine_2025.yaml").content_hash()
    )
    assert loaded.metadata["negsim_version"] == negsim.__version__
    assert loaded.metadata["seed"] == 2025
    with pytest.raises(FileExistsError, match="--force"):
        ukraine.save(folder)
    ukraine.save(folder, force=True)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "actors.csv",
            "agreement.csv",
            "metadata.json",
            "proposals.csv",
            "rounds.csv",
            "stage_games.csv",
        ]
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_stationary_tail_with_discount_one_is_refused() -> None:
    s = negsim.load("textbook/rubinstein").with_changes(
        {"actors.alice.discount": 1.0, "actors.bob.discount": 1.0}
    )
    with pytest.raises(negsim.SolveError, match="discount factor of 1"):
        negsim.solve(s)


def test_unknown_concept_is_refused() -> None:
    with pytest.raises(negsim.SolveError, match="unknown concept"):
        negsim.solve(negsim.load("textbook/ultimatum"), concepts=["nahs"])


def test_commitment_problem_contrast() -> None:
    """Powell's condition says war for this shift; the engine, with binding deals, agrees at once."""
    powell = commitment_problem(p_now=0.9, p_next=0.5, delta=0.9, cost_a=0.01, cost_b=0.01)
    assert powell.war_unavoidable
    assert negsim.solve(negsim.load("textbook/commitment"), concepts=["spe"]).agreement_round == 0


@settings(max_examples=15, deadline=None)
@given(d1=st.floats(0.05, 0.95), d2=st.floats(0.05, 0.95), bump=st.floats(0.0, 0.04))
def test_more_patience_never_hurts(d1: float, d2: float, bump: float) -> None:
    """Two actors: raising one's discount factor never lowers its equilibrium payoff."""
    base = negsim.load("textbook/rubinstein_finite").with_changes({"rounds": 6})

    def alice_payoff(delta: float) -> float:
        s = base.with_changes({"actors.alice.discount": delta, "actors.bob.discount": d2})
        row = negsim.solve(s, concepts=["spe"]).actors.query(
            "concept == 'spe' and round == 0 and actor == 'alice'"
        )
        return float(row["payoff"].iloc[0])

    assert alice_payoff(min(d1 + bump, 0.99)) >= alice_payoff(d1) - 1e-9


@settings(max_examples=15, deadline=None)
@given(d1=st.floats(0.05, 0.95), d2=st.floats(0.05, 0.95), rounds=st.integers(1, 8))
def test_shares_sum_to_one_and_responder_gets_continuation(
    d1: float, d2: float, rounds: int
) -> None:
    s = negsim.load("textbook/rubinstein_finite").with_changes(
        {"rounds": rounds, "actors.alice.discount": d1, "actors.bob.discount": d2}
    )
    result = negsim.solve(s, concepts=["spe"])
    spe = result.rounds.query("concept == 'spe'")
    assert_allclose(spe["dollar.alice"] + spe["dollar.bob"], 1.0, atol=1e-9)
    actors = result.actors.query("concept == 'spe'")
    assert (actors["payoff"] >= actors["continuation"] - 1e-9).all()


def test_cycling_stationary_tail_is_refused_with_the_reason(monkeypatch) -> None:
    """When value iteration cycles and no mixing equilibrium is found, the engine says so
    (the search for one is switched off here: it succeeds in every case we know)."""
    import negsim.engine.bellman

    monkeypatch.setattr(negsim.engine.bellman, "mixed_stationary_values", lambda *args: None)
    s = negsim.load("textbook/baron_ferejohn").with_changes(
        {"actors.m1.discount": 0.5, "actors.m2.discount": 0.7}
    )
    with pytest.raises(negsim.SolveError, match="offers cycle instead of settling") as info:
        negsim.solve(s, concepts=["spe"])
    assert "within 1,049 rounds" in str(info.value)
