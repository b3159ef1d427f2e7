"""Figures of a scenario with private types: deal probability by type, risk and return.

As in :mod:`negsim.plot`, each figure has a *data* function (a tidy DataFrame) and a
*plot* function taking ``ax=None`` and returning the Axes; both work from the tables of a
result (``deal_probability``, ``screening``; :mod:`negsim.results.screening`), so a
reloaded result plots too.

* :func:`deal_probability` -- the probability that each type of the informed actor has
  settled by the end of each round (and over the prior): skimming shows as the weak types
  settling first.
* :func:`risk_return` -- Fearon's (1995) risk-return trade-off of an uninformed
  proposer's offer at one round: for every offer it could make (one per cutoff; a mixed
  offer where the marginal type randomises), the probability that the game ends in war
  against the proposer's expected payoff, the offer it makes marked. A more demanding offer
  pays more if accepted and is rejected by more types.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import negsim
>>> from negsim.plot import screening as plot_screening
>>> result = negsim.solve(negsim.load("textbook/screening"), ["spe"])
>>> plot_screening.deal_probability_data(result).query("round == 0")["cumulative"].tolist()
[0.6, 1.0, 0.0]
>>> data = plot_screening.risk_return_data(result)
>>> data.loc[data["chosen"], ["settling_types", "war", "expected"]].round(6).values.tolist()
[['pragmatic', 0.0, 0.92]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negsim.plot.style import OKABE_ITO, new_axes, time_axis
from negsim.vocabulary import words

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["deal_probability", "deal_probability_data", "risk_return", "risk_return_data"]


def _need_types(result: Result) -> dict[str, object]:
    meta = result.metadata.get("screening")
    if not meta or result.screening.empty:
        raise ValueError("this result has no private types: nothing to plot about screening")
    return dict(meta)


def deal_probability_data(result: Result) -> pd.DataFrame:
    """(type, round, cumulative): P(the type has settled by the end of the round); type
    ``all`` is the average over the prior."""
    _need_types(result)
    table = result.deal_probability
    return table[["type", "round", "cumulative"]].reset_index(drop=True)


def deal_probability(result: Result, ax: Axes | None = None) -> Axes:
    """Cumulative probability of a deal by round, one line per type of the informed actor
    (weakest first) and a dashed line over the prior."""
    meta = _need_types(result)
    data = deal_probability_data(result)
    ax = new_axes(ax)
    names = list(meta["types"])  # type: ignore[call-overload]
    prior = dict(zip(names, meta["prior"], strict=True))  # type: ignore[call-overload]
    M = len(names)
    for i, (who, rows) in enumerate(data.groupby("type", sort=False)):
        overall = who == "all"
        # types that settle together draw on top of each other: the weaker ones wider
        width = 2.0 + 3.0 * (M - i) / M
        label = "over the prior" if overall else f"{who} (prior {prior[str(who)]:.2f})"
        ax.step(  # the last round's value drawn through to its end
            [*rows["round"], rows["round"].max() + 1],
            [*rows["cumulative"], rows["cumulative"].iloc[-1]],
            where="post",
            color="#000000" if overall else OKABE_ITO[(i - 1) % len(OKABE_ITO)],
            ls="--" if overall else "-",
            lw=1.6 if overall else width,
            zorder=3 if overall else 2,
            label=label,
        )
    time_axis(ax, result.metadata)
    who = result.label(str(meta["actor"]))
    unit = words(result.metadata).unit(str(result.metadata.get("time_unit", "round")))
    ax.set(
        ylim=(-0.03, 1.03),
        ylabel=f"P(deal by the end of the {unit})",
        title=f"Probability of a deal by the end of each {unit}, by {who}'s type",
    )
    ax.legend(frameon=False, loc="best", fontsize="small")
    return ax


def _default_round(screening: pd.DataFrame) -> int:
    """The first round on the path at which the proposer's offer risks rejection; else the
    first at which it has the most offers to choose from."""
    on = screening[screening["reached"] > 0]
    if on.empty:
        raise ValueError("no uninformed proposer moves on the path")
    risky = on[on["chosen"] & (on["risk"] > 1e-9)]
    if len(risky):
        return int(risky["round"].min())
    sizes = on.groupby(["round", "regime", "state", "proposer"]).size()
    return int(sizes[sizes == sizes.max()].index[0][0])


def risk_return_data(result: Result, round: int | None = None) -> pd.DataFrame:  # noqa: A002
    """Every offer the proposer could make at ``round`` (default: the first round at which
    its offer risks rejection, else at which it has the most offers to choose from) at the
    node most likely reached: ``settling_types``,
    ``marginal_accepts``, ``war`` (P(the game ends in war) if it makes that offer),
    ``return`` (its utility if accepted), ``expected`` (its expected payoff) and
    ``chosen``. ``attrs`` carries the round, proposer and belief state."""
    _need_types(result)
    table = result.screening
    t = _default_round(table) if round is None else round
    here = table[(table["round"] == t) & (table["reached"] > 0)]
    if here.empty:
        raise ValueError(f"no uninformed proposer moves on the path at round {t}")
    top = here.loc[here["reached"].idxmax()]
    node = here[
        (here["regime"] == top["regime"])
        & (here["state"] == top["state"])
        & (here["proposer"] == top["proposer"])
    ]
    columns = ["settling_types", "marginal_accepts", "war", "return", "expected", "chosen"]
    out = node[columns].reset_index(drop=True)
    out.attrs.update(round=t, proposer=top["proposer"], state=top["state"])
    return out


def _short(settling: str, marginal: float, ret: float) -> str:
    """Which types the offer buys off (the marginal one with its probability) and what
    it returns if accepted."""
    names = [n for n in settling.split(",") if n]
    if not names:
        return "no deal now"
    if marginal < 1 - 1e-9:
        names[-1] = f"{names[-1]} w.p. {marginal:.2f}"
    text = " + ".join(names) if len(names) <= 2 else f"{names[0]} .. {names[-1]}"
    return f"{text}: return {ret:.3f}"


def risk_return(result: Result, round: int | None = None, ax: Axes | None = None) -> Axes:  # noqa: A002
    """The proposer's risk-return trade-off at ``round``: one point per offer (which types
    it buys off), its probability of war against its expected payoff; the offer made is
    the star."""
    data = risk_return_data(result, round)
    ax = new_axes(ax)
    proposer = result.label(str(data.attrs["proposer"]))
    options = data[data["settling_types"] != ""]
    ax.scatter(
        options["war"],
        options["expected"],
        s=36,
        color=OKABE_ITO[0],
        zorder=2,
        label="an offer (which types it buys off)",
    )
    nothing = data[data["settling_types"] == ""]
    if len(nothing):
        ax.scatter(
            nothing["war"],
            nothing["expected"],
            s=36,
            marker="s",
            color=OKABE_ITO[1],
            zorder=2,
            label="no acceptable offer (wait)",
        )
    chosen = data[data["chosen"]]
    ax.scatter(
        chosen["war"],
        chosen["expected"],
        s=220,
        marker="*",
        color=OKABE_ITO[3],
        edgecolor="#000000",
        zorder=3,
        label=f"{proposer}'s offer",
    )
    if len(data) <= 8:  # name the types each offer buys off
        for row in data.itertuples():
            ax.annotate(
                _short(
                    str(row.settling_types),
                    float(np.nan_to_num(row.marginal_accepts, nan=1.0)),
                    float(row._4),
                ),
                (row.war, row.expected),
                xytext=(6, 4),
                textcoords="offset points",
                fontsize="small",
            )
    x = data["war"].to_numpy(dtype=float)
    y = data["expected"].to_numpy(dtype=float)
    pad_x = max(0.05, 0.1 * float(np.ptp(x)))
    pad_y = max(0.01, 0.12 * float(np.ptp(y)))
    room = 3 * pad_x if len(data) <= 8 else pad_x  # labelled points need room to the right
    ax.set_xlim(min(-0.02, x.min() - pad_x), max(1.02, x.max() + room))
    ax.set_ylim(y.min() - pad_y, y.max() + 2 * pad_y)
    ax.set(
        xlabel="probability that the game ends in war",
        ylabel=f"{proposer}'s expected payoff",
        title=f"Risk and return of {proposer}'s offer at {result.round_label(int(data.attrs['round']))}",
    )
    ax.legend(  # below the axes: the points and their labels may be anywhere
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14),
        ncol=3,
        fontsize="small",
    )
    return ax
