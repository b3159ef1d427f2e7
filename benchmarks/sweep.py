"""Benchmark of :func:`negsim.sweeps.sweep`: batch path vs looping ``negsim.solve``.

Run ``python benchmarks/sweep.py`` (``--quick`` for a smaller run). Prints tables:

1. batch path vs a loop of ``negsim.solve`` (with ``Scenario.with_changes``) on the same
   points, per scenario (single-pie textbook games and the LP-based Ukraine scenario):
   time per point, points/s, ratio, largest difference;
2. scaling of the batch path in points and in rounds (points/s and peak traced memory),
   for a single-pie game and for the Ukraine scenario;
3. ``sweep()`` end to end, serial and local processes: 100,000 points of a single-pie
   game and 10,000 points of the Ukraine scenario (goal: at most 30 s);
4. with ``--million``: 1,000,000 points of the Ukraine scenario with local processes
   (stretch goal: under 10 minutes).

Times are wall-clock on whatever machine runs it; the loop of ``solve`` is measured on a
subset of the points and scaled.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np
import pandas as pd

import negsim
from negsim import sweeps as sw

# the second edition of ukraine_2025 has private types, which take the full solver (about a
# second a point); the speed rows are of the same scenario with complete information (issue 19)
UKRAINE = "variants/complete_information"


def _grid(scenario: negsim.Scenario, n: int) -> dict[str, np.ndarray]:
    actors = list(scenario.actors)
    side = int(np.ceil(np.sqrt(n)))
    return {
        f"actors.{actors[0]}.discount": np.linspace(0.5, 0.99, side),
        f"actors.{actors[1]}.discount": np.linspace(0.5, 0.99, side),
    }


def _solve_loop(scenario: negsim.Scenario, points: list[dict]) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    rows = [sw._evaluate_one(scenario, k, p, "summary", ("spe",)) for k, p in enumerate(points)]
    return time.perf_counter() - start, pd.concat(rows, ignore_index=True)


def ukraine_grid(n: int) -> dict[str, np.ndarray]:
    """About n points: US patience x the political benefit of the war to Russia."""
    side = int(np.ceil(np.sqrt(n)))
    return {
        "actors.us.discount": np.linspace(0.8, 0.99, side),
        "actors.russia.private_benefit": np.linspace(0.0, 0.02, side),
    }


def batch_vs_solve(n: int, n_solve: int) -> pd.DataFrame:
    rows = []
    for name in (
        "textbook/rubinstein_finite",
        "textbook/ultimatum",
        "textbook/rubinstein",
        "textbook/baron_ferejohn",
        "ukraine_2025",
    ):
        s = negsim.load(UKRAINE if name == "ukraine_2025" else name)
        sw.clear_prepared()  # the Ukraine batch starts without simplex bases
        count = n_solve
        if name == "ukraine_2025":  # the engine takes ~0.2 s per point: fewer points
            frame, points = sw._point_table(s, ukraine_grid(n // 4), None, 0)
            count = max(n_solve // 8, 10)
        elif name == "textbook/baron_ferejohn":  # heterogeneous discounts do not converge
            grid = {f"actors.m{i}.discount": None for i in range(1, 6)}
            d = np.linspace(0.5, 0.97, n)
            points = [{k: float(v) for k in grid} for v in d]
        else:
            frame, points = sw._point_table(s, _grid(s, n), None, 0)
        start = time.perf_counter()
        batch = sw._evaluate_chunk(s, 0, points, "summary", ("spe",))
        t_batch = time.perf_counter() - start
        subset = points[:: max(1, len(points) // count)][:count]
        t_solve, ref = _solve_loop(s, subset)
        mine = batch.set_index("point").loc[[points.index(p) for p in subset]]
        cols = [c for c in ref.columns if c not in ("point", "error")]
        diff = np.nanmax(np.abs(mine[cols].to_numpy(float) - ref[cols].to_numpy(float)))
        per_batch, per_solve = t_batch / len(points), t_solve / len(subset)
        rows.append(
            {
                "scenario": name,
                "points": len(points),
                "batch us/pt": per_batch * 1e6,
                "solve us/pt": per_solve * 1e6,
                "ratio": per_solve / per_batch,
                "batch pt/s": 1 / per_batch,
                "max |diff|": diff,
            }
        )
    return pd.DataFrame(rows)


def scaling(name: str, points_list: list[int], rounds_list: list[int]) -> pd.DataFrame:
    """One chunk per run, without simplex bases from earlier runs."""
    rows = []
    base = negsim.load(UKRAINE if name == "ukraine_2025" else name)
    grid = ukraine_grid if name == "ukraine_2025" else (lambda n: _grid(base, n))
    for rounds in rounds_list:
        s = base.with_changes({"rounds": rounds})
        for n in points_list:
            _, points = sw._point_table(s, grid(n), None, 0)
            sw.clear_prepared()
            tracemalloc.start()
            start = time.perf_counter()
            sw._evaluate_chunk(s, 0, points, "summary", ("spe",))
            elapsed = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append(
                {
                    "scenario": name,
                    "rounds": rounds,
                    "points": len(points),
                    "seconds": elapsed,
                    "points/s": len(points) / elapsed,
                    "peak MiB": peak / 2**20,
                }
            )
    return pd.DataFrame(rows)


def _by_backend(
    s: negsim.Scenario, grid: dict, workers: int, backends: tuple[str, ...] = ("serial", "local")
) -> pd.DataFrame:
    """``sweep()`` timed serially and with local processes on the same grid (a fresh
    start each time: no simplex bases kept from earlier runs)."""
    rows = []
    for backend in backends:
        w = workers if backend == "local" else None
        sw.clear_prepared()
        start = time.perf_counter()
        df = sw.sweep(s, grid=grid, backend=backend, workers=w, progress=False)
        elapsed = time.perf_counter() - start
        rows.append(
            {
                "backend": f"{backend} ({w or 1} proc)",
                "points": len(df),
                "seconds": elapsed,
                "points/s": len(df) / elapsed,
                "errors": int(df["error"].notna().sum()),
            }
        )
    return pd.DataFrame(rows)


def end_to_end(n: int, workers: int) -> pd.DataFrame:
    """``sweep()`` itself, serial and local processes, on the batch path."""
    s = negsim.load("textbook/rubinstein_finite")
    return _by_backend(s, _grid(s, n), workers)


def ukraine(n: int, workers: int, backends: tuple[str, ...] = ("serial", "local")) -> pd.DataFrame:
    """The LP-based Ukraine scenario on the batch path."""
    return _by_backend(negsim.load(UKRAINE), ukraine_grid(n), workers, backends)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--million", action="store_true", help="1,000,000 Ukraine points")
    args = parser.parse_args()
    quick = args.quick
    pd.set_option("display.width", 140)
    pd.set_option("display.float_format", lambda v: f"{v:,.4g}")
    print(f"negsim {negsim.__version__}; {os.cpu_count()} cores; workers {args.workers}\n")
    print("1. Batch path vs a loop of negsim.solve (same points)")
    print(
        batch_vs_solve(2_500 if quick else 10_000, 40 if quick else 150).to_string(index=False),
        "\n",
    )
    print("2. Batch path scaling (one chunk; sweep() cuts chunks of at most 4,096 points")
    print("   (2,777 for Ukraine), so memory stays at the largest chunk's figure)")
    table = pd.concat(
        [
            scaling(
                "textbook/rubinstein_finite",
                [100, 1_000, 10_000] if quick else [100, 1_000, 10_000, 40_000],
                [10],
            ),
            scaling("textbook/rubinstein_finite", [1_000, 4_096], [50] if quick else [50, 200]),
            scaling("ukraine_2025", [250, 1_000, 2_777], [36]),
            scaling("ukraine_2025", [1_000], [18, 72]),
        ]
    )
    print(table.to_string(index=False), "\n")
    print("3. sweep() end to end on the batch path")
    print(end_to_end(10_000 if quick else 100_000, args.workers).to_string(index=False))
    print(ukraine(2_500 if quick else 10_000, args.workers).to_string(index=False), "\n")
    if args.million:
        print("4. 1,000,000 points of the Ukraine scenario, local processes")
        print(ukraine(1_000_000, args.workers, ("local",)).to_string(index=False))


if __name__ == "__main__":
    main()
