"""Figures of a scenario with worlds: deal probability by perspective, belief paths.

As in :mod:`negsim.plot`, each figure has a *data* function (a tidy DataFrame) and a
*plot* function taking ``ax=None`` and returning the Axes; both work from the tables of a
result (``deal_probability``, ``beliefs``, ``nodes``), so a reloaded result plots too.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import negsim
>>> from negsim.plot import beliefs as plot_beliefs
>>> result = negsim.solve(negsim.load("textbook/optimism"), ["spe"])
>>> print(plot_beliefs.deal_probability(result).get_title())
Probability of a deal by the end of each round,
by whose prior
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negsim.plot.style import actor_colors, time_axis

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["belief_paths", "belief_paths_data", "deal_probability", "deal_probability_data"]

_ANALYST = "#000000"


def _need_worlds(result: Result) -> None:
    if result.deal_probability.empty:
        raise ValueError("this result has no worlds: nothing to plot about beliefs")


def deal_probability_data(result: Result, concept: str = "spe") -> pd.DataFrame:
    """(perspective, round, cumulative): P(agreement by the end of the round) under each
    actor's prior and the analyst's."""
    _need_worlds(result)
    table = result.deal_probability.query("concept == @concept")
    return table[["perspective", "round", "cumulative"]].reset_index(drop=True)


def _groups(result: Result) -> list[tuple[str, str]]:
    """(perspective, legend name) per distinct prior, in the order of the perspectives:
    perspectives holding the same prior (an actor without a ``beliefs`` entry holds the
    analyst's) share one line, named together, so that no line hides another."""
    priors: dict[str, dict[str, float]] = result.metadata["priors"]
    seen: dict[tuple[float, ...], list[str]] = {}
    for who, prior in priors.items():
        seen.setdefault(tuple(prior.values()), []).append(who)
    names = {
        group[-1] if "analyst" in group else group[0]: ", ".join(
            "analyst" if w == "analyst" else result.label(w) for w in group
        )
        for group in seen.values()
    }
    return [(who, names[who]) for who in priors if who in names]


def deal_probability(result: Result, concept: str = "spe", ax: Axes | None = None) -> Axes:
    """Cumulative probability of a deal by round, one line per perspective (perspectives
    with equal priors share a line)."""
    data = deal_probability_data(result, concept)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    colors = actor_colors(result.metadata["actors"])
    for who, name in _groups(result):
        rows = data[data["perspective"] == who]
        ax.step(
            rows["round"],
            rows["cumulative"],
            where="post",
            color=colors.get(who, _ANALYST),
            ls="--" if who == "analyst" else "-",
            label=f"by {name}'s prior" if "," not in name else f"by the prior of {name}",
        )
    ax.set(ylim=(-0.02, 1.02), ylabel="P(deal by the end of the round)")
    time_axis(ax, result.metadata)
    ax.set_title("Probability of a deal by the end of each round,\nby whose prior")
    ax.legend(frameon=False, fontsize="small")
    return ax


def belief_paths_data(result: Result, world: str | None = None) -> pd.DataFrame:
    """(perspective, round, mean, low, high): each perspective's belief in ``world``
    (default: the first) over the signal nodes of each round, weighted by the analyst's
    probability of the nodes: the expected path and the 10-90% band."""
    _need_worlds(result)
    world = world or next(iter(result.metadata["worlds"]))
    beliefs = result.beliefs[result.beliefs["world"] == world]
    odds = beliefs[beliefs["perspective"] == "analyst"].set_index(["round", "node"])
    rows = []
    for (who, t), part in beliefs.groupby(["perspective", "round"], sort=False):
        weight = odds.loc[t]["node_probability"].reindex(part["node"]).to_numpy()
        values = part["probability"].to_numpy()
        order = np.argsort(values, kind="stable")
        cdf = np.cumsum(weight[order])
        last = len(values) - 1
        rows.append(
            {
                "perspective": who,
                "round": t,
                "mean": float(np.dot(weight, values)),
                "low": float(values[order][min(np.searchsorted(cdf, 0.1), last)]),
                "high": float(values[order][min(np.searchsorted(cdf, 0.9), last)]),
            }
        )
    return pd.DataFrame(rows)


def belief_paths(result: Result, world: str | None = None, ax: Axes | None = None) -> Axes:
    """Each actor's (and the analyst's) belief in ``world`` over time: the expected path
    under the analyst's prior and a 10-90% band over the signal paths (perspectives with
    equal priors share a line and a band)."""
    world = world or next(iter(result.metadata["worlds"]))
    data = belief_paths_data(result, world)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
    colors = actor_colors(result.metadata["actors"])
    for who, name in _groups(result):
        rows = data[data["perspective"] == who]
        color = colors.get(who, _ANALYST)
        ax.fill_between(rows["round"], rows["low"], rows["high"], color=color, alpha=0.12)
        ax.plot(
            rows["round"],
            rows["mean"],
            color=color,
            ls="--" if who == "analyst" else "-",
            label=name,
        )
    label = result.metadata["worlds"].get(world, world)
    ax.set(ylim=(-0.02, 1.02), ylabel=f"P('{world}')")
    time_axis(ax, result.metadata, int(result.metadata["rounds"]) + 1)  # beliefs to round T
    ax.set_title(
        f"Belief in '{world}' ({label}):\nexpected path (analyst's odds), 10-90% band",
        wrap=True,
    )
    ax.legend(frameon=False, fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax
