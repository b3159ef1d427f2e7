"""``negsim sweep``: solve a scenario over a grid and/or Monte Carlo samples.

The lead registers :data:`sweep_command` on the ``negsim`` group
(``cli.add_command(sweep_command, "sweep")``). It is a thin layer over
:func:`negsim.sweeps.sweep`: it writes ``sweep.parquet`` (or ``.csv``), figures and a short
``report.md`` and ``metadata.json`` (with negsim's ``"negsim_output": "sweep"`` marker)
into OUT, through :func:`negsim.atomic.atomic_folder`: OUT is checked (never the working
folder, a parent of it, or a folder of other files, even with --force), staged beside it
and renamed into place, so an interrupted run never leaves a half-written OUT; finished
chunks are kept in ``.OUT.checkpoint`` beside it until the run completes (then in
``OUT/checkpoint``), and ``--resume`` continues from either.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from negsim._cli_shared import EXIT_BAD_INPUT
from negsim._cli_shared import load_or_exit as _load_or_exit
from negsim._cli_shared import print_error as _print_error
from negsim.atomic import (
    METADATA,
    OutputError,
    atomic_folder,
    atomic_write_text,
    check_target,
    is_negsim_output,
    output_errors,
    output_marker,
)
from negsim.errors import NegsimError
from negsim.sampling import parse_grid_spec

__all__ = ["sweep_command"]

EXIT_INTERRUPTED = 130
_HINT = "pass --force to replace it or --resume to continue it"


@click.command("sweep")
@click.argument("scenario")
@click.option(
    "--grid",
    "grids",
    multiple=True,
    metavar="PATH=LOW:HIGH:N|PATH=V1,V2",
    help="A swept parameter: N evenly spaced values or a list. Repeat for a grid.",
)
@click.option(
    "--scale",
    "scales",
    multiple=True,
    metavar="PATH[,PATH...]=LOW:HIGH:N|PATH[,PATH...]=F1,F2",
    help="Multiply every value of each PATH's schedule by a factor (several paths move "
    "together). Repeat for a grid.",
)
@click.option("--samples", type=click.IntRange(min=0), default=0, help="Draws from `uncertainty:`.")
@click.option(
    "--seed", type=click.IntRange(min=0), default=None, help="Seed (default: the scenario's)."
)
@click.option("--out", "out", required=True, type=click.Path(), help="Output folder.")
@click.option(
    "--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True
)
@click.option(
    "--backend", type=click.Choice(["local", "dask", "serial"]), default="local", show_default=True
)
@click.option(
    "--scheduler", default=None, metavar="tcp://HOST:PORT", help="A running dask scheduler."
)
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Processes or dask workers."
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    help="Points per task (checkpoint unit).",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted sweep from its checkpoint.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
@click.option("--force", is_flag=True, help="Replace an earlier negsim output folder OUT.")
def sweep_command(
    scenario: str,
    grids: tuple[str, ...],
    scales: tuple[str, ...],
    samples: int,
    seed: int | None,
    out: str,
    fmt: str,
    backend: str,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int | None,
    resume: bool,
    quiet: bool,
    force: bool,
) -> None:
    """Solve SCENARIO at every point of a grid and/or Monte Carlo sample.

    Writes OUT/sweep.parquet (one row per point, parameters as columns), figures
    (a heatmap for two grid parameters, lines for one, fan charts for samples) and
    OUT/report.md. Points the scenario rejects get an `error` entry instead of a crash.
    --force and --resume replace only an earlier negsim output folder (one with
    negsim's metadata.json), never the working folder or a folder of other files.

    A --grid PATH replaces the value there; where the scenario has a schedule (a cost
    that starts in round 4, a linear rise), sweep one of its fields
    (actors.firm.war_cost.steps.0.value) or --scale it: every value of the schedule is
    multiplied by the factor, its shape kept. At most 2,000,000 points (grid x samples).

    \b
    Examples:
      negsim sweep textbook/rubinstein_finite --grid actors.alice.discount=0.5:0.99:20 \\
          --grid actors.bob.discount=0.5:0.99:20 --out runs/rub
      negsim sweep variants/uncertain_patience --samples 200 --out runs/mc --workers 2
      negsim sweep ukraine_2025 --scale actors.russia.war_cost,actors.ukraine.war_cost=0.5:2:7 \\
          --out runs/costs
      negsim sweep ukraine_2025 --grid actors.us.discount=0.8:0.99:20 --out runs/us \\
          --backend dask --scheduler tcp://127.0.0.1:8786
    """
    try:
        _run(
            scenario,
            grids,
            scales,
            samples,
            seed,
            Path(out),
            fmt,
            backend,
            scheduler,
            workers,
            chunk_size,
            resume,
            quiet,
            force,
        )
    except NegsimError as exc:
        _print_error(exc)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        click.echo(f"interrupted; run again with --resume to continue into {out}", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _run(
    name: str,
    grids: tuple[str, ...],
    scales: tuple[str, ...],
    samples: int,
    seed: int | None,
    out: Path,
    fmt: str,
    backend: str,
    scheduler: str | None,
    workers: int | None,
    chunk_size: int | None,
    resume: bool,
    quiet: bool,
    force: bool,
) -> None:
    from negsim.sweeps import batch_supported, check_size, sweep

    grid: dict[str, list[Any]] = {}
    for spec in grids:
        path, values = parse_grid_spec(spec)
        if path in grid:
            raise NegsimError(f"--grid {path} is given twice")
        grid[path] = values
    scale: dict[str, list[Any]] = {}
    for spec in scales:
        path, values = parse_grid_spec(spec)
        if path in scale:
            raise NegsimError(f"--scale {path} is given twice")
        scale[path] = values
    if not grid and not scale and not samples:
        raise NegsimError(
            "nothing to sweep: give --grid PATH=LOW:HIGH:N, --scale PATH=LOW:HIGH:N "
            "and/or --samples N"
        )
    if scheduler and backend != "dask":
        raise NegsimError("--scheduler needs --backend dask")
    scenario = _load_or_exit(name)
    outputs = ("summary", "actors") if samples else ("summary",)
    check_size(scenario, [*grid.values(), *scale.values()], samples, outputs)
    replace = force or resume
    check_target(out, force=replace, hint=_HINT)
    partial = out.parent / f".{out.name}.checkpoint"
    with output_errors(out):
        if partial.is_symlink() or (partial.exists() and not _is_checkpoint(partial)):
            raise OutputError(
                f"refusing to use {partial} as the sweep's checkpoint folder: it holds files "
                "negsim did not write; move it away"
            )
    options: dict[str, Any] = dict(
        grid=grid,
        scale=scale,
        samples=samples or None,
        seed=seed,
        backend=backend,
        scheduler=scheduler,
        workers=workers,
        chunk_size=chunk_size,
        progress=False if quiet else None,
    )
    started = time.perf_counter()
    actors = None
    try:
        _prepare_checkpoint(partial, out, resume)
        table = sweep(scenario, checkpoint=partial / "summary", **options)
        if samples:
            actors = sweep(scenario, outputs="actors", checkpoint=partial / "actors", **options)
    except OutputError:  # a checkpoint without a finished chunk has nothing to resume
        if not any(partial.glob("*/chunk-*")):
            shutil.rmtree(partial, ignore_errors=True)
        raise
    elapsed = time.perf_counter() - started

    meta = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash(),
        "grid": list(grid),
        "samples": samples,
        "seed": seed,
        "format": fmt,
    }
    with atomic_folder(
        out,
        force=replace,
        kind="sweep",
        metadata=meta,
        adopt={"checkpoint": partial},
        hint=_HINT,
    ) as staging:
        write = (
            (lambda df, p: df.to_parquet(p, index=False))
            if fmt == "parquet"
            else (lambda df, p: df.to_csv(p, index=False))
        )
        write(table, staging / f"sweep.{fmt}")
        if actors is not None:
            write(actors, staging / f"actors.{fmt}")
        params = [*grid, *(f"scale:{k}" for k in scale)]
        figures = _figures(table, actors, params, staging)
        supported, why = batch_supported(scenario)
        (staging / "report.md").write_text(
            _report(scenario, table, params, samples, figures, elapsed, fmt, supported, why)
        )
    if not quiet:
        errors = int(table["error"].notna().sum())
        click.echo(
            f"{len(table)} points in {elapsed:.1f} s ({len(table) / max(elapsed, 1e-9):,.0f} points/s)"
            f"{f', {errors} with errors' if errors else ''}; wrote {out}"
        )


def _prepare_checkpoint(partial: Path, out: Path, resume: bool) -> None:
    """Make ``partial`` (``.OUT.checkpoint``, already checked to be negsim's or absent)
    ready: fresh, or kept or restored from ``OUT/checkpoint`` for --resume."""
    with output_errors(out):
        if resume and not partial.exists() and _is_checkpoint(out / "checkpoint"):
            shutil.copytree(out / "checkpoint", partial)
        if not resume and partial.exists():
            shutil.rmtree(partial)
        partial.mkdir(parents=True, exist_ok=True)
        if not (partial / METADATA).exists():
            atomic_write_text(partial / METADATA, json.dumps(output_marker("sweep-checkpoint")))


def _is_checkpoint(folder: Path) -> bool:
    """Whether ``folder`` is a sweep checkpoint negsim wrote (an empty folder counts).

    Marked by ``metadata.json``; one written before the marker existed holds only
    ``summary`` and ``actors`` folders, each with a ``manifest.json``.
    """
    if not folder.is_dir():
        return False
    if is_negsim_output(folder):
        return True
    return all(
        p.name in {"summary", "actors"} and (p / "manifest.json").is_file()
        for p in folder.iterdir()
    )


def _figures(table: Any, actors: Any, params: list[str], folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg", force=False)

    from negsim import plot_sweep

    ok = table[table["error"].isna()]
    written = []
    payoffs = [c for c in table.columns if c.startswith("payoff.")]
    if len(params) >= 2 and len(ok):
        for value in ["agreement_round", *payoffs[:1]]:
            if ok[value].notna().any():
                ax = plot_sweep.heatmap(ok, params[0], params[1], value)
                name = f"heatmap_{value.replace('.', '_')}.png"
                _save(ax, folder / name)
                written.append(name)
    elif len(params) == 1 and len(ok):
        ax = plot_sweep.line(ok, params[0], payoffs)
        _save(ax, folder / "payoffs.png")
        written.append("payoffs.png")
    if actors is not None and actors["error"].isna().any():
        ax = plot_sweep.fan(actors)
        _save(ax, folder / "fan_payoff.png")
        written.append("fan_payoff.png")
    return written


def _save(ax: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure = ax.get_figure(root=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def _report(
    scenario: Any,
    table: Any,
    params: list[str],
    samples: int,
    figures: list[str],
    elapsed: float,
    fmt: str,
    supported: bool,
    why: str,
) -> str:
    import pandas as pd

    from negsim.report import render_markdown
    from negsim.sweeps import summarize_samples

    outputs = ["agreement_round", *[c for c in table.columns if c.startswith("payoff.")]]
    summary = summarize_samples(table, outputs, quantiles=(0.05, 0.5, 0.95))
    columns = {"output": "output", "n": "n", "missing": "no value", "mean": "mean"}
    columns |= {"q0.05": "5%", "q0.5": "50%", "q0.95": "95%"}
    shown = summary[list(columns)].rename(columns=columns)
    for column in ("mean", "5%", "50%", "95%"):
        shown[column] = [f"{v:.4g}" if v == v else "–" for v in shown[column]]  # NaN
    missing, reasons = _missing_reasons(table, outputs, scenario.time_unit)
    errors = table["error"].dropna().value_counts().rename_axis("Message")
    return render_markdown(
        "sweep.md.jinja",
        name=scenario.name,
        hash=scenario.content_hash()[:16],
        points=len(table),
        params=params,
        samples=samples,
        elapsed=elapsed,
        rate=len(table) / max(elapsed, 1e-9),
        supported=supported,
        why=why,
        fmt=fmt,
        outputs=shown,
        missing=missing,
        reasons=reasons,
        errors=pd.DataFrame({"Points": errors}).reset_index(),
        figures=figures,
    )


def _missing_reasons(
    table: Any, outputs: list[str], unit: str
) -> tuple[Any, list[tuple[str, str]]]:
    """Points without a value, per output and reason, and what each reason means.

    A point has no value when it could not be solved (``error``). A solved point has no
    ``agreement_round`` when the deal has not come with probability 1/2 by the last round
    (:attr:`negsim.Result.agreement_round`), and no ``payoff.<actor>`` when no deal is
    made in the first round: that column is the payoff of the SPE deal of round 0, and
    both the engine and the batch path leave it NaN when there is none. Each row's counts
    add up to its points without a value.
    """
    import pandas as pd

    meanings = {
        "error": "the point could not be solved (messages below)",
        "no deal by the end": f"solved, but the deal has not come with probability 1/2 by the "
        f"last {unit}, so there is no agreement round",
        "no deal at the start": f"solved, but no deal is made in the first {unit}; "
        f"`payoff.<actor>` is the payoff of the deal made then, so there is none "
        "(the deal comes later or never: see agreement_round)",
    }
    failed = table["error"].notna()
    rows = []
    for output in outputs:
        empty = table[output].isna()
        if empty.any():
            solved = "no deal by the end" if output == "agreement_round" else "no deal at the start"
            reason = failed[empty].map({True: "error", False: solved})
            rows.append({"output": output, "no value": int(empty.sum())})
            rows[-1] |= reason.value_counts().to_dict()
    missing = pd.DataFrame(rows, columns=["output", "no value", *meanings]).fillna(0)
    used = [r for r in meanings if missing[r].sum() > 0]
    missing = missing[["output", "no value", *used]].astype({r: int for r in used})
    return missing, [(r, meanings[r]) for r in used]
