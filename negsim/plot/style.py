"""The look shared by every figure: the Okabe-Ito colours per actor, sizes, legends,
the round/date axis and the event marks (deadlines, agreement, horizons).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import IdentityTransform

from negsim.vocabulary import words

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = [
    "FIGSIZE",
    "LEGEND",
    "MEASURES",
    "OKABE_ITO",
    "SCENARIO_STYLES",
    "actor_colors",
    "actor_handles",
    "mark_events",
    "new_axes",
    "spans",
    "time_axis",
]


OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")


#: Line styles that tell scenarios apart in comparisons.
SCENARIO_STYLES = ("-", "--", ":", "-.")


#: Horizontal gap (rounds) between event marks that fall on the same round.
EVENT_GAP = 0.2


#: Single-panel figure size (inches), readable on a slide.
FIGSIZE = (9.0, 5.0)


MEASURES = {
    "ex_ante": "ex-ante value",
    "payoff": "equilibrium payoff",
    "surplus": "surplus over threat point",
    "surplus_share": "share of the bargaining surplus",
}


LEGEND: dict[str, Any] = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1.0),
    "frameon": False,
    "fontsize": "small",
}


def actor_colors(result: Result | Iterable[str]) -> dict[str, str]:
    """One Okabe-Ito colour per actor, in the scenario's actor order.

    Parameters
    ----------
    result : Result or iterable of str
        A result (its ``metadata["actors"]`` order is used) or actor names.

    Returns
    -------
    dict
        Actor name -> hex colour; the palette repeats after eight actors.

    Examples
    --------
    >>> actor_colors(["russia", "ukraine"])
    {'russia': '#0072B2', 'ukraine': '#D55E00'}
    """
    names = result.metadata["actors"] if hasattr(result, "metadata") else list(result)  # type: ignore[union-attr]
    return {a: OKABE_ITO[i % len(OKABE_ITO)] for i, a in enumerate(names)}


def new_axes(
    ax: Axes | None, figsize: tuple[float, float] = FIGSIZE, wrap_title: bool = True
) -> Axes:
    """``ax``, or the Axes of a new constrained-layout figure; with ``wrap_title`` the
    title wraps at the figure's edge, so a long title on a narrow figure is never clipped
    (off for figures whose colour bar makes the wrapped layout settle only at a second
    draw)."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    ax.title.set_wrap(wrap_title)
    return ax


class _DateTicks(MaxNLocator):
    """Integer round ticks, as many as fit labels with a date (about 5 em wide; matplotlib's
    ``nbins="auto"`` allows 3 em)."""

    def __call__(self) -> Any:
        if self.axis is not None:
            self.set_params(nbins=max(2, int(self.axis.get_tick_space() * 0.6)))
        return super().__call__()


def time_axis(ax: Axes, metadata: dict[str, Any], rounds: int | None = None) -> None:
    """Integer round ticks, labelled with calendar dates when the scenario has a start date."""
    from negsim.results.derived import date_format, round_dates

    T = int(metadata["rounds"]) if rounds is None else rounds
    time_unit = str(metadata.get("time_unit", "round"))
    unit = words(metadata).unit(time_unit)
    tick, full = date_format(time_unit), date_format(time_unit, full=True)
    dates = round_dates(metadata, list(range(T + 1)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, steps=[1, 2, 3, 6, 10]))
    if dates[0] is not None:
        ax.xaxis.set_major_locator(_DateTicks(integer=True, steps=[1, 2, 3, 6, 10]))

        def fmt(x: float, _pos: int | None = None) -> str:
            t = int(round(x))
            if abs(x - t) > 1e-9 or not 0 <= t <= T:
                return ""
            return f"{t}\n{dates[t]:{tick}}"

        ax.xaxis.set_major_formatter(FuncFormatter(fmt))
        ax.set_xlabel(f"{unit.capitalize()}s from {dates[0]:{full}} (date below)")
    else:
        ax.set_xlabel(f"Time ({unit}s)")
    ax.set_xlim(-0.5, T - 0.5 if T > 1 else 1.5)


#: Clearance (points) an event label keeps from data, other labels and the axes' edges.
LABEL_CLEARANCE = 3.0


class EventLabel(Annotation):
    """The label of an event line, written along it, that moves along its line to the
    first gap free of data where it fits: from the bottom up (``va="bottom"``) or from the
    top down (``va="top"``), keeping :data:`LABEL_CLEARANCE` from every point and line
    segment of the axes' data, their markers' half-size included, and from the other
    labels. Placed when drawn, so it follows the final limits and figure size; where no
    gap fits, it goes to the widest gap, kept inside the axes."""

    def draw(self, renderer: Any) -> None:
        if self.get_visible() and self.axes is not None:
            self._place(renderer)
        super().draw(renderer)

    def _place(self, renderer: Any) -> None:
        ax = self.axes
        assert ax is not None
        clear = LABEL_CLEARANCE * renderer.points_to_pixels(1.0)
        bottom_up = self.get_verticalalignment() == "bottom"
        self.xy = (self.xy[0], 0.0 if bottom_up else 1.0)
        self.xyann = (self.xyann[0], 0.0)
        box = self.get_window_extent(renderer)
        frame = ax.get_window_extent(renderer)
        left, right = box.x0 - clear, box.x1 + clear
        boxes = [
            a.get_window_extent(renderer)
            for a in [*ax.texts, *ax.artists, *ax.patches]
            if a is not self
            and a.get_visible()
            and (not isinstance(a, Text) or a.get_text().strip())
        ]
        blocked = [
            *(_column(line, left, right, clear, renderer) for line in ax.get_lines()),
            *(
                np.array([[b.y0 - clear, b.y1 + clear]])
                for b in boxes
                if b.x1 > left and b.x0 < right and b.height < frame.height  # not a span
            ),
        ]
        spans_ = sorted((lo, hi) for column in blocked for lo, hi in column if hi >= lo)
        floor, ceiling = frame.y0 + clear, frame.y1 - clear
        gaps, start = [], floor
        for lo, hi in spans_:
            if lo > start:
                gaps.append((start, min(lo, ceiling)))
            start = max(start, hi)
        if start < ceiling:
            gaps.append((start, ceiling))
        need = box.height
        fits = [(lo, hi) for lo, hi in gaps if hi - lo >= need]
        if fits:
            lo, hi = fits[0] if bottom_up else fits[-1]
        else:  # the widest gap, the label kept inside the axes
            lo, hi = max(gaps, key=lambda g: g[1] - g[0], default=(floor, ceiling))
            lo, hi = max(floor, min(lo, ceiling - need)), min(ceiling, max(hi, floor + need))
        shift = lo - frame.y0 if bottom_up else hi - frame.y1
        self.xyann = (self.xyann[0], self.xyann[1] + shift / renderer.points_to_pixels(1.0))


def _event_label(ax: Axes, text: str, **kwargs: Any) -> EventLabel:
    """An :class:`EventLabel` on ``ax`` (drawn like ``ax.annotate``'s)."""
    label = EventLabel(text, **kwargs)
    label.set_transform(IdentityTransform())
    ax.add_artist(label)
    return label


def _column(line: Line2D, left: float, right: float, clear: float, renderer: Any) -> np.ndarray:
    """(k, 2) display heights that ``line`` covers between display x ``left`` and
    ``right``: its markers (half-size included) and its segments (clipped to the column),
    each widened by ``clear``; empty for an event line (a vertical line through a label's
    own column) or an invisible line."""
    empty = np.zeros((0, 2))
    if not line.get_visible() or line.get_gid() in ("agreement", "deadline"):
        return empty
    xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return empty
    out = []
    if line.get_marker() not in (None, "None", "none", ""):
        half = renderer.points_to_pixels(line.get_markersize() / 2 + line.get_markeredgewidth())
        near = (xy[:, 0] + half >= left) & (xy[:, 0] - half <= right)
        out.append(np.column_stack([xy[near, 1] - half, xy[near, 1] + half]))
    if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
        x0, y0, x1, y1 = xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]
        lo_x, hi_x = np.maximum(np.minimum(x0, x1), left), np.minimum(np.maximum(x0, x1), right)
        cross = lo_x <= hi_x
        dx = np.where(x1 != x0, x1 - x0, 1.0)
        ya = np.where(x1 != x0, y0 + (lo_x - x0) / dx * (y1 - y0), np.minimum(y0, y1))
        yb = np.where(x1 != x0, y0 + (hi_x - x0) / dx * (y1 - y0), np.maximum(y0, y1))
        lw = renderer.points_to_pixels(line.get_linewidth() / 2)
        low, high = np.minimum(ya, yb) - lw, np.maximum(ya, yb) + lw
        out.append(np.column_stack([low[cross], high[cross]]))
    column = np.concatenate(out) if out else empty
    return column + np.array([-clear, clear])


def mark_events(ax: Axes, result: Result, *, agreement: bool = True) -> list[Any]:
    """Vertical lines at the SPE agreement round and at deadlines, with short labels; marks
    falling on the same round are set 0.2 rounds apart, so none hides another, and each
    label moves along its line to a place free of data (:class:`EventLabel`)."""
    handles: list[Any] = []
    vocab = words(result.metadata)
    t = result.agreement_round
    taken: dict[int, int] = {} if t is None or not agreement else {t: 1}
    trans = ax.get_xaxis_transform()
    if agreement and t is not None:
        line = ax.axvline(
            t,
            color="0.15",
            lw=1.6,
            ls="-.",
            zorder=1,
            gid="agreement",
            label=f"SPE {vocab.deal}: {result.round_label(t)}",
        )
        _event_label(
            ax,
            vocab.deal,
            xy=(t, 1.0),
            xycoords=trans,
            xytext=(3, 0),
            textcoords="offset points",
            rotation=90,
            va="top",
            ha="left",
            fontsize="small",
            color="0.15",
            gid="agreement-label",
        )
        handles.append(line)
    elif agreement:
        ax.text(
            0.99,
            0.02,
            f"no SPE {vocab.deal} within the horizon",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize="small",
            color="0.3",
            gid="agreement-label",
        )
    colors = actor_colors(result)
    for d in result.metadata.get("deadlines", []):
        label = d.get("label") or "deadline"
        x = d["round"] + EVENT_GAP * taken.get(d["round"], 0)
        taken[d["round"]] = taken.get(d["round"], 0) + 1
        line = ax.axvline(
            x,
            color=colors.get(d["actor"], "0.4"),
            lw=1.2,
            ls=":",
            zorder=1,
            gid="deadline",
            label=f"{label} ({result.label(d['actor'])})",
        )
        _event_label(
            ax,
            label,
            xy=(x, 0.0),
            xycoords=trans,
            xytext=(3, 0),
            textcoords="offset points",
            rotation=90,
            va="bottom",
            ha="left",
            fontsize="x-small",
            color="0.3",
            gid="deadline-label",
        )
        handles.append(line)
    return handles


def actor_handles(result: Result, actors: Iterable[str]) -> list[Line2D]:
    colors = actor_colors(result)
    veto = set(result.metadata.get("veto", []))
    handles = []
    for a in actors:
        note = "" if not veto or a in veto else " (no veto)"
        handles.append(Line2D([], [], color=colors[a], lw=2.2, label=result.label(a) + note))
    return handles


def spans(rounds: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive integers as (first, last) pairs."""
    out: list[tuple[int, int]] = []
    for r in np.sort(rounds.astype(int)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], int(r))
        else:
            out.append((int(r), int(r)))
    return out
