"""``negsim sweep``: files written, figures, report, exit codes, --force and --resume."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import negsim
from negsim import sweeps as sw
from negsim.cli_sweep import sweep_command
from negsim.sampling import parse_grid_spec


@click.group()
def group() -> None:
    """A stand-in for the negsim group."""


group.add_command(sweep_command, "sweep")

GRID = ["--grid", "actors.alice.discount=0.5:0.9:3", "--grid", "actors.bob.discount=0.6,0.8"]


def run(*args: str):
    return CliRunner().invoke(group, ["sweep", *args], catch_exceptions=False)


def test_grid_writes_table_figures_and_report(tmp_path):
    out = tmp_path / "rub"
    res = run("textbook/rubinstein_finite", *GRID, "--out", str(out), "--backend", "serial")
    assert res.exit_code == 0, res.output
    assert "6 points" in res.output
    table = pd.read_parquet(out / "sweep.parquet")
    assert table.shape[0] == 6
    assert table["actors.bob.discount"].tolist() == [0.6, 0.8] * 3
    direct = sw.sweep(
        negsim.load("textbook/rubinstein_finite"),
        grid={"actors.alice.discount": [0.5, 0.7, 0.9], "actors.bob.discount": [0.6, 0.8]},
        backend="serial",
        progress=False,
    )
    pd.testing.assert_frame_equal(table, direct)
    assert {"heatmap_agreement_round.png", "heatmap_payoff_alice.png", "report.md"} <= {
        p.name for p in out.iterdir()
    }
    report = (out / "report.md").read_text()
    assert "points: 6" in report and "batch path" in report
    assert not list(tmp_path.glob(".rub*"))  # no staging or checkpoint left beside OUT


def test_one_parameter_csv(tmp_path):
    out = tmp_path / "one"
    res = run(
        "textbook/ultimatum",
        "--grid",
        "actors.responder.discount=0.5,0.9",
        "--out",
        str(out),
        "--format",
        "csv",
        "--quiet",
        "--backend",
        "serial",
    )
    assert res.exit_code == 0 and res.output == ""
    assert len(pd.read_csv(out / "sweep.csv")) == 2
    assert (out / "payoffs.png").exists()


def test_samples_write_fan_and_actors(tmp_path):
    out = tmp_path / "mc"
    text = (negsim.catalog.resolve("textbook/rubinstein_finite")).read_text()
    text += "uncertainty:\n  actors.alice.discount: {dist: uniform, low: 0.5, high: 0.95}\n"
    path = tmp_path / "unc.yaml"
    path.write_text(text)
    res = run(str(path), "--samples", "8", "--seed", "3", "--out", str(out), "--backend", "serial")
    assert res.exit_code == 0, res.output
    assert len(pd.read_parquet(out / "sweep.parquet")) == 8
    assert len(pd.read_parquet(out / "actors.parquet")) == 8 * 10 * 2
    assert (out / "fan_payoff.png").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "actors.alice.discount=0.5:x:3"], "bad grid spec"),
        (["--grid", "actors.alice.discont=0.5:0.9:3"], "did you mean 'discount'"),
        (["--grid", "actors.alice.discount"], "bad grid spec"),
        ([], "nothing to sweep"),
        (["--samples", "3"], "no 'uncertainty:' section"),
        (
            ["--grid", "a.b=1,2", "--scheduler", "tcp://127.0.0.1:1"],
            "--scheduler needs --backend dask",
        ),
    ],
)
def test_bad_input_exits_2_without_traceback(tmp_path, args, message):
    res = CliRunner().invoke(
        group, ["sweep", "textbook/rubinstein", *args, "--out", str(tmp_path / "x")]
    )
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "x").exists()


def test_unknown_scenario_exits_2(tmp_path):
    res = CliRunner().invoke(
        group, ["sweep", "textbook/rubinstien", *GRID, "--out", str(tmp_path / "x")]
    )
    assert res.exit_code == 2
    assert "did you mean 'textbook/rubinstein'" in res.output


def test_existing_out_needs_force(tmp_path):
    out = tmp_path / "o"
    assert (
        run("textbook/rubinstein_finite", *GRID, "--out", str(out), "--backend", "serial").exit_code
        == 0
    )
    (out / "mine.txt").write_text("keep me")
    res = CliRunner().invoke(
        group, ["sweep", "textbook/rubinstein_finite", *GRID, "--out", str(out)]
    )
    assert res.exit_code == 2 and "pass --force" in res.output
    assert (out / "mine.txt").exists()
    res = run(
        "textbook/rubinstein_finite", *GRID, "--out", str(out), "--force", "--backend", "serial"
    )
    assert res.exit_code == 0
    assert not (out / "mine.txt").exists()
    # --resume reuses the finished checkpoint: nothing is solved again
    res = run(
        "textbook/rubinstein_finite", *GRID, "--out", str(out), "--resume", "--backend", "serial"
    )
    assert res.exit_code == 0
    assert len(pd.read_parquet(out / "sweep.parquet")) == 6


@pytest.mark.slow
def test_sigkill_then_resume(tmp_path):
    """A sweep killed with SIGKILL keeps its finished chunks; --resume completes it."""
    out = tmp_path / "killed"
    grid = ["--grid", "actors.a.war_cost=0.01:0.3:40"]  # fearon: the engine per point
    # the process kills itself right after its 3rd chunk is checkpointed: no clock involved
    script = textwrap.dedent(
        f"""
        import os, signal, negsim.sweeps as sw
        real = sw._Checkpoint.write
        written = []
        def write(self, index, frame):
            real(self, index, frame)
            written.append(index)
            if len(written) == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        sw._Checkpoint.write = write
        from negsim.cli_sweep import sweep_command
        sweep_command.main({["textbook/fearon", *grid, "--out", str(out), "--backend", "serial", "--quiet", "--chunk-size", "4"]!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], timeout=600)
    assert proc.returncode == -signal.SIGKILL
    partial = tmp_path / ".killed.checkpoint" / "summary"
    kept = sorted(p.name for p in partial.glob("chunk-*"))
    assert kept == ["chunk-000000.parquet", "chunk-000001.parquet", "chunk-000002.parquet"]
    assert not out.exists()
    res = run(
        "textbook/fearon", *grid, "--out", str(out), "--resume", "--backend", "serial", "--quiet"
    )
    # the chunk size comes from the checkpoint's manifest
    assert res.exit_code == 0, res.output
    resumed = pd.read_parquet(out / "sweep.parquet")
    path, values = parse_grid_spec(grid[1])
    fresh = sw.sweep(
        negsim.load("textbook/fearon"), grid={path: values}, backend="serial", progress=False
    )
    pd.testing.assert_frame_equal(resumed, fresh)
