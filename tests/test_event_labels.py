"""Event labels (deadlines, the deal) keep clear of the data they are written over (issue 20).

The labels are written along their vertical lines; a label must not touch a data marker
or cross a data line near its line, and must stay inside its axes, at the default size and
at the notebook size.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from negsim import plot  # noqa: E402
from tests.test_plot import solved  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(ax) -> list[Text]:  # noqa: ANN001
    return [
        t
        for t in [*ax.texts, *ax.artists]
        if isinstance(t, Text) and t.get_gid() in ("deadline-label", "agreement-label")
    ]


def _touching(ax, label: Text, renderer) -> list[str]:  # noqa: ANN001
    """Data markers whose box meets the label's box, and data lines crossing it (sampled
    densely along each segment)."""
    box = label.get_window_extent(renderer)
    found = []
    for line in ax.get_lines():
        if line.get_gid() in ("agreement", "deadline") or not line.get_visible():
            continue
        xy = line.get_transform().transform(
            np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
        )
        xy = xy[np.isfinite(xy).all(axis=1)]
        if line.get_marker() not in (None, "None", "none", ""):
            half = (line.get_markersize() / 2 + line.get_markeredgewidth()) * ax.figure.dpi / 72
            hit = (
                (xy[:, 0] + half > box.x0)
                & (xy[:, 0] - half < box.x1)
                & (xy[:, 1] + half > box.y0)
                & (xy[:, 1] - half < box.y1)
            )
            if hit.any():
                found.append(f"marker of {line.get_gid()}")
        if line.get_linestyle() not in ("None", "none", "") and len(xy) > 1:
            s = np.linspace(0, 1, 200)[:, None, None]
            points = (xy[:-1] + s * (xy[1:] - xy[:-1])).reshape(-1, 2)
            inside = (
                (points[:, 0] > box.x0)
                & (points[:, 0] < box.x1)
                & (points[:, 1] > box.y0)
                & (points[:, 1] < box.y1)
            )
            if inside.any():
                found.append(f"line {line.get_gid()}")
    return found


@pytest.mark.parametrize("size", [(9.0, 5.0), (6.4, 4.8)])
@pytest.mark.parametrize(
    "draw",
    [
        lambda r, ax: plot.bargaining_range(r, "territory", ax=ax),  # crosses along the bottom
        lambda r, ax: plot.delay_incentives(r, ax=ax),
    ],
    ids=["bargaining-range", "delay"],
)
def test_event_labels_touch_no_data(draw, size):
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    draw(solved("ukraine_2025"), ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = _labels(ax)
    assert {t.get_text() for t in labels} == {"Thanksgiving deadline (faded)", "deal"}
    frame = ax.get_window_extent(renderer)
    for label in labels:
        assert _touching(ax, label, renderer) == [], label.get_text()
        box = label.get_window_extent(renderer)
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, label.get_text()
