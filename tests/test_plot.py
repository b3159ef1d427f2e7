"""Figures of negsim.plot: artists (lines, labels, spans, markers) and the data behind them.

Each scenario is solved once per test session (:func:`solved`, shared with test_report.py).
Two figures are compared with committed baselines in ``tests/baseline/`` (fixed style and
size; tolerance RMS 15). To regenerate them after an intended change::

    NEGSIM_UPDATE_BASELINES=1 .venv/bin/pytest tests/test_plot.py -k baseline
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

import negsim  # noqa: E402
from negsim import plot  # noqa: E402
from negsim.models import normal_form  # noqa: E402
from negsim.plot import style  # noqa: E402
from negsim.result import Result  # noqa: E402

FIRST_EDITION = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"  # issue 19

BASELINE = Path(__file__).parent / "baseline"
TOL = 15.0


@functools.cache
def solved(name: str) -> Result:
    """A shipped scenario solved once per session (do not mutate the result)."""
    return negsim.solve(negsim.load(name))


@pytest.fixture(scope="module")
def ukraine() -> Result:
    return solved(str(FIRST_EDITION / "ukraine_2025.yaml"))


@pytest.fixture(scope="module")
def rubinstein() -> Result:
    return solved("textbook/rubinstein")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def by_gid(ax, gid: str) -> list:
    """Artists of ``ax`` with this gid (or, for a gid ending in ":", with this prefix)."""
    artists = [*ax.lines, *ax.patches, *ax.collections, *ax.texts]
    if gid.endswith(":"):
        return [a for a in artists if (a.get_gid() or "").startswith(gid)]
    return [a for a in artists if a.get_gid() == gid]


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def spe_actors(result: Result):
    table = result.actors
    return table[(table["concept"] == "spe") & (table["regime"] == result.headline_regime)]


# -- colours and time axis -------------------------------------------------------------------
def test_one_colour_per_actor_from_okabe_ito(ukraine):
    colors = plot.actor_colors(ukraine)
    assert list(colors) == ukraine.metadata["actors"]
    assert len(set(colors.values())) == len(colors)
    assert set(colors.values()) <= set(plot.OKABE_ITO)


def test_time_axis_shows_unit_and_dates(ukraine, rubinstein):
    ax = plot.leverage(ukraine)
    assert "Months from Nov 2025" in ax.get_xlabel()
    plt.gcf().canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "0\nNov 2025" in labels
    ax = plot.leverage(rubinstein)
    assert ax.get_xlabel() == "Time (rounds)"


# -- leverage -------------------------------------------------------------------------------
class TestLeverage:
    def test_data_equals_actors_table(self, ukraine):
        data = plot.leverage_data(ukraine, measure="payoff")
        table = spe_actors(ukraine).set_index(["round", "actor"])
        assert len(data) == ukraine.metadata["rounds"] * len(ukraine.metadata["actors"])
        expected = table.loc[list(zip(data["round"], data["actor"], strict=True))]
        assert_allclose(data["value"], expected["payoff"])
        assert_allclose(data["threat_point"], expected["threat_point"])
        assert_allclose(plot.leverage_data(ukraine)["value"], expected["ex_ante"])  # default
        share = plot.leverage_data(ukraine, measure="surplus_share")
        assert_allclose(share["value"], expected["surplus_share"])
        assert share[share["veto"]].groupby("round")["value"].sum().round(9).eq(1.0).all()

    def test_rubinstein_shares_from_the_literature(self, rubinstein):
        # Rubinstein (1982): first proposer gets (1 - d2) / (1 - d1 d2) = 0.2 / 0.28.
        data = plot.leverage_data(rubinstein, measure="payoff")
        data = data.query("round == 0").set_index("actor")["value"]
        assert_allclose(data["alice"], 0.2 / 0.28)
        assert_allclose(data["bob"], 1 - 0.2 / 0.28)

    def test_artists(self, ukraine):
        ax = plot.leverage(ukraine, measure="payoff")
        actors = ukraine.metadata["actors"]
        colors = plot.actor_colors(ukraine)
        payoff, threat = by_gid(ax, "payoff:"), by_gid(ax, "threat:")
        assert len(payoff) == len(threat) == len(actors)
        for line in payoff:
            actor = line.get_gid().split(":")[1]
            assert line.get_color() == colors[actor]
            assert line.get_linestyle() == "-"
            assert_allclose(
                line.get_ydata(), spe_actors(ukraine).query("actor == @actor")["payoff"]
            )
        assert all(line.get_linestyle() == "--" for line in threat)
        assert (
            ax.get_title()
            == "Leverage over time: equilibrium payoff\n(subgame-perfect equilibrium)"
        )
        assert ax.get_ylabel().startswith("Utility")
        (agreement,) = by_gid(ax, "agreement")
        assert agreement.get_xdata()[0] == ukraine.agreement_round
        (deadline,) = by_gid(ax, "deadline")
        assert deadline.get_xdata()[0] == pytest.approx(0.2)  # set apart from the deal
        texts = legend_texts(ax)
        assert {"Russia", "Ukraine", "United States", "Europe (no veto)"} <= set(texts)
        assert "SPE deal: month 0 (Nov 2025)" in texts
        assert "Thanksgiving deadline (United States)" in texts
        assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # outside

    def test_surplus_share_draws_veto_players_only(self, ukraine):
        ax = plot.leverage(ukraine, measure="surplus_share")
        assert sorted(line.get_gid() for line in by_gid(ax, "payoff:")) == [
            "payoff:russia",
            "payoff:ukraine",
            "payoff:us",
        ]
        assert not by_gid(ax, "threat:")
        assert ax.get_ylim() == (-0.03, 1.03)  # the points at 0 and 1 are not cut

    def test_rubinstein(self, rubinstein):
        ax = plot.leverage(rubinstein)
        assert len(by_gid(ax, "payoff:")) == 2
        assert by_gid(ax, "agreement")[0].get_xdata()[0] == 0
        assert not by_gid(ax, "deadline")

    def test_bad_arguments(self, rubinstein):
        with pytest.raises(ValueError, match="measure"):
            plot.leverage_data(rubinstein, measure="wealth")
        with pytest.raises(ValueError, match="not solved"):
            plot.leverage(negsim.solve(negsim.load("textbook/rubinstein"), ["spe"]), concept="nash")

    def test_draws_on_given_axes(self, rubinstein):
        fig, ax = plt.subplots()
        assert plot.leverage(rubinstein, ax=ax) is ax


# -- delay incentives -----------------------------------------------------------------------
class TestDelayIncentives:
    def test_data(self, ukraine):
        data = plot.delay_incentives_data(ukraine)
        table = spe_actors(ukraine).set_index(["round", "actor"])
        expected = table.loc[list(zip(data["round"], data["actor"], strict=True))]
        assert_allclose(data["delay_incentive"], expected["delay_incentive"])
        rounds = ukraine.rounds.query("concept == 'spe' and regime == @ukraine.headline_regime")
        ripe = rounds.set_index("round")["ripe"]
        assert (data["ripe"].to_numpy() == ripe.loc[data["round"]].to_numpy()).all()

    def test_artists(self, ukraine):
        ax = plot.delay_incentives(ukraine)
        assert len(by_gid(ax, "delay:")) == len(ukraine.metadata["actors"])
        (zero,) = by_gid(ax, "zero")
        assert list(zero.get_ydata()) == [0, 0]
        # every month is ripe: a note, no shading (tests/test_plot_layout.py)
        assert not by_gid(ax, "ripe") and by_gid(ax, "ripe-note")
        assert "ripe round" not in legend_texts(ax)
        assert ax.get_title().startswith("Who gains by waiting?")
        assert "Δ" in ax.get_ylabel()

    def test_spans_of_consecutive_rounds(self):
        assert style.spans(np.array([0, 1, 2, 5, 7, 8])) == [(0, 2), (5, 5), (7, 8)]

    def test_rubinstein(self, rubinstein):
        ax = plot.delay_incentives(rubinstein)
        assert len(by_gid(ax, "delay:")) == 2
        assert len(by_gid(ax, "ripe-note")) == 1  # both rounds are ripe


# -- bargaining range -----------------------------------------------------------------------
class TestBargainingRange:
    def test_rubinstein_range_is_between_continuations(self, rubinstein):
        # Round 0: Alice proposes. Next round Bob would propose and keep (1 - d1) / (1 - d1 d2)
        # = 0.1 / 0.28 (Rubinstein 1982), so Bob accepts any share of at least 0.8 * 0.1 / 0.28
        # and Alice any of at least 0.9 * (1 - 0.1 / 0.28).
        data = plot.bargaining_range_data(rubinstein).set_index("round")
        assert_allclose(data.loc[0, "low"], 0.9 * (1 - 0.1 / 0.28), atol=1e-6)
        assert_allclose(data.loc[0, "high"], 1 - 0.8 * 0.1 / 0.28, atol=1e-6)
        assert_allclose(data.loc[0, "spe"], 0.2 / 0.28)
        assert_allclose(data["nash"], 0.5)
        assert data.attrs["variable"] == "Alice's share of The dollar"

    def test_ukraine_spe_lies_in_the_range(self, ukraine):
        for hold in ("free", "spe"):
            data = plot.bargaining_range_data(ukraine, "territory", hold=hold)
            ok = data[~data["empty"]]
            assert len(ok) == ukraine.metadata["rounds"]
            assert (ok["low"] <= ok["spe"] + 1e-6).all() and (ok["spe"] <= ok["high"] + 1e-6).all()
        free = plot.bargaining_range_data(ukraine, "territory")
        held = plot.bargaining_range_data(ukraine, "territory", hold="spe")
        assert ((free["high"] - free["low"]) >= (held["high"] - held["low"]) - 1e-6).all()
        # Ukraine's red line on territory (max 0.5 + 0.01 t) caps the range
        assert_allclose(free["high"].iloc[:10], 0.5 + 0.01 * np.arange(10), atol=1e-6)

    def test_artists(self, ukraine):
        ax = plot.bargaining_range(ukraine)
        data = plot.bargaining_range_data(ukraine)
        bars = by_gid(ax, "range")
        assert len(bars) == int((~data["empty"]).sum())
        assert_allclose([b.get_y() for b in bars], data["low"])
        (spe,) = by_gid(ax, "spe")
        assert_allclose(spe.get_ydata(), data["spe"])
        assert len(by_gid(ax, "nash")) == 1 and len(by_gid(ax, "empty")) == 1
        assert (
            ax.get_title()
            == "Bargaining range: Territory recognised as Russian (other issues free)"
        )
        assert "acceptable to every veto player\n(≥ continuation value C)" in legend_texts(ax)

    def test_empty_rounds_are_marked(self, ukraine):
        s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml")
        # make Russia's floor unreachable by shifting its continuation: a reloaded-like copy
        result = Result(
            ukraine.rounds,
            ukraine.actors.copy(),
            ukraine.proposals,
            ukraine.stage_games,
            ukraine.agreement,
            ukraine.metadata,
            scenario=s,
            solution=ukraine.solution,
        )
        result.actors.loc[result.actors["actor"] == "russia", "continuation"] += 5.0
        data = plot.bargaining_range_data(result)
        assert data["empty"].all()
        ax = plot.bargaining_range(result)
        assert len(by_gid(ax, "empty")[0].get_xdata()) == len(data)
        assert not by_gid(ax, "range")

    def test_needs_preferences(self, rubinstein, tmp_path):
        rubinstein.save(tmp_path / "run")
        loaded = Result.load(tmp_path / "run")
        with pytest.raises(ValueError, match="preferences"):
            plot.bargaining_range(loaded)
        with pytest.raises(ValueError, match="unknown issue"):
            plot.bargaining_range_data(rubinstein, "land")
        with pytest.raises(ValueError, match="hold"):
            plot.bargaining_range_data(rubinstein, hold="nash")


# -- control --------------------------------------------------------------------------------
class TestControl:
    def test_data_and_fan(self, ukraine):
        data = plot.control_data(ukraine)
        T = ukraine.metadata["rounds"]
        rounds = ukraine.rounds.query("concept == 'spe' and regime == @ukraine.headline_regime")
        assert_allclose(data["control"].iloc[:T], rounds["control"])
        samples = ukraine.solution.sampled_control
        assert_allclose(data["q50"], np.median(samples, axis=0))
        assert (data["q10"] <= data["q25"]).all() and (data["q75"] <= data["q90"]).all()

    def test_artists(self, ukraine):
        ax = plot.control(ukraine)
        (line,) = by_gid(ax, "control")
        assert_allclose(line.get_ydata()[:-1], plot.control_data(ukraine)["control"].iloc[:-1])
        assert len(by_gid(ax, "band:10-90")) == len(by_gid(ax, "band:25-75")) == 1
        assert ax.get_ylabel() == "Control p(t): share held by Russia"
        assert ax.get_title() == "Battlefield control: Territory recognised as Russian"
        assert "10-90% of sampled regime paths" in legend_texts(ax)

    def test_no_battlefield(self, rubinstein):
        assert plot.control_data(rubinstein).empty
        ax = plot.control(rubinstein)
        assert by_gid(ax, "note")[0].get_text() == "no battlefield in this scenario"
        assert not ax.lines


# -- proposals ------------------------------------------------------------------------------
class TestProposals:
    def test_data(self, ukraine):
        data = plot.proposals_data(ukraine, "plan_27")
        table = ukraine.proposals.query(
            "regime == @ukraine.headline_regime and proposal == 'plan_27'"
        )
        assert_allclose(data["margin"], table["margin"])
        assert (data["accept"].to_numpy() == table["accept"].to_numpy()).all()
        with pytest.raises(ValueError, match="no proposal"):
            plot.proposals_data(ukraine, "plan_99")

    def test_artists(self, ukraine):
        ax = plot.proposals(ukraine)
        lines = by_gid(ax, "margin:")
        assert len(lines) == 2 * len(ukraine.metadata["actors"])
        styles = {line.get_gid().split(":")[1]: line.get_linestyle() for line in lines}
        assert styles == {"plan_27": "-", "framework_20": "--"}
        assert len(by_gid(ax, "zero")) == 1
        assert {"27-point proposal", "20-point framework", "accepts", "refuses"} <= set(
            legend_texts(ax)
        )
        assert "Margin" in ax.get_ylabel()

    def test_no_proposals(self, rubinstein):
        ax = plot.proposals(rubinstein)
        assert not by_gid(ax, "margin:")
        assert by_gid(ax, "note")[0].get_text() == "no proposals in this scenario"


# -- stage games ----------------------------------------------------------------------------
class TestPayoffMatrix:
    def test_pure_equilibrium_boxed(self):
        # Prisoner's dilemma: unique equilibrium (defect, defect).
        A = np.array([[3, 0], [5, 1]])
        eqs = normal_form.solve(A, A.T).equilibria
        ax = plot.payoff_matrix(A, A.T, ["cooperate", "defect"], ["cooperate", "defect"], eqs)
        (box,) = by_gid(ax, "pure")
        assert box.get_xy() == pytest.approx((1 - 0.47, 1 - 0.47))
        cells = [t.get_text() for t in ax.texts if "," in t.get_text()]
        assert cells == ["3, 3", "0, 5", "5, 0", "1, 1"]

    def test_mixed_equilibrium_annotated(self):
        # Matching pennies: the unique equilibrium mixes 1/2-1/2.
        A = np.array([[1, -1], [-1, 1]])
        eqs = normal_form.solve(A, -A).equilibria
        ax = plot.payoff_matrix(
            A,
            -A,
            ["heads", "tails"],
            ["heads", "tails"],
            eqs,
            row_player="Ann",
            col_player="Bo",
            title="Matching pennies",
        )
        assert not by_gid(ax, "pure") and len(by_gid(ax, "mixed")) == 1
        (label,) = by_gid(ax, "mixed-label")
        assert "Ann heads 0.50, tails 0.50; Bo heads 0.50, tails 0.50" in label.get_text()
        assert ax.get_title() == "Matching pennies"
        assert ax.get_xlabel().startswith("Bo") and ax.get_ylabel().startswith("Ann")

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="strategies"):
            plot.payoff_matrix(np.zeros((2, 2)), np.zeros((2, 2)), ["a"], ["x", "y"])

    def test_scenario_stage_game(self, ukraine):
        ax = plot.stage_game(ukraine, "us_vs_russia")
        (box,) = by_gid(ax, "pure")
        row = json.loads(ukraine.stage_games.iloc[0]["row_strategy"])
        col = json.loads(ukraine.stage_games.iloc[0]["col_strategy"])
        i, j = list(row.values()).index(1.0), list(col.values()).index(1.0)
        assert box.get_xy() == pytest.approx((j - 0.47, i - 0.47))
        assert ax.get_title() == "US pressure vs Russian response (month 0 (Nov 2025))"
        assert ax.get_ylabel().startswith("United States")


# -- dashboard and comparison ---------------------------------------------------------------
def test_dashboard(ukraine, rubinstein):
    fig = plot.dashboard(ukraine)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("Leverage over time") and titles[1].startswith(
        "Who gains by waiting"
    )
    assert titles[2].startswith("Bargaining range: Territory") and titles[3].startswith(
        "Battlefield control"
    )
    assert all(ax.get_legend() is None for ax in fig.axes[:4])
    assert "Russia" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert fig._suptitle.get_text().startswith("Ending the war in Ukraine")
    fig = plot.dashboard(rubinstein)
    assert fig.axes[2].get_title().startswith("Bargaining range: Alice's share")


def test_reloaded_result_plots_from_tables(rubinstein, tmp_path):
    rubinstein.save(tmp_path / "run")
    loaded = Result.load(tmp_path / "run")
    assert len(by_gid(plot.leverage(loaded), "payoff:")) == 2
    assert len(by_gid(plot.delay_incentives(loaded), "delay:")) == 2
    fig = plot.dashboard(loaded)  # no preferences: no bargaining-range panel
    assert [ax.get_gid() for ax in fig.axes] == ["leverage", "delay"]


def test_compare_shares_colours_and_styles(rubinstein):
    patient = negsim.solve(
        negsim.load("textbook/rubinstein").with_changes({"actors.bob.discount": 0.95})
    )
    ax = plot.compare_leverage([rubinstein, patient], ["base", "patient Bob"])
    lines = by_gid(ax, "0:payoff:") + by_gid(ax, "1:payoff:")
    assert len(lines) == 4
    style = {line.get_gid(): (line.get_color(), line.get_linestyle()) for line in lines}
    assert (
        style["0:payoff:bob"][0] == style["1:payoff:bob"][0] == plot.actor_colors(rubinstein)["bob"]
    )
    assert style["0:payoff:bob"][1] == "-" and style["1:payoff:bob"][1] == "--"
    assert {"base", "patient Bob", "Alice", "Bob"} <= set(legend_texts(ax))
    ax = plot.compare_delay_incentives([rubinstein, patient], ["base", "patient Bob"])
    assert len(by_gid(ax, "1:delay:")) == 2
    with pytest.raises(ValueError, match="names"):
        plot.compare_leverage([rubinstein], ["a", "b"])


# -- image comparison -----------------------------------------------------------------------
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "figure.dpi": 100,
    "savefig.dpi": 60,
    "axes.prop_cycle": matplotlib.rcParamsDefault["axes.prop_cycle"],
}


def render(figure_name: str, path: Path) -> None:
    """Draw one baseline figure with a fixed style and size."""
    with matplotlib.rc_context(STYLE):
        if figure_name == "ukraine_leverage":
            fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
            plot.leverage(solved(str(FIRST_EDITION / "ukraine_2025.yaml")), ax=ax)
        elif figure_name == "rubinstein_dashboard":
            fig = plot.dashboard(solved("textbook/rubinstein"))
        else:
            fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
            plot.leverage(
                solved(str(FIRST_EDITION / "ukraine_2025.yaml")), measure="surplus_share", ax=ax
            )
        fig.savefig(path)
        plt.close(fig)


@pytest.mark.parametrize("figure_name", ["ukraine_leverage", "rubinstein_dashboard"])
def test_baseline_images(figure_name, tmp_path):
    expected = BASELINE / f"{figure_name}.png"
    if os.environ.get("NEGSIM_UPDATE_BASELINES"):
        BASELINE.mkdir(exist_ok=True)
        render(figure_name, expected)
    actual = tmp_path / f"{figure_name}.png"
    render(figure_name, actual)
    assert compare_images(str(expected), str(actual), tol=TOL) is None


def test_baseline_comparison_detects_a_different_figure(tmp_path):
    actual = tmp_path / "other.png"
    render("ukraine_share", actual)
    assert compare_images(str(BASELINE / "ukraine_leverage.png"), str(actual), tol=TOL) is not None
