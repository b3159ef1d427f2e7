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
from matplotlib.ticker import FuncFormatter, MaxNLocator

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


#: Single-panel figure size (inches), readable on a slide.
FIGSIZE = (9.0, 5.0)


MEASURES = {
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


def new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def time_axis(ax: Axes, metadata: dict[str, Any], rounds: int | None = None) -> None:
    """Integer round ticks, labelled with calendar dates when the scenario has a start date."""
    from negsim.results.derived import round_dates

    T = int(metadata["rounds"]) if rounds is None else rounds
    unit = str(metadata.get("time_unit", "round"))
    dates = round_dates(metadata, list(range(T + 1)))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=9, integer=True, steps=[1, 2, 3, 6, 10]))
    if dates[0] is not None:

        def fmt(x: float, _pos: int | None = None) -> str:
            t = int(round(x))
            if abs(x - t) > 1e-9 or not 0 <= t <= T:
                return ""
            return f"{t}\n{dates[t]:%b %Y}"

        ax.xaxis.set_major_formatter(FuncFormatter(fmt))
        ax.set_xlabel(f"Time ({unit}s from {dates[0]:%b %Y}; calendar date below)")
    else:
        ax.set_xlabel(f"Time ({unit}s)")
    ax.set_xlim(-0.5, T - 0.5 if T > 1 else 1.5)


def mark_events(ax: Axes, result: Result, *, agreement: bool = True) -> list[Any]:
    """Vertical lines at the SPE agreement round and at deadlines, with short labels."""
    handles: list[Any] = []
    t = result.agreement_round
    trans = ax.get_xaxis_transform()
    if agreement and t is not None:
        line = ax.axvline(
            t,
            color="0.15",
            lw=1.6,
            ls="-.",
            zorder=1,
            gid="agreement",
            label=f"SPE deal: {result.round_label(t)}",
        )
        ax.annotate(
            "deal",
            xy=(t, 0.98),
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
            "no SPE deal within the horizon",
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
        line = ax.axvline(
            d["round"],
            color=colors.get(d["actor"], "0.4"),
            lw=1.2,
            ls=":",
            zorder=1,
            gid="deadline",
            label=f"{label} ({result.label(d['actor'])})",
        )
        ax.annotate(
            label,
            xy=(d["round"], 0.02),
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
