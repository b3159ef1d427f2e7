"""Why the deal is late: the expected agreement round decomposed across mechanisms.

:func:`explain_delay` switches the scenario's mechanisms off in every combination, solves
each combination (subgame-perfect equilibrium only, one solve per subset, cached), and
splits every named output of :func:`negsim.claims.outcomes` (the expected agreement round
under the analyst's beliefs, each actor's payoff, the terms, ...) among the mechanisms by
the Shapley value (Shapley 1953; as a decomposition of a model output across inputs, e.g.
Shorrocks 2013, "Decomposition procedures for distributional analysis: a unified framework
based on the Shapley value", J. Econ. Inequality 11)::

    phi_i = sum over S subset of N \\ {i} of |S|! (n - |S| - 1)! / n! * (v(S + i) - v(S))

where ``v(S)`` is the output with the mechanisms in ``S`` on and the others off. The values
are exact (all ``2 ** n`` subsets) and efficient: ``sum_i phi_i = v(N) - v({})``, the
output of the scenario minus the output with every mechanism off.

Mechanisms and what switching each off means (only those present in the scenario count;
at most 8, the most any valid scenario can have since worlds and types exclude each other):

* ``beliefs`` -- every actor holds the analyst's prior over the worlds (a common prior; the
  worlds and the learning stay).
* ``types`` -- the ``types:`` section removed: the informed actor's base values are
  common knowledge.
* ``leaders`` -- every ``leader`` removed (no removal risk after a deal).
* ``private_benefit`` -- every actor's ``private_benefit`` set to 0, in the base values and in
  the changes of regimes, worlds and types.
* ``red_lines`` -- every actor's ``red_lines`` removed (also from those changes).
* ``regimes`` -- the regimes removed: the base values (the initial regime's, where the
  initial regime changes nothing) hold in every round.
* ``deadlines`` -- every actor's ``deadlines`` removed (penalties and audience costs; also
  from those changes).
* ``ratifiers`` / ``outside_options`` -- removed.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from negsim.api import solve
from negsim.claims import markdown_table, outcomes
from negsim.errors import SolveError
from negsim.scenario import Scenario

__all__ = ["MECHANISMS", "DelayDecomposition", "explain_delay", "mechanisms", "switch_off"]

MECHANISMS = (
    "beliefs",
    "types",
    "leaders",
    "private_benefit",
    "red_lines",
    "regimes",
    "deadlines",
    "ratifiers",
    "outside_options",
)
MAX_MECHANISMS = 8
_ACTOR_FIELD = {"leaders": "leader", "ratifiers": "ratifier", "outside_options": "outside_option"}


def _changes_sections(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``changes`` mapping of the dumped scenario (regimes, worlds, types)."""
    out = [w.setdefault("changes", {}) for w in (data.get("worlds") or {}).values()]
    if data.get("regimes"):
        out += [st.setdefault("changes", {}) for st in data["regimes"]["states"].values()]
    for per_actor in (data.get("types") or {}).values():
        out += [t.setdefault("changes", {}) for t in per_actor.values()]
    return out


def _field_of(path: str) -> str | None:
    parts = path.split(".")
    return parts[2] if len(parts) > 2 and parts[0] == "actors" else None


def mechanisms(scenario: Scenario) -> list[str]:
    """The mechanisms present in ``scenario``, in the order of :data:`MECHANISMS`."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    changed = {_field_of(p) for ch in _changes_sections(data) for p in ch}
    actors = scenario.actors.values()
    analyst = scenario.beliefs.get("analyst")
    priors = [scenario.beliefs.get(a, analyst) for a in scenario.actors]
    present = {
        "beliefs": bool(scenario.worlds) and any(p != analyst for p in priors),
        "types": bool(scenario.types),
        "leaders": any(a.leader for a in actors),
        "private_benefit": any(np.any(scenario.series(a.private_benefit) != 0) for a in actors)
        or "private_benefit" in changed,
        "red_lines": any(a.red_lines for a in actors) or "red_lines" in changed,
        "regimes": scenario.regimes is not None,
        "deadlines": any(a.deadlines for a in actors) or "deadlines" in changed,
        "ratifiers": any(a.ratifier for a in actors),
        "outside_options": any(a.outside_option is not None for a in actors),
    }
    return [m for m in MECHANISMS if present[m]]


def switch_off(scenario: Scenario, off: frozenset[str] | set[str] | list[str]) -> Scenario:
    """``scenario`` with the named mechanisms switched off (see the module notes).

    The ``claims`` section is dropped (a claim may name a field a mechanism removes).
    """
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["claims"] = {}
    if "beliefs" in off:
        analyst = scenario.beliefs.get("analyst") or {
            w: 1 / len(scenario.worlds) for w in scenario.worlds
        }
        data["beliefs"] = {"analyst": dict(analyst)}
    if "types" in off:
        data["types"] = {}
    if "regimes" in off:
        data["regimes"] = None
    for actor in data["actors"].values():
        if "private_benefit" in off:
            actor["private_benefit"] = 0.0
        if "red_lines" in off:
            actor["red_lines"] = {}
        if "deadlines" in off:
            actor["deadlines"] = []
        for mechanism, name in _ACTOR_FIELD.items():
            if mechanism in off:
                actor.pop(name, None)
    for changes in _changes_sections(data):
        for path in list(changes):
            what = _field_of(path)
            if what == "private_benefit" and "private_benefit" in off:
                changes[path] = 0.0
            elif what in {"red_lines", "deadlines"} and what in off:
                del changes[path]
    top = {k: data.get(k) for k in ("actors", "beliefs", "types", "regimes", "worlds", "claims")}
    return scenario.with_changes({k: v for k, v in top.items() if k in data or v is not None})


@dataclass
class DelayDecomposition:
    """Shapley decomposition of a scenario's outputs across its mechanisms.

    Attributes
    ----------
    mechanisms
        The mechanisms present, in order.
    values
        One row per subset of mechanisms switched **on** (columns ``on`` -- the subset
        joined by ``+``, ``""`` for none -- one bool column per mechanism, and one column per
        output): the numbers the decomposition uses.
    shapley
        One row per output and mechanism: ``output``, ``mechanism``, ``contribution``; plus
        for each output the rows ``mechanism == "(none)"`` (every mechanism off) and
        ``"(all)"`` (the scenario).
    """

    scenario: str
    mechanisms: list[str]
    values: pd.DataFrame
    shapley: pd.DataFrame = field(repr=False)

    def value(self, on: frozenset[str] | set[str], output: str = "agreement_round") -> float:
        """The output with exactly the mechanisms ``on`` switched on."""
        key = "+".join(m for m in self.mechanisms if m in on)
        return float(self.values.set_index("on").loc[key, output])

    def contributions(self, output: str = "agreement_round") -> pd.Series:
        """The Shapley contribution of each mechanism to ``output``."""
        rows = self.shapley[self.shapley["output"] == output].set_index("mechanism")
        return rows.loc[self.mechanisms, "contribution"]

    def table(self, outputs: list[str] | None = None) -> pd.DataFrame:
        """Outputs (rows) by mechanism (columns), with every mechanism off and the total.

        ``outputs`` default: every output but the proposals' margins (``margin.*``)."""
        wide = self.shapley.pivot(index="output", columns="mechanism", values="contribution")
        every = dict.fromkeys(self.shapley["output"])
        chosen = outputs or [o for o in every if not o.startswith("margin.")]
        return wide.loc[chosen, ["(none)", *self.mechanisms, "(all)"]]

    def markdown(self, outputs: list[str] | None = None) -> str:
        """The table in Markdown, for reports."""
        table = self.table(outputs)
        head = ["output", *map(str, table.columns)]
        rows = [[str(output), *(signed(v, 3) for v in row)] for output, row in table.iterrows()]
        return markdown_table(head, rows)

    def text(self, outputs: list[str] | None = None) -> str:
        """The table in plain text."""
        return self.table(outputs).to_string(float_format=lambda v: signed(v, 4))


def _shapley(values: dict[frozenset[str], float], names: list[str]) -> dict[str, float]:
    n = len(names)
    out = {}
    for i in names:
        others = [m for m in names if m != i]
        total = 0.0
        for k in range(n):
            weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for subset in combinations(others, k):
                s = frozenset(subset)
                total += weight * (values[s | {i}] - values[s])
        out[i] = total
    return out


def signed(value: float, digits: int) -> str:
    """``value`` with its sign and ``digits`` decimals; a value that rounds to zero is
    ``+0.000`` whatever the sign of its rounding error, so that tables do not change with
    the last bit of a solver's answer.

    >>> signed(-1e-17, 3), signed(-2.5, 3)
    ('+0.000', '-2.500')
    """
    return f"{round(value, digits) + 0.0:+.{digits}f}"


def _failure_message(name: str, names: list[str], failures: dict[frozenset[str], str]) -> str:
    """Which combinations failed, why (the first reason) and which ``only=`` avoids them all.

    Holding on a mechanism that is off in every failing combination leaves only combinations
    that solved, so the decomposition of the other mechanisms is the one suggested.
    """

    def words(off: frozenset[str]) -> str:
        return ", ".join(m for m in names if m in off) or "nothing"

    listed = "; ".join(f"{{{words(off)}}} off" for off in failures)
    first = next(iter(failures.values()))
    common = [m for m in names if all(m in off for off in failures)]
    if common:
        rest = [m for m in names if m != common[0]]
        flags = " ".join(f"--mechanism {m}" for m in rest)
        advice = (
            f"Every failing combination has {common[0]} switched off: decompose the other "
            f"mechanisms with {common[0]} held on (only={rest} in Python; {flags} on the "
            "command line)."
        )
    else:
        advice = (
            "Decompose fewer mechanisms, holding the others on (only=... in Python, "
            "--mechanism on the command line)."
        )
    return (
        f"cannot decompose '{name}': {len(failures)} of {2 ** len(names)} combinations of "
        f"mechanisms fail to solve ({listed}). The first failure: {first.rstrip('.')}. {advice}"
    )


def explain_delay(scenario: Scenario, only: list[str] | None = None) -> DelayDecomposition:
    """Decompose every named output of ``scenario`` across its mechanisms by exact Shapley.

    Parameters
    ----------
    scenario
        The scenario; its ``claims`` are ignored.
    only
        The mechanisms to decompose (default: every mechanism present); the others stay on
        in every solve, so ``v({})`` is then the output with only those switched off.

    Costs ``2 ** n`` SPE solves for ``n`` mechanisms (each subset solved once).

    Raises
    ------
    SolveError
        ``only`` names a mechanism the scenario does not have, or some subsets fail to solve
        (after solving all of them: the message lists every combination that failed, the
        first solver's reason, and a choice of ``only`` that avoids them when there is one).
    """
    present = mechanisms(scenario)
    names = present if only is None else [m for m in present if m in only]
    unknown = sorted(set(only or ()) - set(present))
    if unknown:
        raise SolveError(
            f"mechanism(s) {', '.join(unknown)} not in scenario '{scenario.name}'; "
            f"present: {', '.join(present) or 'none'}"
        )
    if len(names) > MAX_MECHANISMS:
        raise SolveError(f"{len(names)} mechanisms ({', '.join(names)}); at most {MAX_MECHANISMS}")
    values: dict[frozenset[str], dict[str, float]] = {}
    failures: dict[frozenset[str], str] = {}  # mechanisms switched off -> the solver's reason
    for k in range(len(names) + 1):
        for subset in combinations(names, k):
            on = frozenset(subset)
            try:
                values[on] = outcomes(
                    solve(switch_off(scenario, set(names) - on), ["spe"], ex_ante=False)
                )
            except SolveError as exc:
                failures[frozenset(names) - on] = str(exc)
    if failures:
        raise SolveError(_failure_message(scenario.name, names, failures))
    outputs = list(values[frozenset(names)])
    rows = []
    for output in outputs:
        v = {s: vals.get(output, float("nan")) for s, vals in values.items()}
        rows.append((output, "(none)", v[frozenset()]))
        rows += [(output, m, c) for m, c in _shapley(v, names).items()]
        rows.append((output, "(all)", v[frozenset(names)]))
    table = pd.DataFrame(
        [
            {
                "on": "+".join(m for m in names if m in s),
                **{m: m in s for m in names},
                **copy.deepcopy(vals),
            }
            for s, vals in values.items()
        ]
    )
    shapley = pd.DataFrame(rows, columns=["output", "mechanism", "contribution"])
    return DelayDecomposition(scenario.name, names, table, shapley)
