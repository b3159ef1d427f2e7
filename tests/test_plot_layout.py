"""Nothing clipped, markers apart, ripeness honest, ranges explained (issue 20, item 2).

Every figure function is drawn at its default size and at the notebook sizes (Jupyter's
inline default 6.4 x 4.8 in, and a half of the notebooks' two-panel 13 x 4.5 in row), and
every visible text artist's window extent must lie inside the figure; every marker of a
data line must lie inside its axes' limits.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from negsim import plot  # noqa: E402
from negsim.plot import beliefs as plot_beliefs  # noqa: E402
from tests.test_plot import FIRST_EDITION, by_gid, solved  # noqa: E402

SIZES = [None, (6.4, 4.8), (6.5, 4.5)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _figures():
    """(name, draw(ax) -> Axes or Figure) for every figure function."""
    uk = lambda: solved("ukraine_2025")  # noqa: E731
    rub = lambda: solved("textbook/rubinstein")  # noqa: E731
    opt = lambda: solved("textbook/optimism")  # noqa: E731
    sweep = pd.DataFrame(
        {"a": np.repeat([0.1, 0.2, 0.3], 3), "b": np.tile([1.0, 2.0, 3.0], 3), "v": np.arange(9.0)}
    )
    tornado_table = pd.DataFrame(
        {
            "parameter": ["actors.russia.discount", "actors.us.discount"],
            "output_low": [0.2, 0.4],
            "output_high": [0.8, 0.5],
            "base": [0.5, 0.5],
            "low": [0.9, 0.9],
            "high": [0.99, 0.99],
        }
    )
    out = [
        *[
            (f"leverage-{m}", lambda ax, m=m: plot.leverage(uk(), measure=m, ax=ax))
            for m in ("ex_ante", "payoff", "surplus", "surplus_share")
        ],
        ("leverage-rubinstein", lambda ax: plot.leverage(rub(), ax=ax)),
        ("delay", lambda ax: plot.delay_incentives(uk(), ax=ax)),
        ("delay-rubinstein", lambda ax: plot.delay_incentives(rub(), ax=ax)),
        ("range", lambda ax: plot.bargaining_range(uk(), ax=ax)),
        ("range-threat", lambda ax: plot.bargaining_range(uk(), against="threat", ax=ax)),
        ("control", lambda ax: plot.control(uk(), ax=ax)),
        ("proposals", lambda ax: plot.proposals(uk(), ax=ax)),
        ("stage_game", lambda ax: plot.stage_game(uk(), ax=ax)),
        ("compare", lambda ax: plot.compare_leverage([uk(), uk()], ["a", "b"], ax=ax)),
        ("compare-delay", lambda ax: plot.compare_delay_incentives([uk()], ["a"], ax=ax)),
        ("heatmap", lambda ax: plot.heatmap(sweep, "a", "b", "v", ax=ax)),
        ("deal_probability", lambda ax: plot_beliefs.deal_probability(opt(), ax=ax)),
        ("belief_paths", lambda ax: plot_beliefs.belief_paths(opt(), ax=ax)),
        ("tornado", lambda ax: plot.tornado(tornado_table, ax=ax)),
    ]
    return out


def _undrawn(fig: Figure) -> set[int]:
    """Tick labels of ticks outside the view (matplotlib keeps but does not draw them)."""
    out = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = hi - lo
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                loc = tick.get_loc()
                if loc is None or not lo - 1e-9 * span <= loc <= hi + 1e-9 * span:
                    out |= {id(tick.label1), id(tick.label2)}
    return out


def _inside(fig: Figure) -> list[str]:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    bad = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip() or id(artist) in _undrawn(fig):
            continue
        ext = artist.get_window_extent(renderer)
        if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1:
            bad.append(f"{artist.get_text()!r} at {ext.bounds}")
    for ax in fig.axes:
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        for line in ax.get_lines():
            if line.get_marker() in (None, "None", "none", "") or not line.get_visible():
                continue
            x = np.asarray(line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            ok = np.isfinite(x) & np.isfinite(y)
            if line.get_transform() != ax.transData:
                continue
            out = ok & ((x < x0) | (x > x1) | (y < y0) | (y > y1))
            if out.any():
                bad.append(f"marker of {line.get_gid()} outside the axes at {x[out]}, {y[out]}")
    return bad


@pytest.mark.parametrize("size", SIZES, ids=["default", "inline", "half-row"])
@pytest.mark.parametrize("name,draw", _figures(), ids=[n for n, _ in _figures()])
def test_nothing_clipped(name, draw, size):
    if size is None:
        made = draw(None)
        fig = made if isinstance(made, Figure) else made.figure
    else:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        draw(ax)
    assert _inside(fig) == []


@pytest.mark.parametrize(
    "name", ["ukraine_2025", "textbook/rubinstein", "textbook/fearon", "textbook/optimism"]
)
def test_dashboard_nothing_clipped(name):
    assert _inside(plot.dashboard(solved(name))) == []


def test_events_on_the_same_round_are_apart():
    """The deal and the Thanksgiving deadline both fall at month 0: their lines are offset."""
    ax = plot.leverage(solved("ukraine_2025"))
    deal = by_gid(ax, "agreement")[0].get_xdata()[0]
    deadline = by_gid(ax, "deadline")[0].get_xdata()[0]
    assert abs(deal - deadline) >= 0.15


def test_ripe_shading_only_when_some_round_is_not_ripe():
    uk = solved(str(FIRST_EDITION / "ukraine_2025.yaml"))  # every month ripe
    assert bool(uk.rounds.query("concept == 'spe'")["ripe"].all())
    ax = plot.delay_incentives(uk)
    assert by_gid(ax, "ripe") == []
    notes = [t.get_text() for t in by_gid(ax, "ripe-note")]
    assert notes == ["every round is ripe"]
    mixed = solved("variants/war_as_reward")  # 27 of 36 months ripe
    ax = plot.delay_incentives(mixed)
    assert by_gid(ax, "ripe") and not by_gid(ax, "ripe-note")


def test_bargaining_range_says_what_it_measures_and_offers_threat_points():
    uk = solved("ukraine_2025")
    ax = plot.bargaining_range(uk)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("continuation" in t for t in labels)
    assert any("threat point" in t for t in labels)  # the Nash diamond's own reference
    cont = plot.bargaining_range_data(uk)
    threat = plot.bargaining_range_data(uk, against="threat")
    assert threat.attrs["against"] == "threat"
    # the threat points are below the continuation values: the range can only widen
    ok = ~threat["empty"] & ~cont["empty"]
    assert (threat["low"][ok] <= cont["low"][ok] + 1e-6).all()
    assert (threat["high"][ok] >= cont["high"][ok] - 1e-6).all()
    # Nash lies in its own (threat-point) range wherever it exists
    nash = threat.dropna(subset=["nash"])
    nash = nash[~nash["empty"]]
    assert len(nash)
    assert ((nash["nash"] >= nash["low"] - 1e-4) & (nash["nash"] <= nash["high"] + 1e-4)).all()
    ax = plot.bargaining_range(uk, against="threat")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("threat point" in t for t in labels)
