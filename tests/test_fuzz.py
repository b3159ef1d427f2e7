"""Fuzzing the loader and the engine with generated scenario documents (issue 8).

Properties:

* the loader raises :class:`~negsim.ScenarioError` and nothing else, whatever the input:
  broken documents, garbled YAML text, random text; every problem has a message and, since
  the input was text, a line number; no input takes more than the hypothesis deadline;
* every valid generated document loads, and ``solve(s, concepts=["spe", "nash"])`` either
  raises :class:`~negsim.SolveError` with a message or returns finite threat points and
  continuation values, deal probabilities in [0, 1] and payoffs in range (NaN only where
  there is no deal).

``make fuzz`` runs this file with ``HYPOTHESIS_PROFILE=fuzz`` (3,000 examples per test);
the default "ci" profile (tests/conftest.py) runs 100 per loader test and fewer solves.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import broken_docs, mutated_texts, scenario_docs

import negsim
from negsim import ScenarioError, SolveError
from negsim.yaml_source import dump_yaml

EXAMPLES = settings().max_examples  # from the loaded profile: "ci" 100, "fuzz" 3000
LOADER = settings(deadline=2000, suppress_health_check=[HealthCheck.too_slow])
SOLVER = settings(
    max_examples=max(EXAMPLES // 3, 20),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TOL = 1e-6


def _dump(doc) -> str:
    return dump_yaml(doc)


def _load_or_refuse(text: str):
    """``load_text(text)`` or None; any exception but ScenarioError fails the test."""
    try:
        return negsim.load_text(text, file="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError must list at least one problem"
        for problem in exc.problems:
            assert isinstance(problem.message, str) and problem.message.strip(), problem
            assert problem.file == "fuzz.yaml", problem
            assert isinstance(problem.line, int) and problem.line >= 1, problem
            assert str(problem) in str(exc)
        return None


# -- the loader ---------------------------------------------------------------------------
@LOADER
@given(scenario_docs())
def test_valid_documents_load_and_round_trip(doc):
    s = negsim.load_text(_dump(doc), file="fuzz.yaml")
    assert s.rounds == doc["rounds"]
    assert list(s.actors) == list(doc["actors"])
    assert negsim.load_text(s.to_yaml()) == s


@LOADER
@given(broken_docs())
def test_broken_documents_raise_only_scenario_error(doc):
    _load_or_refuse(_dump(doc))


@LOADER
@given(mutated_texts())
def test_garbled_yaml_raises_only_scenario_error(text):
    _load_or_refuse(text)


@LOADER
@given(st.text(max_size=200))
def test_random_text_raises_only_scenario_error(text):
    _load_or_refuse(text)


@LOADER
@given(st.binary(max_size=200))
def test_random_bytes_in_a_file_raise_only_scenario_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "bytes.yaml"
    path.write_bytes(data)
    try:
        negsim.load(path)
    except ScenarioError as exc:
        assert all(p.message.strip() and p.file == str(path) for p in exc.problems)


# -- the engine -----------------------------------------------------------------------------
def check_result(result) -> None:
    """The numbers a result promises are finite and in range."""
    actors, rounds = result.actors, result.rounds
    assert np.isfinite(actors["threat_point"]).all()
    assert np.isfinite(actors["continuation"]).all()
    assert rounds["deal"].between(-TOL, 1 + TOL).all()
    merged = actors.merge(rounds[["concept", "regime", "round", "deal"]], how="left")
    assert len(merged) == len(actors)
    dealt = merged[merged["deal"] > 0]
    assert np.isfinite(dealt["payoff"]).all(), dealt[~np.isfinite(dealt["payoff"])]
    payoff = merged["payoff"]
    known = payoff.notna()
    # a settlement's utility lies in [0, 1]; the SPE value mixes it with continuation
    # values, which war's private benefits can push above 1
    spe = merged["concept"] == "spe"
    low = np.where(spe, np.minimum(0.0, merged["continuation"]), 0.0)
    high = np.where(spe, np.maximum(1.0, merged["continuation"]), 1.0)
    assert (payoff[known] >= low[known] - TOL).all()
    assert (payoff[known] <= high[known] + TOL).all()
    agreement = result.agreement["probability"]
    assert agreement.between(-TOL, 1 + TOL).all() and agreement.sum() <= 1 + TOL
    assert result.agreement_round is None or 0 <= result.agreement_round < len(agreement)
    assert isinstance(result.summary(), str)


@SOLVER
@given(scenario_docs(max_actors=4, max_issues=3, max_rounds=6))
def test_valid_scenarios_solve_to_finite_numbers_or_say_why(doc):
    s = negsim.load_text(_dump(doc))
    try:
        result = negsim.solve(s, concepts=["spe", "nash"])
    except SolveError as exc:
        assert str(exc).strip()
        return
    assert set(result.rounds["concept"]) == {"spe", "nash"}
    check_result(result)


def test_check_result_catches_a_silent_nan():
    # the property above is only as good as its check: a NaN threat point must fail it
    s = negsim.load("textbook/rubinstein")
    result = negsim.solve(s, concepts=["spe", "nash"])
    check_result(result)
    result.actors.loc[0, "threat_point"] = math.nan
    with pytest.raises(AssertionError):
        check_result(result)
    assert isinstance(result.actors, pd.DataFrame)


def test_spe_value_may_exceed_one_when_waiting_pays():
    """Found by the fuzzer: the SPE value mixes a deal (utility <= 1) with the continuation
    of a round without one, which a private benefit of war can push above 1."""
    doc = {
        "name": "benefit",
        "rounds": 2,
        "issues": {"own": {"kind": "pie", "among": ["b"]}},
        "actors": {
            "a": {"discount": 1.0, "veto": True},
            "b": {"discount": 1.0, "salience": {"own": 1.0}, "private_benefit": 0.125},
        },
        "protocol": {"recognition": {"a": 0.5, "b": 0.5}},
    }
    result = negsim.solve(negsim.load_text(_dump(doc)), concepts=["spe", "nash"])
    check_result(result)
    b0 = result.actors.query("concept == 'spe' and round == 0 and actor == 'b'").iloc[0]
    # b proposes (gets the pie, 1) or a does (no deal: b keeps 0.125 + 1 next round)
    assert b0["continuation"] == pytest.approx(1.125)
    assert b0["payoff"] == pytest.approx(0.5 * 1.0 + 0.5 * 1.125)
