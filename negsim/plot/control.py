"""Battlefield control over time, with the spread of sampled regime paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from negsim.plot.style import LEGEND, new_axes, time_axis
from negsim.results.views import issue_label, round_rows

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["control", "control_data"]


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
    rows = round_rows(result, "spe")
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
    ax = new_axes(ax)
    issue = result.metadata.get("battlefield_issue")
    side_a, side_b = _side_names(result)
    ax.set_title(
        f"Battlefield control: {issue_label(result, issue)}" if issue else "Battlefield control"
    )
    time_axis(ax, result.metadata, int(result.metadata["rounds"]) + 1)
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
        ax.legend(**LEGEND)
    return ax
