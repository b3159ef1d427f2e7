"""Proposals on the table: each actor's value of each proposal against its
continuation value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from negsim.plot.style import (
    LEGEND,
    SCENARIO_STYLES,
    actor_colors,
    actor_handles,
    mark_events,
    new_axes,
    time_axis,
)

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["proposals", "proposals_data"]


# -- proposals -----------------------------------------------------------------------------
def proposals_data(result: Result, proposal: str | None = None) -> pd.DataFrame:
    """Each proposal's margin (value minus continuation) per actor and round.

    Returns
    -------
    DataFrame
        Columns ``proposal, round, actor, label, margin, accept`` for the headline regime.
    """
    table = result.proposals
    if len(table):
        table = table[table["regime"] == result.headline_regime]
    if proposal is not None:
        if proposal not in set(table["proposal"]):
            raise ValueError(
                f"no proposal {proposal!r}; the result has {', '.join(dict.fromkeys(table['proposal'])) or 'none'}"
            )
        table = table[table["proposal"] == proposal]
    return pd.DataFrame(
        {
            "proposal": table["proposal"].to_numpy(),
            "round": table["round"].astype(int).to_numpy(),
            "actor": table["actor"].to_numpy(),
            "label": [result.label(a) for a in table["actor"]],
            "margin": table["margin"].astype(float).to_numpy(),
            "accept": table["accept"].astype(bool).to_numpy(),
        }
    )


def proposals(
    result: Result, proposal: str | None = None, ax: Axes | None = None, legend: bool = True
) -> Axes:
    """Each proposal's margin for each actor over time: above zero it beats fighting on.

    Colour per actor, line style per proposal; filled markers where the actor accepts
    (margin >= 0, inside its red lines and above its reservation utility), hollow where it
    refuses.

    Parameters
    ----------
    result : Result
    proposal : str, optional
        Only this proposal (default: all).
    ax : Axes, optional
    legend : bool

    Returns
    -------
    Axes
        Lines ``gid="margin:<proposal>:<actor>"`` and a zero line ``gid="zero"``.
    """
    data = proposals_data(result, proposal)
    ax = new_axes(ax)
    colors = actor_colors(result)
    names = list(dict.fromkeys(data["proposal"]))
    ax.axhline(0.0, color="0.2", lw=1.0, gid="zero")
    labels = _proposal_labels(result)
    for p, name in enumerate(names):
        style = SCENARIO_STYLES[p % len(SCENARIO_STYLES)]
        for a in dict.fromkeys(data["actor"]):
            d = data[(data["proposal"] == name) & (data["actor"] == a)]
            line = ax.plot(
                d["round"],
                d["margin"],
                color=colors[a],
                lw=1.8,
                ls=style,
                label=f"{labels.get(name, name)}: {result.label(a)}",
                gid=f"margin:{name}:{a}",
            )[0]
            acc = d[d["accept"]]
            ax.plot(
                acc["round"], acc["margin"], ls="none", marker="o", ms=4, color=line.get_color()
            )
            rej = d[~d["accept"]]
            ax.plot(
                rej["round"],
                rej["margin"],
                ls="none",
                marker="o",
                ms=4,
                mfc="white",
                mec=line.get_color(),
            )
    events = mark_events(ax, result, agreement=False)
    time_axis(ax, result.metadata)
    ax.set_ylabel("Margin: value of the proposal − continuation (utility)")
    title = "Proposals on the table: who would accept?"
    ax.set_title(title if proposal is None else f"{title} ({labels.get(proposal, proposal)})")
    ax.grid(alpha=0.3)
    if not names:
        ax.text(
            0.5,
            0.5,
            "no proposals in this scenario",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.4",
            gid="note",
        )
    elif legend:
        handles: list[Any] = actor_handles(result, dict.fromkeys(data["actor"]))
        handles += [
            Line2D(
                [],
                [],
                color="0.3",
                ls=SCENARIO_STYLES[p % len(SCENARIO_STYLES)],
                lw=1.8,
                label=labels.get(n, n),
            )
            for p, n in enumerate(names)
        ]
        handles += [
            Line2D([], [], ls="none", marker="o", color="0.3", label="accepts"),
            Line2D([], [], ls="none", marker="o", mfc="white", mec="0.3", label="refuses"),
        ]
        ax.legend(handles=handles + events, **LEGEND)
    return ax


def _proposal_labels(result: Result) -> dict[str, str]:
    s = result.scenario
    if s is None:
        return {}
    return {k: (p.label or k) for k, p in s.proposals.items()}
