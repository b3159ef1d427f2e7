"""Nodes per round and solve time of a scenario with worlds (issue 16; run by hand).

    .venv/bin/python benchmarks/beliefs.py [--concepts spe] [--rounds 36]

The scenario is ukraine_2025 without its private types (variants/complete_information:
4 actors, 36 rounds, 2 regimes) with three worlds about how
the war goes -- Ukraine's collapse, a grind (the shipped parameters) and a stalemate --
opposite Russian and Ukrainian priors and a signal of accuracy 0.7. The goal of the issue
is under 2 s for all concepts; the figures printed are what this machine does.
"""

from __future__ import annotations

import argparse
import time

import negsim
from negsim.engine.beliefs import signal_lattice

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concepts", nargs="*", default=None, help="default: all")
    parser.add_argument("--rounds", type=int, default=36)
    args = parser.parse_args()
    s = scenario(args.rounds)
    sizes = signal_lattice(list(s.worlds), s.series(s.learning.accuracy)).sizes()
    print(f"nodes per round (rounds 0..{args.rounds}): {sizes}")
    print(f"total nodes: {sum(sizes)} x {len(s.regimes.states) if s.regimes else 1} regimes")
    start = time.perf_counter()
    result = negsim.solve(s, concepts=args.concepts)
    elapsed = time.perf_counter() - start
    print(f"solve ({', '.join(result.metadata['concepts'])}): {elapsed:.1f} s")
    analyst = result.deal_probability.query("concept == 'spe' and perspective == 'analyst'")
    print(f"analyst: P(deal by the end) {analyst['cumulative'].iloc[-1]:.3f}")


if __name__ == "__main__":
    main()
