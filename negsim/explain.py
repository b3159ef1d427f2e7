"""``negsim explain``'s rows: each parameter of a scenario with its value and the
sentence it comes from (the ``why:`` quote), shared by the CLI and the report."""

from __future__ import annotations

from typing import Any

from negsim.scenario import Scenario
from negsim.schedules import SCHEDULE_CLASSES, Constant, Steps, evaluate

__all__ = ["explain_rows", "number_text", "rounds_text", "summarise"]


def explain_rows(s: Scenario, *, show_all: bool = False) -> list[tuple[str, str, str]]:
    """Rows ``(path, value, why)`` for ``negsim explain``."""
    rows: dict[str, tuple[str, str, str]] = {}

    def add(path: str, value: str, why: str | None = None) -> None:
        if path in rows:  # keep the first (structural) value, take a quote if one comes
            _, old_value, old_why = rows[path]
            rows[path] = (path, old_value or value, old_why or why or "")
        else:
            rows[path] = (path, _clip(value, 96), why or "")

    add("rounds", rounds_text(s))
    add("terminal", s.terminal)
    if s.start_date:
        add("start_date", s.start_date.isoformat())
    for key, issue in s.issues.items():
        kind = f"pie among {', '.join(issue.among or [])}" if issue.kind == "pie" else "position"
        add(f"issues.{key}", f"{kind}{_label(issue.label)}", issue.why)
    for key, actor in s.actors.items():
        flags = ", ".join(f for f in (actor.role, "veto" if actor.veto else "") if f)
        add(f"actors.{key}", f"{flags}{_label(actor.label)}", actor.why)
        add(f"actors.{key}.discount", summarise(actor.discount, s.rounds), actor.discount.why)
    protocol = s.protocol
    if protocol.proposers:
        add("protocol.proposers", " -> ".join(protocol.proposers), protocol.why)
    elif protocol.recognition:
        add(
            "protocol.recognition",
            ", ".join(f"{a}: {number_text(p)}" for a, p in protocol.recognition.items()),
            protocol.why,
        )
    else:
        add("protocol.proposers", " -> ".join(s.actors) + " (file order)", protocol.why)
    if protocol.quota is not None:
        add("protocol.quota", str(protocol.quota))
    if s.battlefield:
        bf = s.battlefield
        sides = " vs ".join(", ".join(bf.sides.get(side, [])) for side in ("a", "b"))
        add("battlefield", f"{bf.issue}: {sides}", bf.why)
    for path, value, why in _walk(s.model_dump(exclude_none=True), (), s.rounds):
        if why or show_all:
            add(path, value, why)
    return list(rows.values())


def _walk(node: Any, path: tuple[str, ...], rounds: int) -> list[tuple[str, str, str | None]]:
    """Leaf parameters of a dumped scenario as ``(path, value summary, why)``."""
    dotted = ".".join(path)
    if (
        isinstance(node, dict)
        and node.get("kind") in SCHEDULE_CLASSES
        and set(node) - {"kind", "why"}
    ):
        schedule = SCHEDULE_CLASSES[node["kind"]].model_validate(node)
        return [(dotted, summarise(schedule, rounds), node.get("why"))]
    if isinstance(node, dict):
        out: list[tuple[str, str, str | None]] = []
        numbers = {
            k: v for k, v in node.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if node.get("why") and path:
            value = ", ".join(f"{k}: {number_text(v)}" for k, v in numbers.items())
            out.append((dotted, value, node["why"]))
        for key, value in node.items():
            if key == "why":
                continue
            if isinstance(value, (dict, list)):
                out.extend(_walk(value, (*path, str(key)), rounds))
            elif not node.get("why") and path:
                out.append((f"{dotted}.{key}", number_text(value), None))
        return out
    if isinstance(node, list):
        if all(not isinstance(v, (dict, list)) for v in node):
            return [(dotted, ", ".join(number_text(v) for v in node), None)] if node else []
        return [row for i, v in enumerate(node) for row in _walk(v, (*path, str(i)), rounds)]
    return [(dotted, number_text(node), None)]


def summarise(schedule: Any, rounds: int) -> str:
    """A schedule in a few words: ``0.9``, ``0.97 -> 0.9 linear`` or, for steps, when each
    step happens: ``0 until round 4, then 0.004`` (a step after the last round is marked).
    """
    if isinstance(schedule, Constant):
        return number_text(schedule.value)
    if isinstance(schedule, Steps):
        text = number_text(schedule.initial)
        for step in schedule.steps:
            late = " (after the last round)" if step.round >= rounds else ""
            text += f" until round {step.round}{late}, then {number_text(step.value)}"
        return text
    values = evaluate(schedule, max(rounds, 1))
    first, last = number_text(float(values[0])), number_text(float(values[-1]))
    return f"{first} -> {last} {schedule.kind}"


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def rounds_text(s: Scenario) -> str:
    return f"{s.rounds} {s.time_unit}{'' if s.rounds == 1 else 's'}"


def number_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _label(label: str | None) -> str:
    return f" ({label})" if label else ""
