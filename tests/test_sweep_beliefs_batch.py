"""Sweeps over priors (``beliefs.*``) and the signal's accuracy (``learning.accuracy``) of
linear scenarios with worlds run on the batch path (:mod:`negsim.engine.belief_points`).

Each batch-path table is held equal, column by column to 1e-9 and error by error, to the
same sweep with every point sent to :func:`negsim.solve` (the per-point path), and its
analyst outcome is read again straight from ``negsim.solve`` of the point's scenario
(``result.deal_probability``, ``result.actors``, ``result.terms``), not through the code
under test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import negsim
import negsim.results.solved
from negsim.batch import batch_supported
from negsim.engine.belief_points import BeliefBatch
from negsim.sweeps import sweep


def _prior(first: str, second: str, q: float) -> dict[str, float]:
    return {first: q, second: round(1.0 - q, 12)}


def _opt(q: float) -> dict[str, float]:
    return _prior("a_strong", "b_strong", q)


#: accuracy 0.5 is uninformative with two worlds (1/K), 1 reveals the world after round 0;
#: a steps schedule mixes an uninformative round with two informative values; priors with
#: a zero, an analyst that is not uniform, and points whose prior does not sum to 1 or names
#: an unknown world or whose accuracy is below 1/K (error rows)
STEPS = {
    "kind": "steps",
    "initial": 0.5,
    "steps": [{"round": 2, "value": 0.8}, {"round": 5, "value": 0.6}],
}
OPTIMISM_GRID = {
    "learning.accuracy": [0.5, 0.6, 0.75, 0.9, 1.0, STEPS, 0.3],
    "beliefs.a": [_opt(0.3), _opt(0.8), _opt(1.0), {"a_strong": 0.7}, {"nowhere": 1.0}],
    "beliefs.analyst": [_opt(0.5), _opt(0.15)],
}
HESITATION_GRID = {
    "learning.accuracy": [0.5, 0.6, 0.85],
    "beliefs.russia": [_prior("us_stays", "us_disengages", q) for q in (0.3, 0.9)],
}


def _per_point(
    monkeypatch: pytest.MonkeyPatch, scenario: negsim.Scenario, **kwargs
) -> pd.DataFrame:
    """The same sweep with every point left to negsim.solve (the batch path takes none)."""
    with monkeypatch.context() as m:
        m.setattr(BeliefBatch, "fast_point", lambda self, point: False)
        return sweep(scenario, backend="serial", progress=False, **kwargs)


def _assert_same(batch: pd.DataFrame, engine: pd.DataFrame) -> None:
    assert list(batch.columns) == list(engine.columns)
    numeric = [c for c in batch.columns if c not in {"concept", "actor", "error"}]
    numeric = [c for c in numeric if pd.api.types.is_numeric_dtype(batch[c])]
    a, b = batch[numeric].to_numpy(float), engine[numeric].to_numpy(float)
    assert (np.isnan(a) == np.isnan(b)).all()
    assert_allclose(np.nan_to_num(a), np.nan_to_num(b), atol=1e-9, rtol=0)
    assert batch["error"].fillna("").tolist() == engine["error"].fillna("").tolist()


def _solved_row(result: negsim.Result) -> dict[str, float]:
    """The analyst's outcome of a solved point, read from the result's own tables."""
    table = result.deal_probability
    rows = table[(table["perspective"] == "analyst") & (table["concept"] == "spe")]
    p = rows.sort_values("round")["deal"].to_numpy(dtype=float)
    T = len(p)
    cumulative = np.cumsum(p)
    reached = [t for t in range(T) if cumulative[t] >= 0.5 - 1e-9]
    row = {
        "agreement_round": float(reached[0]) if reached else math.nan,
        "agreement_probability": float(cumulative[-1]),
        "expected_agreement_round": float(sum(t * p[t] for t in range(T)) + T * (1 - p.sum())),
        "war_probability": max(0.0, float(1 - p.sum())),
        "deal_now": float(p[0]),
    }
    a = result.actors
    first = a[(a["concept"] == "spe") & (a["round"] == 0) & (a["regime"] == a["regime"].iloc[0])]
    for actor, payoff, continuation in zip(
        first["actor"], first["payoff"], first["continuation"], strict=True
    ):
        row[f"payoff.{actor}"] = payoff if np.isfinite(payoff) else continuation
    for issue, term in result.terms("spe").items():
        row[f"terms.{issue}"] = term
    return row


def test_batch_path_covers_linear_scenarios_with_worlds():
    ok, why = batch_supported(negsim.load("textbook/optimism"))
    assert ok and "beliefs.* and learning.accuracy" in why
    ok, why = batch_supported(negsim.load("variants/hesitation_read"))
    assert ok and "2 regimes" in why
    curved = negsim.load("textbook/optimism").with_changes({"actors.a.curvature": 2.0})
    assert batch_supported(curved) == (
        False,
        "non-linear utilities (curvature other than 1) need the engine",
    )


@pytest.mark.parametrize("outputs", ["summary", "actors"])
def test_optimism_rows_equal_the_per_point_path(monkeypatch, outputs):
    scenario = negsim.load("textbook/optimism")
    batch = sweep(scenario, grid=OPTIMISM_GRID, backend="serial", progress=False, outputs=outputs)
    engine = _per_point(monkeypatch, scenario, grid=OPTIMISM_GRID, outputs=outputs)
    _assert_same(batch, engine)
    if outputs == "summary":
        # the two invalid priors of A and the accuracy 0.3 < 1/2, alone and together
        errors = batch["error"].fillna("")
        prior = batch["beliefs.a"].map(lambda p: p in ({"a_strong": 0.7}, {"nowhere": 1.0}))
        accuracy = batch["learning.accuracy"].map(lambda a: a == 0.3)
        assert (errors.str.contains("beliefs.a") == prior).all()
        assert (errors.str.contains("learning.accuracy") == accuracy).all()
        assert (errors != "").sum() == 2 * (7 * 5 - 6 * 3)
        # the grid reaches deals at round 0, later deals and wars
        assert {0.0, 1.0} <= set(batch["deal_now"].dropna())
        assert (batch["expected_agreement_round"].dropna() > 1).any()


def test_optimism_rows_are_the_solved_equilibrium():
    scenario = negsim.load("textbook/optimism")
    grid = {"learning.accuracy": [0.5, 0.8, STEPS], "beliefs.b": [_opt(0.2), _opt(0.6)]}
    table = sweep(scenario, grid=grid, backend="serial", progress=False)
    for k, row in table.iterrows():
        point = {"learning.accuracy": row["learning.accuracy"], "beliefs.b": row["beliefs.b"]}
        expected = _solved_row(negsim.solve(scenario.with_changes(point), ex_ante=False))
        got = [float(row[c]) for c in expected]
        assert_allclose(got, list(expected.values()), atol=1e-9, rtol=0, err_msg=f"{k}")


def test_scaled_accuracy_schedules_equal_the_per_point_path(monkeypatch):
    """``scale`` turns the accuracy into scaled schedules (a factor 1.5 gives 1.125: an error)."""
    scenario = negsim.load("textbook/optimism")
    kwargs = {"scale": {"learning.accuracy": [0.7, 1.0, 4 / 3, 1.5]}}
    batch = sweep(scenario, backend="serial", progress=False, **kwargs)
    _assert_same(batch, _per_point(monkeypatch, scenario, **kwargs))
    assert batch["error"].notna().tolist() == [False, False, False, True]


def test_multi_regime_scenario_rows_equal_the_per_point_path(monkeypatch):
    scenario = negsim.load("variants/hesitation_read")
    batch = sweep(scenario, grid=HESITATION_GRID, backend="serial", progress=False)
    engine = _per_point(monkeypatch, scenario, grid=HESITATION_GRID)
    _assert_same(batch, engine)
    assert batch["error"].isna().all()
    # a deal at round 25 on terms, whose value to Russia moves with its prior (a little
    # less the more it expects the US to stay)
    assert (batch["agreement_round"] == 25).all() and batch["terms.territory"].notna().all()
    assert batch["payoff.russia"].nunique() > 1


def test_the_batch_path_solves_belief_points_without_the_engine(monkeypatch):
    """Belief points never reach negsim.solve's subjective SPE; other points (a discount),
    and points the scenario's validation refuses, still do, one solve each."""
    calls = []
    solve = negsim.results.solved.solve_beliefs

    def counted(scenario, concepts):
        calls.append(scenario)
        return solve(scenario, concepts)

    monkeypatch.setattr(negsim.results.solved, "solve_beliefs", counted)
    scenario = negsim.load("textbook/optimism")
    grid = {"learning.accuracy": [0.6, 0.9], "beliefs.a": [_opt(0.4), _opt(0.9)]}
    table = sweep(scenario, grid=grid, backend="serial", progress=False)
    assert table["error"].isna().all() and calls == []
    sweep(scenario, grid={"actors.a.discount": [0.95]}, backend="serial", progress=False)
    assert len(calls) == 1


def test_local_processes_give_the_serial_table():
    """Worker processes prepare the scenario with worlds themselves; chunks change nothing."""
    scenario = negsim.load("textbook/optimism")
    grid = {"learning.accuracy": [0.6, 0.8, 1.0], "beliefs.a": [_opt(0.4), _opt(0.9)]}
    serial = sweep(scenario, grid=grid, backend="serial", progress=False)
    local = sweep(scenario, grid=grid, backend="local", workers=2, chunk_size=2, progress=False)
    pd.testing.assert_frame_equal(local, serial)


def test_one_world_of_a_prior_is_swept_with_the_other_worlds_following() -> None:
    """``--grid beliefs.a.a_strong=...`` on a two-world scenario: b_strong is 1 - a_strong
    (the rows equal a sweep over whole priors); before, every point was refused because
    the prior no longer summed to 1."""
    scenario = negsim.load("textbook/optimism")
    values = [0.1, 0.6, 0.9]
    one = sweep(scenario, grid={"beliefs.a.a_strong": values}, backend="serial", progress=False)
    whole = sweep(
        scenario,
        grid={"beliefs.a": [{"a_strong": v, "b_strong": 1.0 - v} for v in values]},
        backend="serial",
        progress=False,
    )
    assert "error" not in one or one["error"].isna().all()
    outputs = [c for c in one.columns if c not in ("point", "beliefs.a.a_strong")]
    pd.testing.assert_frame_equal(one[outputs], whole[outputs])
    assert one["expected_agreement_round"].nunique() > 1  # the prior matters here


def test_complete_priors_keeps_the_relative_weights_of_the_worlds_not_set() -> None:
    from negsim.sweeps import complete_priors

    base = negsim.load("textbook/optimism")
    worlds = {
        w: world.model_dump(mode="json", exclude_none=True) for w, world in base.worlds.items()
    }
    scenario = base.with_changes(
        {
            "worlds": {**worlds, "c_even": {"label": "an even war"}},
            "beliefs.a": {"a_strong": 0.5, "b_strong": 0.3, "c_even": 0.2},
        }
    )
    point = complete_priors(scenario, {"beliefs.a.a_strong": 0.2, "actors.a.discount": 0.9})
    assert point["actors.a.discount"] == 0.9
    prior = point["beliefs.a"]
    assert prior["a_strong"] == 0.2
    assert prior["b_strong"] == pytest.approx(0.8 * 0.3 / 0.5, abs=1e-15)
    assert prior["c_even"] == pytest.approx(0.8 * 0.2 / 0.5, abs=1e-15)
    # b holds no weight on c_even: the two worlds not set share 0.6 as 0.8 : 0
    assert complete_priors(scenario, {"beliefs.b.a_strong": 0.4})["beliefs.b"] == pytest.approx(
        {"a_strong": 0.4, "b_strong": 0.6, "c_even": 0.0}
    )
    for bad in ({"beliefs.a.a_strong": 1.2}, {"beliefs.a.a_strong": "high"}):
        assert complete_priors(scenario, bad) == bad  # validation reports it
