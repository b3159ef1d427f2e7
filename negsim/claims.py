"""Claims of an analysis as data: measure each one's effect and check its direction.

A scenario's ``claims:`` section (``docs/scenario-format.md``, *Claims*) lists the claims of
the analysis it encodes: the quote, the fields that encode it, ``off`` (the documented
finite change that switches the claim off) and the direction the analysis implies for named
outputs. :func:`measure_claims` (``negsim.claims(scenario)``, ``result.claims()``) solves the
scenario with and without each claim (subgame-perfect equilibrium only) and reports

``effect = output(scenario) - output(scenario with the claim's off-change)``,

which agrees with the analysis when its sign is the expected one (``raises``: > 0,
``lowers``: < 0; an effect within :data:`TOLERANCE` of 0 is "no effect" and does not agree).

Named outputs (:func:`negsim.results.outcomes.outcomes`, which also gives the sweep's
outcome columns for scenarios with worlds or private types), all under the analyst's beliefs:

* ``agreement_round`` -- the expected round of agreement, ``sum_t t * P(deal at t) +
  T * P(no deal)``: a war to the horizon counts as round ``T`` (the number of rounds), so the
  value is defined for every scenario. With worlds the probabilities are the analyst's
  (``deal_probability``, perspective ``analyst``); with private types the prior-weighted
  screening equilibrium's (``deal_probability``, type ``all``); otherwise the SPE's
  ``agreement`` table (over regime paths).
* ``war_probability`` -- ``P(no deal)``; ``deal_now`` -- ``P(deal at round 0)``.
* ``payoff.ACTOR`` -- the actor's expected value of the game at round 0 in the initial
  regime: the SPE payoff (its continuation value if there is no deal at round 0); with
  private types, every actor's value in the screening equilibrium expected over the
  informed actor's types under the prior (``metadata['screening']['expected_payoffs']``;
  the uninformed actors' own expectation).
* ``terms.ISSUE`` -- the SPE settlement at the agreement round (``Result.terms``; NaN
  without a deal, so a claim's effect on terms is not measured when one side of it ends in
  war). With private types these are the complete-information terms.
* ``margin.PROPOSAL.ACTOR`` -- the proposal's value minus the actor's continuation value at
  round 0 in the initial regime (``proposals`` table): positive means it would accept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from negsim.errors import Problem, ScenarioError
from negsim.results.outcomes import outcomes
from negsim.results.solved import solved
from negsim.scenario import Scenario

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = [
    "OUTPUTS",
    "TOLERANCE",
    "ClaimCheck",
    "check_directions",
    "markdown_table",
    "measure_claims",
    "outcomes",
]

OUTPUTS = ("agreement_round", "war_probability", "deal_now", "payoff", "terms", "margin")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class ClaimCheck:
    """The measured claims of a scenario: one row per (claim, output).

    Columns of ``table``: ``claim``, ``fields``, ``change`` (the off-change in words),
    ``output``, ``expected`` (raises/lowers), ``with_claim``, ``without_claim``, ``effect``
    and ``agrees`` (bool).
    """

    table: pd.DataFrame

    def text(self) -> str:
        """The table in plain text: claim -> fields -> measured effect -> agrees or not."""
        lines = []
        for row in self.table.itertuples():
            verdict = "agrees" if row.agrees else _disagreement(row.effect)
            lines.append(
                f"{row.claim}: {row.fields} -> {row.output} {row.expected}? "
                f"{row.without_claim:.4g} -> {row.with_claim:.4g} "
                f"(effect {row.effect:+.4g}) -> {verdict}"
            )
        return "\n".join(lines)

    def agreement(self) -> pd.Series:
        """Whether each claim agrees with the analysis (every direction it names holds)."""
        return self.table.groupby("claim", sort=False)["agrees"].all()

    def markdown(self) -> str:
        """The table in Markdown, for reports."""
        head = ["claim", "fields", "switched off by", "output", "analysis says"]
        head += ["measured effect", "agrees"]
        rows = [
            [
                f"`{row.claim}`",
                str(row.fields),
                str(row.change),
                str(row.output),
                str(row.expected),
                f"{row.effect:+.4g} ({row.without_claim:.4g} -> {row.with_claim:.4g})",
                "yes" if row.agrees else "no: " + _disagreement(row.effect),
            ]
            for row in self.table.itertuples()
        ]
        return markdown_table(head, rows)


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown (pipe) table: one header row, the separator, one line per row of cells."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def _disagreement(effect: float) -> str:
    if not np.isfinite(effect):
        return "not measured (undefined output)"
    return "no effect" if abs(effect) <= TOLERANCE else "opposite direction"


def _agrees(effect: float, direction: str) -> bool:
    if not np.isfinite(effect) or abs(effect) <= TOLERANCE:
        return False
    return effect > 0 if direction == "raises" else effect < 0


def switched_off(scenario: Scenario, cid: str) -> Scenario:
    """The scenario with claim ``cid`` switched off (its ``off`` changes; claims dropped).

    A change into ``types``, ``worlds``, ``beliefs`` or ``regimes`` where the scenario has no
    such section (a variant that removed it) is skipped.

    Raises
    ------
    ScenarioError
        The off-change gives an invalid scenario; each problem names the claim.
    """
    claim = scenario.claims[cid]
    # a variant may drop a section the claim reaches into (`types: null`): nothing to switch off
    dumped = scenario.model_dump(mode="json", exclude_none=True)
    absent = {k for k in ("types", "worlds", "beliefs", "regimes") if not dumped.get(k)}
    off = {k: v for k, v in claim.off.items() if not ("." in k and k.split(".")[0] in absent)}
    try:
        return scenario.with_changes({"claims": {}, **off})
    except ScenarioError as exc:
        raise ScenarioError(
            [
                Problem(f"claim '{cid}' switched off: {p.message}", f"claims.{cid}.off", p.file)
                for p in exc.problems
            ]
        ) from None


def measure_claims(
    record: type[Result],
    scenario: Scenario,
    only: list[str] | None = None,
    base: Result | None = None,
) -> ClaimCheck:
    """Measure every claim of ``scenario`` (or those in ``only``) against its direction.

    ``record`` is the class results are built into (:class:`negsim.Result`; passed in, as to
    :func:`negsim.results.solved.solved`, so that ``Result.claims`` can call this module);
    ``base`` is the scenario already solved (its SPE tables are the "with" side; the claims
    do not enter the solve). Each claim costs one SPE solve, plus one for the scenario
    itself without ``base``.

    Raises
    ------
    ScenarioError
        The scenario has no claims, ``only`` names an unknown claim, or a claim's
        off-change gives an invalid scenario.
    """
    if not scenario.claims:
        raise ScenarioError([Problem("the scenario has no 'claims:' section", "claims")])
    chosen = list(scenario.claims) if only is None else only
    unknown = [c for c in chosen if c not in scenario.claims]
    if unknown:
        raise ScenarioError(
            [
                Problem(f"unknown claim '{c}'; defined: {', '.join(scenario.claims)}", "claims")
                for c in unknown
            ]
        )
    if base is None:
        base = solved(record, scenario.with_changes({"claims": {}}), ("spe",), ex_ante=False)
    with_claims = outcomes(base)
    rows: list[dict[str, Any]] = []
    for cid in chosen:
        claim = scenario.claims[cid]
        without = outcomes(solved(record, switched_off(scenario, cid), ("spe",), ex_ante=False))
        change = ", ".join(f"{k} = {_short(v)}" for k, v in claim.off.items())
        if claim.off_means:
            change = f"{claim.off_means} ({change})"
        for effect in claim.expect:
            value = with_claims.get(effect.output, float("nan"))
            other = without.get(effect.output, float("nan"))
            delta = value - other
            rows.append(
                {
                    "claim": cid,
                    "fields": ", ".join(claim.fields),
                    "change": change,
                    "output": effect.output,
                    "expected": effect.direction,
                    "with_claim": value,
                    "without_claim": other,
                    "effect": delta,
                    "agrees": _agrees(delta, effect.direction),
                }
            )
    return ClaimCheck(pd.DataFrame(rows))


def check_directions(check: ClaimCheck, pinned: dict[str, bool]) -> list[str]:
    """Claims whose agreement with the analysis differs from ``pinned`` ({claim: agrees}).

    Returns one message per mismatch, each naming the claim id (empty when all match); a
    claim agrees when every one of its expected directions holds.
    """
    agrees = check.agreement()
    out = []
    for cid, expected in pinned.items():
        if cid not in agrees.index:
            out.append(f"claim '{cid}': not measured")
        elif bool(agrees[cid]) != expected:
            rows = check.table[check.table["claim"] == cid]
            effects = ", ".join(f"{r.output} {r.effect:+.4g}" for r in rows.itertuples())
            out.append(
                f"claim '{cid}': pinned {'agrees' if expected else 'disagrees'} with the "
                f"analysis, measured {'agrees' if agrees[cid] else 'disagrees'} ({effects})"
            )
    return out


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
