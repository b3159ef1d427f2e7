"""Did a mechanism change anything? Solve without it and compare (for the summary).

A deadline or a leader matters when removing it moves the SPE agreement round or its
terms (by more than 1e-6). A deadline is removed by making it not credible, which leaves
its costs out of every value (:mod:`negsim.engine.deadlines`) and keeps the paths that
name it by position (a claim's ``actors.us.deadlines.0``) valid. These lines need the scenario, so only freshly solved
results (or loaded ones that kept it) get them.

A counterfactual's outcome is kept per scenario content (:meth:`Scenario.content_hash`), so
a summary written twice (the report, then the terminal) or the same variant explained again
solves each counterfactual once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from negsim.results.solved import solved
from negsim.scenario import Scenario

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["deadline_lines", "leader_lines"]

_TERMS_TOL = 1e-6
#: Counterfactual outcomes kept (oldest dropped first): a few variants' worth.
_KEPT = 64

Outcome = tuple[int | None, dict[str, float]]

_outcomes: dict[tuple[type, str], Outcome] = {}


def _outcome(result: Result) -> Outcome:
    t = result.agreement_round
    return t, (result.terms("spe", t) if t is not None else {})


def _outcome_without(result: Result, scenario: Scenario) -> Outcome:
    """The SPE outcome of ``scenario`` (``result``'s scenario without a mechanism), solved
    into the same kind of record as ``result`` (no ex-ante values: only the outcome is
    read) once per scenario content."""
    key = (type(result), scenario.content_hash())
    if key not in _outcomes:
        if len(_outcomes) >= _KEPT:
            del _outcomes[next(iter(_outcomes))]
        _outcomes[key] = _outcome(solved(type(result), scenario, ("spe",), ex_ante=False))
    return _outcomes[key]


def _describe(result: Result, t: int | None, terms: dict[str, float]) -> str:
    if t is None:
        return "no deal"
    shown = ", ".join(f"{result.metadata['issues'].get(k, k)} {v:.2f}" for k, v in terms.items())
    return f"a deal at {result.round_label(t)} ({shown})"


def _differs(a: Outcome, b: Outcome) -> bool:
    if a[0] != b[0] or set(a[1]) != set(b[1]):
        return True
    return any(abs(a[1][k] - b[1][k]) > _TERMS_TOL for k in a[1])


def deadline_lines(result: Result) -> list[str]:
    """One line per deadline: not credible, or what solving without it changes."""
    s = result.scenario
    if s is None or not any(a.deadlines for a in s.actors.values()):
        return []
    here = _outcome(result)
    lines = []
    for name, actor in s.actors.items():
        for i, d in enumerate(actor.deadlines):
            what = f"Deadline '{d.label}' of {result.label(name)} ({result.round_label(d.round)})"
            if not d.credible:
                lines.append(
                    f"{what} is not credible: nobody expects it to be enforced, so it changes "
                    "nothing."
                )
                continue
            # without it = not credible (its costs are left out: negsim.engine.deadlines);
            # the list keeps its length, so paths to later deadlines (claims, types) hold
            off = s.with_changes({f"actors.{name}.deadlines.{i}.credible": False})
            without = _outcome_without(result, off)
            if _differs(here, without):
                lines.append(
                    f"{what} changes the outcome: {_describe(result, *here)} instead of "
                    f"{_describe(result, *without)} without it."
                )
            else:
                lines.append(f"{what} changes nothing: the same deal comes without it.")
    return lines


def leader_lines(result: Result) -> list[str]:
    """State and leader payoffs at the agreement, and whether leaders refuse a deal their
    states would take (solving with every leader's removal loss set to 0)."""
    s = result.scenario
    sol = result.solution
    if s is None or sol is None or sol.leader_value is None:
        return []
    t = result.agreement_round
    lines = []
    if t is not None:
        parts = [
            f"{result.label(name)} state {sol.value[t, 0, i]:.3f}, leader "
            f"{sol.leader_value[t, 0, i]:.3f}"
            for i, (name, actor) in enumerate(s.actors.items())
            if actor.leader is not None
        ]
        lines.append(f"Payoffs at {result.round_label(t)}: " + "; ".join(parts) + ".")
    here = _outcome(result)
    without = _outcome_without(result, _without_leaders(s))
    if _differs(here, without):
        lines.append(
            f"Leaders refuse a deal their states would take: without their tenure risk, "
            f"{_describe(result, *without)}; with it, {_describe(result, *here)}."
        )
    else:
        lines.append("The leaders' tenure risk changes nothing: their states would settle alike.")
    return lines


def _without_leaders(s: Scenario) -> Scenario:
    return s.with_changes(
        {f"actors.{n}.leader.removal_loss": 0.0 for n, a in s.actors.items() if a.leader}
    )
