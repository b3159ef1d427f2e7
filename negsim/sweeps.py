r"""Sweeps: solve a scenario at many parameter points, one row per point.

A sweep is a grid helper plus one row per point with the parameters as columns (STYLE
point 10, like Mesa's ``batch_run``)::

    df = sweep(scenario, grid={"actors.us.discount": np.linspace(0.8, 0.99, 20)})
    df = sweep(scenario, samples=1000, seed=1)          # Monte Carlo over `uncertainty:`
    df = sweep(scenario, grid=..., samples=100)         # grid x samples
    df = sweep(scenario, scale={"actors.a.war_cost,actors.b.war_cost": [0.5, 1, 2]})

**Schedules.** A grid value replaces the parameter it names. When the scenario's value
there is a time path (a ``steps``, ``linear``, ``exponential`` or ``piecewise``
schedule), a number would silently turn it into a constant from round 0, so
:func:`check_paths` refuses it; sweep one of the schedule's own fields instead
(``actors.firm.war_cost.steps.0.value``, ``actors.us.war_cost.start``) or scale the
whole path: ``scale`` maps one or more comma-separated paths to factors, and every value
of each path's schedule is multiplied by the factor (:func:`negsim.sampling.scaled`); the
table's column is ``scale:<paths>``. Several paths under one key move together.

**Limits.** A sweep has at most :data:`negsim.sampling.MAX_POINTS` (2,000,000) points, and
its estimated memory (:func:`check_size`) must fit in the memory available; both are
checked before any point is solved. Grid values must be finite numbers.

Outputs (``outputs="summary"``): ``agreement_round`` (NaN when no deal comes),
``agreement_probability`` (cumulative by the last round), ``terms.<issue>`` (and
``terms.<pie>.<actor>``) at the agreement round, ``payoff.<actor>``,
``threat.<actor>`` and ``delay.<actor>`` (the SPE payoff, threat point W and delay
incentive Delta at round 0), ``ripe_round`` (first round where no veto player gains by
waiting) and ``error`` (why a point could not be solved, else missing). Other requested
concepts add ``<concept>.payoff.<actor>``.

With worlds or private types (``worlds:``, ``types:``) the row reports
the equilibrium solved, under the analyst's beliefs (:mod:`negsim.results.outcomes`):
``agreement_round`` and ``agreement_probability`` as above from the analyst's ``P(deal at
t)`` (worlds: ``deal_probability`` of perspective ``analyst``; types: the prior-weighted
screening equilibrium's, type ``all``), three more columns, ``expected_agreement_round``
(``sum_t t P(deal at t) + T P(no deal)``), ``war_probability`` and ``deal_now`` (``P(deal
at 0)``), ``payoff.<actor>`` the value of the game at round 0 (with types every actor's value
expected over the informed actor's types under the prior) and ``terms.*`` those of :meth:`negsim.Result.terms`. ``threat.*``, ``delay.*``,
``ripe_round`` and other concepts' payoffs stay those of the record's (round, regime)
arrays (complete information at the base values with types, node-averaged with worlds).

With ``outputs="actors"`` the rows are
(point, concept, round, actor) with the columns of :attr:`negsim.Result.actors` for the
regime the game starts in.

**Batch path.** For points that only set ``actors.<a>.discount``, ``actors.<a>.war_cost``
or ``actors.<a>.private_benefit`` to valid numbers, in scenarios with linear utilities and
at most 64 coalitions per proposer (:func:`batch_supported`; every shipped scenario is
one), the sweep does not call
:func:`negsim.solve` per point: :mod:`negsim.batch` runs the engine's backward induction
once for a whole chunk, looping over rounds and regimes and vectorising over points
(closed forms for a single pie; the proposer's linear programs solved for all points by
reusing simplex bases). In scenarios with worlds whose offers are vectorisable the batch
path instead covers points that set only priors (``beliefs.*``) and the signal's accuracy
(``learning.accuracy``: a number, a schedule, one of its fields, or ``scale``):
:mod:`negsim.engine.belief_points` solves their signal nodes, all points at once, in one
vectorised proposer step per round and regime, and the rows are built as above. Any other
point (with worlds: any other path; with private types: every point), points the scenario
refuses (their error rows) and points the batch path finds borderline go to
:func:`negsim.solve`, so results never depend on which path ran (tests hold them equal to
1e-9).

**Private-types route.** With ``types:`` and the same kind of points (and types that
change only those fields by numbers), :mod:`negsim.engine.type_points` solves a chunk's
complete-information games -- each point's, and each type's for the types' ranking -- on
the batch path, then runs only the screening recursion per point, its proposers' linear
programs answered from kept simplex bases (:mod:`negsim.engine.type_offers`); the rows
come from the arrays (:mod:`negsim.results.type_rows`), with no Result tables. Other
points go to :func:`negsim.solve` (tests hold the two equal to 1e-9).

**Execution.** Points are cut into chunks. ``backend="local"`` runs chunks in a
:class:`concurrent.futures.ProcessPoolExecutor` (all cores by default; created per call,
nothing at import; batch-path sweeps below 50,000 points, 500,000 for single-pie games,
run in this process unless ``workers`` is given, as starting processes costs more than it
saves; the workers are forked from a fork server that imports negsim once per session, and
each gets the scenario, and on the batch path the state space this process prepared, once
rather than with every chunk), ``"dask"`` on a ``dask.distributed`` cluster (an existing
scheduler address, or a loopback ``LocalCluster`` started and closed quietly by the call),
``"serial"`` in this process. Each point's result depends only on the scenario and its own values (each
Monte Carlo point has its own generator, :func:`negsim.sampling.point_rng`), so frames
are equal across backends, worker counts and chunk sizes. ``checkpoint=DIR`` writes each
finished chunk atomically; a later call with the same ``DIR`` reuses them, so an
interrupted sweep (Ctrl-C keeps finished chunks) resumes where it stopped.

Longer than 600 lines because the sweep's backends (serial, processes, dask),
checkpoints and chunking share one task model; the rows it returns come from
:mod:`negsim.results.rows`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from negsim.api import solve as _solve
from negsim.atomic import atomic_write, atomic_write_text, output_errors
from negsim.batch import batch_supported
from negsim.engine.belief_points import BeliefBatch, solve_belief_points
from negsim.engine.beliefs import perspectives, priors
from negsim.engine.points import Batch, solve_points
from negsim.engine.states import StateSpace
from negsim.engine.terminal import tail_error
from negsim.engine.type_points import TypeBatch
from negsim.errors import NegsimError, Problem, ScenarioError
from negsim.results.outcomes import deal_outcomes, deal_probabilities, outcomes
from negsim.results.rows import point_frame, solution_arrays, worlds_frame
from negsim.results.type_rows import type_frame
from negsim.sampling import MAX_POINTS, grid_points, sample_points, scaled
from negsim.scenario import Scenario

__all__ = [
    "BACKENDS",
    "OUTPUTS",
    "batch_supported",
    "complete_priors",
    "check_paths",
    "check_size",
    "evaluate_points",
    "summarize_samples",
    "sweep",
]

BACKENDS = ("local", "dask", "serial")
#: Batch-path sweeps smaller than this run in-process under ``backend="local"`` (unless
#: ``workers`` is given): a worker process costs ~3 s to start (imports, then its first
#: simplex bases), more than it saves below ~50,000 Ukraine points (LPs, ~2,500 points/s)
#: or ~500,000 points of a single-pie game (closed form, ~90,000 points/s) on two cores.
#: With worlds (a subjective SPE over signal nodes, a few ms a point) from 2,000 points.
_PROCESSES_FROM = {"linear programs": 50_000, "closed form": 500_000, "worlds": 2_000}
OUTPUTS = ("summary", "actors")
_ACTOR_COLUMNS = (
    "threat_point",
    "continuation",
    "payoff",
    "surplus",
    "surplus_share",
    "delay_incentive",
    "preferred_delay",
)
#: Summary columns only scenarios with worlds or private types have (:func:`_with_beliefs`).
_BELIEF_COLUMNS = ["expected_agreement_round", "war_probability", "deal_now"]


# -- public API -----------------------------------------------------------------------------
def sweep(
    scenario: Scenario,
    grid: Mapping[str, Iterable[Any]] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    scale: Mapping[str, Iterable[float]] | None = None,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    outputs: str = "summary",
    concepts: Sequence[str] = ("spe",),
    chunk_size: int | None = None,
    progress: bool | None = None,
    checkpoint: str | Path | None = None,
) -> pd.DataFrame:
    """Solve ``scenario`` at every point of a grid and/or Monte Carlo sample.

    Parameters
    ----------
    scenario : the base scenario; each point applies its values with
        :meth:`Scenario.with_changes` (or the equivalent on arrays, batch path).
    grid : dotted path -> values; the points are their cartesian product (last path
        fastest).
    samples : number of draws from ``scenario.uncertainty``; with ``grid``, every grid
        point is combined with the same ``samples`` draws (common random numbers). Paths
        on the grid are not drawn.
    seed : seed of the draws (default: ``scenario.seed``); point k draws from
        :func:`negsim.sampling.point_rng` ``(seed, k)``.
    scale : comma-separated paths -> factors ``>= 0``; each factor multiplies every value
        of each path's schedule (see "Schedules" above); combined with ``grid`` as one
        more grid dimension (after the grid's paths).
    backend : ``"local"`` (processes), ``"dask"`` or ``"serial"``.
    workers : processes (local, default all cores) or LocalCluster workers (dask,
        default 2).
    scheduler : address of a running dask scheduler (``tcp://host:port``), dask only.
    outputs : ``"summary"`` (one row per point) or ``"actors"`` (point x concept x
        round x actor).
    concepts : solution concepts (``"spe"`` always included; the batch path serves
        ``("spe",)`` only).
    chunk_size : points per task (default: about four chunks per worker; does not
        change the results).
    progress : show a tqdm bar (points/s, ETA); off when False or stderr is no TTY.
    checkpoint : folder where finished chunks are kept; calling again with it resumes.

    Returns
    -------
    pandas.DataFrame
        ``point`` (and ``sample`` with ``samples``), one column per swept path (and per
        ``scale`` key, ``scale:<paths>``), then the outputs listed in the module docstring.

    Raises
    ------
    NegsimError
        Before any work: an unknown path, a grid path whose base value is a schedule, a
        value that is not a finite number, or more points than :func:`check_size` allows.

    Examples
    --------
    >>> import negsim
    >>> s = negsim.load("textbook/rubinstein_finite")
    >>> df = sweep(s, grid={"actors.alice.discount": [0.5, 0.9]}, backend="serial",
    ...            progress=False)
    >>> df[["actors.alice.discount", "agreement_round", "payoff.alice"]].round(4).values.tolist()
    [[0.5, 0.0, 0.3299], [0.9, 0.0, 0.5761]]
    """
    frame, points = _point_table(scenario, grid, samples, seed, scale or {}, outputs, concepts)
    out = evaluate_points(
        scenario,
        points,
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        outputs=outputs,
        concepts=concepts,
        chunk_size=chunk_size,
        progress=progress,
        checkpoint=checkpoint,
    )
    params = frame.iloc[out["point"].to_numpy()].reset_index(drop=True)
    return pd.concat([params, out.drop(columns="point")], axis=1)


def evaluate_points(
    scenario: Scenario,
    points: Sequence[Mapping[str, Any]],
    *,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    outputs: str = "summary",
    concepts: Sequence[str] = ("spe",),
    chunk_size: int | None = None,
    progress: bool | None = None,
    checkpoint: str | Path | None = None,
) -> pd.DataFrame:
    """Outputs at explicit points (a list of ``{path: value}``), with a ``point`` column.

    The engine under :func:`sweep`, :func:`negsim.sensitivity.tornado_table` and
    :func:`negsim.sensitivity.sobol_indices`; arguments as in :func:`sweep`.
    """
    if backend not in BACKENDS:
        raise NegsimError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if outputs not in OUTPUTS:
        raise NegsimError(f"unknown outputs {outputs!r}; choose from {', '.join(OUTPUTS)}")
    concepts = _concepts(concepts)
    plist: list[dict[str, Any]] = [dict(p) for p in points]
    n = len(plist)
    n_workers = workers or (os.cpu_count() or 1 if backend == "local" else 2)
    fast = concepts == ("spe",) and not scenario.types and _prepared(scenario).supported[0]
    if chunk_size is None and checkpoint is not None:
        chunk_size = _Checkpoint.stored_chunk_size(Path(checkpoint))
    if chunk_size is None:
        size = scenario.rounds * len(scenario.actors)
        chunk_size = _default_chunk(n, n_workers, fast, backend, size)
    chunks = [(start, plist[start : start + chunk_size]) for start in range(0, n, chunk_size)]
    store = (
        _Checkpoint(checkpoint, scenario, plist, outputs, concepts, chunk_size)
        if checkpoint
        else None
    )
    # local workers write their own finished chunks (in parallel); dask workers may be on
    # other machines, so their chunks are written here
    task = _ChunkTask(scenario, outputs, concepts, store if backend != "dask" else None, chunk_size)
    frames: dict[int, pd.DataFrame] = {}
    todo = []
    for index, (start, chunk) in enumerate(chunks):
        kept = store.read(index) if store else None
        if kept is not None:
            frames[index] = kept
        else:
            todo.append((index, start, chunk))
    bar = _progress_bar(n, progress, done=sum(len(chunks[i][1]) for i in frames))

    def finished(index: int, frame: pd.DataFrame) -> None:
        if store and task.store is None:
            store.write(index, frame)
        frames[index] = frame
        bar.update(len(chunks[index][1]))

    try:
        kind = "closed form" if fast and _prepared(scenario).closed_form else "linear programs"
        kind = "worlds" if fast and scenario.worlds else kind
        small = fast and not workers and n < _PROCESSES_FROM[kind]
        in_process = len(todo) <= 1 or n_workers == 1 or small
        if backend == "serial" or (backend == "local" and in_process):
            for index, start, chunk in todo:
                finished(index, task(start, chunk))
        elif backend == "local":
            _run_local(task, todo, n_workers, finished, _prepared(scenario).space if fast else None)
        else:
            _run_dask(task, todo, workers or 2, scheduler, finished)
    except KeyboardInterrupt:
        bar.close()
        if store:
            print(
                f"negsim sweep: interrupted; {len(frames)} of {len(chunks)} chunks kept in "
                f"{store.folder}; run again with the same checkpoint to resume",
                file=sys.stderr,
            )
        raise
    bar.close()
    if not chunks:
        return _normalise(pd.DataFrame({"point": pd.Series([], dtype="int64")}), outputs)
    return _normalise(
        pd.concat([frames[i] for i in range(len(chunks))], ignore_index=True), outputs
    )


def summarize_samples(
    df: pd.DataFrame,
    columns: Sequence[str],
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quantiles of Monte Carlo outputs: one row per column (per group with ``by``).

    Parameters
    ----------
    df : a sweep frame.
    columns : output columns to summarise (e.g. ``["agreement_round", "payoff.russia"]``).
    quantiles : probabilities in [0, 1].
    by : optional grouping columns (e.g. the grid parameters of a grid x samples sweep).

    Returns
    -------
    pandas.DataFrame
        Columns (``by`` ...), ``output``, ``n`` (non-missing values), ``mean``, then
        ``q0.05`` ... (NaN values, e.g. no agreement, are left out and counted in
        ``missing``).

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan]})
    >>> summarize_samples(df, ["x"], quantiles=(0.5,)).to_dict("records")
    [{'output': 'x', 'n': 3, 'missing': 1, 'mean': 2.0, 'q0.5': 2.0}]
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    groups = [((), df)] if not keys else df.groupby(keys, sort=True)
    rows = []
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        for column in columns:
            values = pd.to_numeric(part[column], errors="coerce").to_numpy(dtype=float)
            finite = values[~np.isnan(values)]
            row: dict[str, Any] = dict(zip(keys, key, strict=True))
            row.update(output=column, n=len(finite), missing=len(values) - len(finite))
            row["mean"] = float(finite.mean()) if len(finite) else np.nan
            qs = np.quantile(finite, quantiles) if len(finite) else np.full(len(quantiles), np.nan)
            row.update({f"q{q:g}": float(v) for q, v in zip(quantiles, qs, strict=True)})
            rows.append(row)
    return pd.DataFrame(rows)


# -- points ---------------------------------------------------------------------------------
def _point_table(
    scenario: Scenario,
    grid: Mapping[str, Iterable[Any]] | None,
    samples: int | None,
    seed: int | None,
    scale: Mapping[str, Iterable[float]] | None = None,
    outputs: str = "summary",
    concepts: Sequence[str] = ("spe",),
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The parameter table (one row per point) and the points to apply."""
    scale = scale or {}
    values = {k: _finite_values(f"grid {k}", v) for k, v in (grid or {}).items()}
    groups = {f"scale:{k}": _scale_paths(k) for k in scale}
    factors = {f"scale:{k}": _finite_values(f"scale {k}", v) for k, v in scale.items()}
    for column, found in factors.items():
        if any(f < 0 for f in found):
            raise NegsimError(f"{column}: scale factors must be >= 0, got {min(found):g}")
    check_paths(scenario, values, scaled=[p for paths in groups.values() for p in paths])
    check_size(scenario, [*values.values(), *factors.values()], samples or 0, outputs, concepts)
    seed = scenario.seed if seed is None else seed
    rows = grid_points({**values, **factors}) if values or factors else [{}]
    base = _apply_scales(scenario, rows, groups) if groups else rows
    if not samples:
        frame = pd.DataFrame(rows)
        frame.insert(0, "point", np.arange(len(base)))
        return frame, base
    draws = sample_points(scenario, samples, seed, skip=[*values, *_flat(groups)])
    points = [{**g, **d} for g in base for d in draws]
    frame = pd.DataFrame([{**g, **d} for g in rows for d in draws])
    frame.insert(0, "sample", np.tile(np.arange(samples), len(base)))
    frame.insert(0, "point", np.arange(len(points)))
    return frame, points


def _finite_values(what: str, values: Iterable[Any]) -> list[Any]:
    """``values`` as a list, refusing numbers that are not finite."""
    out = list(values)
    for value in out:
        if isinstance(value, (float, np.floating)) and not math.isfinite(value):
            raise NegsimError(f"{what}: {value!r} is not a finite number")
    return out


def _scale_paths(key: str) -> list[str]:
    paths = [p.strip() for p in key.split(",")]
    if not all(paths):
        raise NegsimError(f"scale {key!r}: expected PATH or PATH,PATH,... (no empty path)")
    return paths


def _flat(groups: Mapping[str, list[str]]) -> list[str]:
    return [p for paths in groups.values() for p in paths]


def _apply_scales(
    scenario: Scenario, rows: list[dict[str, Any]], groups: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    """Points with each ``scale:`` column replaced by its paths' scaled schedules."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    base = {p: _get_path(data, p) for p in _flat(groups)}
    cache: dict[tuple[str, float], dict[str, Any]] = {}
    points = []
    for row in rows:
        point = {k: v for k, v in row.items() if k not in groups}
        for column, paths in groups.items():
            key = (column, float(row[column]))
            if key not in cache:
                cache[key] = {p: scaled(base[p], key[1]) for p in paths}
            point.update(cache[key])
        points.append(point)
    return points


def _get_path(data: Any, dotted: str) -> Any:
    """The value at a dotted path of plain scenario data (the path is known to exist)."""
    node = data
    for part in dotted.split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part)
    return node


_EXAMPLE_FIELD = {
    "steps": "steps.0.value",
    "linear": "start",
    "exponential": "start",
    "piecewise": "points.0.1",
}


def check_size(
    scenario: Scenario,
    values: Sequence[Sequence[Any]],
    samples: int = 0,
    outputs: str | Sequence[str] = "summary",
    concepts: Sequence[str] = ("spe",),
) -> None:
    """Raise :class:`NegsimError` when a sweep is too large to run, before any work.

    The points are the product of the value lists times ``samples`` (when given). A sweep
    may have at most :data:`negsim.sampling.MAX_POINTS` points, and its estimated memory
    must fit in the memory available (``MemAvailable`` of ``/proc/meminfo``, else the
    physical memory): about 1 KiB per point plus 8 bytes per output cell and per
    swept value, three times over (the rows of each chunk, the joined table and the
    written file); with ``"actors"`` outputs, a row per (point, concept, round, actor).

    Examples
    --------
    >>> import negsim
    >>> check_size(negsim.load("textbook/rubinstein"), [range(1000), range(1000)])
    >>> check_size(negsim.load("textbook/rubinstein"), [range(10**6), range(10**6)])
    Traceback (most recent call last):
    ...
    negsim.errors.NegsimError: a sweep of 1,000,000,000,000 points (1,000,000 x 1,000,000) is more than the limit of 2,000,000 points; use fewer grid values or samples
    """
    sizes = [len(v) for v in values] + ([samples] if samples else [])
    points = math.prod(sizes) if sizes else 0
    what = " x ".join(f"{n:,}" for n in sizes)
    if points > MAX_POINTS:
        raise NegsimError(
            f"a sweep of {points:,} points ({what}) is more than the limit of "
            f"{MAX_POINTS:,} points; use fewer grid values or samples"
        )
    kinds = [outputs] if isinstance(outputs, str) else list(outputs)
    columns = len(values) + 2 * len(scenario.issues) + 4 * len(scenario.actors) + 6
    cells = points * (columns + len(concepts) * len(scenario.actors))
    if "actors" in kinds:
        cells += points * len(concepts) * scenario.rounds * len(scenario.actors) * 12
    need = points * 1024 + 3 * 8 * cells
    have = _available_memory()
    if have is not None and need > have:
        raise NegsimError(
            f"a sweep of {points:,} points ({what}) needs about {need / 2**30:.1f} GiB of "
            f"memory, more than the {have / 2**30:.1f} GiB available; use fewer grid values "
            "or samples"
        )


def _available_memory() -> int | None:
    """Bytes of memory available (``MemAvailable`` on Linux, else physical), or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def check_paths(scenario: Scenario, paths: Iterable[str], scaled: Iterable[str] = ()) -> None:
    """Raise :class:`ScenarioError` for dotted paths a sweep cannot set.

    A path that names no field of ``scenario``, a ``paths`` entry whose base value is a
    schedule that changes over time (a number would replace the whole time path by a
    constant from round 0), and a ``scaled`` path that holds no number or schedule, are
    mistakes in the sweep itself (every point would fail or mean something else), as are
    two swept paths of which one contains the other. Invalid *values* only make the
    points that hold them error rows.

    Examples
    --------
    >>> import negsim
    >>> check_paths(negsim.load("textbook/rubinstein"), ["actors.alice.discont"])
    Traceback (most recent call last):
    ...
    negsim.errors.ScenarioError: 1 problem in scenario:
      actors.alice.discont: no field 'discont' in actors.alice (did you mean 'discount'?)
    """
    from negsim.scenario import path_problems

    data = scenario.model_dump(mode="json", exclude_none=True)
    paths, scaled = list(paths), list(scaled)
    problems = [p for path in [*paths, *scaled] for p in path_problems(data, path)]
    if problems:
        raise ScenarioError(problems)
    swept = [*paths, *scaled]
    for path in swept:
        inner = [p for p in swept if p.startswith(path + ".")]
        if swept.count(path) > 1 or inner:
            problems.append(Problem(f"swept twice (also as {(inner or [path])[0]})", path))
    for path in paths:
        base = _get_path(data, path)
        kind = base.get("kind", "constant") if isinstance(base, dict) else None
        if kind is not None and kind != "constant":
            problems.append(
                Problem(
                    f"the scenario's value is a {kind} schedule ({_describe(base)}); a number "
                    "would replace the whole time path by a constant from round 0. Sweep one "
                    f"of its values ({path}.{_EXAMPLE_FIELD[kind]}) or scale the whole "
                    f"schedule (--scale {path}=0.5:2:5, or scale={{'{path}': [...]}})",
                    path,
                )
            )
    for path in scaled:
        base = _get_path(data, path)
        number = isinstance(base, (int, float)) and not isinstance(base, bool)
        if not (number or isinstance(base, dict) and "kind" in base):
            problems.append(Problem("holds no number or schedule to scale", path))
    if problems:
        raise ScenarioError(problems)


def _describe(schedule: Mapping[str, Any]) -> str:
    """A schedule's fields in a few words (``initial 0, steps [(4, 0.05)]``)."""
    fields = {k: v for k, v in schedule.items() if k not in {"kind", "why"}}
    if "steps" in fields:
        fields["steps"] = [(s["round"], s["value"]) for s in fields["steps"]]
    return ", ".join(f"{k} {v}" for k, v in fields.items())


def _concepts(concepts: Sequence[str]) -> tuple[str, ...]:
    from negsim.engine import CONCEPTS

    chosen = tuple(dict.fromkeys(["spe", *concepts]))
    unknown = [c for c in chosen if c not in CONCEPTS]
    if unknown:
        raise NegsimError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    return chosen


def _default_chunk(n: int, workers: int, fast: bool, backend: str, size: int = 1) -> int:
    """About 4 (batch) or 8 (engine) chunks per worker; batch chunks hold at most about
    400,000 (round x actor) cells per array (~200 MiB peak), engine chunks 64 points."""
    if n == 0:
        return 1
    cap = int(np.clip(400_000 // max(size, 1), 64, 4096)) if fast else 64
    if backend == "serial":
        return min(n, cap)
    per_worker = 4 if fast else 8
    return max(1, min(cap, math.ceil(n / (workers * per_worker))))


# -- one chunk ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _ChunkTask:
    """Evaluate a chunk of points (picklable: sent to processes and dask workers), and
    keep it in ``store`` when given (chunk ``start // chunk_size``)."""

    scenario: Scenario
    outputs: str
    concepts: tuple[str, ...]
    store: _Checkpoint | None = None
    chunk_size: int = 1

    def __call__(self, start: int, points: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
        frame = _evaluate_chunk(self.scenario, start, points, self.outputs, self.concepts)
        if self.store is not None:
            self.store.write(start // self.chunk_size, frame)
        return frame


def _evaluate_chunk(
    scenario: Scenario,
    start: int,
    points: Sequence[Mapping[str, Any]],
    outputs: str,
    concepts: tuple[str, ...],
) -> pd.DataFrame:
    if scenario.worlds:
        points = [complete_priors(scenario, p) for p in points]
    frames: list[pd.DataFrame] = []
    pending = list(range(len(points)))
    if concepts == ("spe",) and scenario.types:  # the batch path never takes types
        frame, pending = _evaluate_types(scenario, start, points, outputs)
        frames.append(frame)
    elif concepts == ("spe",) and _prepared(scenario).supported[0]:
        frame, pending = _evaluate_batch(scenario, start, points, outputs)
        frames.append(frame)
    frames += [_evaluate_one(scenario, start + k, points[k], outputs, concepts) for k in pending]
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True)
    frame = frame.sort_values("point", kind="stable", ignore_index=True)
    return frame.reindex(columns=_output_columns(scenario, outputs, concepts))


def complete_priors(scenario: Scenario, point: Mapping[str, Any]) -> dict[str, Any]:
    """``point`` with each prior it sets world by world (``beliefs.<who>.<world>``) made a
    whole prior: the worlds it does not set keep their relative weights in ``who``'s prior
    (an actor without a ``beliefs`` entry: the analyst's; equal weights where they are all
    zero) and share what is left of 1. In a two-world scenario, sweeping
    ``beliefs.a.a_strong`` from 0.1 to 0.9 moves ``b_strong`` from 0.9 to 0.1. A point
    whose values are not numbers in [0, 1] summing to at most 1, or that sets every world,
    is returned as it is (the scenario's validation then says what is wrong).

    >>> import negsim
    >>> s = negsim.load("textbook/optimism")
    >>> complete_priors(s, {"beliefs.a.a_strong": 0.3, "learning.accuracy": 0.9})
    {'learning.accuracy': 0.9, 'beliefs.a': {'a_strong': 0.3, 'b_strong': 0.7}}
    """
    worlds = list(scenario.worlds)
    who_rows = {name: i for i, name in enumerate(perspectives(scenario))}
    by_who: dict[str, dict[str, float]] = {}
    for path in point:
        parts = path.split(".")
        one_world = len(parts) == 3 and parts[0] == "beliefs" and parts[2] in worlds
        if one_world and parts[1] in who_rows and f"beliefs.{parts[1]}" not in point:
            by_who.setdefault(parts[1], {})[parts[2]] = point[path]
    out = dict(point)
    if not by_who:
        return out
    base = priors(scenario)
    for who, given in by_who.items():
        values = list(given.values())
        numbers = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0
            for v in values
        )
        rest = [w for w in worlds if w not in given]
        if not numbers or not rest or sum(values) > 1.0:
            continue
        weights = np.array([base[who_rows[who], worlds.index(w)] for w in rest])
        weights = (
            weights / weights.sum() if weights.sum() > 0 else np.full(len(rest), 1 / len(rest))
        )
        left = 1.0 - sum(values)
        prior = {w: float(given[w]) if w in given else 0.0 for w in worlds}
        prior.update({w: float(left * x) for w, x in zip(rest, weights, strict=True)})
        for w in given:
            del out[f"beliefs.{who}.{w}"]
        out[f"beliefs.{who}"] = prior
    return out


def _output_columns(scenario: Scenario, outputs: str, concepts: tuple[str, ...]) -> list[str]:
    """The canonical columns of a chunk (so that every chunk and backend agrees)."""
    if outputs == "actors":
        return ["point", "concept", "round", "actor", *_ACTOR_COLUMNS, "error"]
    terms = [k for k, v in scenario.issues.items() if v.kind == "position"]
    terms += [
        f"{k}.{a}"
        for k, v in scenario.issues.items()
        if v.kind == "pie"
        for a in scenario.actors
        if a in (v.among or [])
    ]
    actors = list(scenario.actors)
    columns = ["point", "agreement_round", "agreement_probability"]
    if scenario.types or scenario.worlds:
        columns += _BELIEF_COLUMNS
    columns += [f"terms.{c}" for c in terms]
    columns += [f"{m}.{a}" for m in ("payoff", "threat", "delay") for a in actors]
    columns += ["ripe_round"]
    columns += [f"{c}.payoff.{a}" for c in concepts if c != "spe" for a in actors]
    return [*columns, "error"]


def _evaluate_one(
    scenario: Scenario,
    index: int,
    point: Mapping[str, Any],
    outputs: str,
    concepts: tuple[str, ...],
) -> pd.DataFrame:
    try:
        changed = scenario.with_changes(dict(point)) if point else scenario
        result = _solve(changed, concepts, ex_ante=False)  # the tables have no ex-ante values
    except ScenarioError as exc:
        return _error_frame(index, "; ".join(str(p) for p in exc.problems))
    except NegsimError as exc:
        return _error_frame(index, str(exc))
    if outputs == "actors":
        return _actor_rows_of_result(index, result, concepts)
    return _summary_of_result(index, result)


def _error_frame(index: int, message: str) -> pd.DataFrame:
    return pd.DataFrame({"point": [index], "error": [message]})


def _summary_of_result(index: int, result: Any) -> pd.DataFrame:
    sol = result.solution
    frame = point_frame(
        sol.arrays[0], sol.transition, solution_arrays(sol), "summary", np.array([index])
    )
    if result.deal_probability.empty:  # complete information: the SPE's arrays say it all
        return frame
    return _with_beliefs(frame, result)


def _with_beliefs(frame: pd.DataFrame, result: Any) -> pd.DataFrame:
    """A summary row of a scenario with worlds or private types: the outcome of the
    equilibrium solved, under the analyst's beliefs (:mod:`negsim.results.outcomes`).

    The agreement columns are :func:`negsim.results.outcomes.deal_outcomes` of the
    analyst's ``P(deal at t)`` (as for complete information, but with the analyst's ``P``),
    ``payoff.<actor>`` :func:`negsim.results.outcomes.outcomes`' and ``terms.*``
    :meth:`negsim.Result.terms`.
    """
    frame = frame.copy()
    for column, values in deal_outcomes(deal_probabilities(result)[None]).items():
        frame[column] = values
    named = outcomes(result)
    terms = result.terms("spe")
    for column in frame.columns:
        if column.startswith("terms."):
            frame[column] = terms.get(column[len("terms.") :], np.nan)
        elif column.startswith("payoff."):
            frame[column] = named[column]
    return frame


def _actor_rows_of_result(index: int, result: Any, concepts: tuple[str, ...]) -> pd.DataFrame:
    table = result.actors[result.actors["regime"] == result.headline_regime]
    table = table[table["concept"].isin(concepts)]
    frame = table[["concept", "round", "actor", *_ACTOR_COLUMNS]].reset_index(drop=True)
    frame.insert(0, "point", index)
    return frame


def _normalise(frame: pd.DataFrame, outputs: str) -> pd.DataFrame:
    """Same dtypes whether chunks came from memory or a checkpoint, with or without errors."""
    frame = frame.copy()
    if "error" not in frame:
        frame["error"] = np.nan
    frame["error"] = frame["error"].astype("string")  # messages, or missing
    frame["point"] = frame["point"].astype("int64")
    if outputs == "actors":
        for column in ("concept", "actor"):
            if column in frame:
                frame[column] = frame[column].astype("string")
        if "round" in frame:
            frame["round"] = frame["round"].astype("Int64")
        if "preferred_delay" in frame:
            frame["preferred_delay"] = frame["preferred_delay"].astype("Int64")
    for column in frame.columns:
        if column not in {"point", "error", "concept", "actor", "round", "preferred_delay"}:
            frame[column] = frame[column].astype("float64")
    return frame[[c for c in frame.columns if c != "error"] + ["error"]]


# -- the batch path -------------------------------------------------------------------------
def _evaluate_batch(
    scenario: Scenario, start: int, points: Sequence[Mapping[str, Any]], outputs: str
) -> tuple[pd.DataFrame, list[int]]:
    """Solve the points the batch path covers; return their rows and the others' positions."""
    prepared = _prepared(scenario)
    if isinstance(prepared, BeliefBatch):
        return _evaluate_beliefs(prepared, start, points, outputs)
    fast = [k for k, p in enumerate(points) if prepared.fast_point(p)]
    rest = set(range(len(points))) - set(fast)
    if not fast:
        return pd.DataFrame(), sorted(rest)
    discount, flow = prepared.point_arrays([points[k] for k in fast])
    sol = solve_points(prepared, discount, flow)
    rest |= {fast[p] for p in np.flatnonzero(sol["engine"])}
    keep = sol["ok"] & ~sol["engine"]
    errors = [
        _error_frame(start + k, tail_error(discount[p, :, -1]))
        for p, k in enumerate(fast)
        if not sol["ok"][p] and not sol["engine"][p]
    ]
    sol = {key: value[keep] for key, value in sol.items()}
    index = start + np.asarray(fast)[keep]
    frame = point_frame(prepared.space.arrays[0], prepared.space.transition, sol, outputs, index)
    return pd.concat([frame, *errors], ignore_index=True), sorted(rest)


def _evaluate_beliefs(
    prepared: BeliefBatch, start: int, points: Sequence[Mapping[str, Any]], outputs: str
) -> tuple[pd.DataFrame, list[int]]:
    """:func:`_evaluate_batch` with worlds: points that set only priors and the accuracy
    (:mod:`negsim.engine.belief_points`); invalid and overflowing points go to the engine."""
    fast = [k for k, p in enumerate(points) if prepared.fast_point(p)]
    valid, prior, accuracy = prepared.point_inputs([points[k] for k in fast])
    solved = solve_belief_points(prepared, prior, accuracy) if valid else []
    done = {fast[v]: s for v, s in zip(valid, solved, strict=True) if s is not None}
    rest = sorted(set(range(len(points))) - set(done))
    if not done:
        return pd.DataFrame(), rest
    sols, deal = [s.rounds for s in done.values()], np.stack([s.deal for s in done.values()])
    return worlds_frame(sols, deal, outputs, start + np.array(list(done))), rest


_PREPARED = threading.local()


def _prepared(scenario: Scenario, space: StateSpace | None = None) -> Batch | BeliefBatch:
    """The scenario's :class:`negsim.batch.Batch` (with worlds, its
    :class:`negsim.batch.BeliefBatch`), kept per thread (its HiGHS models are
    not shared between threads, e.g. of a multi-threaded dask worker) so that later
    chunks reuse the simplex bases of earlier ones. ``space``: the scenario's state space
    when the caller has it (a worker gets its parent's; without worlds only). Scenarios
    are frozen, so the same object needs no new content hash."""
    if getattr(_PREPARED, "scenario", None) is scenario:
        return _PREPARED.batch
    key = scenario.content_hash()
    if getattr(_PREPARED, "key", None) != key:
        batch = BeliefBatch(scenario) if scenario.worlds else Batch(scenario, space)
        _PREPARED.key, _PREPARED.batch = key, batch
    _PREPARED.scenario = scenario
    return _PREPARED.batch


def clear_prepared() -> None:
    """Forget this thread's prepared batch (benchmarks start from no simplex bases)."""
    _PREPARED.key = _PREPARED.scenario = None


# -- the private-types route ----------------------------------------------------------------
def _evaluate_types(
    scenario: Scenario, start: int, points: Sequence[Mapping[str, Any]], outputs: str
) -> tuple[pd.DataFrame, list[int]]:
    """Solve the points of a scenario with private types that the route covers
    (:mod:`negsim.engine.type_points`); return their rows and the others' positions."""
    prepared = _prepared_types(scenario)
    if not prepared.supported[0]:
        return pd.DataFrame(), list(range(len(points)))
    solved = prepared.solve(points)
    if not solved.positions:
        return pd.DataFrame(), solved.rest
    space = prepared.batch.space
    index = start + np.asarray(solved.positions)
    return type_frame(space.arrays[0], space.transition, solved, outputs, index), solved.rest


_TYPES = threading.local()


def _prepared_types(scenario: Scenario) -> TypeBatch:
    """The scenario's :class:`negsim.engine.type_points.TypeBatch`, kept per thread as
    :func:`_prepared` keeps its batch."""
    if getattr(_TYPES, "scenario", None) is not scenario:
        key = scenario.content_hash()
        if getattr(_TYPES, "key", None) != key:
            _TYPES.key, _TYPES.batch = key, TypeBatch(scenario)
        _TYPES.scenario = scenario
    return _TYPES.batch


# -- execution ------------------------------------------------------------------------------
_WORKER: dict[str, _ChunkTask] = {}  # a local worker process's task, set once at its start


def _start_worker(
    task: _ChunkTask, space: StateSpace | None
) -> None:  # pragma: no cover - runs in worker processes
    """Set up a local worker process once: ignore Ctrl-C (the parent handles it), keep the
    task (the scenario travels once per worker, not once per chunk) and, on the batch
    path, prepare the scenario from the state space its parent already computed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["task"] = task
    if space is not None:
        _prepared(task.scenario, space)


def _worker_chunk(
    start: int, points: list[dict[str, Any]]
) -> pd.DataFrame:  # pragma: no cover - runs in worker processes
    return _WORKER["task"](start, points)


def _run_local(
    task: _ChunkTask,
    todo: list[tuple[int, int, list[dict[str, Any]]]],
    workers: int,
    finished: Callable[[int, pd.DataFrame], None],
    space: StateSpace | None = None,
) -> None:
    """Chunks in worker processes started from a fork server that has imported negsim
    once (each worker is a fork of it, not a new interpreter importing everything); the
    task and the state space are sent once per worker."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])  # no effect once the server is running
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(todo)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(task, space),
    )
    try:
        futures = {pool.submit(_worker_chunk, start, chunk): index for index, start, chunk in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                finished(futures[future], future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(
    task: _ChunkTask,
    todo: list[tuple[int, int, list[dict[str, Any]]]],
    workers: int,
    scheduler: str | None,
    finished: Callable[[int, pd.DataFrame], None],
) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - optional dependency
        raise NegsimError(
            "backend 'dask' needs dask[distributed]: pip install 'negsim[dask]'"
        ) from None
    cluster = None
    if scheduler is None:
        # the cluster's own processes log nothing below CRITICAL to the user's terminal: a
        # task's error reaches the caller through its future, and the shutdown of workers
        # whose scheduler has gone prints tracebacks (heartbeats, CommClosedError) that
        # are not errors of the sweep
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise NegsimError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
    futures = []
    try:
        shared = client.scatter(task, broadcast=True)
        futures = [
            client.submit(_call, shared, start, chunk, key=f"negsim-sweep-{index}-{_token(chunk)}")
            for index, start, chunk in todo
        ]
        index_of = {f.key: index for f, (index, _, _) in zip(futures, todo, strict=True)}
        for future in as_completed(futures):
            finished(index_of[future.key], future.result())
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    finally:
        _close_quietly(client, cluster)


def _close_quietly(client: Any, cluster: Any, timeout: float = 30.0) -> None:
    """Close the client, then the cluster this call started (never a caller's scheduler),
    with timeouts and with distributed's loggers silenced meanwhile, so that a normal end
    prints nothing (no heartbeat or ``CommClosedError`` tracebacks, no "killing" notes)."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        client.close(timeout=timeout)
        if cluster is not None:
            cluster.close(timeout=timeout)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _call(task: _ChunkTask, start: int, chunk: list[dict[str, Any]]) -> pd.DataFrame:
    return task(start, chunk)


def _token(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:12]


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, progress: bool | None, done: int = 0) -> Any:
    if progress is False or not sys.stderr.isatty():
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, unit="pt", desc="sweep", file=sys.stderr, smoothing=0.1)


# -- checkpoints ----------------------------------------------------------------------------
class _Checkpoint:
    """Finished chunks in a folder: ``chunk-000000.parquet`` (CSV without pyarrow).

    A ``manifest.json`` fingerprints the sweep (scenario hash, points, outputs, concepts,
    chunk size); a folder belonging to another sweep is refused rather than mixed in.
    """

    def __init__(
        self,
        folder: str | Path,
        scenario: Scenario,
        points: list[dict[str, Any]],
        outputs: str,
        concepts: tuple[str, ...],
        chunk_size: int,
    ) -> None:
        self.folder = Path(folder)
        with output_errors(self.folder):
            self.folder.mkdir(parents=True, exist_ok=True)
        try:
            import pyarrow  # noqa: F401

            self.fmt = "parquet"
        except ImportError:  # pragma: no cover - pyarrow is a dev dependency
            self.fmt = "csv"
        manifest = {
            "scenario": scenario.content_hash(),
            "points": _token(points) + f"-{len(points)}",
            "outputs": outputs,
            "concepts": list(concepts),
            "chunk_size": chunk_size,
            "format": self.fmt,
        }
        path = self.folder / "manifest.json"
        if path.exists():
            old = json.loads(path.read_text())
            if old != manifest:
                diff = sorted(k for k in manifest if old.get(k) != manifest[k])
                raise NegsimError(
                    f"checkpoint {self.folder} belongs to a different sweep (differs in "
                    f"{', '.join(diff)}); use another folder or delete it"
                )
        else:
            atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")

    @staticmethod
    def stored_chunk_size(folder: Path) -> int | None:
        """The chunk size of the sweep checkpointed in ``folder`` (None if there is none)."""
        path = folder / "manifest.json"
        return int(json.loads(path.read_text())["chunk_size"]) if path.exists() else None

    def _path(self, index: int) -> Path:
        return self.folder / f"chunk-{index:06d}.{self.fmt}"

    def read(self, index: int) -> pd.DataFrame | None:
        path = self._path(index)
        if not path.exists():
            return None
        return pd.read_parquet(path) if self.fmt == "parquet" else pd.read_csv(path)

    def write(self, index: int, frame: pd.DataFrame) -> None:
        if self.fmt == "parquet":
            atomic_write(self._path(index), lambda f: frame.to_parquet(f, index=False))
        else:
            atomic_write(self._path(index), lambda f: frame.to_csv(f, index=False))
