"""`negsim run` and `negsim compare` through click's runner and the real executable."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import negsim
from negsim.cli import cli, fixed


def test_run_writes_tables_figures_and_report(tmp_path) -> None:
    out = tmp_path / "fearon"
    result = CliRunner().invoke(cli, ["run", "textbook/fearon", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Terms: A's share of the territory 0.70." in result.output
    rounds = pd.read_csv(out / "rounds.csv")
    assert rounds.query("concept == 'spe'")["territory"].iloc[0] == pytest.approx(0.7, abs=1e-6)
    assert json.loads((out / "metadata.json").read_text())["scenario"] == "fearon"
    assert (out / "report.html").stat().st_size > 10_000
    assert (out / "leverage.png").stat().st_size > 1_000


def test_run_refuses_to_clobber_without_force(tmp_path) -> None:
    out = tmp_path / "run"
    runner = CliRunner()
    args = ["run", "textbook/ultimatum", "--out", str(out), "--no-figures", "--concept", "spe"]
    assert runner.invoke(cli, args).exit_code == 0
    (out / "marker.txt").write_text("mine")
    again = runner.invoke(cli, args)
    assert again.exit_code == 2
    assert "exists; add --force to replace it" in again.output
    assert (out / "marker.txt").read_text() == "mine"
    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0
    assert not (out / "marker.txt").exists()


def test_run_parquet(tmp_path) -> None:
    out = tmp_path / "pq"
    args = ["run", "textbook/rubinstein", "--out", str(out), "--no-figures", "--format", "parquet"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "rounds.parquet")
    spe = table.query("concept == 'spe' and round == 0")
    assert abs(spe["dollar.alice"].iloc[0] - 0.2 / 0.28) < 1e-6


def test_compare_prints_differences() -> None:
    result = CliRunner().invoke(
        cli, ["compare", "textbook/rubinstein", "textbook/rubinstein_finite"]
    )
    assert result.exit_code == 0, result.output
    assert "rubinstein vs rubinstein_finite" in result.output
    assert "dollar.alice  0.7143      0.5761             -0.1382" in result.output


FIRST = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"


def test_fixed_is_the_one_number_format_of_compare() -> None:
    cases = {1: "1.0000", 0.3: "0.3000", -0.08534: "-0.0853", 1234.5: "1234.5000"}
    assert {v: fixed(v) for v in cases} == cases
    assert fixed(-1e-9) == "0.0000"  # never "-0.0000"
    assert fixed(float("nan")) == "n/a: not finite"
    assert fixed("n/a: no deal") == "n/a: no deal"


def test_compare_executable_one_format_and_reasons_for_missing_numbers(negsim_exe) -> None:
    """No `nan`, no mixed precision: 4 decimals everywhere, "n/a: REASON" for a share that
    is not defined (Europe holds no veto in ukraine_2025, so it has no share of the surplus).
    On the first edition (tests/data), whose deal comes at month 0 (issue 19)."""
    proc = subprocess.run(
        [
            negsim_exe,
            "compare",
            str(FIRST / "ukraine_2025.yaml"),
            str(FIRST / "variants" / "patient_us.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"\bnan\b", proc.stdout, re.IGNORECASE)
    tables = proc.stdout.split("SPE terms at the agreement round:")[1]
    rows = [re.split(r"\s{2,}", line.strip()) for line in tables.splitlines()]
    rows = [r for r in rows if len(r) > 2 and r[0] not in {"issue", "actor"}]
    assert len(rows) == 8  # 4 issues, 4 actors
    for row in rows:
        for cell in row[1:]:
            assert re.fullmatch(r"-?\d+\.\d{4}", cell) or cell == "n/a: not a veto player", row
    europe = next(r for r in rows if r[0] == "Europe")
    assert europe[4:] == ["n/a: not a veto player"] * 2
    assert not negsim.load(FIRST / "ukraine_2025.yaml").actors["europe"].veto


def test_executable_run_on_bad_scenario_exits_2(negsim_exe, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nrounds: 2\nissues: {t: {}}\nactors: {a: {discount: 2}, b: {discount: 0.9}}\n"
    )
    proc = subprocess.run(
        [negsim_exe, "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "bad.yaml:4:" in proc.stderr and "actors.a.discount" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "o").exists()
