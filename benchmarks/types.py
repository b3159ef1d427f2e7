"""Solve time of ukraine_2025 with M private types for Russia (issue 17; run by hand).

    .venv/bin/python benchmarks/types.py [--types 1 2 3 4 8 16] [--repeat 1]

The shipped scenario has two types for Russia (pragmatic: the base private benefit of war
0.006; resolute: 0.015). Here Russia gets M synthetic types with the private benefit
equally spaced from 0.006 to 0.015 and a uniform prior (M = 1: the base value, prior 1,
which is the complete-information game). The goal of the issue: 3 types under 2 s, and a
cost that grows linearly in the number of types (cutoff states), not exponentially.

Printed per M: the time of :func:`negsim.engine.screening.solve_types` split into the
preparation (each type's scenario and arrays) and the backward induction over (round,
regime, belief state), the number of proposer optimisations (one per offer considered),
and the growth exponent of the time in M (a least-squares fit of log time on log M over
M >= 2).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import negsim
from negsim.engine import bellman, screening

LOW, HIGH = 0.006, 0.015  # Russia's private benefit of war: base and the resolute type's


def scenario(types: int) -> negsim.Scenario:
    base = negsim.load("ukraine_2025")
    benefits = np.linspace(LOW, HIGH, types) if types > 1 else [LOW]
    spec = {
        f"b{benefit:.5f}": {
            "prior": 1.0 / types,
            "changes": {"actors.russia.private_benefit": float(benefit)},
        }
        for benefit in benefits
    }
    # the shipped claims name the shipped types: dropped with them
    return base.with_changes({"claims": {}, "types": {"russia": spec}})


def timed(s: negsim.Scenario) -> tuple[float, float, int]:
    """(total seconds, seconds preparing the types' arrays, proposer optimisations)."""
    calls = 0
    prepare = 0.0
    choice, space = bellman.proposer_choice, screening.state_space

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return choice(*args, **kwargs)

    def prepared(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal prepare
        start = time.perf_counter()
        out = space(*args, **kwargs)
        prepare += time.perf_counter() - start
        return out

    screening.proposer_choice, screening.state_space = counted, prepared  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        screening.solve_types(s)
        total = time.perf_counter() - start
    finally:
        screening.proposer_choice, screening.state_space = choice, space  # type: ignore[assignment]
    return total, prepare, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--types", type=int, nargs="*", default=[1, 2, 3, 4, 8, 16])
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()
    screening.solve_types(scenario(2))  # imports and first calls
    rows = []
    for m in args.types:
        s = scenario(m)
        best = min((timed(s) for _ in range(args.repeat)), key=lambda r: r[0])
        rows.append((m, *best))
        total, prepare, calls = best
        print(
            f"{m:3d} types: {total:6.2f} s (preparing the types {prepare:5.2f} s, backward "
            f"induction {total - prepare:5.2f} s), {calls} proposer optimisations"
        )
    fit = [(m, total) for m, total, _, _ in rows if m >= 2]
    if len(fit) > 1:
        ms, ts = np.array(fit).T
        slope = np.polyfit(np.log(ms), np.log(ts), 1)[0]
        print(f"growth with types (M >= 2): time ~ M^{slope:.2f}")
        backward = [(m, total - prepare) for m, total, prepare, _ in rows if m >= 2]
        ms, ts = np.array(backward).T
        slope = np.polyfit(np.log(ms), np.log(ts), 1)[0]
        print(f"growth of the backward induction alone: ~ M^{slope:.2f}")


if __name__ == "__main__":
    main()
