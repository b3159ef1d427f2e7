"""The bargaining range over time (the numbers from
:func:`negsim.analysis.bargaining_range.bargaining_range_data`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes

from negsim.analysis.bargaining_range import bargaining_range_data
from negsim.plot.style import LEGEND, mark_events, new_axes, time_axis

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["bargaining_range", "range_label"]


def range_label(result: Result) -> str:
    return (
        "acceptable to every veto player"
        if result.metadata.get("veto")
        else "acceptable to every player"
    )


def bargaining_range(
    result: Result,
    issue: str | None = None,
    hold: str = "free",
    ax: Axes | None = None,
    legend: bool = True,
) -> Axes:
    """Per round, the band of settlements on ``issue`` that every veto player accepts.

    Bars span the acceptable range (:func:`bargaining_range_data`); the SPE settlement is a
    black dot, the Nash bargaining solution a white diamond; rounds where no settlement
    satisfies every veto player are marked with a red cross at the bottom.

    Parameters
    ----------
    result : Result
        Needs ``result.scenario`` or ``result.solution``.
    issue : str, optional
        Default: the battlefield issue, else the first position issue.
    hold : {"free", "spe"}
        How the other issues are treated (see :func:`bargaining_range_data`).
    ax : Axes, optional
    legend : bool

    Returns
    -------
    Axes
        The band is one bar (patch) per round with ``gid="range"``; settlements are lines
        ``gid="spe"`` and ``gid="nash"``; empty rounds ``gid="empty"``.

    Raises
    ------
    ValueError
        When the result has neither scenario nor solution, or the issue is unknown.
    """
    data = bargaining_range_data(result, issue, hold)
    ax = new_axes(ax)
    ok = data[~data["empty"]]
    bars = ax.bar(
        ok["round"],
        ok["high"] - ok["low"],
        bottom=ok["low"],
        width=0.7,
        color="#56B4E9",
        alpha=0.55,
        edgecolor="#0072B2",
        lw=0.6,
        label=range_label(result),
    )
    for patch in bars:
        patch.set_gid("range")
    ax.plot(
        data["round"],
        data["spe"],
        ls="none",
        marker="o",
        ms=5,
        color="black",
        label="SPE settlement",
        gid="spe",
    )
    if data["nash"].notna().any():
        ax.plot(
            data["round"],
            data["nash"],
            ls="none",
            marker="D",
            ms=5,
            mfc="white",
            mec="#D55E00",
            mew=1.4,
            label="Nash bargaining solution",
            gid="nash",
        )
    empty = data[data["empty"]]
    ax.plot(
        empty["round"],
        np.full(len(empty), 0.02),
        ls="none",
        marker="x",
        ms=8,
        mew=2,
        color="#D55E00",
        label="no acceptable settlement",
        gid="empty",
    )
    events = mark_events(ax, result)
    ax.set_ylim(-0.02, 1.02)
    time_axis(ax, result.metadata)
    variable = data.attrs["variable"]
    ax.set_ylabel(f"{variable}\n(0 = lowest, 1 = highest)")
    how = (
        "other issues free"
        if data.attrs["hold"] == "free"
        else "other issues at the SPE settlement"
    )
    ax.set_title(f"Bargaining range: {variable} ({how})")
    ax.grid(alpha=0.3, axis="y")
    if legend:
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=[h for h in handles if h not in events] + events, **LEGEND)
    return ax
