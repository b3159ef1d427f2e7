"""Pieces every ``negsim`` subcommand shares: exit codes, error printing, loading
(``load_or_exit`` is :func:`negsim.catalog.load`: the group prints a ScenarioError's
problems and exits with code 2, so a subcommand can simply call it)."""

from __future__ import annotations

import click

from negsim.catalog import load as load_or_exit
from negsim.errors import NegsimError, ScenarioError

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
