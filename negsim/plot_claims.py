"""Figures of claims and of the delay decomposition (:mod:`negsim.delay_decomposition`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from negsim.delay_decomposition import DelayDecomposition
>>> shapley = pd.DataFrame({"output": ["agreement_round"] * 4,
...     "mechanism": ["(none)", "red_lines", "regimes", "(all)"],
...     "contribution": [0.0, 3.0, -1.0, 2.0]})
>>> d = DelayDecomposition("demo", ["red_lines", "regimes"], pd.DataFrame(), shapley)
>>> waterfall(d).get_title()
'demo: expected agreement round by mechanism (Shapley)'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from negsim.delay_decomposition import DelayDecomposition

__all__ = ["waterfall"]

_UP, _DOWN, _END = "#b2182b", "#2166ac", "#4d4d4d"


def waterfall(
    decomposition: DelayDecomposition, output: str = "agreement_round", ax: Axes | None = None
) -> Axes:
    """A waterfall from every mechanism off to the scenario: one bar per Shapley share.

    The first bar is the output with every mechanism off, each following bar adds one
    mechanism's Shapley contribution (red raises the output, blue lowers it), and the last
    bar is the scenario's own value; by efficiency the steps end exactly there.
    """
    rows = decomposition.shapley[decomposition.shapley["output"] == output]
    value = dict(zip(rows["mechanism"], rows["contribution"], strict=True))
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    names = ["all off", *decomposition.mechanisms, "scenario"]
    level = value["(none)"]
    ax.bar(0, level, color=_END)
    for i, m in enumerate(decomposition.mechanisms, start=1):
        step = value[m]
        ax.bar(i, step, bottom=level, color=_UP if step > 0 else _DOWN)
        ax.text(
            i,
            level + step,
            f"{step:+.2f}",
            ha="center",
            va="bottom" if step >= 0 else "top",
            fontsize=8,
        )
        level += step
    ax.bar(len(names) - 1, value["(all)"], color=_END)
    ax.text(0, value["(none)"], f"{value['(none)']:.2f}", ha="center", va="bottom", fontsize=8)
    ax.text(
        len(names) - 1,
        value["(all)"],
        f"{value['(all)']:.2f}",
        ha="center",
        va="bottom",
        fontsize=8,
    )
    ax.set_xticks(range(len(names)), [n.replace("_", " ") for n in names], rotation=20)
    label = "expected agreement round" if output == "agreement_round" else output
    ax.set_ylabel(label)
    ax.set_title(f"{decomposition.scenario}: {label} by mechanism (Shapley)")
    ax.axhline(0, color="black", linewidth=0.5)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.12 * (high - low))  # room for the labels above the bars
    return ax
