"""Time per slider move of the live explorer on ukraine_2025 (issue 20, item 3; run by hand).

    .venv/bin/python benchmarks/explorer.py [--scenario ukraine_2025] [--moves 5]

The explorer is driven through the widget API, as ``tests/test_explorer.py`` does: each move
sets a slider's value (a release), which re-solves the changed scenario and redraws the
summary and the dashboard. Printed per move: the whole update (what a student waits for),
the solve alone (``Explorer.solve_seconds``, the figure the explorer's status line shows)
and the CPU time of the update (less sensitive than wall time to other processes on a
shared machine); then the best of each and whether the solve meets :data:`negsim.explorer.
LIVE` (0.3 s). Then one update split into its steps (overlay, solve, summary, dashboard),
best of ``--moves`` each, so that what remains above 0.3 s is named.
"""

from __future__ import annotations

import argparse
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
    meets = "meets" if _best(solve) < LIVE else "does not meet"
    print(
        f"best: update {_best(update):.3f} s, solve {_best(solve):.3f} s, update CPU "
        f"{_best(cpu):.3f} s: the solve {meets} the {LIVE} s of a live explorer"
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


if __name__ == "__main__":
    main()
