"""Shared fixtures: the bad-scenario corpus, the installed executable, small scenario texts."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

BAD_DIR = Path(__file__).parent / "bad_scenarios"

#: The smallest scenario worth loading: one position issue, two actors.
MINIMAL = """\
name: minimal
rounds: 4
issues:
  territory: {kind: position}
actors:
  kyiv: {discount: 0.9, ideal: {territory: 0}, salience: {territory: 1}}
  moscow: {discount: 0.95, ideal: {territory: 1}, salience: {territory: 1}}
"""


@pytest.fixture
def minimal() -> str:
    """YAML text of :data:`MINIMAL`, a small valid scenario."""
    return MINIMAL


@pytest.fixture(scope="session")
def negsim_exe() -> str:
    """The installed ``negsim`` executable (next to this Python first, then on PATH)."""
    sibling = Path(sys.executable).with_name("negsim")
    if sibling.is_file():
        return str(sibling)
    found = shutil.which("negsim")
    if found is None:
        pytest.skip("the negsim executable is not installed (pip install -e .)")
    return found


@pytest.fixture
def write(tmp_path: Path):
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


# -- hypothesis profiles (issue 8) ----------------------------------------------------------
# "ci" (the default) keeps `make test` fast and reproducible (derandomized: the same
# examples on every run, so CI does not pass or fail by luck); "fuzz" is what `make fuzz`
# runs, with fresh random examples each time. Choose with HYPOTHESIS_PROFILE=fuzz. Tests
# that set max_examples themselves keep their own number.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

# No deadline in either: how long an example takes depends on the machine and its load,
# and no test may pass or fail on timing. No example database in "ci": a fresh clone and a
# reused checkout run exactly the same examples.
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, database=None)
settings.register_profile("fuzz", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
