"""Scenarios: the typed, validated description of a negotiation.

A scenario names the issues on the table, the actors with their payoffs, patience,
horizons and domestic constraints, the battlefield that moves while nobody agrees, the
bargaining protocol, proposals on the table, stage games, regimes and uncertainty. The
format is documented in ``docs/scenario-format.md``; ``negsim schema`` prints it as JSON
Schema.

Loading goes YAML text -> plain data with positions (:mod:`negsim.yaml_source`) ->
``extends:`` overlays merged -> :class:`Scenario` (pydantic) -> cross-reference and range
checks. Every problem found is reported at once as a :class:`~negsim.errors.ScenarioError`
with file, line, column and field path.

Salience weights are relative: an actor's weights are divided by their sum in every round,
so ``{territory: 3, sanctions: 1}`` means 0.75 / 0.25. Issues an actor gives no salience
count zero for it.

Longer than 600 lines because the schema is one set of pydantic models whose
cross-field checks and located errors read each other; split it into a ``scenario/``
subpackage (schema, overlay, checks) once concurrent work on it has merged.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, ValidationError

from negsim.errors import Problem, ScenarioError, did_you_mean
from negsim.schedules import SCHEDULE_CLASSES, Constant, Integer, Real, Schedule, evaluate
from negsim.vocabulary import Vocabulary
from negsim.yaml_source import Positions, dump_yaml, file_problem, key_path, parse_yaml, read_yaml

__all__ = [
    "Actor",
    "Battlefield",
    "Deadline",
    "Distribution",
    "Horizon",
    "Issue",
    "Leader",
    "OutsideOption",
    "Proposal",
    "Protocol",
    "Ratifier",
    "RedLine",
    "Regime",
    "Regimes",
    "Scenario",
    "StageGame",
    "Support",
    "World",
    "Learning",
    "TypeSpec",
    "Claim",
    "ClaimEffect",
    "load_file",
    "load_text",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Why = Field(None, description="The sentence of the analysis this value encodes.")


class Issue(_Model):
    """A dimension of the settlement: a position in [0, 1] or a pie split among actors."""

    kind: Literal["position", "pie"] = "position"
    label: str | None = None
    description: str | None = None
    low: str | None = Field(None, description="What position 0 means.")
    high: str | None = Field(None, description="What position 1 means.")
    among: list[str] | None = Field(None, description="Pie issues: the actors who split it.")
    war_value: Schedule = Field(
        default_factory=lambda: Constant(value=0.0),
        description="Position the issue takes if no deal is reached (the battlefield issue "
        "takes the control p(T) instead). Pie issues: ignored, nobody gets a share.",
    )
    why: str | None = Why


class Horizon(_Model):
    """A leader's horizon: rounds until term, election or succession matters."""

    rounds: Integer = Field(ge=1)
    weight_after: Real = Field(
        0.0, ge=0, le=1, description="Extra weight on rounds after the horizon."
    )
    why: str | None = Why


class Deadline(_Model):
    """A utility cost to the actor (the deadline's setter) if the round passes without a deal.

    ``penalty`` is paid once, in that round. A ``public`` deadline also costs its setter
    ``audience_cost`` (Fearon 1994): once, or in that round and every later one
    (``audience_cost_paid: every_round``). A deadline with ``credible: false`` is expected
    by nobody to be enforced: the solve leaves out its penalty and audience cost.
    """

    round: Integer = Field(ge=0)
    penalty: Real = Field(0.0, ge=0)
    label: str = "deadline"
    public: bool = Field(False, description="Announced: passing it costs the setter face.")
    audience_cost: Real = Field(
        0.0, ge=0, description="Public deadlines: the setter's cost if it passes without a deal."
    )
    audience_cost_paid: Literal["once", "every_round"] = Field(
        "once", description="Paid in the deadline's round only, or in every round from it on."
    )
    credible: bool = Field(
        True, description="false: nobody expects it enforced; the solve ignores its costs."
    )
    why: str | None = Why


class Leader(_Model):
    """The actor's leader, who decides: the state's utility minus an expected removal loss.

    ``q(x) = base_risk + slope * max(0, |x_k - ideal_k| - |reference - ideal_k|)`` on the
    position issue ``k = issue`` (how much further the settlement is from the actor's ideal
    than the reference), and the leader's utility of a deal is ``u(x) - q(x) * removal_loss``
    (Goemans 2000; Chiozza & Goemans 2011). War and no deal carry no removal risk.
    """

    label: str | None = None
    issue: str = Field(description="The position issue the leader is judged on.")
    reference: Real | Literal["control"] = Field(
        description="A position in [0, 1], or 'control': the battlefield control p(t) "
        "when the deal is made (territory held)."
    )
    base_risk: Real = Field(0.0, ge=0, le=1, description="q0: removal risk of any deal.")
    slope: Real = Field(
        0.0, ge=0, description="Removal risk per unit of shortfall (base_risk + slope <= 1)."
    )
    removal_loss: Real = Field(0.0, ge=0, description="The leader's loss on removal.")
    why: str | None = Why


class Ratifier(_Model):
    """A domestic ratifier of the actor's deals (Putnam 1988): it approves a deal with
    probability ``1 / (1 + exp(-steepness * (u(x) - midpoint)))`` in the actor's utility."""

    label: str | None = None
    midpoint: Schedule = Field(description="The actor's utility at which approval is 1/2.")
    steepness: Real = Field(gt=0, description="k: approval rises from 0 to 1 over ~4/k.")
    why: str | None = Why


class OutsideOption(_Model):
    """The actor may end the negotiation in a round, when responding, by taking this option:
    every actor then gets its ``payoffs`` entry (Binmore, Rubinstein & Wolinsky 1986)."""

    payoffs: dict[str, Schedule] = Field(description="Utility to every actor if it is taken.")
    why: str | None = Why


class RedLine(_Model):
    """Bounds on a position issue that the actor can accept."""

    min: Schedule | None = None
    max: Schedule | None = None
    why: str | None = Why


class Actor(_Model):
    """A party to the negotiation."""

    label: str | None = None
    role: Literal["belligerent", "patron", "mediator"] = "belligerent"
    veto: StrictBool = Field(False, description="A deal needs this actor's consent.")
    why: str | None = Why
    discount: Schedule = Field(description="Per-round discount factor delta in (0, 1].")
    horizon: Horizon | None = None
    deadlines: list[Deadline] = []
    ideal: dict[str, Schedule] = Field(
        default_factory=dict, description="Ideal point per position issue."
    )
    salience: dict[str, Schedule] = Field(
        default_factory=dict, description="Relative weight per issue."
    )
    curvature: Schedule = Field(
        default_factory=lambda: Constant(value=1.0),
        description="rho in u = sum s (1 - |x - ideal|**rho): 1 linear, 2 quadratic.",
    )
    war_cost: Schedule = Field(default_factory=lambda: Constant(value=0.0))
    private_benefit: Schedule = Field(default_factory=lambda: Constant(value=0.0))
    capacity: Schedule = Field(default_factory=lambda: Constant(value=0.0))
    capability: Schedule = Field(default_factory=lambda: Constant(value=1.0))
    reservation: Schedule | None = Field(None, description="Least utility of a deal it can ratify.")
    red_lines: dict[str, RedLine] = {}
    leader: Leader | None = None
    ratifier: Ratifier | None = None
    outside_option: OutsideOption | None = None


class Support(_Model):
    """A patron's support to a belligerent, counted in that side's capacity."""

    patron: str
    to: str
    amount: Schedule
    effectiveness: Schedule = Field(default_factory=lambda: Constant(value=1.0))
    why: str | None = Why


class Battlefield(_Model):
    """Control ``p`` of the contested prize by side ``a``, drifting with relative capacity.

    ``p(t+1) = clip(p(t) + drift * (cap_a - cap_b) / (cap_a + cap_b), 0, 1)``.
    """

    issue: str = Field(description="The position issue war decides: its war value is p(T).")
    initial_control: Schedule = Field(description="p(0): share of the prize side a holds.")
    drift: Schedule = Field(default_factory=lambda: Constant(value=0.0))
    sides: dict[Literal["a", "b"], list[str]]
    support: list[Support] = []
    why: str | None = Why


class Protocol(_Model):
    """Who proposes and how many must agree.

    A deal needs every veto player and at least ``quota`` actors in all (proposer
    included). Without ``proposers`` or ``recognition`` the actors propose in file order.
    """

    proposers: list[str] | None = None
    recognition: dict[str, Real] | None = None
    quota: Integer | None = Field(None, ge=1)
    why: str | None = Why


class Proposal(_Model):
    """A fixed settlement on the table: a value per position issue, shares per pie issue."""

    label: str | None = None
    description: str | None = None
    terms: dict[str, Real | dict[str, Real]]
    why: str | None = Why


class StageGame(_Model):
    """A two-player normal-form game solved every round; payoffs may be schedules."""

    label: str | None = None
    row: str
    col: str
    row_strategies: list[str] = Field(min_length=1)
    col_strategies: list[str] = Field(min_length=1)
    row_payoffs: list[list[Schedule]]
    col_payoffs: list[list[Schedule]]
    method: Literal["support_enumeration", "vertex_enumeration", "lemke_howson"] = (
        "support_enumeration"
    )
    why: str | None = Why


class Regime(_Model):
    """A named state of an erratic actor: parameter changes in force while in it."""

    label: str | None = None
    changes: dict[str, Any] = {}
    why: str | None = Why


class Regimes(_Model):
    """A Markov chain over regimes; the engine takes expectations over it."""

    states: dict[str, Regime] = Field(min_length=2)
    transition: dict[str, dict[str, Real]]
    initial: str
    samples: Integer = Field(0, ge=0, le=10_000, description="Sampled paths for fan charts.")
    why: str | None = Why


class World(_Model):
    """A hypothesis about how the war will go: changes to its dynamic parameters only.

    See :mod:`negsim.engine.beliefs` (Yildiz 2003; Slantchev 2003). Allowed paths: see
    :data:`WORLD_CHANGE_PATHS`.
    """

    label: str | None = None
    changes: dict[str, Any] = {}
    why: str | None = Why


class Learning(_Model):
    """The public signal each round: it points at the true world with probability
    ``accuracy`` and otherwise uniformly at another world."""

    accuracy: Schedule = Field(
        description="Probability that the round's signal points at the true world: "
        "1 / (number of worlds) means nothing is learned, 1 that the truth is out at once."
    )
    why: str | None = Why


class Distribution(_Model):
    """An uncertain parameter for Monte Carlo sweeps."""

    dist: Literal["uniform", "normal", "beta", "triangular", "choice"]
    low: Real | None = None
    high: Real | None = None
    mean: Real | None = None
    sd: Real | None = Field(None, gt=0)
    a: Real | None = Field(None, gt=0)
    b: Real | None = Field(None, gt=0)
    mode: Real | None = None
    values: list[Real] | None = None
    weights: list[Real] | None = None
    why: str | None = Why


class TypeSpec(_Model):
    """A private type of the informed actor: its prior and the changes to its own fields.

    The actor knows its type; every other actor holds the prior (``docs/scenario-format.md``,
    section *types*; solved by :mod:`negsim.engine.screening`).
    """

    prior: Real = Field(gt=0, le=1, description="Probability every other actor gives this type.")
    label: str | None = None
    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Dotted-path changes to the informed actor's own fields (war_cost, "
        "private_benefit, discount, reservation, red_lines, deadlines).",
    )
    why: str | None = Why


class ClaimEffect(_Model):
    """The direction a claim of the analysis implies for one named output (see
    :data:`negsim.claims.OUTPUTS`)."""

    output: str = Field(
        description="agreement_round, war_probability, deal_now, "
        "payoff.ACTOR, terms.ISSUE or margin.PROPOSAL.ACTOR."
    )
    direction: Literal["raises", "lowers"]


class Claim(_Model):
    """A claim of the analysis, the fields that encode it and the direction it implies.

    ``off`` is the documented finite change that switches the claim off (dotted paths, as in
    ``with_changes``); ``negsim claims`` measures each effect as the output with the claim
    minus the output with ``off`` applied (:func:`negsim.claims.claims`).
    """

    quote: str = Field(min_length=1, description="The sentence of the analysis.")
    fields: list[str] = Field(min_length=1, description="Dotted paths that encode the claim.")
    off: dict[str, Any] = Field(min_length=1, description="The change that switches it off.")
    off_means: str | None = Field(None, description="What the change means, in words.")
    expect: list[ClaimEffect] = Field(min_length=1)


class Scenario(_Model):
    """A negotiation scenario (see ``docs/scenario-format.md``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str | None = None
    description: str | None = None
    source: str | None = Field(None, description="The analysis the parameters come from.")
    time_unit: str = "round"
    rounds: Integer = Field(ge=1, le=10_000)
    start_date: dt.date | None = None
    terminal: Literal["war", "stationary"] = Field(
        "war",
        description="'war': the war outcome is imposed after the last round; "
        "'stationary': the last round repeats forever (infinite horizon).",
    )
    seed: Integer = Field(0, ge=0)
    issues: dict[str, Issue] = Field(min_length=1)
    actors: dict[str, Actor] = Field(min_length=2)
    battlefield: Battlefield | None = None
    protocol: Protocol = Protocol()
    proposals: dict[str, Proposal] = {}
    stage_games: dict[str, StageGame] = {}
    regimes: Regimes | None = None
    uncertainty: dict[str, Distribution] = {}
    worlds: dict[str, World] = {}
    beliefs: dict[str, dict[str, Real]] = Field(
        default_factory=dict,
        description="Each actor's prior over the worlds (common knowledge); 'analyst': the "
        "prior used to report probabilities (default uniform).",
    )
    learning: Learning | None = None
    types: dict[str, dict[str, TypeSpec]] = Field(
        default_factory=dict,
        description="Private types of one informed actor: {actor: {type: {prior, changes}}}.",
    )
    vocabulary: Vocabulary = Vocabulary()
    terminal_outcome: Literal["position", "lottery"] = Field(
        "position",
        description="With 'terminal: war': 'position' imposes the control p(T) on the "
        "battlefield issue as a sure thing; 'lottery' gives that issue to side a (1) with "
        "probability p(T) and to side b (0) otherwise, so curvature prices the risk of war.",
    )
    deals: Literal["binding", "self_enforcing"] = Field(
        "binding",
        description="'binding': a deal ends the game; 'self_enforcing': a deal must also "
        "give every coalition member at least its threat point in every later round "
        "(nobody would return to war as power shifts; Powell 2006).",
    )
    claims: dict[str, Claim] = Field(
        default_factory=dict,
        description="The analysis's claims as data: {id: {quote, fields, off, expect}}.",
    )

    _source_file: str | None = PrivateAttr(None)
    _warnings: tuple[Problem, ...] = PrivateAttr(())

    def __eq__(self, other: object) -> bool:
        """Equal content; where a scenario was loaded from does not matter."""
        return isinstance(other, Scenario) and self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash(self.content_hash())

    # -- derived views -------------------------------------------------------------------
    @property
    def source_file(self) -> str | None:
        """The file this scenario was loaded from, if any."""
        return self._source_file

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Values that have no effect (``negsim validate`` shows them; they are not errors).

        A pie issue's ``war_value``, the battlefield issue's ``war_value``, a leader horizon
        past the last round, a schedule step after the last round, and a value that every
        regime overrides. Found when the scenario is loaded, located in its file.
        """
        return self._warnings

    def series(self, schedule: Any) -> np.ndarray:
        """A schedule's values over this scenario's rounds, shape (rounds,)."""
        return evaluate(schedule, self.rounds)

    def content_hash(self) -> str:
        """SHA-256 of the scenario's canonical JSON: cite it with results."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    # -- editing ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data, as it would be written in YAML (defaults and empty fields omitted)."""
        return _compact(self.model_dump(mode="json", exclude_none=True, exclude_defaults=True))

    def to_yaml(self) -> str:
        """The scenario as YAML text; ``load_text(s.to_yaml()) == s``."""
        return dump_yaml(self.to_dict())

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A new, validated scenario with dotted-path changes applied.

        >>> s = load_text("name: t\\nrounds: 2\\nissues: {x: {}}\\n"
        ...               "actors: {a: {discount: 0.9}, b: {discount: 0.8}}")
        >>> s.with_changes({"actors.a.discount": 0.95}).actors["a"].discount.value
        0.95
        """
        data = self.model_dump(mode="json", exclude_none=True)
        problems = [p for path, value in changes.items() for p in set_path(data, path, value)]
        if problems:
            raise ScenarioError(problems)
        scenario = _validate(data, {}, self._source_file)
        scenario._source_file = self._source_file
        return scenario


# -- loading --------------------------------------------------------------------------------
def load_file(path: str | Path) -> Scenario:
    """Load and validate a scenario file, following ``extends:`` overlays."""
    data, positions = _read_with_extends(Path(path), ())
    if isinstance(data, dict):
        data.setdefault("name", Path(path).stem)
    scenario = _validate(data, positions, str(path))
    scenario._source_file = str(path)
    return scenario


def load_text(text: str, file: str | None = None) -> Scenario:
    """Load and validate a scenario from YAML text (``extends:`` is resolved against ``file``)."""
    data, positions = parse_yaml(text, file)
    if isinstance(data, dict) and "extends" in data:
        base = Path(file).parent if file else Path.cwd()
        data, positions = _overlay(data, positions, base, (), file)
    return _validate(data, positions, file)


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], Positions]:
    data, positions = read_yaml(path)
    if not isinstance(data, dict) or "extends" not in data:
        return data, positions
    return _overlay(data, positions, path.parent, (*chain, _real_path(path)), str(path))


def _overlay(
    data: dict[str, Any],
    positions: Positions,
    folder: Path,
    chain: tuple[Path, ...],
    file: str | None,
) -> tuple[dict[str, Any], Positions]:
    """Merge ``data`` over the base file it ``extends:``."""
    target = data.pop("extends")
    loc = positions.get(("extends",), (file, 1, 1))
    if not isinstance(target, str):
        raise ScenarioError([Problem(f"expected a file path, found {target!r}", "extends", *loc)])
    shown = Path(os.path.normpath(folder / target))  # as the user wrote it, for messages
    problem = file_problem(shown)
    if problem == "file not found":
        raise ScenarioError([Problem(f"base file not found: {shown}", "extends", *loc)])
    if problem is not None:
        raise ScenarioError([Problem(f"base file {shown}: {problem}", "extends", *loc)])
    base_path = _real_path(shown)
    if base_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_path))
        raise ScenarioError([Problem(f"extends cycle: {cycle}", "extends", *loc)])
    base, base_positions = _read_with_extends(shown, chain)
    if not isinstance(base, dict):
        raise ScenarioError([Problem("base file is not a mapping", "extends", *loc)])
    base.pop("name", None)
    return _deep_merge(base, data), _merge_positions(base_positions, positions, data)


def _real_path(path: Path) -> Path:
    """The file's canonical path; never raises (a symlink loop is reported before)."""
    return Path(os.path.realpath(path))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced.

    A schedule (a mapping with ``kind`` or ``value``) replaces the base value whole, so a
    variant can swap a linear path for steps without inheriting the old fields; ``null``
    removes the base's value (the field takes its default, e.g. ``types: null``).
    """
    merged = dict(base)
    for key, value in over.items():
        if value is None:  # `field: null` in a variant removes the base's value
            merged.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and not _is_schedule(value)
        ):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _is_schedule(value: dict[str, Any]) -> bool:
    return "kind" in value or "value" in value


def _merge_positions(base: Positions, over: Positions, over_data: dict[str, Any]) -> Positions:
    def replaced(path: tuple[Any, ...]) -> bool:
        node: Any = over_data
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
            if not isinstance(node, dict) or _is_schedule(node):
                return True
        return False

    merged = {p: loc for p, loc in base.items() if not replaced(p)}
    merged.update(over)
    return merged


# -- validation -----------------------------------------------------------------------------
def _validate(data: Any, positions: Positions, file: str | None) -> Scenario:
    """Validate plain data into a :class:`Scenario`; raise every problem found at once.

    Type problems (pydantic) do not hide the semantic checks: the parts that fail to parse
    are set aside (:func:`_salvage`) and the checks run on the rest, so a file shows all
    its problems in one go. Semantic problems about a part set aside are not reported (they
    would only echo the type problem).
    """
    locate = _Locator(data, positions, file)
    if not isinstance(data, dict):
        raise ScenarioError(
            [locate.problem((), f"expected a mapping of scenario fields, found {_found(data)}")]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        problems = locate.from_pydantic_errors(_without_typo_echoes(errors))
        salvaged = _salvage(data, errors)
        if salvaged is not None:
            partial, set_aside, renamed = salvaged
            relocate = _Locator(data, _renamed_positions(positions, renamed), file)
            problems += [
                relocate.problem(path, message)
                for path, message in _check_semantics(partial, relocate.line_of)
                if not _touches(path, message, set_aside)
            ]
        raise ScenarioError(_in_file_order(problems)) from None
    problems = [
        locate.problem(path, message)
        for path, message in _check_semantics(scenario, locate.line_of)
    ]
    if problems:
        raise ScenarioError(problems)
    scenario._warnings = tuple(
        locate.problem(path, message) for path, message in _no_effect(scenario, data)
    )
    return scenario


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by file position (stable: unlocated ones keep their order at the end)."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.column or 0))


def _salvage(
    data: dict[str, Any], errors: list[Any]
) -> tuple[Scenario, list[_Path], dict[_Path, _Path]] | None:
    """The scenario without the parts that fail to parse, for the semantic checks.

    Unknown keys are dropped; an unknown key that is a typo of a missing field is read as
    that field (``discunt: 0.9`` as ``discount``); a bad value is dropped, and if its field
    is required, the smallest enclosing entry that may be left out goes with it. Returns the
    scenario, the paths set aside and the renamed paths (new -> as written), or ``None`` when
    a required part of the scenario itself cannot be parsed.
    """
    work = copy.deepcopy(data)
    set_aside: list[_Path] = []
    renamed: dict[_Path, _Path] = {}
    for _ in range(8):  # each pass removes at least one part; a few passes suffice
        missing = {
            tuple(e["loc"][:-1]): str(e["loc"][-1]) for e in errors if e["type"] == "missing"
        }
        renames_first = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
        for err in renames_first:
            loc = tuple(err["loc"])
            path = _existing_path(work, loc)
            if err["type"] == "extra_forbidden":
                parent, key = loc[:-1], str(loc[-1])
                target = missing.get(parent)
                node = _get(work, _existing_path(work, parent))
                if target and did_you_mean(key, [target]) and isinstance(node, dict):
                    node[target] = node.pop(key, None)
                    renamed[path[:-1] + (target,)] = path
                    continue
            elif err["type"] == "missing":
                path = _existing_path(work, loc[:-1])
                if path != _untagged(loc[:-1]):
                    path = _optional_ancestor(path) or ()
                elif loc[-1] in _get(work, path):
                    continue  # supplied by a renamed typo
                elif _required_schedule((*path, loc[-1])):
                    path = (*path, loc[-1])
            if path and _required_schedule(path):
                _get(work, path[:-1])[path[-1]] = _PLACEHOLDER
                set_aside.append(path)
                continue
            optional = _optional_ancestor(path)
            if optional is None:
                return None
            if _delete(work, optional):
                set_aside.append(optional)
        try:
            return Scenario.model_validate(work), set_aside, renamed
        except ValidationError as exc:
            errors = exc.errors()
    return None


#: Stands in for a required schedule that fails to parse (its own checks are not reported).
_PLACEHOLDER = 0.5


def _untagged(loc: tuple[Any, ...]) -> _Path:
    return tuple(p for p in loc if not (isinstance(p, str) and _is_tag(p)))


def _required_schedule(path: _Path) -> bool:
    """Whether ``path`` names a required schedule field (an actor's ``discount`` ...)."""
    import typing

    model: Any = Scenario
    field = None
    key_next = False
    for part in path:
        if key_next:  # a key of a mapping field or an index of a list field
            key_next = False
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return False
        field = model.model_fields.get(str(part))
        if field is None:
            return False
        key_next = typing.get_origin(field.annotation) in (dict, list)
        model = _inner_model(field.annotation)
    return field is not None and not key_next and field.is_required() and model is Constant


#: Entries others refer to by name: leaving one out would turn its references into errors.
_REFERENCED = {("actors",), ("issues",), ("regimes", "states")}


def _optional_ancestor(path: _Path) -> _Path | None:
    """``path`` or the nearest enclosing entry that may be left out of a scenario."""
    while path:
        parent = path[:-1]
        if parent in _REFERENCED:
            return None
        if len(path) == 1 and path[0] in Scenario.model_fields:
            return path if not Scenario.model_fields[path[0]].is_required() else None
        if not isinstance(path[-1], int):  # list items stay: indices are referred to
            return path
        path = parent
    return None


def _get(data: Any, path: _Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _delete(data: dict[str, Any], path: _Path) -> bool:
    try:
        parent = _get(data, path[:-1])
        del parent[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _existing_path(data: Any, loc: tuple[Any, ...]) -> _Path:
    """The parts of a pydantic location that exist in ``data`` (union tags dropped)."""
    path: list[Any] = []
    for part in loc:
        if (
            isinstance(data, dict)
            and part in data
            or (isinstance(data, list) and isinstance(part, int) and part < len(data))
        ):
            data = data[part]
            path.append(part)
    return tuple(path)


def _touches(path: _Path, message: str, set_aside: list[_Path]) -> bool:
    """Whether a semantic problem is about a part set aside (and would only echo it)."""
    for gone in set_aside:
        if path[: len(gone)] == gone or gone[: len(path)] == path:
            return True
        dotted = ".".join(str(p) for p in gone)
        if dotted in message or f"'{gone[-1]}'" in message:
            return True
    return False


def _renamed_positions(positions: Positions, renamed: dict[_Path, _Path]) -> Positions:
    """Positions with each renamed path located where its typo is written."""
    out = dict(positions)
    for new, old in renamed.items():
        for path, loc in positions.items():
            if path[: len(old)] == old:
                out[new + path[len(old) :]] = loc
    return out


def _without_typo_echoes(errors: list[Any]) -> list[Any]:
    """Drop "missing field 'x'" where an unknown sibling field is a typo of 'x'.

    ``discunt: 0.9`` gives both "unknown field 'discunt' (did you mean 'discount'?)" and
    "missing required field 'discount'"; the first says it all.
    """
    unknown: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            unknown.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    return [
        err
        for err in errors
        if not (
            err["type"] == "missing"
            and did_you_mean(str(err["loc"][-1]), unknown.get(tuple(err["loc"][:-1]), []))
        )
    ]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _found(value: Any) -> str:
    """What the user wrote, in YAML terms: ``nothing``, ``text 'abc'``, ``a list [1, 2]``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return f"text {_short(repr(value))}"
    if isinstance(value, (int, float)):
        return _short(repr(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, (dict, list)):
        flow = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
        flow = flow.removesuffix("\n...").strip()
        return f"{'a mapping' if isinstance(value, dict) else 'a list'} {_short(flow)}"
    return _short(repr(value))


def _bound(ctx: dict[str, Any], key: str) -> str:
    value = ctx.get(key)
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _expected(err: dict[str, Any]) -> str | None:
    """What a pydantic error type says was expected, in the scenario format's words.

    Every error type the scenario schema can produce has a case; ``None`` for the kinds
    that :meth:`_Locator.from_pydantic` words itself.
    """
    kind, ctx = err["type"], err.get("ctx", {})
    field = str(err["loc"][-1]) if err["loc"] else ""
    simple = {
        "int_type": "expected a whole number",
        "int_parsing": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_type": "expected a number",
        "float_parsing": "expected a number",
        "finite_number": "expected a finite number",
        "bool_type": "expected true or false",
        "bool_parsing": "expected true or false",
        "string_type": "expected text",
        "string_unicode": "expected text",
        "list_type": "expected a list",
        "tuple_type": "expected a pair [round, value]",
        "dict_type": "expected a mapping",
        "model_type": "expected a mapping",
        "model_attributes_type": "expected a mapping",
        "date_type": "expected a date YYYY-MM-DD",
        "date_parsing": "expected a date YYYY-MM-DD",
        "date_from_datetime_parsing": "expected a date YYYY-MM-DD",
        "date_from_datetime_inexact": "expected a date YYYY-MM-DD",
        "string_pattern_mismatch": "expected a name of letters, digits, '_', '.' and '-'",
        "greater_than": f"expected a number > {_bound(ctx, 'gt')}",
        "greater_than_equal": f"expected a number >= {_bound(ctx, 'ge')}",
        "less_than": f"expected a number < {_bound(ctx, 'lt')}",
        "less_than_equal": f"expected a number <= {_bound(ctx, 'le')}",
        "not_a_number": f"expected {ctx.get('what', 'a number')}",
    }
    if kind in simple:
        return simple[kind]
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}"
    if kind in {"too_short", "too_long"}:
        if ctx.get("field_type") == "Tuple":
            return "expected a pair [round, value]"
        if kind == "too_long":
            return f"expected at most {_bound(ctx, 'max_length')} entries"
        least = ctx.get("min_length")
        return f"expected at least {least} {'entry' if least == 1 else 'entries'}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if kind in {"missing", "extra_forbidden", "union_tag_invalid", "union_tag_not_found"}:
        return None
    return f"expected a valid {field or 'value'}"  # a kind the schema cannot produce today


def _found_length(err: dict[str, Any]) -> str:
    value = err.get("input")
    if isinstance(value, (list, dict)):
        entries = "entry" if len(value) == 1 else "entries"
        return f"{len(value)} {entries}: {_found(value).split(' ', 2)[-1]}"
    return _found(value)


class _Locator:
    """Turns pydantic error locations into :class:`Problem` with file, line and hint."""

    def __init__(self, data: Any, positions: Positions, file: str | None):
        self.data, self.positions, self.file = data, positions, file

    def _position(self, path: tuple[Any, ...]) -> tuple[str | None, int | None, int | None]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (self.file, None, None)

    def line_of(self, path: _Path) -> str:
        """`` (line N)`` where ``path`` is written, or ``""`` if unknown; for messages."""
        _, line, _ = self._position(path)
        return f" (line {line})" if line is not None else ""

    def problem(self, path: tuple[Any, ...], message: str) -> Problem:
        file, line, column = self._position(path)
        return Problem(message, ".".join(str(p) for p in path), file, line, column)

    def _data_path(self, loc: tuple[Any, ...]) -> tuple[Any, ...]:
        """Keep the parts of a pydantic location that exist in the data (drop union tags)."""
        path: list[Any] = []
        node = self.data
        for part in loc:
            if (
                isinstance(node, dict)
                and part in node
                or isinstance(node, list)
                and isinstance(part, int)
                and part < len(node)
            ):
                node = node[part]
                path.append(part)
            elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(part):
                path.append(part)
                node = None
        return tuple(path)

    def from_pydantic_errors(self, errors: list[Any]) -> list[Problem]:
        """One problem per error; the alternatives of a union at one place are merged."""
        merged: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for err in errors:
            merged.setdefault(self._data_path(tuple(err["loc"])), []).append(err)
        problems = []
        for path, group in merged.items():
            alternatives = [e for e in group if _in_union(tuple(e["loc"]), path)]
            if len(alternatives) > 1:
                wanted = dict.fromkeys(
                    (_expected(e) or "").removeprefix("expected ") for e in alternatives
                )
                found = _found(alternatives[0].get("input"))
                message = f"expected {' or '.join(w for w in wanted if w)}, found {found}"
                problems.append(self.problem(path, message))
                group = [e for e in group if e not in alternatives]
            problems.extend(self.from_pydantic(e) for e in group)
        return problems

    def from_pydantic(self, err: dict[str, Any]) -> Problem:
        loc = tuple(err["loc"])
        path = self._data_path(loc)
        found = err.get("input")
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            message = f"unknown field '{loc[-1]}'{did_you_mean(loc[-1], allowed)}"
            if allowed:
                message += f"; expected one of: {', '.join(sorted(allowed))}"
            file, line, column = self._position(key_path(path))
            if key_path(path) in self.positions:
                return Problem(message, ".".join(str(p) for p in path), file, line, column)
        elif kind == "missing" and isinstance(loc[-1], int):  # a short [round, value] pair
            message = f"expected a pair [round, value], found {_found_length(err)}"
        elif kind == "missing":
            message = f"missing required field '{loc[-1]}'"
        elif kind == "union_tag_invalid":
            tags = err.get("ctx", {}).get("expected_tags", "")
            given = found.get("kind") if isinstance(found, dict) else found
            message = f"unknown schedule kind {given!r}; expected one of {tags}"
            message += did_you_mean(str(given), [t.strip(" '") for t in str(tags).split(",")])
            if isinstance(found, dict) and "kind" in found:
                path = (*path, "kind")
        elif kind == "union_tag_not_found":
            message = f"expected a number or a schedule mapping with 'kind', found {_found(found)}"
        elif kind in {"too_short", "too_long"}:
            message = f"{_expected(err)}, found {_found_length(err)}"
        else:
            message = f"{_expected(err)}, found {_found(found)}"
        return self.problem(path, message)


def _in_union(loc: tuple[Any, ...], path: tuple[Any, ...]) -> bool:
    """Whether a pydantic location goes through a union member (a part not in the data)."""
    return any(isinstance(p, str) and _is_tag(p) for p in loc) and len(loc) > len(path)


def _is_tag(part: str) -> bool:
    return part in {"constant", "linear", "exponential", "steps", "piecewise"} or "[" in part


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at a pydantic location (for 'did you mean')."""
    model: Any = Scenario
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = model.model_fields.get(part)
            if field is None:
                continue
            model = _inner_model(field.annotation)
        elif isinstance(part, str) and _is_tag(part):
            model = SCHEDULE_CLASSES.get(part, model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """The model class inside ``X | None``, ``list[X]`` or ``dict[str, X]``, if any."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def path_problems(data: dict[str, Any], dotted: str) -> list[Problem]:
    """The validator of dotted paths: problems of ``dotted`` in a scenario's dumped
    ``data`` (a path naming no field), the ones :func:`set_path` would report, found by
    walking ``data`` without changing it."""
    return _walk_path(data, dotted, None, write=False)


def set_path(data: dict[str, Any], dotted: str, value: Any) -> list[Problem]:
    """Apply one dotted-path change (``actors.us.discount``, ``issues.x.war_value``) to a
    scenario's dumped ``data`` in place: the one overlay of variants, regimes, sweep
    points and samples. Returns the problems (a path naming no field) instead of raising.
    """
    return _walk_path(data, dotted, value, write=True)


def _walk_path(data: dict[str, Any], dotted: str, value: Any, *, write: bool) -> list[Problem]:
    """Walk ``dotted`` in ``data``; set ``value`` at its end when ``write`` (see set_path)."""
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
        if (
            isinstance(node, dict)
            and key in node
            or isinstance(node, list)
            and isinstance(key, int)
            and key < len(node)
        ):
            if last:
                if write:
                    node[key] = value
                return []
            node = node[key]
            continue
        if isinstance(node, dict) and last:
            allowed = _allowed_keys(tuple(parts[:-1]))
            if key in allowed:
                if write:
                    node[key] = value
                return []
        choices = list(node) if isinstance(node, dict) else []
        prefix = ".".join(parts[:depth]) or "the scenario"
        return [Problem(f"no field '{part}' in {prefix}{did_you_mean(part, choices)}", dotted)]
    return []


def _copied_along(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    """``data`` with each mapping and list on the path ``dotted`` copied (shallow), the rest
    shared: :func:`set_path` may then change the copy without touching ``data``."""
    root = dict(data)
    node: Any = root
    for part in dotted.split(".")[:-1]:
        key: Any = int(part) if isinstance(node, list) and part.isdigit() else part
        if (
            isinstance(node, dict)
            and key in node
            or (isinstance(node, list) and isinstance(key, int) and key < len(node))
        ):
            child = node[key]
            if isinstance(child, dict):
                node[key] = child = dict(child)
            elif isinstance(child, list):
                node[key] = child = list(child)
            else:
                break
            node = child
        else:
            break
    return root


def _compact(value: Any) -> Any:
    """Write constant schedules without a ``why`` as bare numbers.

    Empty mappings are kept: ``sanctions: {}`` is an issue with every field at its default
    (fields equal to their defaults were already left out by ``exclude_defaults``).
    """
    if isinstance(value, dict):
        if (
            value.get("kind", "constant") == "constant"
            and set(value) <= {"kind", "value"}
            and "value" in value
        ):
            return value["value"]
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


# -- semantic checks ------------------------------------------------------------------------
_Path = tuple[Any, ...]


def _check_semantics(
    s: Scenario, line_of: Callable[[_Path], str], *, with_regimes: bool = True
) -> list[tuple[_Path, str]]:
    """Cross-references, ranges and contradictions that a type alone cannot express.

    ``line_of(path)`` gives `` (line N)`` for a path, so that a problem involving two
    fields can say where the other one is written.
    """
    out: list[tuple[_Path, str]] = []
    actors, issues = list(s.actors), list(s.issues)
    positions = [k for k, v in s.issues.items() if v.kind == "position"]

    def ref(path: _Path, name: str, choices: list[str], what: str) -> None:
        if name not in choices:
            out.append(
                (
                    path,
                    f"unknown {what} '{name}'{did_you_mean(name, choices)}; defined: {', '.join(choices)}",
                )
            )

    def bounded(
        path: _Path, schedule: Any, low: float | None, high: float | None, *, open_low: bool = False
    ) -> None:
        if schedule is None:
            return
        values = s.series(schedule)
        if not np.isfinite(values).all():  # a path that overflows (exponential growth ...)
            first = int(np.argmin(np.isfinite(values)))
            out.append(
                (path, f"expected a finite number, found {values[first]:g} at round {first}")
            )
            return
        bad_low = low is not None and (values <= low if open_low else values < low).any()
        bad_high = high is not None and (values > high).any()
        if bad_low or bad_high:
            bracket = "(" if open_low else "["
            lo = "-inf" if low is None else f"{low:g}"
            hi = "inf" if high is None else f"{high:g}"
            mask = (values <= low if open_low else values < low) if bad_low else values > high
            first = int(np.argmax(mask))
            bad = values[first]
            when = "" if isinstance(schedule, Constant) else f" at round {first}"
            out.append((path, f"expected a value in {bracket}{lo}, {hi}], found {bad:g}{when}"))

    for key, issue in s.issues.items():
        if issue.kind == "pie":
            if not issue.among or len(issue.among) < 1:
                out.append(
                    (("issues", key, "among"), "a pie issue needs 'among': the actors who split it")
                )
            for i, a in enumerate(issue.among or []):
                ref(("issues", key, "among", i), a, actors, "actor")
        elif issue.among:
            out.append((("issues", key, "among"), "only pie issues have 'among'"))
        bounded(("issues", key, "war_value"), issue.war_value, 0, 1)

    for name, actor in s.actors.items():
        base: _Path = ("actors", name)
        bounded((*base, "discount"), actor.discount, 0, 1, open_low=True)
        for field in ("war_cost", "capacity"):
            bounded((*base, field), getattr(actor, field), 0, None)
        bounded((*base, "capability"), actor.capability, 0, None, open_low=True)
        bounded((*base, "curvature"), actor.curvature, 1, None)
        bounded((*base, "private_benefit"), actor.private_benefit, None, None)
        bounded((*base, "reservation"), actor.reservation, None, None)
        for issue_key, value in actor.ideal.items():
            ref((*base, "ideal", issue_key), issue_key, positions, "position issue")
            bounded((*base, "ideal", issue_key), value, 0, 1)
        for issue_key, value in actor.salience.items():
            ref((*base, "salience", issue_key), issue_key, issues, "issue")
            bounded((*base, "salience", issue_key), value, 0, None)
        if actor.salience and all((s.series(v) == 0).all() for v in actor.salience.values()):
            out.append(
                (
                    (*base, "salience"),
                    "salience weights are all zero; give at least one issue a positive weight",
                )
            )
        for issue_key in actor.salience:
            if issue_key in positions and issue_key not in actor.ideal:
                out.append(
                    (
                        (*base, "ideal"),
                        f"missing ideal point for issue '{issue_key}' (the actor has salience on it)",
                    )
                )
        for issue_key, line in actor.red_lines.items():
            ref((*base, "red_lines", issue_key), issue_key, positions, "position issue")
            bounded((*base, "red_lines", issue_key, "min"), line.min, 0, 1)
            bounded((*base, "red_lines", issue_key, "max"), line.max, 0, 1)
        for i, deadline in enumerate(actor.deadlines):
            if deadline.round >= s.rounds:
                out.append(
                    (
                        (*base, "deadlines", i, "round"),
                        f"round {deadline.round} is past the last round {s.rounds - 1}",
                    )
                )
            if deadline.audience_cost > 0 and not deadline.public:
                out.append(
                    (
                        (*base, "deadlines", i, "audience_cost"),
                        "only a public deadline has an audience cost; add 'public: true'",
                    )
                )
        out.extend(_actor_contradictions(s, name, actor, line_of))
        out.extend(_mechanism_problems(s, name, actor, positions, bounded))

    if s.battlefield:
        bf = s.battlefield
        ref(("battlefield", "issue"), bf.issue, positions, "position issue")
        bounded(("battlefield", "initial_control"), bf.initial_control, 0, 1)
        bounded(("battlefield", "drift"), bf.drift, 0, None)
        for side in ("a", "b"):
            if not bf.sides.get(side):
                out.append(
                    (("battlefield", "sides", side), f"side '{side}' needs at least one actor")
                )
            for i, a in enumerate(bf.sides.get(side, [])):
                ref(("battlefield", "sides", side, i), a, actors, "actor")
        for i, sup in enumerate(bf.support):
            ref(("battlefield", "support", i, "patron"), sup.patron, actors, "actor")
            ref(("battlefield", "support", i, "to"), sup.to, actors, "actor")
            bounded(("battlefield", "support", i, "amount"), sup.amount, 0, None)
            bounded(("battlefield", "support", i, "effectiveness"), sup.effectiveness, 0, None)

    protocol = s.protocol
    if protocol.proposers is not None and protocol.recognition is not None:
        out.append(
            (
                ("protocol",),
                "give either 'proposers' (a rotation) or 'recognition' (probabilities), not both",
            )
        )
    for i, a in enumerate(protocol.proposers or []):
        ref(("protocol", "proposers", i), a, actors, "actor")
    if protocol.proposers == []:
        out.append((("protocol", "proposers"), "the rotation needs at least one proposer"))
    if protocol.recognition is not None:
        for a, prob in protocol.recognition.items():
            ref(("protocol", "recognition", a), a, actors, "actor")
            if not 0 <= prob <= 1:
                out.append(
                    (
                        ("protocol", "recognition", a),
                        f"expected a probability in [0, 1], found {prob:g}",
                    )
                )
        total = sum(protocol.recognition.values())
        if abs(total - 1) > 1e-9:
            out.append(
                (
                    ("protocol", "recognition"),
                    f"recognition probabilities must sum to 1, found {total:g}",
                )
            )
    if protocol.quota is not None and protocol.quota > len(actors):
        out.append(
            (("protocol", "quota"), f"quota {protocol.quota} exceeds the {len(actors)} actors")
        )

    for key, proposal in s.proposals.items():
        for issue_key in issues:
            if issue_key not in proposal.terms:
                out.append((("proposals", key, "terms"), f"missing terms for issue '{issue_key}'"))
        for issue_key, term in proposal.terms.items():
            path = ("proposals", key, "terms", issue_key)
            if issue_key not in issues:
                ref(path, issue_key, issues, "issue")
            elif s.issues[issue_key].kind == "position":
                if not isinstance(term, float) or not 0 <= term <= 1:
                    out.append((path, f"expected a position in [0, 1], found {term!r}"))
            elif not isinstance(term, dict):
                out.append(
                    (path, f"expected shares per actor for pie issue '{issue_key}', found {term!r}")
                )
            else:
                among = s.issues[issue_key].among or []
                for a in term:
                    ref((*path, a), a, among, "actor of this pie")
                if abs(sum(term.values()) - 1) > 1e-9 or min(term.values()) < 0:
                    out.append(
                        (
                            path,
                            f"shares must be non-negative and sum to 1, found {sum(term.values()):g}",
                        )
                    )

    for key, game in s.stage_games.items():
        base = ("stage_games", key)
        ref((*base, "row"), game.row, actors, "actor")
        ref((*base, "col"), game.col, actors, "actor")
        shape = (len(game.row_strategies), len(game.col_strategies))
        for field in ("row_payoffs", "col_payoffs"):
            for i, row in enumerate(getattr(game, field)):
                for j, entry in enumerate(row):
                    bounded((*base, field, i, j), entry, None, None)
        for field in ("row_payoffs", "col_payoffs"):
            matrix = getattr(game, field)
            if len(matrix) != shape[0] or any(len(r) != shape[1] for r in matrix):
                lengths = sorted({len(r) for r in matrix})
                found = (
                    f"{len(matrix)}x{lengths[0] if lengths else 0}"
                    if len(lengths) <= 1
                    else f"{len(matrix)} rows of lengths {', '.join(str(len(r)) for r in matrix)}"
                )
                out.append(
                    (
                        (*base, field),
                        f"expected a {shape[0]}x{shape[1]} matrix (strategies), found {found}",
                    )
                )

    dumped = s.model_dump(mode="json", exclude_none=True)
    if s.regimes:
        reg = s.regimes
        states = list(reg.states)
        ref(("regimes", "initial"), reg.initial, states, "regime")
        for state in states:
            row = reg.transition.get(state)
            if row is None:
                out.append(
                    (("regimes", "transition"), f"missing transition row for regime '{state}'")
                )
                continue
            for target, prob in row.items():
                ref(("regimes", "transition", state, target), target, states, "regime")
                if not 0 <= prob <= 1:
                    out.append(
                        (
                            ("regimes", "transition", state, target),
                            f"expected a probability in [0, 1], found {prob:g}",
                        )
                    )
            if abs(sum(row.values()) - 1) > 1e-9:
                out.append(
                    (
                        ("regimes", "transition", state),
                        f"transition probabilities must sum to 1, found {sum(row.values()):g}",
                    )
                )
        if with_regimes:
            for state, regime in reg.states.items():
                out.extend(_regime_problems(dumped, state, regime))

    if s.terminal_outcome == "lottery" and (s.battlefield is None or s.terminal != "war"):
        out.append(
            (
                ("terminal_outcome",),
                "'terminal_outcome: lottery' needs a battlefield and 'terminal: war' (it draws "
                "the war outcome of the battlefield issue); remove it or add a battlefield",
            )
        )

    for key, dist in s.uncertainty.items():
        for p in path_problems(dumped, key):
            out.append((("uncertainty", key), p.message))
        out.extend((("uncertainty", key), m) for m in _distribution_problems(dist))
    out.extend(_belief_problems(s, dumped))
    out.extend(_type_problems(s, dumped))
    out.extend(_claim_problems(s, dumped))
    out.extend(_combination_problems(s))
    return out


def _claim_problems(s: Scenario, dumped: dict[str, Any]) -> list[tuple[_Path, str]]:
    """Claims: every field and every ``off`` path is a real dotted path; outputs are known."""
    out: list[tuple[_Path, str]] = []
    # the solvers derive scenarios without these sections (one per type, world or regime):
    # a claim's path into a section the scenario does not have is not checked there
    derived = {k for k in ("types", "worlds", "beliefs", "regimes") if not dumped.get(k)}

    def unreal(dotted: str) -> list[Problem]:
        head = dotted.split(".")[0]
        if head in derived and "." in dotted:
            return []
        return path_problems(dumped, dotted)

    for cid, claim in s.claims.items():
        for i, dotted in enumerate(claim.fields):
            for p in unreal(dotted):
                out.append((("claims", cid, "fields", i), p.message))
        for dotted in claim.off:
            for p in unreal(dotted):
                out.append((("claims", cid, "off", dotted), p.message))
            if not any(dotted == f or dotted.startswith(f + ".") for f in claim.fields):
                out.append(
                    (
                        ("claims", cid, "off", dotted),
                        f"'{dotted}' is not one of the claim's fields ({', '.join(claim.fields)})",
                    )
                )
        for i, effect in enumerate(claim.expect):
            message = _output_problem(s, effect.output)
            if message:
                out.append((("claims", cid, "expect", i, "output"), message))
    return out


def _output_problem(s: Scenario, output: str) -> str | None:
    """Why ``output`` is not a named output of ``s`` (None when it is)."""
    head, _, rest = output.partition(".")
    simple = ("agreement_round", "war_probability", "deal_now")
    if output in simple:
        return None
    known = {"payoff": list(s.actors), "terms": list(s.issues)}
    if head in known and rest in known[head]:
        return None
    proposal, _, actor = rest.partition(".")
    if head == "margin" and proposal in s.proposals and actor in s.actors:
        return None
    return (
        f"unknown output '{output}'; expected one of {', '.join(simple)}, payoff.ACTOR "
        f"(actors: {', '.join(s.actors)}), terms.ISSUE (issues: {', '.join(s.issues)}), "
        f"margin.PROPOSAL.ACTOR (proposals: {', '.join(s.proposals) or 'none'})"
    )


def _combination_problems(s: Scenario) -> list[tuple[_Path, str]]:
    """Mechanisms that are not yet solved together (each is refused rather than ignored)."""
    out: list[tuple[_Path, str]] = []
    decider = [
        n for n, a in s.actors.items() if a.leader or a.ratifier or a.outside_option is not None
    ]
    for section, present in (("worlds", bool(s.worlds)), ("types", bool(s.types))):
        if present and decider:
            out.append(
                (
                    (section,),
                    f"{section} cannot yet be combined with leaders, ratifiers or outside "
                    f"options (found on {', '.join(decider)}); solve them in separate scenarios",
                )
            )
    if s.worlds and s.types:
        out.append(
            (
                ("types",),
                "private types cannot yet be combined with worlds and beliefs; solve them in "
                "separate scenarios",
            )
        )
    leaders = [n for n, a in s.actors.items() if a.leader]
    for what, present in (
        ("worlds", bool(s.worlds)),
        ("types", bool(s.types)),
        (f"leaders (found on {', '.join(leaders)})", bool(leaders)),
    ):
        if s.deals == "self_enforcing" and present:
            out.append(
                (
                    ("deals",),
                    f"'deals: self_enforcing' cannot yet be combined with {what}; solve them "
                    "in separate scenarios or use 'deals: binding'",
                )
            )
    return out


# Dotted paths a world may change: how the war goes, never what a settlement is worth.
WORLD_CHANGE_PATHS = (
    r"actors\.[^.]+\.(war_cost|private_benefit|capacity)(\..+)?",
    r"actors\.[^.]+\.deadlines\.\d+\.penalty",
    r"battlefield\.(drift|initial_control)(\..+)?",
    r"battlefield\.support\.\d+\.(amount|effectiveness)(\..+)?",
    r"issues\.[^.]+\.war_value(\..+)?",
)


def _world_change_problem(path: str) -> str | None:
    """Why a world may not change ``path`` (None when it may)."""
    if any(re.fullmatch(p, path) for p in WORLD_CHANGE_PATHS):
        return None
    if path.startswith("regimes"):
        return (
            "a world may not change the regimes: regimes are observed, so world-dependent "
            "transitions would be signals about the world that the learning model leaves out"
        )
    return (
        "a world may change only how the war goes (actors' war_cost, private_benefit, "
        "capacity, deadline penalties; battlefield drift, initial_control, support amount "
        "and effectiveness; issues' war_value), not what a settlement is worth or the "
        "bargaining rules (ideal points, salience, curvature, red lines, reservation, "
        "discount, capability, protocol)"
    )


def _belief_problems(s: Scenario, dumped: dict[str, Any]) -> list[tuple[_Path, str]]:
    """Worlds, beliefs and learning: allowed changes, priors over declared worlds, accuracy."""
    out: list[tuple[_Path, str]] = []
    worlds = list(s.worlds)
    if not worlds:
        if s.beliefs:
            out.append((("beliefs",), "beliefs need 'worlds': declare the worlds first"))
        if s.learning is not None:
            out.append((("learning",), "learning needs 'worlds': declare the worlds first"))
        return out
    if s.terminal == "stationary":
        out.append(
            (
                ("worlds",),
                "worlds need 'terminal: war' (the stationary tail would learn forever); "
                "use a long horizon instead",
            )
        )
    for name, world in s.worlds.items():
        for path in world.changes:
            where: _Path = ("worlds", name, "changes", path)
            why = _world_change_problem(path)
            if why is not None:
                out.append((where, why))
                continue
            out.extend((where, p.message) for p in path_problems(dumped, path))
    for who, prior in s.beliefs.items():
        base: _Path = ("beliefs", who)
        if who != "analyst" and who not in s.actors:
            choices = [*s.actors, "analyst"]
            out.append(
                (
                    base,
                    f"unknown actor '{who}'{did_you_mean(who, choices)}; defined: "
                    f"{', '.join(choices)}",
                )
            )
        for target, prob in prior.items():
            if target not in s.worlds:
                out.append(
                    (
                        (*base, target),
                        f"unknown world '{target}'{did_you_mean(target, worlds)}; declared: "
                        f"{', '.join(worlds)}",
                    )
                )
            elif not 0 <= prob <= 1:
                out.append(((*base, target), f"expected a probability in [0, 1], found {prob:g}"))
        if abs(sum(prior.values()) - 1) > 1e-9:
            out.append((base, f"prior probabilities must sum to 1, found {sum(prior.values()):g}"))
    if s.learning is not None and len(worlds) > 1:
        accuracy = s.series(s.learning.accuracy)
        low = 1 / len(worlds)
        bad = (accuracy < low - 1e-12) | (accuracy > 1) | ~np.isfinite(accuracy)
        if bad.any():
            first = int(np.argmax(bad))
            out.append(
                (
                    ("learning", "accuracy"),
                    f"expected a value in [1/{len(worlds)}, 1] = [{low:.4g}, 1] (1/worlds: "
                    f"nothing learned), found {accuracy[first]:g} at round {first}",
                )
            )
    return out


TYPE_FIELDS = ("war_cost", "private_benefit", "discount", "reservation", "red_lines", "deadlines")


def _type_problems(s: Scenario, dumped: dict[str, Any]) -> list[tuple[_Path, str]]:
    """Private types: one informed actor, priors summing to 1, changes to its own fields."""
    out: list[tuple[_Path, str]] = []
    dumped = {key: value for key, value in dumped.items() if key != "types"}  # copied per change
    if len(s.types) > 1:
        out.append(
            (("types",), f"at most one informed actor is supported, found {', '.join(s.types)}")
        )
    if s.types and s.terminal == "stationary":
        out.append(
            (("types",), "private types need 'terminal: war' (a finite horizon to solve back from)")
        )
    for actor, types in s.types.items():
        if actor not in s.actors:
            out.append(
                (
                    ("types", actor),
                    f"unknown actor '{actor}'{did_you_mean(actor, list(s.actors))}; "
                    f"defined: {', '.join(s.actors)}",
                )
            )
            continue
        if not types:
            out.append((("types", actor), "expected at least one type"))
            continue
        total = sum(t.prior for t in types.values())
        if abs(total - 1) > 1e-9:
            out.append((("types", actor), f"priors must sum to 1, found {total:g}"))
        own = f"actors.{actor}."
        for name, spec in types.items():
            for change in spec.changes:
                path = ("types", actor, name, "changes", change)
                field = change[len(own) :].split(".")[0] if change.startswith(own) else None
                if field not in TYPE_FIELDS:
                    out.append(
                        (
                            path,
                            f"a type may change only {actor}'s own fields "
                            f"({', '.join(own + f for f in TYPE_FIELDS)}), found '{change}'",
                        )
                    )
                    continue
                for p in path_problems(dumped, change):
                    out.append((path, p.message))
    return out


def _distribution_problems(d: Distribution) -> list[str]:
    needs = {
        "uniform": ("low", "high"),
        "normal": ("mean", "sd"),
        "beta": ("a", "b"),
        "triangular": ("low", "mode", "high"),
        "choice": ("values",),
    }[d.dist]
    missing = [f for f in needs if getattr(d, f) is None]
    if missing:
        return [f"distribution '{d.dist}' needs {', '.join(missing)}"]
    if d.low is not None and d.high is not None and d.low >= d.high:
        return [f"expected low < high, found low={d.low:g}, high={d.high:g}"]
    if d.dist == "triangular" and not (d.low <= d.mode <= d.high):  # type: ignore[operator]
        return [f"expected low <= mode <= high, found mode={d.mode:g}"]
    if d.weights is not None and (d.values is None or len(d.weights) != len(d.values)):
        return ["'weights' must have one entry per value"]
    return []


#: Rounding allowed when two written values are compared (a schedule's sums and products).
_TOLERANCE = 1e-12


def _when(values: np.ndarray, t: int) -> str:
    """`` at round t`` unless the path is the same in every round."""
    return "" if (values == values[0]).all() else f" at round {t}"


def _actor_contradictions(
    s: Scenario, name: str, actor: Actor, line_of: Callable[[_Path], str]
) -> list[tuple[_Path, str]]:
    """Fields of one actor that cannot all hold, so that it could accept no deal at all.

    A red line whose ``min`` exceeds its ``max``, an ideal point outside the actor's own red
    lines, and a reservation utility above the best utility any deal gives the actor:
    ``max_x u_i(x) = sum_k s_ik (1 - |clip(ideal_ik, min_ik, max_ik) - ideal_ik| ** rho_i)``
    over position issues plus ``s_iq`` for each pie the actor shares in, with ``s`` the
    salience normalised to sum 1 (the utility of ``docs/scenario-format.md``; an actor
    without salience gets 0 from every deal). Each round is checked.
    """
    out: list[tuple[_Path, str]] = []
    base: _Path = ("actors", name)
    rounds = s.rounds
    clipped: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for issue_key in s.issues:
        if s.issues[issue_key].kind != "position":
            continue
        line = actor.red_lines.get(issue_key)
        low_path = (*base, "red_lines", issue_key, "min")
        high_path = (*base, "red_lines", issue_key, "max")
        low = s.series(line.min) if line and line.min is not None else np.zeros(rounds)
        high = s.series(line.max) if line and line.max is not None else np.ones(rounds)
        clipped[issue_key] = (low, high)
        if line is None:
            continue
        crossed = low > high + _TOLERANCE  # 0.2 + 0.1 * 4 is not above 0.6
        if line.min is not None and line.max is not None and crossed.any():
            t = int(np.argmax(crossed))
            out.append(
                (
                    low_path,
                    f"red line min {low[t]:g} is above its max {high[t]:g}{line_of(high_path)}"
                    f"{_when(low - high, t)}: no position of '{issue_key}' satisfies both",
                )
            )
            continue
        if issue_key not in actor.ideal:
            continue
        ideal = s.series(actor.ideal[issue_key])
        for bound, path, outside, side in (
            (low, low_path, ideal < low - _TOLERANCE, "below its red line min"),
            (high, high_path, ideal > high + _TOLERANCE, "above its red line max"),
        ):
            written = line.min if path is low_path else line.max
            if written is not None and outside.any():
                t = int(np.argmax(outside))
                out.append(
                    (
                        (*base, "ideal", issue_key),
                        f"ideal point {ideal[t]:g} is {side} {bound[t]:g}{line_of(path)}"
                        f"{_when(ideal - bound, t)}: the actor would refuse its own ideal",
                    )
                )
    if actor.reservation is not None:
        reservation = s.series(actor.reservation)
        best = _best_utility(s, actor, clipped)
        above = reservation > best + _TOLERANCE
        if above.any():
            t = int(np.argmax(above))
            out.append(
                (
                    (*base, "reservation"),
                    f"reservation {reservation[t]:g} is above {best[t]:g}, the best utility any "
                    f"deal gives this actor{_when(reservation - best, t)} (from its salience"
                    f"{line_of((*base, 'salience'))}, ideal points and red lines): it would "
                    "refuse every deal",
                )
            )
    return out


def _best_utility(
    s: Scenario, actor: Actor, bounds: dict[str, tuple[np.ndarray, np.ndarray]]
) -> np.ndarray:
    """The most utility any deal gives ``actor``, per round (see _actor_contradictions)."""
    rounds = s.rounds
    total = np.zeros(rounds)
    best = np.zeros(rounds)
    rho = s.series(actor.curvature)
    me = next(k for k, v in s.actors.items() if v is actor)
    for issue_key, weight in actor.salience.items():
        if issue_key not in s.issues:
            continue
        w = s.series(weight)
        total += w
        issue = s.issues[issue_key]
        if issue.kind == "pie":
            best += w * (me in (issue.among or []))
        elif issue_key in bounds:
            ideal = s.series(actor.ideal[issue_key]) if issue_key in actor.ideal else 0.0
            low, high = bounds[issue_key]
            gap = np.abs(np.clip(ideal, low, np.maximum(low, high)) - ideal)
            best += w * (1 - gap**rho)
    return np.divide(best, total, out=np.zeros(rounds), where=total > 0)


def _regime_problems(dumped: dict[str, Any], state: str, regime: Regime) -> list[tuple[_Path, str]]:
    """A regime's changes checked as if written in the file: paths, types and ranges.

    ``dumped`` is the scenario's JSON dump (not changed: the overlay copies the branches
    it changes). Each problem is located at the change it comes from; a regime without
    changes has none.
    """
    out: list[tuple[_Path, str]] = []
    if not regime.changes:
        return out
    data = dumped
    at = {change: ("regimes", "states", state, "changes", change) for change in regime.changes}
    for change, value in regime.changes.items():
        data = _copied_along(data, change)
        out.extend((at[change], p.message) for p in set_path(data, change, value))
    if out:
        return out

    def owner(path: _Path) -> tuple[_Path, str] | None:
        dotted = ".".join(str(p) for p in path)
        for change in regime.changes:
            if dotted == change or dotted.startswith(change + "."):
                inner = dotted[len(change) + 1 :]
                return at[change], f"{inner}: " if inner else ""
        return None

    try:
        changed = Scenario.model_validate(data)
    except ValidationError as exc:
        locate = _Locator(data, {}, None)
        for problem in locate.from_pydantic_errors(exc.errors()):
            found = owner(tuple(problem.path.split(".")))
            if found:
                out.append((found[0], found[1] + problem.message))
        return out
    for path, message in _check_semantics(changed, lambda _: "", with_regimes=False):
        found = owner(path)
        if found:
            out.append((found[0], found[1] + message))
    return out


def _no_effect(s: Scenario, data: dict[str, Any]) -> list[tuple[_Path, str]]:
    """Values written in the file that change nothing: warnings, not errors."""
    out: list[tuple[_Path, str]] = []
    raw_issues = data.get("issues") or {}
    battle = s.battlefield.issue if s.battlefield else None
    for key, issue in s.issues.items():
        if "war_value" not in (raw_issues.get(key) or {}):
            continue
        path = ("issues", key, "war_value")
        if issue.kind == "pie":
            out.append((path, "has no effect: a pie issue has no war value (nobody gets a share)"))
        elif key == battle:
            out.append((path, "has no effect: the battlefield decides this issue (control p(T))"))
    for name, actor in s.actors.items():
        if actor.horizon is not None and actor.horizon.rounds > s.rounds:
            out.append(
                (
                    ("actors", name, "horizon", "rounds"),
                    f"has no effect: the horizon ends after round {actor.horizon.rounds - 1}, "
                    f"past the last round {s.rounds - 1}",
                )
            )
    for path, schedule in _schedules(s.model_dump(exclude_none=True), ()):
        late = [step["round"] for step in schedule.get("steps", []) if step["round"] >= s.rounds]
        if schedule.get("kind") == "steps" and late:
            out.append(
                (
                    path,
                    f"has no effect from round {late[0]}: the last round is {s.rounds - 1}",
                )
            )
    if s.regimes:
        changes = [set(r.changes) for r in s.regimes.states.values()]

        def overridden(dotted: str) -> bool:
            return all(any(dotted == c or dotted.startswith(c + ".") for c in cs) for cs in changes)

        states = ", ".join(s.regimes.states)
        for dotted in sorted(set().union(*changes)):
            written: _Path = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
            if overridden(dotted) and _existing_path(data, written) == written:
                out.append(
                    (written, f"has no effect: every regime ({states}) sets it in its 'changes'")
                )
    return out


def _schedules(node: Any, path: _Path) -> list[tuple[_Path, dict[str, Any]]]:
    """Every schedule in a dumped scenario, with its path."""
    if isinstance(node, dict):
        if node.get("kind") in {"constant", "linear", "exponential", "steps", "piecewise"}:
            return [(path, node)]
        return [x for k, v in node.items() if k != "regimes" for x in _schedules(v, (*path, k))]
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in _schedules(v, (*path, i))]
    return []


def _mechanism_problems(
    s: Scenario, name: str, actor: Actor, positions: list[str], bounded: Any
) -> list[tuple[_Path, str]]:
    """Checks of an actor's leader, ratifier and outside option (issue 18)."""
    out: list[tuple[_Path, str]] = []
    base: _Path = ("actors", name)
    leader = actor.leader
    if leader is not None:
        path = (*base, "leader")
        if leader.issue not in positions:
            out.append(
                (
                    (*path, "issue"),
                    f"unknown position issue '{leader.issue}'"
                    f"{did_you_mean(leader.issue, positions)}; defined: {', '.join(positions)}",
                )
            )
        elif leader.issue not in actor.ideal:
            out.append(
                (
                    (*path, "issue"),
                    f"the actor has no ideal point on '{leader.issue}'; give it one under "
                    "'ideal' (the shortfall is measured from it)",
                )
            )
        if leader.reference == "control":
            if s.battlefield is None or s.battlefield.issue != leader.issue:
                out.append(
                    (
                        (*path, "reference"),
                        "'control' needs a battlefield on the leader's issue; give a position "
                        "in [0, 1] instead",
                    )
                )
        elif not 0 <= leader.reference <= 1:
            out.append(
                ((*path, "reference"), f"expected a position in [0, 1], found {leader.reference:g}")
            )
        if leader.base_risk + leader.slope > 1 + 1e-12:
            out.append(
                (
                    (*path, "slope"),
                    f"base_risk + slope must be at most 1 (q stays a probability), found "
                    f"{leader.base_risk + leader.slope:g}",
                )
            )
        if not (s.series(actor.curvature) == 1.0).all():
            out.append(
                (
                    (*path,),
                    "a leader needs linear utilities (curvature 1) for now; remove 'curvature'",
                )
            )
    if actor.ratifier is not None:
        bounded((*base, "ratifier", "midpoint"), actor.ratifier.midpoint, None, None)
    if actor.outside_option is not None:
        payoffs = actor.outside_option.payoffs
        for other in payoffs:
            if other not in s.actors:
                choices = list(s.actors)
                out.append(
                    (
                        (*base, "outside_option", "payoffs", other),
                        f"unknown actor '{other}'{did_you_mean(other, choices)}; defined: "
                        f"{', '.join(choices)}",
                    )
                )
            else:
                bounded((*base, "outside_option", "payoffs", other), payoffs[other], None, None)
        missing = [a for a in s.actors if a not in payoffs]
        if missing:
            out.append(
                (
                    (*base, "outside_option", "payoffs"),
                    f"missing payoff for {', '.join(missing)} (give every actor's utility "
                    "if the option is taken)",
                )
            )
    return out
