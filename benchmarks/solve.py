"""Time per solve, cost per linear program, and growth with the scenario's size (run by hand).

    .venv/bin/python benchmarks/solve.py [--repeat 3] [--quick]

Prints four tables (and 2b), every figure measured in this one process (best of ``--repeat`` runs):

1. one solve of the shipped scenarios, all concepts and SPE only, beside issue 15's goals:
   ``ukraine_2025`` (the second edition, with Russia's private types: the screening
   equilibrium on top of the complete-information solve), its complete-information variant
   (``variants/complete_information``, the scenario the goals of 0.1 s and 0.05 s were set
   on), textbook games; and the all-concepts solve with its actors table read, which runs
   the leverage measure's ex-ante pass (a second backward induction, left by the solve to
   the first read of that table);
2. the cost per linear program in one solve of the complete-information Ukraine scenario:
   how many LPs, the time inside HiGHS's ``run`` per LP, the time per LP of the whole LP
   layer (building the model, the wrapper, reading the solution) and its share of the solve
   (cProfile; the profiler inflates Python-heavy layers, so shares are indicative);
2b. one solve and the cost per offer with the engine's warm HiGHS models
   (:mod:`negsim.engine.proposal_lp`) side by side with the path they replaced
   (:func:`negsim.models.spatial.best_proposal` through scipy's ``linprog``);
3. the share of each engine step in that solve and the read of its actors table (cProfile
   cumulative; steps may nest: the backward inductions include the ex-ante pass's);
4. growth with rounds, actors, worlds and types (SPE only): synthetic scenarios built by
   :func:`rounds_scenario`, :func:`actors_scenario`, :func:`worlds_scenario` and
   :func:`types_scenario`, and the exponent b of ``time ~ size^b`` fitted by least squares
   on log-log axes (``numpy.polyfit``).

Table 1 is CPU time of this process (``time.process_time``, best of ``--repeat``: on a
shared machine wall time counts the other jobs too); the other tables are wall-clock. All
are noisy on a loaded machine; compare the figures of one run with each other, not with
another machine's.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

import negsim
from negsim.engine.proposal_lp import WarmProposals
from negsim.models import spatial

UKRAINE_COMPLETE = "variants/complete_information"
TEXTBOOK = Path(negsim.__file__).parent.parent / "scenarios" / "textbook"

STEPS = {
    "dynamics (schedules, control)": "round_arrays",
    "SPE backward induction": "backward_induction",
    "other concepts (Nash, KS, compromise)": "axiomatic_settlements",
    "delay incentives": "delay_incentives",
    "Result (tables, stage games)": "from_solution",
    "leverage (ex-ante values; on reading the actors table)": "ex_ante_values",
}

#: Issue 15's goals for one solve (seconds): all concepts, SPE only.
GOALS = {UKRAINE_COMPLETE: (0.1, 0.05), "ukraine_2025": (2.0, 2.0)}

#: The sizes of each growth series (``--quick`` keeps the first three).
SIZES = {
    "rounds": [12, 24, 48, 96],
    "actors": [2, 3, 4, 5],
    "worlds": [1, 2, 3, 4],
    "types": [1, 2, 4, 8],
}


# -- synthetic scenarios ------------------------------------------------------------------
def rounds_scenario(rounds: int) -> negsim.Scenario:
    """The complete-information Ukraine scenario with another horizon."""
    return negsim.load(UKRAINE_COMPLETE).with_changes({"rounds": rounds})


def actors_scenario(n: int, rounds: int = 24) -> negsim.Scenario:
    """``n`` veto players splitting a position issue (ideals spread over [0, 1]) and a pie,
    proposing in turn, with slightly different discount factors and war costs."""
    names = [f"a{i}" for i in range(n)]
    actors = {
        name: {
            "veto": True,
            "discount": round(0.95 - 0.01 * i, 4),
            "ideal": {"territory": i / (n - 1)},
            "salience": {"territory": 1.0, "aid": 0.5},
            "war_cost": 0.01 * (1 + i % 3),
        }
        for i, name in enumerate(names)
    }
    data = {
        "name": f"synthetic_actors_{n}",
        "rounds": rounds,
        "terminal": "war",
        "issues": {"territory": {"kind": "position"}, "aid": {"kind": "pie", "among": names}},
        "actors": actors,
        "protocol": {"proposers": names},
    }
    return negsim.load_text(yaml.safe_dump(data, sort_keys=False))


def worlds_scenario(k: int, rounds: int = 16) -> negsim.Scenario:
    """``textbook/optimism`` with ``k`` worlds (war gives A 0.3 to 0.8), each side putting
    twice the weight on the world best for it."""
    data = yaml.safe_load((TEXTBOOK / "optimism.yaml").read_text())
    worlds = [f"w{j}" for j in range(k)]
    data["name"], data["rounds"] = f"synthetic_worlds_{k}", rounds
    data["worlds"] = {
        w: {
            "changes": {"issues.territory.war_value": 0.3 + 0.5 * j / max(k - 1, 1)},
            "why": "synthetic",
        }
        for j, w in enumerate(worlds)
    }
    data["beliefs"] = {
        "a": {w: (2.0 if j == k - 1 else 1.0) / (k + 1) for j, w in enumerate(worlds)},
        "b": {w: (2.0 if j == 0 else 1.0) / (k + 1) for j, w in enumerate(worlds)},
    }
    return negsim.load_text(yaml.safe_dump(data, sort_keys=False))


def types_scenario(m: int, rounds: int = 6) -> negsim.Scenario:
    """``textbook/screening`` over ``rounds`` rounds, both sides proposing, with ``m``
    equally likely types of B whose war cost is spread over [0, 0.05]."""
    data = yaml.safe_load((TEXTBOOK / "screening.yaml").read_text())
    data["name"], data["rounds"] = f"synthetic_types_{m}", rounds
    data["protocol"]["proposers"] = ["a", "b"]
    data["types"] = {
        "b": {
            f"t{j}": {
                "prior": 1 / m,
                "why": "synthetic",
                "changes": {"actors.b.war_cost": 0.05 * j / max(m - 1, 1)},
            }
            for j in range(m)
        }
    }
    return negsim.load_text(yaml.safe_dump(data, sort_keys=False))


BUILDERS: dict[str, Callable[[int], negsim.Scenario]] = {
    "rounds": rounds_scenario,
    "actors": actors_scenario,
    "worlds": worlds_scenario,
    "types": types_scenario,
}


# -- measurements -------------------------------------------------------------------------
def wall_time(scenario: negsim.Scenario, repeat: int, concepts: list[str] | None) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        negsim.solve(scenario, concepts=concepts)
        best = min(best, time.perf_counter() - start)
    return best


def cpu_time(
    scenario: negsim.Scenario, repeat: int, concepts: list[str] | None, read: bool = False
) -> float:
    """Best CPU time of this process for one solve (``read``: and a read of its actors
    table, which runs the ex-ante pass)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        result = negsim.solve(scenario, concepts=concepts)
        if read:
            result.actors  # noqa: B018
        best = min(best, time.process_time() - start)
    return best


def _profile(scenario: negsim.Scenario, concepts: list[str] | None) -> dict:  # type: ignore[type-arg]
    profile = cProfile.Profile()
    profile.enable()
    negsim.solve(scenario, concepts=concepts)
    profile.disable()
    return pstats.Stats(profile).stats  # type: ignore[attr-defined]


def lp_cost(scenario: negsim.Scenario, concepts: list[str] | None) -> dict[str, float]:
    """LPs per solve and their cost, from one profiled solve: HiGHS's ``run`` calls are the
    LPs (through scipy's wrapper or highspy directly); the LP layer is scipy's ``linprog``
    where it is used, else every highspy call."""
    wall = wall_time(scenario, 1, concepts)
    stats = _profile(scenario, concepts)
    total = max(ct for (_, _, name), (_, _, _, ct, _) in stats.items() if name == "solve")
    runs = [
        (nc, tt)
        for (_, _, name), (_, nc, tt, _, _) in stats.items()
        if "run" in name and "highs" in name.lower()
    ]
    count = sum(nc for nc, _ in runs)
    in_highs = sum(tt for _, tt in runs)
    linprog = sum(ct for (_, _, name), (*_, ct, _) in stats.items() if name == "linprog")
    highspy = sum(
        tt for (_, _, name), (_, _, tt, _, _) in stats.items() if "highspy" in name.lower()
    )
    layer = linprog or highspy
    share = layer / total
    return {
        "LPs": count,
        "solve s": wall,
        "HiGHS run us/LP": in_highs / max(count, 1) * 1e6,
        "LP layer us/LP": wall * share / max(count, 1) * 1e6,
        "LP layer share": share,
    }


def step_shares(scenario: negsim.Scenario) -> dict[str, float]:
    """Each step's share of one all-concepts solve and the read of its actors table."""
    profile = cProfile.Profile()
    profile.enable()
    negsim.solve(scenario).actors  # noqa: B018
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    solve = max(ct for (_, _, name), (*_, ct, _) in stats.items() if name == "solve")
    read = sum(
        ct
        for (file, _, name), (*_, ct, _) in stats.items()
        if name == "__get__" and file.endswith("result.py")
    )
    total = solve + read
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


def growth(repeat: int, quick: bool) -> list[tuple[str, list[int], list[float], float]]:
    """Per dimension: sizes, best SPE-only seconds, fitted exponent."""
    out = []
    for dimension, builder in BUILDERS.items():
        sizes = SIZES[dimension][:3] if quick else SIZES[dimension]
        seconds = [wall_time(builder(n), repeat, ["spe"]) for n in sizes]
        slope = float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])
        out.append((dimension, sizes, seconds, slope))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each, smaller series")
    args = parser.parse_args()
    repeat = 1 if args.quick else args.repeat
    print(f"negsim {negsim.__version__}; best of {repeat}\n")
    print("1. One solve (CPU seconds; goal: all concepts / SPE only)")
    print(
        f"   {'scenario':<30} {'all concepts':>12} {'spe only':>9} {'all, actors read':>17}"
        f"   {'goal':<12}"
    )
    for name in [
        "ukraine_2025",
        UKRAINE_COMPLETE,
        "textbook/rubinstein",
        "textbook/baron_ferejohn",
        "textbook/fearon",
    ]:
        s = negsim.load(name)
        negsim.solve(s).actors  # noqa: B018  # warm: imports, compiled kernels
        every, spe = cpu_time(s, repeat, None), cpu_time(s, repeat, ["spe"])
        read = cpu_time(s, repeat, None, read=True)
        goal = ""
        if name in GOALS:
            all_goal, spe_goal = GOALS[name]
            met = every < all_goal and spe < spe_goal
            goal = f"{all_goal:g} / {spe_goal:g} s: {'met' if met else 'not met'}"
        print(f"   {name:<30} {every:>12.3f} {spe:>9.3f} {read:>17.3f}   {goal}")
    print(f"\n2. Cost per linear program, one solve of {UKRAINE_COMPLETE}")
    ukraine = negsim.load(UKRAINE_COMPLETE)
    for label, concepts in (("spe only", ["spe"]), ("all concepts", None)):
        cost = lp_cost(ukraine, concepts)
        print(
            f"   {label:<13} {cost['LPs']:>5.0f} LPs; solve {cost['solve s']:.3f} s; "
            f"HiGHS run {cost['HiGHS run us/LP']:,.0f} us/LP; LP layer "
            f"{cost['LP layer us/LP']:,.0f} us/LP ({cost['LP layer share']:.0%} of the solve)"
        )
    print(f"\n2b. The engine's LPs: warm HiGHS against scipy's linprog, {UKRAINE_COMPLETE}")
    lp_paths(ukraine, repeat)
    print(f"\n3. Share of each step in one solve of {UKRAINE_COMPLETE} (cProfile, cumulative)")
    for label, share in step_shares(ukraine).items():
        print(f"   {label:<52} {share:6.1%}")
    print("\n4. Growth, SPE only (seconds per solve; exponent b of time ~ size^b)")
    print(f"   {'size of':<8} {'sizes':<16} {'seconds':<34} {'b':>5}")
    for dimension, sizes, seconds, slope in growth(repeat, args.quick):
        times = " ".join(f"{t:.3f}" for t in seconds)
        print(f"   {dimension:<8} {' '.join(map(str, sizes)):<16} {times:<34} {slope:>5.2f}")
    print(
        "\n   rounds: the complete-information Ukraine scenario; actors: n veto players, a "
        "position issue and a pie, 24 rounds;\n   worlds: textbook/optimism with k worlds, "
        "16 rounds; types: textbook/screening with m types of B, 6 rounds"
    )


if __name__ == "__main__":
    main()
