"""The live explorer, driven through the widget API (issue 20, item 3)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import negsim  # noqa: E402
from negsim.explorer import slider_params  # noqa: E402

pytest.importorskip("ipywidgets")


def _leverage_lines(fig):
    ax = next(ax for ax in fig.axes if ax.get_gid() == "leverage")
    return {
        line.get_gid(): np.asarray(line.get_ydata()) for line in ax.get_lines() if line.get_gid()
    }


def test_moving_a_slider_resolves_and_redraws():
    scenario = negsim.load("textbook/rubinstein")
    explorer = negsim.explore(scenario, params=["actors.bob.discount"], concepts=["spe"])
    slider = explorer.sliders["actors.bob.discount"]
    assert slider.value == pytest.approx(0.8) and not slider.continuous_update
    before_text = explorer.summary.value
    before = _leverage_lines(explorer.figure)
    slider.value = 0.95  # as a release of the slider does
    assert explorer.summary.value != before_text
    after = _leverage_lines(explorer.figure)
    # Bob's ex-ante value under random recognition, (1 - d_a) / (2 - d_a - d_b)
    assert after["payoff:bob"][0] == pytest.approx(0.1 / (2 - 0.9 - 0.95))
    assert before["payoff:bob"][0] == pytest.approx(0.1 / (2 - 0.9 - 0.8))
    assert "solved in" in explorer.status.value
    assert explorer.changes() == {"actors.bob.discount": 0.95}


def test_default_sliders_are_the_quoted_numbers_grouped_by_actor():
    scenario = negsim.load("ukraine_2025")
    params = slider_params(scenario)
    assert "actors.us.discount" in params and "actors.russia.discount" in params
    assert "actors.russia.war_cost" not in params  # a linear schedule, not one number
    explorer = negsim.explore(scenario, concepts=["spe"])
    assert list(explorer.sliders) == params
    accordion = explorer.widget.children[0]
    titles = [accordion.get_title(k) for k in range(len(accordion.children))]
    assert {"Russia", "Ukraine", "United States"} <= set(titles)


def test_unknown_parameter_is_refused():
    with pytest.raises(ValueError, match="one-number parameter"):
        negsim.explore(negsim.load("textbook/rubinstein"), params=["actors.bob.salience"])


def test_a_slider_moved_back_reuses_the_solution(monkeypatch):
    import negsim.explorer as explorer_module

    solves = []
    original = explorer_module.solve

    def counting(scenario, concepts):  # noqa: ANN001, ANN202
        solves.append(scenario.actors["bob"].discount.value)
        return original(scenario, concepts)

    monkeypatch.setattr(explorer_module, "solve", counting)
    explorer = negsim.explore(
        negsim.load("textbook/rubinstein"), params=["actors.bob.discount"], concepts=["spe"]
    )
    first = explorer.result
    slider = explorer.sliders["actors.bob.discount"]
    slider.value = 0.95
    moved = explorer.summary.value
    slider.value = 0.8  # back: the kept solution, redrawn
    assert explorer.result is first and explorer.status.value == "solved before (kept)"
    slider.value = 0.95
    assert explorer.summary.value == moved
    assert solves == [pytest.approx(0.8), pytest.approx(0.95)]
