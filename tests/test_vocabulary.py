"""Any negotiation in its own words (issue 20, item 5): the vocabulary drives sentences
and labels, the dashboard drops panels without data, date axes fit their unit, and
``negsim new`` writes a starting scenario that validates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import negsim  # noqa: E402
from negsim import plot  # noqa: E402

STRIKE = """\
name: strike
title: Union and firm
time_unit: week
start_date: 2026-01-05
rounds: 12
vocabulary:
  no_deal: strike
  continuing: striking on
  deal: contract
issues:
  wage:
    kind: pie
    among: [union, firm]
actors:
  union:
    discount: 0.97
    war_cost: 0.01
    salience: {wage: 1}
  firm:
    discount: 0.95
    war_cost: 0.02
    salience: {wage: 1}
proposals:
  offer:
    terms: {wage: {union: 0.05, firm: 0.95}}
"""


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def strike():
    return negsim.solve(negsim.load_text(STRIKE))


def test_words_drive_the_summary_and_proposals(strike):
    text = strike.summary()
    assert "fighting on" not in text and "war" not in text.lower()
    assert "Contract: the SPE agreement comes at week 0 (05 Jan 2026)" in text
    reasons = set(strike.proposals["reason"])
    assert "worth less than striking on" in reasons
    assert "striking on" in strike.explain(0)


def test_words_drive_the_figure_labels(strike):
    fig = plot.dashboard(strike)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "threat point W(t): value of striking on" in texts
    assert "SPE contract" in texts
    ax = plot.leverage(strike)
    assert "SPE contract: week 0 (05 Jan 2026)" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]


def test_dashboard_drops_panels_without_data(strike):
    fig = plot.dashboard(strike)
    assert [ax.get_gid() for ax in fig.axes] == ["leverage", "delay", "range"]
    assert not any("Battlefield" in ax.get_title() for ax in fig.axes)
    full = plot.dashboard(negsim.solve(negsim.load("ukraine_2025"), ["spe", "nash"]))
    assert [ax.get_gid() for ax in full.axes] == ["leverage", "delay", "range", "control"]


def test_weekly_axis_does_not_repeat_the_month(strike):
    ax = plot.leverage(strike)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    dates = [label.split("\n")[1] for label in labels]
    assert len(set(dates)) == len(dates), dates  # one distinct date per tick
    assert dates[0] == "05 Jan"
    assert "05 Jan 2026" in ax.get_xlabel()


def test_default_words_unchanged():
    r = negsim.solve(negsim.load("textbook/rubinstein"), ["spe"])
    assert r.metadata["vocabulary"]["no_deal"] == "war"
    assert "Deal: the SPE agreement" in r.summary()


def test_unknown_vocabulary_field_is_located():
    with pytest.raises(negsim.ScenarioError, match="vocabulary"):
        negsim.load_text(STRIKE.replace("  deal: contract", "  dael: contract"))


@pytest.mark.parametrize("template", [None, "two-party", "multilateral", "war"])
def test_negsim_new_writes_a_scenario_that_validates(tmp_path, template):
    negsim_exe = Path(sys.executable).parent / "negsim"
    args = [str(negsim_exe), "new", "my_talks"] + (["--template", template] if template else [])
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "my_talks.yaml"
    text = path.read_text()
    assert text.count("#") >= 5  # commented
    scenario = negsim.load(str(path))
    assert scenario.name == "my_talks"
    check = subprocess.run(
        [str(negsim_exe), "validate", str(path)], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    negsim.solve(scenario, ["spe"])
    # never overwrites
    again = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 2 and "exists" in again.stderr
    assert path.read_text() == text


def test_negsim_new_unknown_template(tmp_path):
    negsim_exe = Path(sys.executable).parent / "negsim"
    done = subprocess.run(
        [str(negsim_exe), "new", "x", "--template", "poker"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
