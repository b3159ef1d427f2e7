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
   (stretch goal: under 10 minutes);
5. where parallel sweeps lose time (``--amdahl`` runs only this): the fixed cost per
   worker (process start, preparing the scenario and its first simplex bases), the cost
   per chunk (pickling, scheduling), the serial part in the calling process (point table,
   deciding the path, chunking, joining the chunks, writing), for the batch path (10,000
   Ukraine points) and the per-point path (``concepts=("spe", "nash")``); then the serial
   fraction s, directly (serial sections / time on one worker) and from Amdahl's law
   ``T(p) = T(1) (s + (1 - s) / p)`` fitted to p = 1 and 2 workers.

Times are wall-clock on whatever machine runs it; the loop of ``solve`` is measured on a
subset of the points and scaled.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

import negsim
from negsim import sweeps as sw
from negsim.engine.points import Batch

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


def _noop(x: int) -> int:
    return x


def _timed(f, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = f(*args, **kwargs)
    return time.perf_counter() - start, out


def worker_costs(s: negsim.Scenario, points: list[dict]) -> dict[str, float]:
    """Fixed cost per worker and per chunk, in seconds."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["negsim.sweeps"])
    out = {}
    # a first pool also starts the fork server (which imports negsim once); later pools fork it
    for label in (
        "first pool (+ fork server, imports, unless running)",
        "next pool: start a worker",
    ):
        start = time.perf_counter()
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            pool.submit(_noop, 1).result()
        out[label] = time.perf_counter() - start
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        pool.submit(_noop, 1).result()
        start = time.perf_counter()
        for k in range(200):
            pool.submit(_noop, k).result()
        out["chunk: schedule a task (round trip)"] = (time.perf_counter() - start) / 200
    space = Batch(s).space
    out["worker: prepare the scenario (state space)"] = _timed(Batch, s)[0]
    out["worker: prepare it from the parent's state space"] = _timed(Batch, s, space)[0]
    chunk = points[:1250]
    sw.clear_prepared()
    cold = _timed(sw._evaluate_chunk, s, 0, chunk, "summary", ("spe",))[0]
    warm, frame = _timed(sw._evaluate_chunk, s, 0, chunk, "summary", ("spe",))
    out["worker: first simplex bases (first chunk - next chunk)"] = cold - warm
    task = sw._ChunkTask(s, "summary", ("spe",))
    out["chunk: pickle the task (before: sent with every chunk)"] = _timed(
        lambda: pickle.loads(pickle.dumps(task))
    )[0]
    out["chunk: pickle 1,250 points"] = _timed(lambda: pickle.loads(pickle.dumps(chunk)))[0]
    out["chunk: pickle its result rows"] = _timed(lambda: pickle.loads(pickle.dumps(frame)))[0]
    return out


def serial_sections(s: negsim.Scenario, grid: dict, concepts: tuple[str, ...]) -> dict[str, float]:
    """The calling process's own work in ``sweep()`` (seconds), step by step, as
    :func:`negsim.sweeps.sweep` and the CLI do it."""
    out = {}
    out["point table"], (frame, points) = _timed(sw._point_table, s, grid, None, 0)
    sw.clear_prepared()
    fast = concepts == ("spe",)
    out["decide the path (prepare the scenario)"] = _timed(sw._prepared, s)[0] if fast else 0.0
    size = sw._default_chunk(len(points), 2, fast, "local", s.rounds * len(s.actors))
    out["chunking"], _ = _timed(
        lambda: [(k, points[k : k + size]) for k in range(0, len(points), size)]
    )
    # rows of every chunk (computed here in one go; only joining them is timed)
    rows = sw._evaluate_chunk(s, 0, points, "summary", concepts)
    chunks = [rows.iloc[k : k + size] for k in range(0, len(rows), size)]
    with tempfile.TemporaryDirectory() as folder:
        out["checkpoint writes (CLI; local workers do them, not counted)"] = _timed(
            lambda: [c.to_parquet(Path(folder) / f"{k}.parquet") for k, c in enumerate(chunks)]
        )[0]

        def join() -> pd.DataFrame:
            table = sw._normalise(pd.concat(chunks, ignore_index=True), "summary")
            params = frame.iloc[table["point"].to_numpy()].reset_index(drop=True)
            return pd.concat([params, table.drop(columns="point")], axis=1)

        out["join chunks and parameters"], table = _timed(join)
        out["write the table (CLI)"] = _timed(table.to_parquet, Path(folder) / "sweep.parquet")[0]
    return out


def amdahl(s: negsim.Scenario, grid: dict, concepts: tuple[str, ...]) -> dict[str, float]:
    """T(1) and T(2) of ``sweep()`` (local backend; one worker runs in this process) and
    the serial fraction s = 2 T(2) / T(1) - 1 of ``T(p) = T(1) (s + (1 - s) / p)``."""
    times = {}
    for p in (1, 2):
        sw.clear_prepared()  # each run prepares the scenario itself
        times[p] = _timed(sw.sweep, s, grid=grid, concepts=concepts, workers=p, progress=False)[0]
    return {"T(1)": times[1], "T(2)": times[2], "s": 2 * times[2] / times[1] - 1}


def where_time_goes(quick: bool) -> None:
    s = negsim.load(UKRAINE)
    n = 2_500 if quick else 10_000
    _, points = sw._point_table(s, ukraine_grid(n), None, 0)
    print("   fixed cost per worker and per chunk (seconds):")
    for label, seconds in worker_costs(s, points).items():
        print(f"     {label:<58} {seconds:9.4f}")
    per_point = {"actors.us.discount": np.linspace(0.8, 0.99, 4 if quick else 8)}
    per_point["actors.russia.private_benefit"] = np.linspace(0.0, 0.02, 4)
    for label, grid, concepts in (
        (f"batch path, {n:,} points", ukraine_grid(n), ("spe",)),
        (
            f"per-point path (spe, nash), {4 * len(per_point['actors.us.discount'])} points",
            per_point,
            ("spe", "nash"),
        ),
    ):
        serial = serial_sections(s, grid, concepts)
        fit = amdahl(s, grid, concepts)
        total = sum(v for k, v in serial.items() if "not counted" not in k)
        print(f"   {label}: serial sections in the calling process (seconds)")
        for step, seconds in serial.items():
            print(f"     {step:<58} {seconds:9.4f}")
        print(
            f"     T(1) {fit['T(1)']:.2f} s, T(2) {fit['T(2)']:.2f} s, speed-up "
            f"{fit['T(1)'] / fit['T(2)']:.2f}; serial fraction directly "
            f"{total / fit['T(1)']:.2%}, from Amdahl's law {fit['s']:.1%}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--million", action="store_true", help="1,000,000 Ukraine points")
    parser.add_argument("--amdahl", action="store_true", help="only table 5")
    args = parser.parse_args()
    quick = args.quick
    pd.set_option("display.width", 140)
    pd.set_option("display.float_format", lambda v: f"{v:,.4g}")
    print(f"negsim {negsim.__version__}; {os.cpu_count()} cores; workers {args.workers}\n")
    if args.amdahl:
        print("5. Where parallel sweeps lose time (2 workers at most)")
        where_time_goes(quick)
        return
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
        print(ukraine(1_000_000, args.workers, ("local",)).to_string(index=False), "\n")
    print("5. Where parallel sweeps lose time (2 workers at most)")
    where_time_goes(quick)


if __name__ == "__main__":
    main()
