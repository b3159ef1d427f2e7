"""``negsim sweep``: files written, figures, report, exit codes, --force and --resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

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


# -- issue 13: resumed = uninterrupted, byte for byte; limits; schedules ---------------------
UKRAINE_GRID = [
    "--grid",
    "actors.us.discount=0.85:0.99:4",
    "--grid",
    "actors.russia.private_benefit=0,0.006,0.011",
]


# the first edition (tests/data): the degenerate vertex of issue 13 item 9 is in its sweep
FIRST_EDITION = str(
    Path(__file__).resolve().parent / "data" / "ukraine_first_edition" / "ukraine_2025.yaml"
)
UKRAINE_COMMON = [FIRST_EDITION, *UKRAINE_GRID, "--format", "csv", "--backend", "serial"]


def test_chunk_size_gives_byte_identical_tables(tmp_path):
    """Chunks of 3 and 7 points write the same bytes (products of the batch path are
    summed in one order per point, not by a BLAS kernel that depends on the chunk)."""
    for size in ("3", "7"):
        sw.clear_prepared()
        res = run(*UKRAINE_COMMON, "--chunk-size", size, "--quiet", "--out", str(tmp_path / size))
        assert res.exit_code == 0, res.output
    assert (tmp_path / "7" / "sweep.csv").read_bytes() == (
        tmp_path / "3" / "sweep.csv"
    ).read_bytes()


def test_resume_gives_byte_identical_tables(tmp_path, monkeypatch):
    """A sweep interrupted after two chunks, then resumed in a fresh state (no simplex
    bases kept, as in a new process), writes the bytes of an uninterrupted one."""
    common = UKRAINE_COMMON
    sw.clear_prepared()
    res = run(*common, "--chunk-size", "3", "--quiet", "--out", str(tmp_path / "3"))
    assert res.exit_code == 0, res.output
    real = sw._ChunkTask.__call__
    calls = []

    def interrupted(self, start, points):
        calls.append(start)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, start, points)

    monkeypatch.setattr(sw._ChunkTask, "__call__", interrupted)
    sw.clear_prepared()
    out = tmp_path / "resumed"
    res = run(*common, "--chunk-size", "3", "--quiet", "--out", str(out))
    assert res.exit_code == 130 and not out.exists()
    monkeypatch.setattr(sw._ChunkTask, "__call__", real)
    sw.clear_prepared()
    res = run(*common, "--resume", "--quiet", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert (out / "sweep.csv").read_bytes() == (tmp_path / "3" / "sweep.csv").read_bytes()


def negsim_exe(*args: str, cwd) -> subprocess.CompletedProcess:
    """The real ``negsim`` executable (the console script beside this Python)."""
    exe = os.path.join(os.path.dirname(sys.executable), "negsim")
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "--grid",
                "actors.a.discount=0.1:0.9:1000000",
                "--grid",
                "actors.b.discount=0:1:1000000",
            ],
            "1,000,000,000,000 points (1,000,000 x 1,000,000) is more than the limit of 2,000,000",
        ),
        (["--grid", "actors.a.discount=0:1:100000000"], "100,000,000 values, more than"),
        (["--grid", "actors.a.discount=nan:0.9:3"], "LOW and HIGH must be finite numbers"),
        (["--grid", "actors.a.discount=0.5:inf:3"], "LOW and HIGH must be finite numbers"),
        (["--grid", "actors.a.discount=0.5,nan"], "'nan' is not a finite number"),
        (["--grid", "actors.a.discount=0.9:0.5:0"], "N must be at least 1"),
        (["--scale", "actors.a.war_cost=-inf:1:3"], "LOW and HIGH must be finite numbers"),
        (["--scale", "actors.a.war_cost=-1,1"], "scale factors must be >= 0"),
    ],
)
def test_oversized_or_non_finite_sweeps_exit_2_at_once(tmp_path, args, message):
    res = negsim_exe("sweep", "textbook/fearon", *args, "--out", "x", cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "x").exists()


def test_memory_estimate_refuses_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(sw, "_available_memory", lambda: 2**30)  # 1 GiB
    res = CliRunner().invoke(
        group,
        ["sweep", "ukraine_2025", "--grid", "actors.us.discount=0.5:0.99:1500000", "--out", "x"],
    )
    assert res.exit_code == 2
    assert "GiB of memory, more than the 1.0 GiB available" in res.output


STEPPED = """\
name: stepped
rounds: 8
terminal: war
issues:
  pot: {kind: pie, among: [firm, union]}
actors:
  firm: {discount: 0.9, veto: true, war_cost: {kind: steps, initial: 0.0, steps: [{round: 4, value: 0.05}]}}
  union: {discount: 0.8, veto: true, private_benefit: 0.003, war_cost: {kind: linear, start: 0.01, slope: 0.002}}
"""


def test_schedule_base_is_refused_with_both_ways_out(tmp_path):
    (tmp_path / "s.yaml").write_text(STEPPED)
    res = negsim_exe(
        "sweep", "s.yaml", "--grid", "actors.firm.war_cost=0:0.1:3", "--out", "x", cwd=tmp_path
    )
    assert res.returncode == 2
    line = res.stderr.strip().splitlines()[-1]
    assert "actors.firm.war_cost: the scenario's value is a steps schedule" in line
    assert "initial 0.0, steps [(4, 0.05)]" in line
    assert "actors.firm.war_cost.steps.0.value" in line and "--scale actors.firm.war_cost" in line
    assert not (tmp_path / "x").exists()


def test_nested_path_and_scale_through_the_executable(tmp_path):
    (tmp_path / "s.yaml").write_text(STEPPED)
    res = negsim_exe(
        "sweep", "s.yaml", "--grid", "actors.firm.war_cost.steps.0.value=0.02,0.2",
        "--scale", "actors.union.war_cost,actors.union.private_benefit=0,2",
        "--format", "csv", "--backend", "serial", "--quiet", "--out", "x", cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "x" / "sweep.csv")
    column = "scale:actors.union.war_cost,actors.union.private_benefit"
    assert table[column].tolist() == [0, 2, 0, 2]
    base = negsim.load(tmp_path / "s.yaml")
    for row in table.to_dict("records"):
        f = row[column]
        changed = base.with_changes(
            {
                "actors.firm.war_cost": {
                    "kind": "steps",
                    "initial": 0.0,
                    "steps": [{"round": 4, "value": row["actors.firm.war_cost.steps.0.value"]}],
                },
                "actors.union.war_cost": {"kind": "linear", "start": 0.01 * f, "slope": 0.002 * f},
                "actors.union.private_benefit": 0.003 * f,
            }
        )
        direct = negsim.solve(changed, ["spe"]).actors
        first = direct[(direct["round"] == 0) & (direct["concept"] == "spe")]
        for actor, payoff in zip(first["actor"], first["payoff"], strict=True):
            assert row[f"payoff.{actor}"] == pytest.approx(payoff, abs=1e-12)
