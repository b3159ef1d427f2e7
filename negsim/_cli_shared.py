"""Pieces every ``negsim`` subcommand shares: exit codes, error printing, loading."""

from __future__ import annotations

from pathlib import Path

import click

from negsim.catalog import resolve
from negsim.errors import NegsimError, ScenarioError
from negsim.scenario import Scenario, load_file

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "load_or_exit", "print_error"]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def print_error(exc: NegsimError) -> None:
    """One `error: ...` line per problem on stderr."""
    if isinstance(exc, ScenarioError):
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)


def load_or_exit(name_or_path: str | Path) -> Scenario:
    """Load a scenario from a shipped name or a file path.

    Raises :class:`ScenarioError`; the group prints its problems and exits with code 2, so
    a subcommand can simply call this and use the scenario.
    """
    return load_file(resolve(name_or_path))
