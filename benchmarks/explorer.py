"""Time per slider move of the live explorer on ukraine_2025 (issue 20, item 3; run by hand).

    .venv/bin/python benchmarks/explorer.py [--scenario ukraine_2025] [--moves 5]

The explorer is driven through the widget API, as ``tests/test_explorer.py`` does: each move
sets a slider's value (a release), which re-solves the changed scenario and redraws the
summary and the dashboard. Printed per move: the whole update (what a student waits for),
the solve alone (``Explorer.solve_seconds``, the figure the explorer's status line shows)
and the CPU time of the update (less sensitive than wall time to other processes on a
shared machine: on an idle machine the wall time of this single-threaded work is about its
CPU time); then the best of each. Then one update split into its steps (overlay, solve,
summary, dashboard), best of ``--moves`` each, so that what remains above 0.3 s is named,
and whether the solve, by wall time and by CPU time, meets :data:`negsim.explorer.LIVE`
(0.3 s).

Measured on the 2-core machine of issue 20 (load average about 7, so wall times are three
to four times the CPU times), ukraine_2025, best of 5 moves, CPU seconds:

=======================================  ======  =====  =======  =========
code                                     update  solve  summary  dashboard
=======================================  ======  =====  =======  =========
before (b197862)                         1.34    1.18   0.03     0.19
after (overlay and counterfactual work)  0.92    0.69   0.03     0.18
after, with h-hi15's warm HiGHS LPs      0.55    0.40   0.03     0.19
=======================================  ======  =====  =======  =========

On a quieter machine (load average about 2), best of 7 moves, CPU seconds (wall times
within 0.01 s of them):

==============================================  ======  =====  =======  =========
code                                            update  solve  summary  dashboard
==============================================  ======  =====  =======  =========
4940f44 (issue 17 merged)                       0.43    0.28   0.02     0.12
screening reuses the base solve (h-ts)          0.39    0.24   0.02     0.12
==============================================  ======  =====  =======  =========

The solve is now the complete-information solve (about 0.08 s), the ex-ante pass (a
second backward induction, 0.06 s) and the private types' screening (0.10 s: the
resolute type's complete-information solve that ranks the types, 0.02 s, and the
backward induction over belief states, 0.06 s); the pragmatic type is the game
:func:`negsim.engine.solve_scenario` has just solved and is no longer solved again.
Without private types (``--scenario variants/complete_information``) the solve took
0.31 s CPU, 0.16 s with the warm LPs.
"""

from __future__ import annotations

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import negsim  # noqa: E402
from negsim.explorer import LIVE, slider_params  # noqa: E402
from negsim.plot import dashboard  # noqa: E402


def _best(seconds: list[float]) -> float:
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="ukraine_2025")
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--param", default=None, help="slider to move (default: the first)")
    args = parser.parse_args()
    scenario = negsim.load(args.scenario)
    param = args.param or slider_params(scenario)[0]
    explorer = negsim.explore(scenario, params=[param])  # solves once (imports, warm-up)
    slider = explorer.sliders[param]
    start_value = float(slider.value)
    print(f"{args.scenario}: moving {param} from {start_value:g} ({explorer.concepts})")
    update, solve, cpu = [], [], []
    for k in range(args.moves):
        value = start_value + (slider.step * (k + 1) if k % 2 == 0 else -slider.step * k)
        value = min(max(value, slider.min), slider.max)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        slider.value = value
        update.append(time.perf_counter() - wall0)
        cpu.append(time.process_time() - cpu0)
        solve.append(explorer.solve_seconds)
        print(
            f"  move {k + 1}: {param} = {value:.3f}: update {update[-1]:.3f} s "
            f"(solve {solve[-1]:.3f} s), CPU {cpu[-1]:.3f} s"
        )
    print(
        f"best: update {_best(update):.3f} s, solve {_best(solve):.3f} s, update CPU "
        f"{_best(cpu):.3f} s (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    changed = {param: float(slider.value)}
    steps: dict[str, list[tuple[float, float]]] = {
        "overlay": [],
        "solve": [],
        "summary": [],
        "dashboard": [],
    }
    for _ in range(args.moves):
        for name in steps:
            wall0, cpu0 = time.perf_counter(), time.process_time()
            if name == "overlay":
                s = scenario.with_changes(changed)
            elif name == "solve":
                result = negsim.solve(s, explorer.concepts)
            elif name == "summary":
                result.summary()
            else:
                plt.close(dashboard(result))
            steps[name].append((time.perf_counter() - wall0, time.process_time() - cpu0))
    print("one update, step by step (best of each; wall, CPU):")
    for name, seconds in steps.items():
        wall, cpu_s = _best([w for w, _ in seconds]), _best([c for _, c in seconds])
        print(f"  {name:<10} {wall:.3f} s, CPU {cpu_s:.3f} s")
    wall = _best([w for w, _ in steps["solve"]])
    cpu_s = _best([c for _, c in steps["solve"]])
    for what, seconds in (("wall", wall), ("CPU", cpu_s)):
        meets = "meets" if seconds < LIVE else "does not meet"
        print(f"the solve ({what}, {seconds:.3f} s) {meets} the {LIVE} s of a live explorer")


if __name__ == "__main__":
    main()
