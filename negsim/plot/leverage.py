"""Leverage over time: each actor's payoff, surplus or share of the surplus, and the
comparison of scenarios.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from negsim.plot.style import (
    LEGEND,
    MEASURES,
    SCENARIO_STYLES,
    actor_colors,
    actor_handles,
    mark_events,
    new_axes,
    time_axis,
)
from negsim.results.views import actor_rows, concept_name

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["actor_order", "compare_figure", "compare_leverage", "leverage", "leverage_data"]


# -- leverage ------------------------------------------------------------------------------
def leverage_data(result: Result, concept: str = "spe", measure: str = "payoff") -> pd.DataFrame:
    """Each actor's equilibrium payoff (or surplus, or surplus share) and threat point by round.

    Parameters
    ----------
    result : Result
    concept : str
        Solution concept (``"spe"``, ``"nash"``, ...).
    measure : {"payoff", "surplus", "surplus_share"}
        ``payoff`` is u_i of the concept's settlement; ``surplus`` is payoff minus the
        threat point W_i(t); ``surplus_share`` is that surplus as a share of the
        bargaining players' total (NaN for non-veto actors).

    Returns
    -------
    DataFrame
        Columns ``round, actor, label, veto, value, threat_point`` for the headline regime,
        one row per (round, actor).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    rows = actor_rows(result, concept)
    out = pd.DataFrame(
        {
            "round": rows["round"].astype(int).to_numpy(),
            "actor": rows["actor"].to_numpy(),
            "label": [result.label(a) for a in rows["actor"]],
            "veto": rows["veto"].astype(bool).to_numpy(),
            "value": rows[measure].astype(float).to_numpy(),
            "threat_point": rows["threat_point"].astype(float).to_numpy(),
        }
    )
    return out.sort_values(["round", "actor"], key=actor_order(result)).reset_index(drop=True)


def actor_order(result: Result):  # noqa: ANN202 - a pandas sort key
    order = {a: i for i, a in enumerate(result.metadata["actors"])}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "actor" else col

    return key


def leverage(
    result: Result,
    concept: str = "spe",
    measure: str = "payoff",
    ax: Axes | None = None,
    legend: bool = True,
) -> Axes:
    """Each actor's equilibrium payoff over rounds, threat points dashed, events marked.

    Parameters
    ----------
    result : Result
    concept : str
        Solution concept whose settlement is valued.
    measure : {"payoff", "surplus", "surplus_share"}
        See :func:`leverage_data`. Threat points are drawn only for ``"payoff"``.
    ax : Axes, optional
        Where to draw; a new figure when omitted.
    legend : bool
        Draw the legend (outside the axes, on the right).

    Returns
    -------
    Axes
        Lines have ``gid`` ``"payoff:<actor>"`` and ``"threat:<actor>"``; the agreement
        round is a vertical line with ``gid="agreement"``, each deadline one with
        ``gid="deadline"``.
    """
    data = leverage_data(result, concept, measure)
    ax = new_axes(ax)
    colors = actor_colors(result)
    actors = list(dict.fromkeys(data["actor"]))
    for a in actors:
        d = data[data["actor"] == a]
        if measure == "surplus_share" and d["value"].isna().all():
            continue
        ax.plot(
            d["round"],
            d["value"],
            color=colors[a],
            lw=2.2,
            marker="o",
            ms=3,
            label=result.label(a),
            gid=f"payoff:{a}",
        )
        if measure == "payoff":
            ax.plot(
                d["round"],
                d["threat_point"],
                color=colors[a],
                lw=1.4,
                ls="--",
                label=f"{result.label(a)} threat point",
                gid=f"threat:{a}",
            )
    if measure == "surplus_share":
        ax.set_ylim(0, 1)
    events = mark_events(ax, result)
    time_axis(ax, result.metadata)
    ylabel = {
        "payoff": "Utility (settlement in [0, 1]; threat point dashed)",
        "surplus": "Surplus over threat point (utility)",
        "surplus_share": "Share of the veto players' surplus",
    }[measure]
    ax.set_ylabel(ylabel)
    ax.set_title(f"Leverage over time: {MEASURES[measure]} ({concept_name(concept)})")
    ax.grid(alpha=0.3)
    if legend:
        handles = actor_handles(result, actors)
        if measure == "payoff":
            handles += [
                Line2D([], [], color="0.3", lw=2.2, label="equilibrium payoff"),
                Line2D([], [], color="0.3", lw=1.4, ls="--", label="threat point W(t)"),
            ]
        ax.legend(handles=handles + events, **LEGEND)
    return ax


def compare_leverage(
    results: Sequence[Result],
    names: Sequence[str] | None = None,
    concept: str = "spe",
    measure: str = "payoff",
    ax: Axes | None = None,
) -> Axes:
    """Leverage of several results on shared axes: colour per actor, line style per result.

    Parameters
    ----------
    results : sequence of Result
        Up to four results (line styles repeat after four).
    names : sequence of str, optional
        Legend names of the results (default: their scenario titles).
    concept, measure : str
        As in :func:`leverage`.
    ax : Axes, optional

    Returns
    -------
    Axes
        One line per (result, actor) with ``gid`` ``"<k>:payoff:<actor>"``.
    """
    return compare_figure(
        results,
        names,
        ax,
        lambda r: leverage_data(r, concept, measure),
        "value",
        f"Leverage compared: {MEASURES[measure]} ({concept_name(concept)})",
        {
            "payoff": "Equilibrium payoff (utility)",
            "surplus": "Surplus over threat point (utility)",
            "surplus_share": "Share of the veto players' surplus",
        }[measure],
        "payoff",
    )


def compare_figure(
    results: Sequence[Result],
    names: Sequence[str] | None,
    ax: Axes | None,
    data_of: Any,
    column: str,
    title: str,
    ylabel: str,
    tag: str,
) -> Axes:
    if not results:
        raise ValueError("nothing to compare: pass at least one result")
    names = (
        list(names)
        if names is not None
        else [r.metadata.get("title") or r.metadata["scenario"] for r in results]
    )
    if len(names) != len(results):
        raise ValueError(f"{len(names)} names for {len(results)} results")
    actors = list(dict.fromkeys(a for r in results for a in r.metadata["actors"]))
    colors = actor_colors(actors)
    labels: dict[str, str] = {}
    for r in results:
        labels.update(r.metadata["labels"])
    ax = new_axes(ax)
    for k, r in enumerate(results):
        data = data_of(r)
        for a in actors:
            d = data[data["actor"] == a]
            if d.empty or d[column].isna().all():
                continue
            ax.plot(
                d["round"],
                d[column],
                color=colors[a],
                lw=2.0,
                ls=SCENARIO_STYLES[k % len(SCENARIO_STYLES)],
                label=f"{labels.get(a, a)} ({names[k]})",
                gid=f"{k}:{tag}:{a}",
            )
    ax.axhline(0.0, color="0.5", lw=0.8, zorder=0)
    T = max(int(r.metadata["rounds"]) for r in results)
    time_axis(ax, {**results[0].metadata, "rounds": T})
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    handles = [Line2D([], [], color=colors[a], lw=2.2, label=labels.get(a, a)) for a in actors]
    handles += [
        Line2D([], [], color="0.3", lw=2.0, ls=SCENARIO_STYLES[k % len(SCENARIO_STYLES)], label=n)
        for k, n in enumerate(names)
    ]
    ax.legend(handles=handles, **LEGEND)
    return ax
