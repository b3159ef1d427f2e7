"""The scenarios shipped with negsim, found by name (``ukraine_2025``, ``textbook/rubinstein``)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from negsim.errors import Problem, ScenarioError, did_you_mean
from negsim.scenario import Scenario, load_file
from negsim.yaml_source import file_problem

__all__ = ["available", "load", "resolve"]


def _root() -> Path:
    return Path(str(resources.files("negsim.scenarios")))


def available() -> dict[str, Path]:
    """Shipped scenario names mapped to their files, sorted by name."""
    root = _root()
    files = sorted(p for p in root.rglob("*.yaml"))
    return {p.relative_to(root).with_suffix("").as_posix(): p for p in files}


def resolve(name_or_path: str | Path) -> Path:
    """The file for a shipped scenario name or a path; ScenarioError if neither exists."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or os.path.lexists(path):
        problem = file_problem(path)
        if problem is not None:
            raise ScenarioError([Problem(problem, file=str(path))])
        return path
    shipped = available()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    hint = did_you_mean(str(name_or_path), shipped)
    raise ScenarioError(
        [Problem(f"no scenario named '{name_or_path}'{hint}; `negsim list` shows the shipped ones")]
    )


def load(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name (``"ukraine_2025"``) or any scenario file by path.

    >>> load("textbook/rubinstein").actors["alice"].discount.value
    0.9
    """
    return load_file(resolve(name_or_path))
