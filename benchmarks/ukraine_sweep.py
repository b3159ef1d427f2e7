"""A sweep of the second edition of ``ukraine_2025`` over two quoted parameters (issue 19).

The goal (issue 19, "Speed"): a 10,000-point sweep over two of the scenario's parameters in
under 2 minutes with two local processes. The two parameters carry ``why:`` quotes:

* ``actors.us.discount`` -- "his visible eagerness to end the war quickly." (0.85 to 0.99);
* ``actors.russia.discount`` -- "With no election pressures and no clear successor, his
  only true limit remains time itself." (0.95 to 0.995).

Run by hand::

    .venv/bin/python benchmarks/ukraine_sweep.py            # measure, extrapolate, maybe run all
    .venv/bin/python benchmarks/ukraine_sweep.py --points 10000   # the full sweep, whatever it takes
    .venv/bin/python benchmarks/ukraine_sweep.py --profile 4      # where a point's time goes
    .venv/bin/python benchmarks/ukraine_sweep.py --without-claims # the same, claims removed

The sweep is the ``negsim sweep`` command a user would type (a subprocess, ``--workers 2``,
``--backend local``), timed wall-clock from start to exit, output folder included. By
default it first sweeps ``--probe`` points (a square grid), prints the time and points per
second and the 10,000-point time extrapolated linearly from that rate (the points are
independent, so the time is linear in the number of points once the processes are up);
it then runs the 10,000 points only when the extrapolation is under ``--budget`` seconds.

``--profile K`` runs K points of the same grid in this process (serial backend), first
without a profiler (wall-clock and CPU time a point: the CPU time does not depend on what
else the machine runs, so ``CPU x 10,000 / 2`` is the estimate for two idle cores), then under
cProfile, and prints the largest cumulative times and the shares of the sweep's parts: the
private-types route (:mod:`negsim.engine.type_points`: a chunk's complete-information games
on the batch path, then the screening recursion per point, its proposers' questions and
their linear programs, :mod:`negsim.engine.type_offers`) and, for points left to
``negsim.solve``, ``Scenario.with_changes``, the engines and the Result tables.

``--without-claims`` sweeps (or profiles) a variant of the scenario with its ``claims:``
section removed (``claims: null``), which changes no number of the solution: it measures
what validating the claims' paths in every derived scenario costs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import negsim
from negsim import sweeps
from negsim.catalog import resolve

SCENARIO = "ukraine_2025"
GOAL_POINTS = 10_000
GOAL_SECONDS = 120.0
PARAMETERS = {
    "actors.us.discount": (0.85, 0.99),
    "actors.russia.discount": (0.95, 0.995),
}


def side(points: int) -> int:
    """Values per parameter for a square grid of at least ``points`` points."""
    return math.ceil(math.sqrt(points))


def scenario_file(folder: Path, without_claims: bool) -> str:
    """The scenario to sweep: the shipped one, or a variant of it without claims."""
    if not without_claims:
        return SCENARIO
    path = folder / "without_claims.yaml"
    path.write_text(f"extends: {resolve(SCENARIO)}\nclaims: null\n", encoding="utf-8")
    return str(path)


def run_cli(points: int, workers: int, without_claims: bool) -> tuple[float, float, pd.DataFrame]:
    """``negsim sweep`` on a square grid of about ``points`` points: (seconds, CPU seconds
    of the command and its worker processes, table)."""
    n = side(points)
    grids = [f"--grid={path}={lo}:{hi}:{n}" for path, (lo, hi) in PARAMETERS.items()]
    with tempfile.TemporaryDirectory(prefix="negsim-bench-") as tmp:
        out = Path(tmp) / "sweep"
        name = scenario_file(Path(tmp), without_claims)
        command = [sys.executable, "-m", "negsim", "sweep", name, *grids]
        command += ["--workers", str(workers), "--out", str(out), "--quiet"]
        start = time.perf_counter()
        process = subprocess.Popen(command)
        cpu = process_tree_cpu(process)
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, command)
        elapsed = time.perf_counter() - start
        table = pd.read_parquet(out / "sweep.parquet")
    return elapsed, cpu, table


def process_tree_cpu(process: subprocess.Popen) -> float:
    """Wait for ``process``; return the CPU seconds (user + system) it and its descendants
    used, as last seen by polling every 0.2 s (psutil, a dependency of the ``dask`` extra):
    the worker processes are the fork server's children, which ``getrusage`` does not
    count. A process's last 0.2 s may be missed."""
    import psutil

    seen: dict[int, float] = {}
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            tree = []
        for p in tree:
            try:
                times = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seen[p.pid] = max(seen.get(p.pid, 0.0), times.user + times.system)
        time.sleep(0.2)
    return sum(seen.values())


def report(label: str, elapsed: float, cpu: float, table: pd.DataFrame) -> float:
    """Print one measurement; return its points per second."""
    rate = len(table) / elapsed
    errors = int(table["error"].notna().sum())
    print(
        f"{label}: {len(table):,} points in {elapsed:.1f} s = {rate:.3g} points/s "
        f"({errors} points with an error); CPU {cpu:.1f} s in all processes, "
        f"{cpu / len(table) * 1e3:.1f} ms a point: {cpu / 2:.0f} s on two idle cores"
    )
    return rate


def profile(points: int, without_claims: bool) -> None:
    """cProfile of ``points`` points swept serially in this process."""
    with tempfile.TemporaryDirectory(prefix="negsim-bench-") as tmp:
        scenario = negsim.load(scenario_file(Path(tmp), without_claims))
    n = side(points)
    grid = {path: np.linspace(lo, hi, n) for path, (lo, hi) in PARAMETERS.items()}
    wall, cpu = time.perf_counter(), time.process_time()
    sweeps.sweep(scenario, grid=grid, backend="serial", progress=False)
    wall, cpu = (time.perf_counter() - wall) / n**2, (time.process_time() - cpu) / n**2
    print(
        f"serial, no profiler: {wall * 1e3:.1f} ms a point wall-clock, {cpu * 1e3:.1f} ms of CPU; "
        f"{GOAL_POINTS:,} points on two idle cores: about {cpu * GOAL_POINTS / 2:,.0f} s"
    )
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    sweeps.sweep(scenario, grid=grid, backend="serial", progress=False)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"profile: {n * n} points serially in {elapsed:.1f} s (under cProfile)")
    stats = pstats.Stats(profiler)
    by_name = {
        f"{Path(file).name}:{name}": (calls, cumulative)
        for (file, _, name), (_, calls, _, cumulative, _) in stats.stats.items()
    }
    total = by_name["sweeps.py:sweep"][1]
    for key, what in [
        ("type_points.py:solve", "the private-types route (engine/type_points.py), by chunk"),
        ("points.py:solve_points", "  the chunk's complete-information games (batch path)"),
        ("screening.py:screen", "  the screening recursion (engine/screening.py), per point"),
        ("type_offers.py:__call__", "    of which the proposers' questions (type_offers.py)"),
        ("type_offers.py:best", "      of which their linear programs (kept bases)"),
        ("~:<built-in method highspy._core.run>", "HiGHS simplex runs (all paths)"),
        ("scenario.py:with_changes", "Scenario.with_changes (each derived scenario validated)"),
        ("scenario.py:_claim_problems", "  of which the claims' path checks"),
        ("sweeps.py:_evaluate_one", "points left to negsim.solve (per point)"),
        ("screening.py:solve_types", "  the screening equilibrium of negsim.solve"),
        ("solve.py:solve_scenario", "  the complete-information engine (engine/solve.py)"),
        ("result.py:from_solution", "  the Result tables (leverage, proposals, ...)"),
    ]:
        calls, seconds = by_name.get(key, (0, 0.0))
        print(f"  {what}: {seconds:.1f} s, {seconds / total:.0%} ({calls} calls)")
    recursion = by_name.get("screening.py:screen", (0, 0.0))[1] / total
    print(
        f"  the screening recursion's share: {recursion:.0%}, about {recursion * cpu * 1e3:.0f} "
        f"ms of the {cpu * 1e3:.0f} ms of CPU a point (shares under cProfile)"
    )
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats("negsim", 25)
    print(text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, help="Sweep this many points, no probe.")
    parser.add_argument("--probe", type=int, default=16, help="Points of the probe sweep.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--budget",
        type=float,
        default=4 * GOAL_SECONDS,
        help="Run the full sweep after the probe only if it should take at most this (s).",
    )
    parser.add_argument("--profile", type=int, help="Profile this many points instead.")
    parser.add_argument(
        "--without-claims", action="store_true", help="Sweep the scenario with claims removed."
    )
    args = parser.parse_args()
    print(f"{SCENARIO}: grid over {' x '.join(PARAMETERS)}, {args.workers} local processes")
    if args.without_claims:
        print("(the scenario's claims removed)")
    if args.profile:
        profile(args.profile, args.without_claims)
        return
    if args.points:
        report("sweep", *run_cli(args.points, args.workers, args.without_claims))
        return
    rate = report("probe", *run_cli(args.probe, args.workers, args.without_claims))
    predicted = GOAL_POINTS / rate
    print(
        f"{GOAL_POINTS:,} points extrapolated from the probe: {predicted:,.0f} s "
        f"({predicted / 3600:.2g} h; goal {GOAL_SECONDS:.0f} s)"
    )
    if predicted <= args.budget:
        elapsed, cpu, table = run_cli(GOAL_POINTS, args.workers, args.without_claims)
        report("sweep", elapsed, cpu, table)
        print(f"goal {GOAL_SECONDS:.0f} s: {'met' if elapsed <= GOAL_SECONDS else 'not met'}")
    else:
        print(f"not run in full (over the --budget of {args.budget:.0f} s): goal not met")


if __name__ == "__main__":
    main()
