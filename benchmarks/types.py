"""Solve time of ukraine_2025 with M private types for Russia (issue 17; run by hand).

    .venv/bin/python benchmarks/types.py [--types 1 2 3 4 8 16] [--repeat 1]

The shipped scenario has two types for Russia (pragmatic: the base private benefit of war
0.006; resolute: 0.015). Here Russia gets M synthetic types with the private benefit
equally spaced from 0.006 to 0.015 and a uniform prior (M = 1: the base value, prior 1,
which is the complete-information game). The goal of the issue: 3 types under 2 s, and a
cost that grows linearly in the number of types (cutoff states), not exponentially.

Printed per M: the time (wall and CPU; the CPU time is less sensitive to other processes on
a shared machine) of :func:`negsim.engine.screening.solve_types` given the scenario's
complete-information solution, as :func:`negsim.solve` calls it (the type that restates the
base value is that game: reused, not solved again), the part preparing the types' arrays,
the complete-information solves that rank the types (M - 1), the number of proposer
optimisations (one per offer considered), and the growth exponent of the CPU time in M (a
least-squares fit of log time on log M over M >= 2).

Measured on the 2-core machine of issue 20, load average about 1, CPU seconds of
``solve_types`` (best of 3; M = 16 one run):

=====================================  =====  =====  =====  =====  =====  =====
code                                   M=1    M=2    M=3    M=4    M=8    M=16
=====================================  =====  =====  =====  =====  =====  =====
4940f44 (every type solved to rank)    0.070  0.132  0.225  0.282  0.736  2.18
the base type reused (h-ts)            0.040  0.102  0.198  0.253  0.719  2.14
=====================================  =====  =====  =====  =====  =====  =====

The proposer optimisations of the backward induction over belief states (126, 266, 331,
1119, 4035 for M = 2, 3, 4, 8, 16) grow about as M^1.7: in ukraine_2025 the other
responders' floors move with the posterior, so each (round, regime, state, cutoff) asks
its own question; the complete-information solves that rank the types are M - 1.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import negsim
from negsim.engine import screening
from negsim.engine.solve import solve_scenario

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


def timed(s: negsim.Scenario) -> tuple[float, float, float, int, int]:
    """(seconds, CPU seconds, seconds preparing the types' arrays, proposer optimisations,
    complete-information solves) of :func:`negsim.engine.screening.solve_types` given the
    scenario's complete-information solution, as :func:`negsim.solve` calls it."""
    base = solve_scenario(s, ("spe",))
    calls = solves = 0
    prepare = 0.0
    choice, space, backward = (
        screening.proposer_choice,
        screening.state_space,
        screening.backward_induction,
    )

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

    def solved(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal solves
        solves += 1
        return backward(*args, **kwargs)

    screening.proposer_choice, screening.state_space = counted, prepared  # type: ignore[assignment]
    screening.backward_induction = solved  # type: ignore[assignment]
    try:
        start, cpu = time.perf_counter(), time.process_time()
        screening.solve_types(s, base)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        screening.proposer_choice, screening.state_space = choice, space  # type: ignore[assignment]
        screening.backward_induction = backward  # type: ignore[assignment]
    return total, cpu, prepare, calls, solves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--types", type=int, nargs="*", default=[1, 2, 3, 4, 8, 16])
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()
    timed(scenario(2))  # imports and first calls
    rows = []
    for m in args.types:
        s = scenario(m)
        best = min((timed(s) for _ in range(args.repeat)), key=lambda r: r[1])
        rows.append((m, *best))
        total, cpu, prepare, calls, solves = best
        print(
            f"{m:3d} types: {total:6.2f} s, CPU {cpu:5.2f} s (preparing the types {prepare:5.2f} "
            f"s), {solves} complete-information solves to rank them, {calls} proposer "
            "optimisations"
        )
    fit = [(m, cpu) for m, _, cpu, _, _, _ in rows if m >= 2]
    if len(fit) > 1:
        ms, ts = np.array(fit).T
        slope = np.polyfit(np.log(ms), np.log(ts), 1)[0]
        print(f"growth with types (M >= 2): CPU time ~ M^{slope:.2f}")


if __name__ == "__main__":
    main()
