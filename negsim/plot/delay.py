"""Delay incentives: each actor's gain from waiting and the rounds in which the
situation is ripe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from negsim.plot.leverage import actor_order, compare_figure
from negsim.plot.style import (
    LEGEND,
    actor_colors,
    actor_handles,
    mark_events,
    new_axes,
    spans,
    time_axis,
)
from negsim.results.views import actor_rows, concept_name, round_rows

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["compare_delay_incentives", "delay_incentives", "delay_incentives_data"]


# -- delay incentives ----------------------------------------------------------------------
def delay_incentives_data(result: Result, concept: str = "spe") -> pd.DataFrame:
    """Delay incentive Delta_i(t) and preferred delay per actor and round, with ripeness.

    Returns
    -------
    DataFrame
        Columns ``round, actor, label, veto, delay_incentive, preferred_delay, ripe``
        (``ripe`` repeats the round's flag: a deal exists and no veto player gains by
        waiting).
    """
    rows = actor_rows(result, concept)
    ripe = round_rows(result, concept).set_index("round")["ripe"].astype(bool)
    out = pd.DataFrame(
        {
            "round": rows["round"].astype(int).to_numpy(),
            "actor": rows["actor"].to_numpy(),
            "label": [result.label(a) for a in rows["actor"]],
            "veto": rows["veto"].astype(bool).to_numpy(),
            "delay_incentive": rows["delay_incentive"].astype(float).to_numpy(),
            "preferred_delay": rows["preferred_delay"].to_numpy(),
        }
    )
    out["ripe"] = out["round"].map(ripe).fillna(False).astype(bool)
    return out.sort_values(["round", "actor"], key=actor_order(result)).reset_index(drop=True)


def delay_incentives(
    result: Result, concept: str = "spe", ax: Axes | None = None, legend: bool = True
) -> Axes:
    """Delta_i(t): how much each actor gains by delaying the deal, ripe rounds shaded.

    Parameters
    ----------
    result : Result
    concept : str
        Solution concept whose settlement path is valued.
    ax : Axes, optional
    legend : bool

    Returns
    -------
    Axes
        Lines ``gid="delay:<actor>"``, a zero line ``gid="zero"``, one shaded span per run
        of ripe rounds ``gid="ripe"``.

    Notes
    -----
    ``Delta_i(t) = max_{s > t} [discounted flows until s + discounted payoff of the deal at
    s] - payoff of the deal at t`` (:mod:`negsim.models.delay`). Positive: the actor
    gains by waiting; a round is *ripe* when no veto player does (Zartman's ripeness).
    """
    data = delay_incentives_data(result, concept)
    ax = new_axes(ax)
    colors = actor_colors(result)
    ripe_rounds = data.loc[data["ripe"], "round"].unique()
    for k, (lo, hi) in enumerate(spans(np.asarray(ripe_rounds))):
        ax.axvspan(
            lo - 0.5,
            hi + 0.5,
            color="#009E73",
            alpha=0.12,
            lw=0,
            gid="ripe",
            label="ripe (no veto player gains by waiting)" if k == 0 else None,
        )
    ax.axhline(0.0, color="0.2", lw=1.0, gid="zero")
    actors = list(dict.fromkeys(data["actor"]))
    for a in actors:
        d = data[data["actor"] == a]
        ax.plot(
            d["round"],
            d["delay_incentive"],
            color=colors[a],
            lw=2.0,
            marker="o",
            ms=3,
            label=result.label(a),
            gid=f"delay:{a}",
        )
    events = mark_events(ax, result)
    time_axis(ax, result.metadata)
    ax.set_ylabel("Gain from waiting, Δᵢ(t) (utility)")
    ax.set_title(f"Who gains by waiting? Delay incentives ({concept_name(concept)})")
    ax.grid(alpha=0.3)
    if legend:
        handles: list[Any] = actor_handles(result, actors)
        if len(ripe_rounds):
            handles.append(Patch(color="#009E73", alpha=0.25, label="ripe round"))
        ax.legend(handles=handles + events, **LEGEND)
    return ax


def compare_delay_incentives(
    results: Sequence[Result],
    names: Sequence[str] | None = None,
    concept: str = "spe",
    ax: Axes | None = None,
) -> Axes:
    """Delay incentives of several results on shared axes (colour per actor, style per result).

    Returns
    -------
    Axes
        One line per (result, actor) with ``gid`` ``"<k>:delay:<actor>"``.
    """
    return compare_figure(
        results,
        names,
        ax,
        lambda r: delay_incentives_data(r, concept),
        "delay_incentive",
        f"Delay incentives compared ({concept_name(concept)})",
        "Gain from waiting, Δᵢ(t) (utility)",
        "delay",
    )
