"""Figures of a solved scenario: how leverage shifts with time.

Every figure comes in two parts: a small *data* function that turns a
:class:`~negsim.result.Result` into a tidy DataFrame (tests check these numerically), and a
*plot* function that draws it. Plot functions take ``ax=None`` (a new figure is made when
omitted), return the Axes (a Figure for multi-panel views), never call ``plt.show()`` and
never choose a backend: pick one yourself (``matplotlib.use("Agg")``) to draw headless.

Plots follow the headline regime (``result.headline_regime``, the one the game starts in)
and work from the tables and metadata alone, so a reloaded result (``Result.load``) plots
too -- except :func:`bargaining_range` and :func:`stage_game`, which need the actors'
preferences or payoff matrices and so the scenario (``result.scenario``).

Colours: one colour per actor across every figure of a scenario, from the colour-blind-safe
Okabe-Ito palette, in the order the scenario lists its actors (:func:`actor_colors`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import negsim
>>> from negsim import plot
>>> result = negsim.solve(negsim.load("textbook/rubinstein"))
>>> ax = plot.leverage(result)
>>> ax.get_title()
'Leverage over time: equilibrium payoff (subgame-perfect equilibrium)'
>>> plot.leverage_data(result).query("round == 0")[["actor", "value"]].round(4).values.tolist()
[['alice', 0.7143], ['bob', 0.2857]]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from negsim.plot_sweep import fan, heatmap, tornado

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = [
    "OKABE_ITO",
    "actor_colors",
    "bargaining_range",
    "bargaining_range_data",
    "compare_delay_incentives",
    "compare_leverage",
    "control",
    "control_data",
    "dashboard",
    "delay_incentives",
    "fan",
    "heatmap",
    "delay_incentives_data",
    "leverage",
    "leverage_data",
    "payoff_matrix",
    "proposals",
    "proposals_data",
    "stage_game",
    "tornado",
]

#: Okabe & Ito (2008) colour-blind-safe palette, ordered for contrast on white (yellow last).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
#: Line styles that tell scenarios apart in comparisons.
SCENARIO_STYLES = ("-", "--", ":", "-.")
#: Single-panel figure size (inches), readable on a slide.
FIGSIZE = (9.0, 5.0)

_MEASURES = {
    "payoff": "equilibrium payoff",
    "surplus": "surplus over threat point",
    "surplus_share": "share of the bargaining surplus",
}
_LEGEND: dict[str, Any] = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1.0),
    "frameon": False,
    "fontsize": "small",
}


# -- shared helpers -------------------------------------------------------------------------
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


def _concept_name(concept: str) -> str:
    from negsim.summary import _CONCEPT_NAMES

    return _CONCEPT_NAMES.get(concept, concept)


def _check_concept(result: Result, concept: str) -> None:
    concepts = result.metadata.get("concepts", ["spe"])
    if concept not in concepts:
        raise ValueError(
            f"concept {concept!r} was not solved; this result has {', '.join(concepts)}"
        )


def _actor_rows(result: Result, concept: str) -> pd.DataFrame:
    _check_concept(result, concept)
    table = result.actors
    regime = result.headline_regime
    return table[(table["concept"] == concept) & (table["regime"] == regime)]


def _round_rows(result: Result, concept: str = "spe") -> pd.DataFrame:
    _check_concept(result, concept)
    table = result.rounds
    regime = result.headline_regime
    return table[(table["concept"] == concept) & (table["regime"] == regime)].sort_values("round")


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _issue_label(result: Result, issue: str) -> str:
    return result.metadata.get("issues", {}).get(issue, issue)


def _time_axis(ax: Axes, metadata: dict[str, Any], rounds: int | None = None) -> None:
    """Integer round ticks, labelled with calendar dates when the scenario has a start date."""
    from negsim.result import _dates

    T = int(metadata["rounds"]) if rounds is None else rounds
    unit = str(metadata.get("time_unit", "round"))
    dates = _dates(metadata, list(range(T + 1)))
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


def _mark_events(ax: Axes, result: Result, *, agreement: bool = True) -> list[Any]:
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


def _actor_handles(result: Result, actors: Iterable[str]) -> list[Line2D]:
    colors = actor_colors(result)
    veto = set(result.metadata.get("veto", []))
    handles = []
    for a in actors:
        note = "" if not veto or a in veto else " (no veto)"
        handles.append(Line2D([], [], color=colors[a], lw=2.2, label=result.label(a) + note))
    return handles


def _spans(rounds: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive integers as (first, last) pairs."""
    out: list[tuple[int, int]] = []
    for r in np.sort(rounds.astype(int)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], int(r))
        else:
            out.append((int(r), int(r)))
    return out


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
    if measure not in _MEASURES:
        raise ValueError(f"measure must be one of {', '.join(_MEASURES)}, got {measure!r}")
    rows = _actor_rows(result, concept)
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
    return out.sort_values(["round", "actor"], key=_actor_order(result)).reset_index(drop=True)


def _actor_order(result: Result):  # noqa: ANN202 - a pandas sort key
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
    ax = _new_axes(ax)
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
    events = _mark_events(ax, result)
    _time_axis(ax, result.metadata)
    ylabel = {
        "payoff": "Utility (settlement in [0, 1]; threat point dashed)",
        "surplus": "Surplus over threat point (utility)",
        "surplus_share": "Share of the veto players' surplus",
    }[measure]
    ax.set_ylabel(ylabel)
    ax.set_title(f"Leverage over time: {_MEASURES[measure]} ({_concept_name(concept)})")
    ax.grid(alpha=0.3)
    if legend:
        handles = _actor_handles(result, actors)
        if measure == "payoff":
            handles += [
                Line2D([], [], color="0.3", lw=2.2, label="equilibrium payoff"),
                Line2D([], [], color="0.3", lw=1.4, ls="--", label="threat point W(t)"),
            ]
        ax.legend(handles=handles + events, **_LEGEND)
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
    return _compare(
        results,
        names,
        ax,
        lambda r: leverage_data(r, concept, measure),
        "value",
        f"Leverage compared: {_MEASURES[measure]} ({_concept_name(concept)})",
        {
            "payoff": "Equilibrium payoff (utility)",
            "surplus": "Surplus over threat point (utility)",
            "surplus_share": "Share of the veto players' surplus",
        }[measure],
        "payoff",
    )


def _compare(
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
    ax = _new_axes(ax)
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
    _time_axis(ax, {**results[0].metadata, "rounds": T})
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    handles = [Line2D([], [], color=colors[a], lw=2.2, label=labels.get(a, a)) for a in actors]
    handles += [
        Line2D([], [], color="0.3", lw=2.0, ls=SCENARIO_STYLES[k % len(SCENARIO_STYLES)], label=n)
        for k, n in enumerate(names)
    ]
    ax.legend(handles=handles, **_LEGEND)
    return ax


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
    rows = _actor_rows(result, concept)
    ripe = _round_rows(result, concept).set_index("round")["ripe"].astype(bool)
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
    return out.sort_values(["round", "actor"], key=_actor_order(result)).reset_index(drop=True)


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
    ax = _new_axes(ax)
    colors = actor_colors(result)
    ripe_rounds = data.loc[data["ripe"], "round"].unique()
    for k, (lo, hi) in enumerate(_spans(np.asarray(ripe_rounds))):
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
    events = _mark_events(ax, result)
    _time_axis(ax, result.metadata)
    ax.set_ylabel("Gain from waiting, Δᵢ(t) (utility)")
    ax.set_title(f"Who gains by waiting? Delay incentives ({_concept_name(concept)})")
    ax.grid(alpha=0.3)
    if legend:
        handles: list[Any] = _actor_handles(result, actors)
        if len(ripe_rounds):
            handles.append(Patch(color="#009E73", alpha=0.25, label="ripe round"))
        ax.legend(handles=handles + events, **_LEGEND)
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
    return _compare(
        results,
        names,
        ax,
        lambda r: delay_incentives_data(r, concept),
        "delay_incentive",
        f"Delay incentives compared ({_concept_name(concept)})",
        "Gain from waiting, Δᵢ(t) (utility)",
        "delay",
    )


# -- bargaining range ----------------------------------------------------------------------
def _default_issue(result: Result) -> str:
    issue = result.metadata.get("battlefield_issue")
    if issue:
        return str(issue)
    if not len(result.rounds):
        raise ValueError("the result has no rounds")
    skip = {"concept", "regime", "round", "date", "proposer", "deal", "control", "ripe"}
    columns = [c for c in result.rounds.columns if c not in skip]
    positions = [c for c in columns if "." not in c]
    return (positions or [c.split(".")[0] for c in columns])[0]


def _headline_arrays(result: Result) -> Any:
    if result.solution is not None:
        return result.solution.arrays[0]
    if result.scenario is None:
        raise ValueError(
            "the bargaining range needs the actors' preferences: this result has neither its "
            "scenario nor its solution (a reloaded result); solve the scenario again"
        )
    from negsim.engine import _regime_arrays

    return _regime_arrays(result.scenario)[2][0]


def bargaining_range_data(
    result: Result, issue: str | None = None, hold: str = "free", grid: int = 201
) -> pd.DataFrame:
    """Per round, the settlements on ``issue`` that every veto player would accept.

    A settlement is acceptable to player i at round t when ``u_i >= max(C_i(t),
    reservation_i)`` -- C_i its continuation value, what it gets by refusing -- and it lies
    inside i's red lines. The players are the veto players (everyone when there are none).

    Parameters
    ----------
    result : Result
        Needs ``result.scenario`` or ``result.solution`` (the actors' preferences).
    issue : str, optional
        A position issue, or a pie issue (then the range is the share of the pie's first
        member; the other members split the rest in their SPE proportions). Default: the
        battlefield issue, else the first position issue, else the first pie.
    hold : {"free", "spe"}
        ``"free"``: the zone of possible agreement projected on the issue -- the least and
        greatest position for which *some* settlement of the other issues is acceptable to
        every player (two convex programs per round, :func:`negsim.models.spatial.best_proposal`
        with a pseudo-actor whose utility is the position itself). ``"spe"``: the other
        issues held at the round's SPE settlement (the Nash settlement where the SPE has
        none); the acceptable set is an interval (utilities are concave in each issue),
        found on a grid of ``grid`` points (plus the SPE and Nash positions) and refined by
        bisection; utilities within 1e-7 of a floor count as accepted. Pie issues always use
        ``"spe"``.
    grid : int
        Number of grid points for ``hold="spe"``.

    Returns
    -------
    DataFrame
        Columns ``round, low, high, empty, spe, nash`` (``nash`` NaN when not solved);
        ``attrs["issue"]`` and ``attrs["variable"]`` (what the values measure).

    Raises
    ------
    ValueError
        Unknown issue or ``hold``, or a result without scenario and solution.
    """
    from negsim.models.spatial import SettlementSpace, best_proposal, utilities

    if hold not in {"free", "spe"}:
        raise ValueError(f"hold must be 'free' or 'spe', got {hold!r}")
    issue = issue or _default_issue(result)
    a = _headline_arrays(result)
    if issue not in a.positions and issue not in a.pies:
        raise ValueError(f"unknown issue {issue!r}; choose from {', '.join(a.positions + a.pies)}")
    spe = _round_rows(result, "spe").set_index("round")
    has_nash = "nash" in result.metadata.get("concepts", [])
    nash = _round_rows(result, "nash").set_index("round") if has_nash else None
    actors_tab = _actor_rows(result, "spe")
    players = a.players
    N, P, Q = len(a.actors), len(a.positions), len(a.pies)
    pie_q = a.pies.index(issue) if issue in a.pies else None
    members = np.flatnonzero(a.members[:, pie_q]) if pie_q is not None else np.array([], dtype=int)
    k = a.positions.index(issue) if pie_q is None else 0
    hold = "spe" if pie_q is not None else hold

    def terms_of(row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        x = np.array([row[p] for p in a.positions], dtype=float)
        y = np.zeros((N, Q))
        for q, pie in enumerate(a.pies):
            for i in np.flatnonzero(a.members[:, q]):
                y[i, q] = row[f"{pie}.{a.actors[i]}"]
        return x, y

    def variable(row: pd.Series) -> float:
        if pie_q is None:
            return float(row[issue])
        return float(row[f"{issue}.{a.actors[members[0]]}"])

    records = []
    for t in range(a.rounds):
        row_spe, row_nash = spe.loc[t], (nash.loc[t] if nash is not None else None)
        spe_v = variable(row_spe) if row_spe["deal"] > 0 else np.nan
        nash_v = variable(row_nash) if row_nash is not None else np.nan
        cont = actors_tab[actors_tab["round"] == t].set_index("actor")["continuation"]
        floor = np.maximum(cont.reindex(a.actors).to_numpy(dtype=float), a.reservation[t])
        lo_red = a.red_low[t][players].max(axis=0) if P else np.zeros(0)
        hi_red = a.red_high[t][players].min(axis=0) if P else np.zeros(0)
        if hold == "free":
            bounds = _free_range(
                a, t, k, players, floor, lo_red, hi_red, SettlementSpace, best_proposal
            )
            records.append((t, *bounds, np.isnan(bounds[0]), spe_v, nash_v))
            continue
        base_row = row_spe if row_spe["deal"] > 0 else row_nash
        if base_row is None or np.isnan(terms_of(base_row)[0]).any():
            records.append((t, np.nan, np.nan, True, spe_v, nash_v))
            continue
        x0, y0 = terms_of(base_row)
        space = SettlementSpace(
            a.ideal[t],
            a.salience_position[t],
            a.salience_pie[t],
            a.curvature[t],
            a.members,
            np.zeros(P),
            np.ones(P),
        )

        def accepted(
            v: np.ndarray,
            x0: np.ndarray = x0,
            y0: np.ndarray = y0,
            space: SettlementSpace = space,
            floor: np.ndarray = floor,
            lo: np.ndarray = lo_red,
            hi: np.ndarray = hi_red,
        ) -> np.ndarray:
            v = np.asarray(v, dtype=float)
            x = np.broadcast_to(x0, (*v.shape, P)).copy()
            y = np.broadcast_to(y0, (*v.shape, N, Q)).copy()
            inside = np.ones(v.shape, dtype=bool)
            if pie_q is None:
                x[..., k] = v
                inside = (v >= lo[k] - 1e-12) & (v <= hi[k] + 1e-12)
            else:
                rest = y0[members[1:], pie_q]
                weights = (
                    rest / rest.sum()
                    if rest.sum() > 1e-12
                    else np.full(len(rest), 1 / max(len(rest), 1))
                )
                y[..., members[0], pie_q] = v
                y[..., members[1:], pie_q] = (1 - v)[..., None] * weights
            u = utilities(space, x, y)
            return np.all(u[..., players] >= floor[players] - 1e-7, axis=-1) & inside

        extra = [
            v for v in (spe_v, nash_v) if np.isfinite(v)
        ]  # degenerate ranges are single points
        points = np.unique(np.concatenate([np.linspace(0.0, 1.0, grid), np.clip(extra, 0.0, 1.0)]))
        ok = accepted(points)
        if not ok.any():
            records.append((t, np.nan, np.nan, True, spe_v, nash_v))
            continue
        first, last = np.flatnonzero(ok)[[0, -1]]
        low = _refine(accepted, points[first - 1], points[first]) if first > 0 else 0.0
        high = _refine(accepted, points[last + 1], points[last]) if last < len(points) - 1 else 1.0
        records.append((t, low, high, False, spe_v, nash_v))
    out = pd.DataFrame(records, columns=["round", "low", "high", "empty", "spe", "nash"])
    out.attrs["issue"] = issue
    out.attrs["hold"] = hold
    out.attrs["variable"] = (
        _issue_label(result, issue)
        if pie_q is None
        else f"{result.label(a.actors[members[0]])}'s share of {_issue_label(result, issue)}"
    )
    return out


def _free_range(
    a: Any,
    t: int,
    k: int,
    players: np.ndarray,
    floor: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    space_cls: Any,
    best_proposal: Any,
) -> tuple[float, float]:
    """Least and greatest x_k over settlements every player accepts (NaN, NaN if none).

    A pseudo-actor with salience 1 on issue k only and ideal point 1 (or 0) has utility
    x_k (or 1 - x_k); its best proposal under the players' floors is the edge of the range.
    """
    if np.any(lo > hi + 1e-9):
        return np.nan, np.nan
    N, P = a.ideal.shape[1], a.ideal.shape[2]
    floors = np.append(np.where(players, floor, np.nan), np.nan)
    floors[~np.isfinite(floors)] = np.nan
    edges = []
    for target in (0.0, 1.0):
        ideal = np.vstack([a.ideal[t], np.full((1, P), target)])
        salience = np.vstack([a.salience_position[t], np.eye(P)[k][None, :]])
        space = space_cls(
            ideal,
            salience,
            np.vstack([a.salience_pie[t], np.zeros((1, a.salience_pie.shape[2]))]),
            np.append(a.curvature[t], 1.0),
            np.vstack([a.members, np.zeros((1, a.members.shape[1]), bool)]),
            lo,
            np.maximum(hi, lo),
        )
        found = best_proposal(space, N, floors)
        if found is None:
            return np.nan, np.nan
        edges.append(float(found.x[k]))
    return edges[0], edges[1]


def _range_label(result: Result) -> str:
    return (
        "acceptable to every veto player"
        if result.metadata.get("veto")
        else "acceptable to every player"
    )


def _refine(accepted: Any, outside: float, inside: float, steps: int = 40) -> float:
    """Bisection for the edge of an interval between a rejected and an accepted point."""
    for _ in range(steps):
        mid = 0.5 * (outside + inside)
        if accepted(np.array([mid]))[0]:
            inside = mid
        else:
            outside = mid
    return float(inside)


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
    ax = _new_axes(ax)
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
        label=_range_label(result),
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
    events = _mark_events(ax, result)
    ax.set_ylim(-0.02, 1.02)
    _time_axis(ax, result.metadata)
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
        ax.legend(handles=[h for h in handles if h not in events] + events, **_LEGEND)
    return ax


# -- control -------------------------------------------------------------------------------
def control_data(result: Result) -> pd.DataFrame:
    """Battlefield control p(t) and, where sampled, its quantiles over regime paths.

    Returns
    -------
    DataFrame
        Columns ``round, control`` (the mean-field path of the headline regime) and, when
        ``result.solution.sampled_control`` has samples, ``q10, q25, q50, q75, q90`` over
        rounds ``0 .. T`` (the last row is the war outcome p(T), with ``control`` NaN).
        Empty when the scenario has no battlefield.
    """
    rows = _round_rows(result, "spe")
    if not len(rows) or rows["control"].isna().all():
        return pd.DataFrame(columns=["round", "control"])
    T = int(result.metadata["rounds"])
    out = pd.DataFrame(
        {"round": np.arange(T + 1), "control": np.append(rows["control"].to_numpy(float), np.nan)}
    )
    samples = getattr(result.solution, "sampled_control", None)
    if samples is not None and len(samples):
        for q in (10, 25, 50, 75, 90):
            out[f"q{q}"] = np.percentile(samples[:, : T + 1], q, axis=0)
    return out


def _side_names(result: Result) -> tuple[str, str]:
    s = result.scenario
    if s is None or s.battlefield is None:
        return "side a", "side b"
    sides = s.battlefield.sides
    return tuple(
        ", ".join(result.label(a) for a in sides.get(k, [])) or f"side {k}" for k in ("a", "b")
    )  # type: ignore[return-value]


def control(result: Result, ax: Axes | None = None, legend: bool = True) -> Axes:
    """Battlefield control p(t), with a fan chart of sampled regime paths where available.

    Parameters
    ----------
    result : Result
    ax : Axes, optional
    legend : bool

    Returns
    -------
    Axes
        The path is a line ``gid="control"``; the fan is two filled bands
        ``gid="band:10-90"`` and ``gid="band:25-75"`` (only with sampled paths). Without a
        battlefield the axes carry a note and no lines.
    """
    data = control_data(result)
    ax = _new_axes(ax)
    issue = result.metadata.get("battlefield_issue")
    side_a, side_b = _side_names(result)
    ax.set_title(
        f"Battlefield control: {_issue_label(result, issue)}" if issue else "Battlefield control"
    )
    _time_axis(ax, result.metadata, int(result.metadata["rounds"]) + 1)
    ax.set_ylabel(f"Control p(t): share held by {side_a}")
    ax.set_ylim(0, 1)
    if data.empty:
        ax.text(
            0.5,
            0.5,
            "no battlefield in this scenario",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="0.4",
            gid="note",
        )
        return ax
    if "q10" in data:
        for lo, hi, alpha in ((10, 90, 0.15), (25, 75, 0.3)):
            ax.fill_between(
                data["round"],
                data[f"q{lo}"],
                data[f"q{hi}"],
                color="#0072B2",
                alpha=alpha,
                lw=0,
                label=f"{lo}-{hi}% of sampled regime paths",
                gid=f"band:{lo}-{hi}",
            )
        ax.plot(
            data["round"],
            data["q50"],
            color="#0072B2",
            lw=1.2,
            ls="--",
            label="median of samples",
            gid="median",
        )
    ax.plot(
        data["round"],
        data["control"],
        color="black",
        lw=2.2,
        marker="o",
        ms=3,
        label="expected path (mean field)",
        gid="control",
    )
    ax.axhline(0.5, color="0.5", lw=0.8, ls=":", zorder=0)
    ax.text(
        0.01,
        0.98,
        f"higher: {side_a} holds more",
        transform=ax.transAxes,
        va="top",
        fontsize="small",
        color="0.3",
    )
    ax.text(
        0.01,
        0.02,
        f"lower: {side_b} holds more",
        transform=ax.transAxes,
        va="bottom",
        fontsize="small",
        color="0.3",
    )
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(**_LEGEND)
    return ax


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
    ax = _new_axes(ax)
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
    events = _mark_events(ax, result, agreement=False)
    _time_axis(ax, result.metadata)
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
        handles: list[Any] = _actor_handles(result, dict.fromkeys(data["actor"]))
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
        ax.legend(handles=handles + events, **_LEGEND)
    return ax


def _proposal_labels(result: Result) -> dict[str, str]:
    s = result.scenario
    if s is None:
        return {}
    return {k: (p.label or k) for k, p in s.proposals.items()}


# -- stage games ---------------------------------------------------------------------------
def payoff_matrix(
    A: np.ndarray,
    B: np.ndarray,
    row_strategies: Sequence[str],
    col_strategies: Sequence[str],
    equilibria: Iterable[Any] | None = None,
    ax: Axes | None = None,
    row_player: str = "Row",
    col_player: str = "Column",
    title: str | None = None,
) -> Axes:
    """A bimatrix game as an annotated heatmap (cells ``"a, b"``), equilibria marked.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Row and column player's payoffs.
    row_strategies, col_strategies : sequence of str
        Strategy names (length m and n).
    equilibria : iterable, optional
        Objects with ``row_strategy`` and ``col_strategy`` (probability vectors or dicts
        strategy -> probability), e.g. ``negsim.models.normal_form.solve(A, B).equilibria``.
        Pure equilibria are boxed; mixed ones are listed under the matrix with their
        probabilities and their support outlined dashed.
    ax : Axes, optional
    row_player, col_player : str
        Player labels for the axes.
    title : str, optional

    Returns
    -------
    Axes
        Boxes of pure equilibria have ``gid="pure"``, support outlines of mixed ones
        ``gid="mixed"``, their captions ``gid="mixed-label"``.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape != B.shape or A.ndim != 2 or A.shape != (len(row_strategies), len(col_strategies)):
        raise ValueError(
            f"payoff shapes {A.shape} and {B.shape} do not match {len(row_strategies)} x {len(col_strategies)} strategies"
        )
    m, n = A.shape
    ax = _new_axes(ax, (1.8 * n + 3.5, 1.1 * m + 2.5))
    image = ax.imshow(A, cmap="Blues", aspect="auto", alpha=0.7)
    span = max(float(np.ptp(A)), 1e-12)
    for i in range(m):
        for j in range(n):
            dark = (A[i, j] - A.min()) / span > 0.7
            ax.text(
                j,
                i,
                f"{_num(A[i, j])}, {_num(B[i, j])}",
                ha="center",
                va="center",
                fontsize="large",
                color="white" if dark else "black",
            )
    ax.set_xticks(range(n), [s.replace("_", " ") for s in col_strategies])
    ax.set_yticks(range(m), [s.replace("_", " ") for s in row_strategies])
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(f"{col_player} (column player; second payoff)")
    ax.set_ylabel(f"{row_player} (row player; first payoff)")
    ax.set_title(title or "Stage game", pad=12)
    ax.figure.colorbar(image, ax=ax, label=f"{row_player}'s payoff (cell colour)", shrink=0.8)
    mixed = []
    for eq in equilibria or []:
        p = _strategy(
            eq.row_strategy if hasattr(eq, "row_strategy") else eq["row_strategy"], row_strategies
        )
        q = _strategy(
            eq.col_strategy if hasattr(eq, "col_strategy") else eq["col_strategy"], col_strategies
        )
        if np.isclose(p.max(), 1.0) and np.isclose(q.max(), 1.0):
            i, j = int(p.argmax()), int(q.argmax())
            ax.add_patch(
                Rectangle(
                    (j - 0.47, i - 0.47), 0.94, 0.94, fill=False, lw=3, ec="#D55E00", gid="pure"
                )
            )
        else:
            mixed.append((p, q))
    lines = []
    for k, (p, q) in enumerate(mixed):
        rows, cols = np.flatnonzero(p > 1e-9), np.flatnonzero(q > 1e-9)
        ax.add_patch(
            Rectangle(
                (cols.min() - 0.5, rows.min() - 0.5),
                cols.max() - cols.min() + 1,
                rows.max() - rows.min() + 1,
                fill=False,
                lw=2,
                ls="--",
                ec="#CC79A7",
                gid="mixed",
            )
        )
        lines.append(
            f"Mixed equilibrium {k + 1}: {row_player} "
            + ", ".join(f"{row_strategies[int(i)].replace('_', ' ')} {p[i]:.2f}" for i in rows)
            + f"; {col_player} "
            + ", ".join(f"{col_strategies[int(j)].replace('_', ' ')} {q[j]:.2f}" for j in cols)
        )
    note = (
        "Orange box: pure Nash equilibrium."
        if len(mixed) < len(list(equilibria or [])) or not mixed
        else ""
    )
    text = "\n".join([*([note] if note and equilibria is not None else []), *lines])
    if text:
        ax.text(
            0.0,
            -0.04,
            text,
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize="small",
            gid="mixed-label",
        )
    return ax


def _strategy(value: Any, names: Sequence[str]) -> np.ndarray:
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict):
        return np.array([float(value.get(s, 0.0)) for s in names])
    return np.asarray(value, dtype=float)


def _num(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def stage_game(
    result: Result, game: str | None = None, round: int = 0, ax: Axes | None = None
) -> Axes:
    """A scenario's stage game at one round, with the equilibria recorded in ``result.stage_games``.

    Parameters
    ----------
    result : Result
        Needs ``result.scenario`` (the payoff matrices).
    game : str, optional
        Stage game name (default: the first).
    round : int
    ax : Axes, optional

    Returns
    -------
    Axes
        As :func:`payoff_matrix`.
    """
    from negsim.stage_games import payoff_matrices

    s = result.scenario
    if s is None:
        raise ValueError(
            "the stage game plot needs the scenario's payoff matrices; solve the scenario again"
        )
    if not s.stage_games:
        raise ValueError(f"scenario {s.name!r} has no stage games")
    game = game or next(iter(s.stage_games))
    if game not in s.stage_games:
        raise ValueError(f"no stage game {game!r}; choose from {', '.join(s.stage_games)}")
    spec = s.stage_games[game]
    A, B = payoff_matrices(s, spec)
    table = result.stage_games
    eqs = table[(table["game"] == game) & (table["round"] == round)].to_dict("records")
    return payoff_matrix(
        A[round],
        B[round],
        spec.row_strategies,
        spec.col_strategies,
        eqs,
        ax=ax,
        row_player=result.label(spec.row),
        col_player=result.label(spec.col),
        title=f"{spec.label or game} ({result.round_label(round)})",
    )


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
    handles: list[Any] = _actor_handles(result, actors)
    handles += [
        Line2D([], [], color="0.3", lw=1.4, ls="--", label="threat point W(t)"),
        Line2D([], [], color="0.15", lw=1.6, ls="-.", label="SPE deal"),
        Patch(color="#009E73", alpha=0.25, label="ripe round"),
        Patch(color="#56B4E9", alpha=0.55, label=_range_label(result)),
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
