"""Time per solve of the shipped scenarios and the share of each step (run by hand).

    .venv/bin/python benchmarks/solve.py [--repeat 5]

The shares come from cProfile's cumulative times of the engine's steps; the wall-clock
time per solve is measured separately without the profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import negsim

# the second edition of ukraine_2025 has private types, which take the full solver (about a
# second a point); the speed rows are of the same scenario with complete information (issue 19)
UKRAINE = "variants/complete_information"

STEPS = {
    "dynamics (schedules, control)": "round_arrays",
    "SPE backward induction": "backward_induction",
    "other concepts (Nash, KS, compromise)": "axiomatic_settlements",
    "delay incentives": "delay_incentives",
    "tables (Result, proposals, stage games)": "from_solution",
}


def wall_time(scenario: negsim.Scenario, repeat: int, concepts: list[str] | None) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        negsim.solve(scenario, concepts=concepts)
        best = min(best, time.perf_counter() - start)
    return best


def step_shares(scenario: negsim.Scenario) -> dict[str, float]:
    profile = cProfile.Profile()
    profile.enable()
    negsim.solve(scenario)
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, name), (_, _, _, ct, _) in stats.items() if name == "solve")
    shares = {}
    for label, func in STEPS.items():
        cumulative = sum(ct for (_, _, name), (_, _, _, ct, _) in stats.items() if name == func)
        shares[label] = cumulative / total
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'scenario':<32} {'all concepts s':>15} {'spe only s':>11}")
    for name in [
        "ukraine_2025",
        "textbook/rubinstein",
        "textbook/baron_ferejohn",
        "textbook/fearon",
    ]:
        s = negsim.load(UKRAINE if name == "ukraine_2025" else name)
        print(
            f"{name:<32} {wall_time(s, args.repeat, None):>15.3f} {wall_time(s, args.repeat, ['spe']):>11.3f}"
        )
    print("\nShare of each step in one Ukraine solve (cProfile, cumulative; steps may nest):")
    for label, share in step_shares(negsim.load(UKRAINE)).items():
        print(f"  {label:<42} {share:6.1%}")


if __name__ == "__main__":
    main()
