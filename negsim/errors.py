"""Errors a person can act on.

A :class:`ScenarioError` carries every :class:`Problem` found in a scenario: the file, the
line and column, the field path (``actors.us.discount``), what was expected and what was
found, and a suggestion where there is one. ``str(error)`` prints one problem per line in
the ``file:line:column: path: message`` form that editors and terminals link to.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["NegsimError", "Problem", "ScenarioError", "SolveError", "did_you_mean"]


class NegsimError(Exception):
    """Base class of the errors negsim raises for a user's input."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as the input allows."""

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ":".join(
            str(part) for part in (self.file, self.line, self.column) if part is not None
        )
        parts = [p for p in (where, self.path) if p]
        return ": ".join([*parts, self.message])


class ScenarioError(NegsimError, ValueError):
    """A scenario file or change that cannot be used; lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        header = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{header} in scenario:\n" + "\n".join(f"  {p}" for p in self.problems))


class SolveError(NegsimError, RuntimeError):
    """A valid scenario that the engine cannot solve, with the reason."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""`` if none is close.

    >>> did_you_mean("discunt", ["discount", "war_cost"])
    " (did you mean 'discount'?)"
    """
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""
