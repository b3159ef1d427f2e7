"""The wheel carries every shipped scenario (issue 2: a non-editable install finds them)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import negsim

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_every_shipped_scenario(tmp_path) -> None:
    # Build from a copy of the tracked files: setuptools leaves build/ behind, and stale
    # files there would end up in a wheel built in place.
    source = tmp_path / "src"
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("negsim-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"negsim/scenarios/{name}.yaml" for name in negsim.available()}
    assert len(shipped) >= 14
    assert shipped <= names, sorted(shipped - names)
    assert "negsim/scenarios/schema.json" in names
    # every subpackage and the templates of `negsim new`
    for package in ROOT.joinpath("negsim").rglob("__init__.py"):
        assert str(package.relative_to(ROOT)) in names, package
    for template in ("two-party", "multilateral", "war"):
        assert f"negsim/scenario_templates/{template}.yaml" in names
    assert not any(name.endswith((".c", ".so")) for name in names)  # pure Python
