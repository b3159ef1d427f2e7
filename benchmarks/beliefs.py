"""Nodes per round and solve time of a scenario with worlds (issues 15 and 16; run by hand).

    .venv/bin/python benchmarks/beliefs.py [--concepts spe] [--rounds 36] [--growth 12 24 36]
    .venv/bin/python benchmarks/beliefs.py --sweep

``--sweep`` measures instead a sweep over priors and the signal's accuracy (``beliefs.*``
and ``learning.accuracy``) on the batch path (:mod:`negsim.engine.belief_points`) against
the same sweep with every point solved by ``negsim.solve`` (the per-point path), in this
process, in CPU time (the machine is shared): points per second of each and their ratio,
and the largest difference between the two tables (for ``textbook/optimism``, 10 rounds,
and the scenario below at 12 rounds).

The scenario is ukraine_2025 without its private types (variants/complete_information:
4 actors, 2 regimes) with three worlds about how the war
goes -- Ukraine's collapse, a grind (the shipped parameters) and a stalemate -- opposite
Russian and Ukrainian priors and a signal of accuracy 0.7. The goal of the issues is under
2 s for all concepts; the figures printed are what this machine does.

Printed: the nodes; the end-to-end ``negsim.solve`` time; the subjective SPE's backward
induction alone (``solve_beliefs`` with ``spe``) and its time per node step (one proposer
step at one (round, regime, node)); the growth exponent of that time with rounds (a
least-squares fit of log time on log rounds); and, beside them, the figures of the
node-by-node solve this replaced (measured on this machine before the change, listed in
``BEFORE``; the old path no longer exists to be run side by side).

The axiomatic concepts at every node (issue 16) were solved cell by cell inside stacked
HiGHS and Clarabel calls until commit b197862 (36 rounds, all five concepts: 25 s on an
idle machine; 115.9 s wall and 29.5 s CPU of the process on this machine shared with
other jobs); they now reuse optimal vertices and faces across cells
(:func:`negsim.models.spatial.max_min_gain_batch` and the other batch solvers): 3.6 s
CPU; then the Kalai-Smorodinsky and egalitarian vertices by one bordered solve per active
set, Nash's Newton steps by their normal equations and the ideal utilities as arrays: 1.3 s
wall and 1.5-1.6 s CPU at load average 1.2 (2.1-2.2 s before them), 1.6-2.5 s wall at load
averages 2.5-4.8 (about 1.2 s of the CPU time the axiomatic concepts,
0.2 s the subjective SPE, 0.15 s the tables of the worlds). The CPU time printed is the
fairer comparison on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np
import pandas as pd

import negsim
from negsim.engine.belief_points import BeliefBatch
from negsim.engine.beliefs import signal_lattice, solve_beliefs
from negsim.sweeps import clear_prepared

WORLDS = {
    "collapse": {
        "why": "Ukraine's lines break.",
        "changes": {"battlefield.drift": 0.06, "actors.ukraine.capacity": 0.5},
    },
    "grind": {"why": "The war of attrition goes on as it is.", "changes": {}},
    "stalemate": {"why": "The front freezes.", "changes": {"battlefield.drift": 0.0}},
}
BELIEFS = {
    "russia": {"collapse": 0.6, "grind": 0.3, "stalemate": 0.1},
    "ukraine": {"collapse": 0.1, "grind": 0.3, "stalemate": 0.6},
}
# negsim.solve wall time (s) of the node-by-node solve this replaced (one engine step per
# node with the general offers, every axiomatic cell in one stack; commit d4d571d, on the
# first edition of ukraine_2025, which the old code needs), measured on this machine while
# other jobs ran: rounds -> (SPE only, all five concepts). 36 rounds: SPE 33-54 s in two
# runs; all concepts 844 s as reported in issue 16's brief (not re-run).
BEFORE: dict[int, tuple[float, float | None]] = {
    12: (1.7, 6.1),
    24: (11.1, 30.4),
    36: (32.7, 844.0),
}


def scenario(rounds: int) -> negsim.Scenario:
    base = negsim.load("variants/complete_information")  # worlds exclude private types
    return base.with_changes(
        {
            "rounds": rounds,
            "worlds": WORLDS,
            "beliefs": BELIEFS,
            "learning": {"accuracy": 0.7},
        }
    )


def node_steps(s: negsim.Scenario) -> int:
    """(round, regime, node) proposer steps of the backward induction."""
    sizes = signal_lattice(list(s.worlds), s.series(s.learning.accuracy)).sizes()
    return sum(sizes[:-1]) * (len(s.regimes.states) if s.regimes else 1)


def spe_time(s: negsim.Scenario, repeat: int = 3) -> float:
    """Best of ``repeat`` runs of the subjective SPE's backward induction alone."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        solve_beliefs(s, ("spe",))
        best = min(best, time.perf_counter() - start)
    return float(best)


def _sweep_cpu(s: negsim.Scenario, grid: dict[str, list]) -> tuple[pd.DataFrame, float]:
    clear_prepared()  # each run prepares the scenario (and its simplex bases) itself
    cpu = time.process_time()
    table = negsim.sweep(s, grid=grid, backend="serial", progress=False)
    return table, time.process_time() - cpu


def sweep_ratio(s: negsim.Scenario, grid: dict[str, list]) -> tuple[float, float, float]:
    """Points per CPU second of the sweep on the batch path and point by point, and the
    largest difference between their numeric columns."""
    batch, fast = _sweep_cpu(s, grid)
    with mock.patch.object(BeliefBatch, "fast_point", return_value=False):
        engine, slow = _sweep_cpu(s, grid)
    numeric = batch.select_dtypes("number")
    diff = np.nan_to_num(np.abs(numeric.to_numpy() - engine[numeric.columns].to_numpy()))
    assert batch["error"].isna().all() and engine["error"].isna().all()
    return len(batch) / fast, len(batch) / slow, float(diff.max())


def sweeps() -> None:
    """The ``--sweep`` table (see the module docstring)."""
    two = lambda q: {"a_strong": q, "b_strong": round(1 - q, 12)}  # noqa: E731
    three = lambda q: {"collapse": q, "grind": 0.3, "stalemate": round(0.7 - q, 12)}  # noqa: E731
    cases = {
        "textbook/optimism (10 rounds, 2 worlds), 120 points": (
            negsim.load("textbook/optimism"),
            {
                "learning.accuracy": list(np.linspace(0.5, 1.0, 6)),
                "beliefs.a": [two(q) for q in np.linspace(0.5, 0.95, 10)],
                "beliefs.analyst": [two(0.5), two(0.2)],
            },
        ),
        "4 actors, 12 rounds, 3 worlds, 2 regimes, 40 points": (
            scenario(12),
            {
                "learning.accuracy": [0.5, 0.6, 0.7, 0.8, 0.9],
                "beliefs.russia": [three(q) for q in np.linspace(0.0, 0.7, 8)],
            },
        ),
    }
    negsim.sweep(scenario(4), grid={"learning.accuracy": [0.7]}, progress=False)  # imports
    for name, (s, grid) in cases.items():
        fast, slow, diff = sweep_ratio(s, grid)
        print(
            f"{name}: batch path {fast:,.0f} points per CPU second, per point {slow:,.1f}: "
            f"{fast / slow:.1f}x; largest difference {diff:.1e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concepts", nargs="*", default=None, help="default: all")
    parser.add_argument("--rounds", type=int, default=36)
    parser.add_argument("--growth", type=int, nargs="*", default=[12, 24, 36])
    parser.add_argument("--sweep", action="store_true", help="the sweep's batch path instead")
    args = parser.parse_args()
    if args.sweep:
        sweeps()
        return
    s = scenario(args.rounds)
    sizes = signal_lattice(list(s.worlds), s.series(s.learning.accuracy)).sizes()
    print(f"nodes per round (rounds 0..{args.rounds}): {sizes}")
    print(f"total nodes: {sum(sizes)} x {len(s.regimes.states) if s.regimes else 1} regimes")
    negsim.solve(scenario(6), concepts=args.concepts)  # imports and first calls
    start, cpu = time.perf_counter(), time.process_time()
    result = negsim.solve(s, concepts=args.concepts)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    concepts = result.metadata["concepts"]
    before = BEFORE.get(args.rounds)
    was = None if before is None else before[0 if concepts == ["spe"] else 1]
    note = f" (before: {was:.1f} s, {was / elapsed:.0f}x)" if was else ""
    print(
        f"negsim.solve ({', '.join(concepts)}): {elapsed:.1f} s{note}; CPU time of this "
        f"process {cpu:.1f} s (the wall time counts other jobs on a shared machine)"
    )
    analyst = result.deal_probability.query("concept == 'spe' and perspective == 'analyst'")
    print(f"analyst: P(deal by the end) {analyst['cumulative'].iloc[-1]:.3f}")
    rounds = sorted(set(args.growth))
    times = [spe_time(scenario(r)) for r in rounds]
    for r, t in zip(rounds, times, strict=True):
        steps = node_steps(scenario(r))
        print(
            f"SPE backward induction, {r} rounds: {t:.2f} s for {steps} node steps, "
            f"{1e3 * t / steps:.3f} ms per node step"
        )
    if len(rounds) > 1:
        steps = [node_steps(scenario(r)) for r in rounds]
        marginal = (times[-1] - times[0]) / (steps[-1] - steps[0])
        print(
            f"marginal cost per node step ({rounds[0]} to {rounds[-1]} rounds, without the "
            f"fixed cost of preparing the worlds): {1e3 * marginal:.4f} ms"
        )
        slope = np.polyfit(np.log(rounds), np.log(times), 1)[0]
        old = [(r, BEFORE[r][0]) for r in rounds if r in BEFORE]
        was_slope = (
            np.polyfit(np.log([r for r, _ in old]), np.log([t for _, t in old]), 1)[0]
            if len(old) > 1
            else np.nan
        )
        print(
            f"growth with rounds: time ~ rounds^{slope:.2f} (nodes grow as rounds^3 with 3 "
            f"worlds); before ~ rounds^{was_slope:.2f} (negsim.solve, SPE only)"
        )


if __name__ == "__main__":
    main()
