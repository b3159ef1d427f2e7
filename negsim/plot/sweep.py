"""Figures of sweeps: heatmaps over two parameters, tornado diagrams and fan charts.

Each figure takes data and ``ax=None`` and returns the Axes; a small ``*_data`` function
prepares the numbers so that tests can check them without reading pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["fan", "fan_data", "heatmap", "heatmap_data", "line", "tornado"]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new


def heatmap_data(df: pd.DataFrame, x: str, y: str, value: str) -> pd.DataFrame:
    """``value`` on the (y, x) grid: rows are y values, columns x values (means of repeats)."""
    return df.pivot_table(index=y, columns=x, values=value, aggfunc="mean", dropna=False)


def heatmap(
    df: pd.DataFrame, x: str, y: str, value: str, ax: Axes | None = None, cmap: str = "viridis"
) -> Axes:
    """A sweep output over two swept parameters, with a colour bar.

    Parameters
    ----------
    df : a sweep frame with columns ``x``, ``y`` and ``value``.
    x, y : the swept parameters on the horizontal and vertical axes.
    value : the output shown by colour (NaN, e.g. no agreement, is left blank).
    """
    ax = _axes(ax)
    grid = heatmap_data(df, x, y, value)
    xs = grid.columns.to_numpy(dtype=float)
    ys = grid.index.to_numpy(dtype=float)
    mesh = ax.pcolormesh(
        _edges(xs), _edges(ys), grid.to_numpy(dtype=float), cmap=cmap, shading="flat"
    )
    ax.figure.colorbar(mesh, ax=ax, label=value)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{value} over {x} and {y}")
    return ax


def _edges(centres: np.ndarray) -> np.ndarray:
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[:-1] + centres[1:]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def line(df: pd.DataFrame, x: str, values: Sequence[str], ax: Axes | None = None) -> Axes:
    """Outputs against one swept parameter (one line per output column)."""
    ax = _axes(ax)
    data = df.groupby(x, sort=True)[list(values)].mean()
    for column in values:
        ax.plot(
            data.index.to_numpy(dtype=float),
            data[column].to_numpy(dtype=float),
            marker=".",
            label=column,
        )
    ax.set_xlabel(x)
    ax.legend(frameon=False)
    return ax


def tornado(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """A tornado diagram from :func:`negsim.sensitivity.tornado_table`.

    One horizontal bar per parameter from the output at its low end to the output at its
    high end, largest swing on top, around a vertical line at the base case.
    """
    ax = _axes(ax)
    rows = table.iloc[::-1].reset_index(drop=True)  # largest swing on top
    positions = np.arange(len(rows))
    low = rows["output_low"].to_numpy(dtype=float)
    high = rows["output_high"].to_numpy(dtype=float)
    base = float(rows["base"].iloc[0]) if len(rows) else 0.0
    ax.barh(positions, low - base, left=base, color="#4c72b0", label="low end")
    ax.barh(positions, high - base, left=base, color="#dd8452", label="high end")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(
        positions,
        [
            f"{p} [{lo:g}, {hi:g}]"
            for p, lo, hi in zip(rows["parameter"], rows["low"], rows["high"], strict=True)
        ],
    )
    ax.set_xlabel(table.attrs.get("output", "output"))
    ax.legend(frameon=False)
    return ax


def fan_data(
    df: pd.DataFrame,
    measure: str = "payoff",
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    concept: str = "spe",
) -> pd.DataFrame:
    """Quantiles of ``measure`` across points per (actor, round), from an actors sweep.

    Returns a frame indexed by (actor, round) with one column per quantile.
    """
    rows = df[df["error"].isna()] if "error" in df else df
    if "concept" in rows:
        rows = rows[rows["concept"] == concept]
    grouped = rows.groupby(["actor", "round"], sort=True)[measure]
    table = grouped.quantile(list(quantiles)).unstack()
    table.columns = [float(q) for q in table.columns]
    return table


def fan(
    df: pd.DataFrame,
    measure: str = "payoff",
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    ax: Axes | None = None,
    concept: str = "spe",
) -> Axes:
    """Per actor, the median of ``measure`` over rounds with shaded quantile bands.

    Parameters
    ----------
    df : a sweep with ``outputs="actors"`` (e.g. Monte Carlo over ``uncertainty:``).
    measure : an actors column (``payoff``, ``surplus_share``, ``threat_point`` ...).
    quantiles : symmetric probabilities; pairs from the outside in become bands, the
        middle one (0.5) the line.

    Actors keep the order of the sweep (the scenario's) and the Okabe-Ito colour
    :func:`negsim.plot.actor_colors` gives them in every other figure.
    """
    from negsim.plot.style import actor_colors

    ax = _axes(ax)
    data = fan_data(df, measure, quantiles, concept)
    qs = sorted(float(q) for q in quantiles)
    order = [str(a) for a in pd.unique(df["actor"])]
    colors = actor_colors(order)
    for actor in order:
        if actor not in data.index.get_level_values("actor"):
            continue
        part = data.loc[actor]
        rounds = part.index.to_numpy(dtype=float)
        color = colors[actor]
        for lo, hi in zip(qs[: len(qs) // 2], qs[::-1][: len(qs) // 2], strict=True):
            ax.fill_between(
                rounds,
                part[lo].to_numpy(dtype=float),
                part[hi].to_numpy(dtype=float),
                color=color,
                alpha=0.15,
                linewidth=0,
            )
        middle = 0.5 if 0.5 in part.columns else qs[len(qs) // 2]
        ax.plot(rounds, part[middle].to_numpy(dtype=float), color=color, label=str(actor))
    bands = ", ".join(
        f"{lo:.0%}-{hi:.0%}"
        for lo, hi in zip(qs[: len(qs) // 2], qs[::-1][: len(qs) // 2], strict=True)
    )
    points = df["point"].nunique() if "point" in df else len(df)
    ax.set_title(f"{measure} by round: median and {bands} bands over {points:,} points")
    ax.set_xlabel("round")
    ax.set_ylabel(measure)
    ax.legend(frameon=False)
    return ax
