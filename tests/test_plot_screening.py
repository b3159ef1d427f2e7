"""Figures of private types (negsim.plot.screening): what they draw, and nothing clipped."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import negsim  # noqa: E402
from negsim.plot import screening as plot_screening  # noqa: E402
from negsim.report import figure_specs  # noqa: E402
from tests.test_plot_layout import SIZES, _inside  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mixing() -> negsim.Result:
    """The textbook screening game where the pragmatic type randomises (q0 = 0.2,
    delta_B = 0.9: tests/test_screening.py's closed form: a* = 0.9, war probability 0.2)."""
    s = negsim.load("textbook/screening").with_changes(
        {"types.b.resolute.prior": 0.2, "types.b.pragmatic.prior": 0.8, "actors.b.discount": 0.9}
    )
    return negsim.solve(s, ["spe"])


def test_risk_return_marks_the_mixed_offer(mixing) -> None:
    data = plot_screening.risk_return_data(mixing)
    chosen = data[data["chosen"]].iloc[0]
    assert chosen["war"] == pytest.approx(0.2)  # the resolute type fights
    assert chosen["marginal_accepts"] == pytest.approx(0.9)
    assert chosen["expected"] == pytest.approx(0.80272)
    assert chosen["expected"] == pytest.approx(data["expected"].max())
    # the safe offers (no war) pay the proposer less: it accepts a risk of war
    assert data.loc[data["war"] == 0, "expected"].max() < chosen["expected"] - 0.05
    ax = plot_screening.risk_return(mixing)
    texts = [t.get_text() for t in ax.texts]
    assert "pragmatic w.p. 0.90: return 0.866" in texts
    assert ax.get_xlabel() == "probability that the game ends in war"


def test_deal_probability_by_type(mixing) -> None:
    data = plot_screening.deal_probability_data(mixing)
    by = data.set_index(["type", "round"])["cumulative"]
    assert by["pragmatic", 0] == pytest.approx(0.9)
    assert by["pragmatic", 1] == pytest.approx(1.0)
    assert by["resolute", 1] == pytest.approx(0.0)
    ax = plot_screening.deal_probability(mixing)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["over the prior", "pragmatic (prior 0.80)", "resolute (prior 0.20)"]


def test_the_report_has_both_figures(mixing) -> None:
    names = [spec.name for spec in figure_specs(mixing)]
    assert {"types_deal_probability", "risk_return"} <= set(names)
    assert not {"types_deal_probability", "risk_return"} & {
        spec.name for spec in figure_specs(negsim.solve(negsim.load("textbook/rubinstein")))
    }


def test_without_types_the_figures_say_so() -> None:
    result = negsim.solve(negsim.load("textbook/rubinstein"))
    with pytest.raises(ValueError, match="no private types"):
        plot_screening.risk_return(result)


@pytest.mark.parametrize("size", SIZES, ids=["default", "inline", "half-row"])
@pytest.mark.parametrize("name", ["deal_probability", "risk_return"])
def test_nothing_clipped(mixing, name, size) -> None:
    draw = getattr(plot_screening, name)
    if size is None:
        made = draw(mixing)
        fig = made if isinstance(made, Figure) else made.figure
    else:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        draw(mixing, ax=ax)
    assert _inside(fig) == []
