"""The dashboard: the main figures of a scenario on one page, those that have data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from negsim.plot.bargaining_range import bargaining_range, range_label
from negsim.plot.beliefs import deal_probability
from negsim.plot.control import control, control_data
from negsim.plot.delay import delay_incentives
from negsim.plot.leverage import leverage, threat_label
from negsim.plot.style import actor_handles
from negsim.vocabulary import words

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["dashboard", "dashboard_panels"]

#: Panel layouts by number of panels (an odd last panel spans the row).
_MOSAICS: dict[int, Any] = {
    1: [["0"]],
    2: [["0", "1"]],
    3: [["0", "1"], ["2", "2"]],
    4: [["0", "1"], ["2", "3"]],
    5: [["0", "1"], ["2", "3"], ["4", "4"]],
    6: [["0", "1"], ["2", "3"], ["4", "5"]],
}


def dashboard_panels(result: Result) -> list[str]:
    """The panels that have data: ``leverage`` and ``delay`` always; ``range`` when the
    actors' preferences are at hand (a fresh result, not a reloaded one); ``control`` when
    the scenario has a battlefield; ``beliefs`` (deal probability by whose prior) when it
    has worlds."""
    panels = ["leverage", "delay"]
    if result.solution is not None or result.scenario is not None:
        panels.append("range")
    if result.metadata.get("battlefield_issue"):
        panels.append("control")
    if result.metadata.get("worlds"):
        panels.append("beliefs")
    return panels


def dashboard(result: Result, concept: str = "spe", issue: str | None = None) -> Figure:
    """Up to five views of a run: leverage, delay incentives, bargaining range, battlefield
    control, deal probability by whose prior -- each only where it has data
    (:func:`dashboard_panels`).

    Parameters
    ----------
    result : Result
    concept : str
        Concept for leverage and delay incentives.
    issue : str, optional
        Issue of the bargaining range (default: battlefield issue or first position issue).

    Returns
    -------
    Figure
        Axes in the order of :func:`dashboard_panels` (each with ``gid`` its panel's name),
        with one shared legend of actors and markers below.
    """
    panels = dashboard_panels(result)
    draw: dict[str, Callable[[Axes], Any]] = {
        "leverage": lambda ax: leverage(result, concept, ax=ax, legend=False),
        "delay": lambda ax: delay_incentives(result, concept, ax=ax, legend=False),
        "range": lambda ax: bargaining_range(result, issue, ax=ax, legend=False),
        "control": lambda ax: control(result, ax=ax, legend=False),
        "beliefs": lambda ax: deal_probability(result, concept, ax=ax),
    }
    rows = len(_MOSAICS[len(panels)])
    fig, axes = plt.subplot_mosaic(
        _MOSAICS[len(panels)], figsize=(16, 5 * rows), layout="constrained"
    )
    shaded = False
    for k, name in enumerate(panels):
        ax = axes[str(k)]
        ax.set_gid(name)
        draw[name](ax)
        shaded |= any(a.get_gid() == "ripe" for a in ax.patches)
    actors = result.metadata["actors"]
    vocab = words(result.metadata)
    handles: list[Any] = actor_handles(result, actors)
    handles += [
        Line2D([], [], color="0.3", lw=1.4, ls="--", label=threat_label(result)),
        Line2D([], [], color="0.15", lw=1.6, ls="-.", label=f"SPE {vocab.deal}"),
    ]
    if shaded:
        handles.append(Patch(color="#009E73", alpha=0.25, label="ripe round"))
    if "range" in panels:
        handles += [
            Patch(color="#56B4E9", alpha=0.55, label=range_label(result)),
            Line2D([], [], ls="none", marker="o", color="black", label="SPE settlement"),
            Line2D(
                [],
                [],
                ls="none",
                marker="D",
                mfc="white",
                mec="#D55E00",
                label="Nash solution (from threat points W)",
            ),
        ]
    if result.metadata.get("deadlines"):
        handles.append(Line2D([], [], color="0.4", lw=1.2, ls=":", label="deadline"))
    if "control" in panels and "q10" in control_data(result):
        handles.append(Patch(color="#0072B2", alpha=0.3, label="sampled control, 25-75% / 10-90%"))
    fig.legend(
        handles=handles, loc="outside lower center", ncol=min(len(handles), 5), frameon=False
    )
    fig.suptitle(
        f"{result.metadata.get('title') or result.metadata['scenario']}: how leverage shifts "
        "with time",
        fontsize="x-large",
        wrap=True,
    )
    return fig
