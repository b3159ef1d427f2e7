"""The dashboard: the main figures of a scenario on one page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from negsim.plot.bargaining_range import bargaining_range, range_label
from negsim.plot.control import control, control_data
from negsim.plot.delay import delay_incentives
from negsim.plot.leverage import leverage
from negsim.plot.style import actor_handles

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["dashboard"]


# -- dashboard -----------------------------------------------------------------------------
def dashboard(result: Result, concept: str = "spe", issue: str | None = None) -> Figure:
    """Four views of a run: leverage, delay incentives, bargaining range, battlefield control.

    Parameters
    ----------
    result : Result
    concept : str
        Concept for leverage and delay incentives.
    issue : str, optional
        Issue of the bargaining range (default: battlefield issue or first position issue).
        Without the scenario (a reloaded result) the panel says so instead.

    Returns
    -------
    Figure
        Axes in order leverage, delay incentives, bargaining range, control, with one shared
        legend of actors and markers below.
    """
    fig, axes = plt.subplots(2, 2, figsize=(16, 10), layout="constrained")
    leverage(result, concept, ax=axes[0, 0], legend=False)
    delay_incentives(result, concept, ax=axes[0, 1], legend=False)
    try:
        bargaining_range(result, issue, ax=axes[1, 0], legend=False)
    except ValueError as exc:
        axes[1, 0].set_title("Bargaining range")
        axes[1, 0].text(
            0.5,
            0.5,
            str(exc),
            transform=axes[1, 0].transAxes,
            ha="center",
            va="center",
            wrap=True,
            color="0.4",
            gid="note",
        )
        axes[1, 0].set_xlabel(f"Time ({result.metadata.get('time_unit', 'round')}s)")
        axes[1, 0].set_ylabel("Settlement")
    control(result, ax=axes[1, 1], legend=False)
    actors = result.metadata["actors"]
    handles: list[Any] = actor_handles(result, actors)
    handles += [
        Line2D([], [], color="0.3", lw=1.4, ls="--", label="threat point W(t)"),
        Line2D([], [], color="0.15", lw=1.6, ls="-.", label="SPE deal"),
        Patch(color="#009E73", alpha=0.25, label="ripe round"),
        Patch(color="#56B4E9", alpha=0.55, label=range_label(result)),
        Line2D([], [], ls="none", marker="o", color="black", label="SPE settlement"),
        Line2D([], [], ls="none", marker="D", mfc="white", mec="#D55E00", label="Nash solution"),
    ]
    if result.metadata.get("deadlines"):
        handles.append(Line2D([], [], color="0.4", lw=1.2, ls=":", label="deadline"))
    if "q10" in control_data(result):
        handles.append(Patch(color="#0072B2", alpha=0.3, label="sampled control, 25-75% / 10-90%"))
    fig.legend(
        handles=handles, loc="outside lower center", ncol=min(len(handles), 6), frameon=False
    )
    fig.suptitle(
        f"{result.metadata.get('title') or result.metadata['scenario']}: how leverage shifts with time",
        fontsize="x-large",
    )
    return fig
