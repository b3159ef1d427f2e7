"""Commented starting scenarios (``negsim new``): the templates ship as package data in
:mod:`negsim.scenario_templates`; ``NAME`` in a template becomes the scenario's name."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from negsim.errors import Problem, ScenarioError

__all__ = ["TEMPLATES", "new_scenario", "template_text"]

#: Template names, the first the default.
TEMPLATES = ("two-party", "multilateral", "war")

_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


def template_text(name: str, template: str = TEMPLATES[0]) -> str:
    """The YAML text of ``template`` for a scenario called ``name``.

    >>> "name: strike_2026" in template_text("strike_2026")
    True
    """
    if template not in TEMPLATES:
        raise ScenarioError(
            [Problem(f"unknown template {template!r}; choose from {', '.join(TEMPLATES)}")]
        )
    if not _NAME.match(name):
        raise ScenarioError(
            [
                Problem(
                    f"scenario name {name!r}: use letters, digits, '_', '.' and '-' only "
                    "(e.g. my_talks)"
                )
            ]
        )
    text = (resources.files("negsim.scenario_templates") / f"{template}.yaml").read_text("utf-8")
    return text.replace("NAME", name)


def new_scenario(name: str, template: str = TEMPLATES[0], folder: str | Path = ".") -> Path:
    """Write ``folder/name.yaml`` from a template; never replaces an existing file."""
    path = Path(folder) / f"{name}.yaml"
    text = template_text(name, template)
    try:
        with path.open("x", encoding="utf-8") as out:  # "x": fail if it exists
            out.write(text)
    except FileExistsError:
        raise ScenarioError(
            [Problem(f"{path} exists; choose another name or move the file away")]
        ) from None
    return path
