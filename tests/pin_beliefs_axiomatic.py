"""Pinned axiomatic settlements at every signal node of the beliefs benchmark scenario
(``benchmarks/beliefs.py``: four actors, three worlds), at eight rounds and with Kyiv's
territorial red line at 0.8 from the start so that every (round, node, regime) cell has a
settlement space (in the benchmark they open only from month 25).

``python tests/pin_beliefs_axiomatic.py`` rewrites ``tests/data/beliefs_axiomatic_pin.json``
(only when a change of numbers is intended); ``tests/test_beliefs_axiomatic_pin.py``
compares against it. Written by the code of commit 3ddd95f, before the axiomatic
concepts were solved once per distinct cell and by warm-started bases (issue 16).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import negsim
from negsim.engine.beliefs import BeliefSolution, solve_beliefs

ROOT = Path(__file__).resolve().parent.parent
PINNED = Path(__file__).parent / "data" / "beliefs_axiomatic_pin.json"
CONCEPTS = ("spe", "nash", "nash_weighted", "kalai_smorodinsky", "compromise")


def scenario() -> negsim.Scenario:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import beliefs as bench  # benchmarks/beliefs.py
    finally:
        sys.path.pop(0)
    return bench.scenario(8).with_changes({"actors.ukraine.red_lines.territory.max": 0.8})


def numbers(sol: BeliefSolution) -> dict[str, dict[str, list]]:
    """Per axiomatic concept: deal, x and payoff at every (round, node, regime), NaN as None."""

    def plain(per_t: list[np.ndarray]) -> list:
        flat = np.concatenate([a.ravel() for a in per_t])
        return [None if np.isnan(v) else round(float(v), 12) for v in flat]

    return {
        c: {"deal": plain(sol.deal[c]), "x": plain(sol.x[c]), "payoff": plain(sol.payoff[c])}
        for c in CONCEPTS
        if c != "spe"
    }


def main() -> None:
    sol, _ = solve_beliefs(scenario(), CONCEPTS)
    PINNED.write_text(json.dumps(numbers(sol), separators=(",", ":")) + "\n")
    print(f"wrote {PINNED}", file=sys.stderr)


if __name__ == "__main__":
    main()
