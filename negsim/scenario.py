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
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from negsim.errors import Problem, ScenarioError, did_you_mean
from negsim.schedules import Constant, Schedule, evaluate
from negsim.yaml_source import Positions, parse_yaml, read_yaml

__all__ = [
    "Actor",
    "Battlefield",
    "Deadline",
    "Distribution",
    "Horizon",
    "Issue",
    "Proposal",
    "Protocol",
    "RedLine",
    "Regime",
    "Regimes",
    "Scenario",
    "StageGame",
    "Support",
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

    rounds: int = Field(ge=1)
    weight_after: float = Field(
        0.0, ge=0, le=1, description="Extra weight on rounds after the horizon."
    )
    why: str | None = Why


class Deadline(_Model):
    """A one-off utility cost to the actor if the round passes without a deal."""

    round: int = Field(ge=0)
    penalty: float = Field(ge=0)
    label: str = "deadline"
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
    veto: bool = Field(False, description="A deal needs this actor's consent.")
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

    @property
    def name(self) -> str:
        return self.label or ""


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
    recognition: dict[str, float] | None = None
    quota: int | None = Field(None, ge=1)
    why: str | None = Why


class Proposal(_Model):
    """A fixed settlement on the table: a value per position issue, shares per pie issue."""

    label: str | None = None
    description: str | None = None
    terms: dict[str, float | dict[str, float]]
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
    transition: dict[str, dict[str, float]]
    initial: str
    samples: int = Field(0, ge=0, le=10_000, description="Sampled paths for fan charts.")
    why: str | None = Why


class Distribution(_Model):
    """An uncertain parameter for Monte Carlo sweeps."""

    dist: Literal["uniform", "normal", "beta", "triangular", "choice"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    a: float | None = Field(None, gt=0)
    b: float | None = Field(None, gt=0)
    mode: float | None = None
    values: list[float] | None = None
    weights: list[float] | None = None
    why: str | None = Why


class Scenario(_Model):
    """A negotiation scenario (see ``docs/scenario-format.md``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str | None = None
    description: str | None = None
    source: str | None = Field(None, description="The analysis the parameters come from.")
    time_unit: str = "round"
    rounds: int = Field(ge=1, le=10_000)
    start_date: dt.date | None = None
    terminal: Literal["war", "stationary"] = Field(
        "war",
        description="'war': the war outcome is imposed after the last round; "
        "'stationary': the last round repeats forever (infinite horizon).",
    )
    seed: int = Field(0, ge=0)
    issues: dict[str, Issue] = Field(min_length=1)
    actors: dict[str, Actor] = Field(min_length=2)
    battlefield: Battlefield | None = None
    protocol: Protocol = Protocol()
    proposals: dict[str, Proposal] = {}
    stage_games: dict[str, StageGame] = {}
    regimes: Regimes | None = None
    uncertainty: dict[str, Distribution] = {}
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

    _source_file: str | None = PrivateAttr(None)

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
    def actor_ids(self) -> list[str]:
        return list(self.actors)

    @property
    def issue_ids(self) -> list[str]:
        return list(self.issues)

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
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    def with_changes(self, changes: dict[str, Any]) -> Scenario:
        """A new, validated scenario with dotted-path changes applied.

        >>> s = load_text("name: t\\nrounds: 2\\nissues: {x: {}}\\n"
        ...               "actors: {a: {discount: 0.9}, b: {discount: 0.8}}")
        >>> s.with_changes({"actors.a.discount": 0.95}).actors["a"].discount.value
        0.95
        """
        data = self.model_dump(mode="json", exclude_none=True)
        problems = [p for path, value in changes.items() for p in _set_path(data, path, value)]
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
    return _overlay(data, positions, path.parent, (*chain, path.resolve()), str(path))


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
    base_path = shown.resolve()
    if base_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, base_path))
        raise ScenarioError([Problem(f"extends cycle: {cycle}", "extends", *loc)])
    if not base_path.is_file():
        raise ScenarioError([Problem(f"base file not found: {shown}", "extends", *loc)])
    base, base_positions = _read_with_extends(shown, chain)
    if not isinstance(base, dict):
        raise ScenarioError([Problem("base file is not a mapping", "extends", *loc)])
    base.pop("name", None)
    return _deep_merge(base, data), _merge_positions(base_positions, positions, data)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced.

    A schedule (a mapping with ``kind`` or ``value``) replaces the base value whole, so a
    variant can swap a linear path for steps without inheriting the old fields.
    """
    merged = dict(base)
    for key, value in over.items():
        if (
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
    locate = _Locator(data, positions, file)
    if not isinstance(data, dict):
        raise ScenarioError(
            [locate.problem((), f"expected a mapping of scenario fields, found {_kind(data)}")]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [locate.from_pydantic(err) for err in _without_typo_echoes(exc.errors())]
        ) from None
    problems = [locate.problem(path, message) for path, message in _check_semantics(scenario)]
    if problems:
        raise ScenarioError(problems)
    return scenario


def _kind(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        type(None): "nothing",
        int: "a number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)


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


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Locator:
    """Turns pydantic error locations into :class:`Problem` with file, line and hint."""

    def __init__(self, data: Any, positions: Positions, file: str | None):
        self.data, self.positions, self.file = data, positions, file

    def _position(self, path: tuple[Any, ...]) -> tuple[str | None, int | None, int | None]:
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (self.file, None, None)

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
        elif kind == "missing":
            message = f"missing required field '{loc[-1]}'"
        elif kind == "union_tag_invalid":
            tags = err.get("ctx", {}).get("expected_tags", "")
            given = found.get("kind") if isinstance(found, dict) else found
            message = f"unknown schedule kind {given!r}; expected one of {tags}"
            message += did_you_mean(str(given), [t.strip(" '") for t in str(tags).split(",")])
        elif kind == "model_attributes_type" or kind == "dict_type":
            message = f"expected a mapping, found {_kind(found)} {found!r}"
        elif kind == "too_short":
            ctx = err.get("ctx", {})
            least = ctx.get("min_length")
            message = f"expected at least {least} {'entry' if least == 1 else 'entries'}, found {ctx.get('actual_length')}"
        elif kind == "union_tag_not_found":
            message = f"expected a number or a schedule mapping with 'kind', found {_kind(found)} {found!r}"
        else:
            text = err["msg"].removeprefix("Value error, ").replace("Input should be", "expected")
            message = f"{text}, found {_short(found)}" if found is not None else text
        return self.problem(path, message)


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
            model = _schedule_classes().get(part, model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _schedule_classes() -> dict[str, type[BaseModel]]:
    from negsim import schedules

    return {
        "constant": schedules.Constant,
        "linear": schedules.Linear,
        "exponential": schedules.Exponential,
        "steps": schedules.Steps,
        "piecewise": schedules.Piecewise,
    }


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


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> list[Problem]:
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
                node[key] = value
                return []
            node = node[key]
            continue
        if isinstance(node, dict) and last:
            allowed = _allowed_keys(tuple(parts[:-1]))
            if key in allowed:
                node[key] = value
                return []
        choices = list(node) if isinstance(node, dict) else []
        prefix = ".".join(parts[:depth]) or "the scenario"
        return [Problem(f"no field '{part}' in {prefix}{did_you_mean(part, choices)}", dotted)]
    return []


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


def _check_semantics(s: Scenario) -> list[tuple[_Path, str]]:
    """Cross-references and ranges that a type alone cannot express."""
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
        for state, regime in reg.states.items():
            for change in regime.changes:
                problems = _set_path(
                    copy.deepcopy(s.model_dump(mode="json", exclude_none=True)), change, 0.0
                )
                for p in problems:
                    out.append((("regimes", "states", state, "changes", change), p.message))

    if s.terminal_outcome == "lottery" and (s.battlefield is None or s.terminal != "war"):
        out.append(
            (
                ("terminal_outcome",),
                "'terminal_outcome: lottery' needs a battlefield and 'terminal: war' (it draws "
                "the war outcome of the battlefield issue); remove it or add a battlefield",
            )
        )

    dumped = s.model_dump(mode="json", exclude_none=True)
    for key, dist in s.uncertainty.items():
        for p in _set_path(copy.deepcopy(dumped), key, 0.0):
            out.append((("uncertainty", key), p.message))
        out.extend((("uncertainty", key), m) for m in _distribution_problems(dist))
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
