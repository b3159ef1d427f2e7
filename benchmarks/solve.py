"""Time per solve of the shipped scenarios and the share of each step (run by hand).

    .venv/bin/python benchmarks/solve.py [--repeat 5]

The shares come from cProfile's cumulative times of the engine's steps; the wall-clock
time per solve is measured separately without the profiler. The engine's linear programs
(warm HiGHS models, :mod:`negsim.engine.proposal_lp`) are timed side by side with the path
they replaced (:func:`negsim.models.spatial.best_proposal` through scipy's ``linprog``)
in the same process.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

import negsim
from negsim.engine.proposal_lp import WarmProposals
from negsim.models import spatial

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


def lp_paths(scenario: negsim.Scenario, repeat: int) -> None:
    """One solve (SPE only, all concepts) and the cost per offer, warm HiGHS models
    against scipy's linprog (each offer through ``best_proposal``), in this process."""
    warm = WarmProposals.best
    offers = [0, 0.0]

    def scipy_path(
        self: WarmProposals,
        space: spatial.SettlementSpace,
        proposer: int,
        floors: object,
        penalties: object = (),
    ) -> object:
        return spatial.best_proposal(space, proposer, floors, penalties)  # type: ignore[arg-type]

    def timed(path: object) -> object:
        def call(*args: object) -> object:
            start = time.perf_counter()
            out = path(*args)  # type: ignore[operator]
            offers[0] += 1
            offers[1] += time.perf_counter() - start
            return out

        return call

    rows = {}
    for label, path in (("scipy linprog (before)", scipy_path), ("warm HiGHS (now)", warm)):
        WarmProposals.best = path  # type: ignore[method-assign]
        spe = wall_time(scenario, repeat, ["spe"])
        every = wall_time(scenario, repeat, None)
        WarmProposals.best = timed(path)  # type: ignore[method-assign]
        offers[:] = [0, 0.0]
        start = time.perf_counter()
        negsim.solve(scenario, concepts=["spe"])
        total = time.perf_counter() - start
        rows[label] = (spe, every, offers[0], offers[1] / max(offers[0], 1), offers[1] / total)
    WarmProposals.best = warm  # type: ignore[method-assign]
    print(
        f"{'offers (SPE)':<24} {'spe only s':>10} {'all s':>7} {'offers':>7} {'per offer us':>13} {'share':>6}"
    )
    for label, (spe, every, n, per, share) in rows.items():
        print(f"{label:<24} {spe:>10.3f} {every:>7.3f} {n:>7d} {per * 1e6:>13.0f} {share:>6.1%}")
    before, now = rows["scipy linprog (before)"], rows["warm HiGHS (now)"]
    print(
        f"{'ratio before/now':<24} {before[0] / now[0]:>10.2f} {before[1] / now[1]:>7.2f} "
        f"{'':>7} {before[3] / now[3]:>13.2f}"
    )


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
    print(f"\nThe engine's linear programs, {UKRAINE} (best of {args.repeat}):")
    lp_paths(negsim.load(UKRAINE), args.repeat)
    print("\nShare of each step in one Ukraine solve (cProfile, cumulative; steps may nest):")
    for label, share in step_shares(negsim.load(UKRAINE)).items():
        print(f"  {label:<42} {share:6.1%}")


if __name__ == "__main__":
    main()
