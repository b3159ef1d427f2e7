"""Sweeps of scenarios with private types or worlds report the equilibrium actually solved.

Each summary row is checked against ``negsim.solve`` of the point's scenario, read here
straight from ``result.deal_probability`` (the analyst's ``P(deal at t)``), ``result.types``
(its ``value`` per type and ``expected.ACTOR`` under the prior) and ``result.actors`` -- not through :mod:`negsim.results.outcomes` -- and the screening
point at A's base patience against the closed form of ``scenarios/textbook/screening.yaml``
(Fudenberg & Tirole 1991, sec. 10.2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import negsim
from negsim.cli_sweep import sweep_command
from negsim.sweeps import sweep

#: (scenario, swept path, values): the screening grid has a point where A buys both types
#: off at once (0.5) and two where it screens; the optimism grid a deal at round 0, at
#: round 1, and a chance of war (0.99, the base value).
CASES = [
    ("textbook/screening", "actors.a.discount", [0.5, 0.95, 1.0]),
    ("textbook/optimism", "actors.a.discount", [0.95, 0.97, 0.99]),
]


def _analyst_deal(result: negsim.Result) -> np.ndarray:
    """P(deal at t), t = 0..T-1: the prior-weighted screening row or the analyst's SPE."""
    table = result.deal_probability
    if "type" in table:
        rows = table[table["type"] == "all"].sort_values("round")
        return rows["probability"].to_numpy(dtype=float)
    rows = table[(table["perspective"] == "analyst") & (table["concept"] == "spe")]
    return rows.sort_values("round")["deal"].to_numpy(dtype=float)


def _expected_row(result: negsim.Result) -> dict[str, float]:
    p = _analyst_deal(result)
    T = len(p)
    cumulative = [sum(p[: t + 1]) for t in range(T)]
    median = next((t for t, c in enumerate(cumulative) if c >= 0.5 - 1e-9), math.nan)
    row = {
        "agreement_round": float(median),
        "agreement_probability": cumulative[-1],
        "expected_agreement_round": sum(t * p[t] for t in range(T)) + T * (1 - sum(p)),
        "war_probability": max(0.0, 1 - sum(p)),
        "deal_now": p[0],
    }
    a = result.actors
    first = a[(a["concept"] == "spe") & (a["round"] == 0) & (a["regime"] == "base")]
    for actor, payoff, continuation in zip(
        first["actor"], first["payoff"], first["continuation"], strict=True
    ):
        row[f"payoff.{actor}"] = payoff if np.isfinite(payoff) else continuation
    screening = result.metadata.get("screening")
    if screening:
        ty = result.types
        start = ty[(ty["round"] == 0) & (ty["state"] == ",".join(screening["types"]))]
        value = dict(zip(start["type"], start["value"], strict=True))
        row[f"payoff.{screening['actor']}"] = sum(
            prior * value[name]
            for name, prior in zip(screening["types"], screening["prior"], strict=True)
        )
        for actor in first["actor"]:  # the others' view: their value under the prior
            if actor != screening["actor"]:
                row[f"payoff.{actor}"] = float(start[f"expected.{actor}"].iloc[0])
    for issue, term in result.terms("spe").items():
        row[f"terms.{issue}"] = term
    return row


@pytest.mark.parametrize(("name", "path", "values"), CASES)
def test_summary_rows_are_the_solved_equilibrium(name: str, path: str, values: list[float]):
    scenario = negsim.load(name)
    table = sweep(scenario, grid={path: values}, backend="serial", progress=False)
    assert table["error"].isna().all()
    for k, value in enumerate(values):
        result = negsim.solve(scenario.with_changes({path: value}), ex_ante=False)
        expected = _expected_row(result)
        got = {column: float(table.loc[k, column]) for column in expected}
        np.testing.assert_allclose(
            list(got.values()), list(expected.values()), rtol=0, atol=1e-12, err_msg=f"{k}"
        )


def test_screening_base_point_matches_the_closed_form():
    """At A's base patience (1.0) A screens: the pragmatic B (prior 0.6) settles at round 0
    for nothing, the resolute B (0.4) at round 1 for 0.2, worth 0.5 * 0.2 to it at round 0;
    A (patient) expects 0.6 * 1 + 0.4 * 0.8."""
    table = sweep(
        negsim.load("textbook/screening"),
        grid={"actors.a.discount": [1.0]},
        backend="serial",
        progress=False,
    )
    row = table.iloc[0]
    assert row["deal_now"] == pytest.approx(0.6, abs=1e-12)
    assert row["expected_agreement_round"] == pytest.approx(0.4, abs=1e-12)
    assert row["war_probability"] == pytest.approx(0.0, abs=1e-12)
    assert row["agreement_probability"] == pytest.approx(1.0, abs=1e-12)
    assert row["agreement_round"] == 0.0  # 0.6 of the deals come at round 0
    assert row["payoff.b"] == pytest.approx(0.6 * 0.0 + 0.4 * 0.5 * 0.2, abs=1e-12)
    assert row["payoff.a"] == pytest.approx(0.6 * 1.0 + 0.4 * 0.8, abs=1e-12)  # A: patient


def test_complete_information_sweeps_have_no_belief_columns():
    table = sweep(
        negsim.load("textbook/rubinstein_finite"),
        grid={"actors.alice.discount": [0.5]},
        backend="serial",
        progress=False,
    )
    assert not {"expected_agreement_round", "war_probability", "deal_now"} & set(table)


def test_cli_report_of_a_worlds_sweep(tmp_path):
    """The CLI writes the same table and a report; every point has a payoff (the value of
    the game at round 0), so none is listed as having no value."""
    out = tmp_path / "opt"
    res = CliRunner().invoke(
        sweep_command,
        ["textbook/optimism", "--grid", "actors.a.discount=0.95,0.99", "--out", str(out)]
        + ["--backend", "serial"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out / "sweep.parquet")
    direct = sweep(
        negsim.load("textbook/optimism"),
        grid={"actors.a.discount": [0.95, 0.99]},
        backend="serial",
        progress=False,
    )
    pd.testing.assert_frame_equal(table, direct)
    report = (out / "report.md").read_text()
    assert "points: 2" in report
    assert "no deal at the start" not in report
