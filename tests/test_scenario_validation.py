"""Issue 13: scenario validation closes whole classes of bad input.

* yes/no values are never numbers, anywhere in the schema (item 5);
* contradictions inside one actor are errors naming both fields and their lines (item 6);
* an error is located at the key's own line for unknown keys, bad values and missing fields,
  in block and flow style (item 7);
* a folder, a named pipe or a symlink loop is named as such (item 8);
* no message leaks pydantic's wording, over a corpus of malformed values (item 12);
* every problem at once, warnings for values with no effect, steps in ``explain`` (item 14).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL  # tests/ is on sys.path

import negsim
from negsim import ScenarioError
from negsim.scenario import load_file

#: A scenario that uses every section and every schedule kind.
RICH = """\
name: rich
rounds: 6
seed: 1
start_date: 2025-01-01
issues:
  territory: {kind: position}
  sanctions: {kind: position, war_value: 0.2}
  budget: {kind: pie, among: [kyiv, moscow]}
actors:
  kyiv:
    veto: true
    discount: {kind: linear, start: 0.95, slope: -0.01, min: 0.9, max: 0.99}
    horizon: {rounds: 4, weight_after: 0.5}
    deadlines: [{round: 2, penalty: 0.1}]
    ideal: {territory: 0, sanctions: 1}
    salience: {territory: 3, sanctions: 1, budget: 1}
    curvature: 2
    war_cost: {kind: steps, initial: 0.01, steps: [{round: 3, value: 0.02}]}
    capacity: {kind: piecewise, points: [[0, 1.0], [5, 0.5]]}
    capability: {kind: exponential, start: 1, rate: 0.1}
    reservation: 0.1
    red_lines: {territory: {min: 0, max: 0.5}}
  moscow:
    discount: 0.97
    ideal: {territory: 1, sanctions: 0}
    salience: {territory: 1, budget: 1}
  us:
    role: patron
    discount: 0.9
    ideal: {territory: 0.5, sanctions: 0.5}
    salience: {territory: 1}
battlefield:
  issue: territory
  initial_control: 0.2
  drift: 0.01
  sides: {a: [moscow], b: [kyiv]}
  support: [{patron: us, to: kyiv, amount: 0.5, effectiveness: 0.8}]
protocol:
  recognition: {kyiv: 0.4, moscow: 0.4, us: 0.2}
  quota: 2
proposals:
  plan: {terms: {territory: 0.5, sanctions: 0.5, budget: {kyiv: 0.5, moscow: 0.5}}}
stage_games:
  pressure:
    row: us
    col: moscow
    row_strategies: [push, wait]
    col_strategies: [talk, stall]
    row_payoffs: [[3, 1], [2, 0]]
    col_payoffs: [[1, 2], [2, 3]]
regimes:
  initial: calm
  samples: 10
  states:
    calm: {}
    erratic: {changes: {actors.us.discount: 0.8}}
  transition:
    calm: {calm: 0.9, erratic: 0.1}
    erratic: {calm: 0.3, erratic: 0.7}
uncertainty:
  actors.moscow.discount: {dist: uniform, low: 0.9, high: 0.99}
  battlefield.drift: {dist: normal, mean: 0.01, sd: 0.005}
  actors.kyiv.war_cost: {dist: choice, values: [0.01, 0.02], weights: [0.5, 0.5]}
"""


def _problems(text: str) -> list[negsim.Problem]:
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(text)
    return list(info.value.problems)


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every value of a plain-data tree with its path, containers included."""
    out = [(path, node)] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _leaves(value, (*path, i))
    return out


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copy


def test_rich_scenario_is_valid():
    s = negsim.load_text(RICH)
    assert s.warnings == ()


# -- item 5: yes/no values are not numbers -------------------------------------------------
def _numbers(data: Any) -> list[tuple[Any, ...]]:
    return [
        path
        for path, value in _leaves(data)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]


@pytest.mark.parametrize("flag", [True])
def test_every_number_of_the_schema_refuses_a_yes_no_value(flag: bool):
    data = yaml.safe_load(RICH)
    paths = _numbers(data)
    assert len(paths) > 60  # every numeric field of the rich scenario, schedules included
    for path in paths:
        text = yaml.safe_dump(_replaced(data, path, flag), sort_keys=False)
        problems = _problems(text)
        found = f"found {str(flag).lower()} (a yes/no value)"
        assert any(found in p.message for p in problems), (path, problems)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("rounds: 4", "rounds: yes", 2, "expected a whole number, found true (a yes/no value)"),
        ("discount: 0.9", "discount: {value: true}", 6, "expected a number, found true"),
        ("discount: 0.9", "discount: {value: 'on'}", 6, "expected a number, found text 'on'"),
        ("discount: 0.9", "discount: '0.9'", 6, "found text '0.9'"),
        ("discount: 0.9", "discount: 0.9, veto: 1", 6, "expected true or false, found 1"),
    ],
)
def test_yes_no_and_text_are_refused_with_the_line(old, new, line, message):
    problems = _problems(MINIMAL.replace(old, new, 1))
    assert [(p.line, message in p.message) for p in problems] == [(line, True)], problems


def test_whole_numbers_from_a_sweep_still_load():
    # a sweep sets values as floats: 8.0 rounds is 8 rounds, 8.5 is an error
    s = negsim.load_text(MINIMAL).with_changes({"rounds": 8.0})
    assert s.rounds == 8
    with pytest.raises(ScenarioError, match="expected a whole number, found 8.5"):
        s.with_changes({"rounds": 8.5})


def test_regime_changes_are_checked_like_the_file():
    text = RICH.replace("actors.us.discount: 0.8", "actors.us.discount: yes")
    (problem,) = _problems(text)
    assert problem.path == "regimes.states.erratic.changes.actors.us.discount"
    assert (
        problem.line
        == text.splitlines().index("    erratic: {changes: {actors.us.discount: yes}}") + 1
    )
    assert "found true (a yes/no value)" in problem.message
    (problem,) = _problems(RICH.replace("actors.us.discount: 0.8", "actors.us.discount: 1.5"))
    assert problem.message == "expected a value in (0, 1], found 1.5"


# -- item 6: contradictions inside one actor -------------------------------------------------
ACTOR = """\
name: t
rounds: 6
issues:
  territory: {kind: position}
  budget: {kind: pie, among: [kyiv, moscow]}
actors:
  kyiv:
    discount: 0.9
    ideal: {territory: 0.4}
    salience: {territory: 1, budget: 1}
    red_lines:
      territory: {min: 0.2, max: 0.6}
    reservation: 0.5
  moscow: {discount: 0.95, ideal: {territory: 1}, salience: {territory: 1}}
"""


def test_consistent_actor_loads():
    negsim.load_text(ACTOR)


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "message"),
    [
        (
            "{min: 0.2, max: 0.6}",
            "{min: 0.7, max: 0.6}",
            12,
            "actors.kyiv.red_lines.territory.min",
            "red line min 0.7 is above its max 0.6 (line 12): no position of 'territory' "
            "satisfies both",
        ),
        (
            "{min: 0.2, max: 0.6}",
            "{min: {kind: linear, start: 0.2, slope: 0.1}, max: 0.6}",
            12,
            "actors.kyiv.red_lines.territory.min",
            "red line min 0.7 is above its max 0.6 (line 12) at round 5",
        ),
        (
            "ideal: {territory: 0.4}",
            "ideal: {territory: 0.1}",
            9,
            "actors.kyiv.ideal.territory",
            "ideal point 0.1 is below its red line min 0.2 (line 12): the actor would refuse "
            "its own ideal",
        ),
        (
            "ideal: {territory: 0.4}",
            "ideal: {territory: 0.9}",
            9,
            "actors.kyiv.ideal.territory",
            "ideal point 0.9 is above its red line max 0.6 (line 12)",
        ),
        (
            "reservation: 0.5",
            "reservation: 1.01",
            13,
            "actors.kyiv.reservation",
            "reservation 1.01 is above 1, the best utility any deal gives this actor",
        ),
    ],
)
def test_contradiction_names_both_fields_and_lines(old, new, line, path, message):
    (problem,) = _problems(ACTOR.replace(old, new))
    assert (problem.line, problem.path) == (line, path)
    assert message in problem.message


def test_reservation_above_best_counts_pies_the_actor_has_no_share_of():
    # kyiv has half its salience on a pie it is not among: its best utility is 0.5
    # (territory at its ideal), by the utility u = sum s_k (1 - |x_k - ideal_k|) / sum s
    text = ACTOR.replace("among: [kyiv, moscow]", "among: [moscow]")
    (problem,) = _problems(text.replace("reservation: 0.5", "reservation: 0.51"))
    assert "reservation 0.51 is above 0.5" in problem.message
    negsim.load_text(text)  # 0.5 is reachable: the deal at kyiv's ideal


# -- item 7: the key's own line, every error kind, block and flow ---------------------------
BLOCK = """\
name: t
rounds: 4
issues:
  territory: {kind: position}
actors:
  moscow: {discount: 0.95}
  kyiv:
    discount: 0.9
"""


@pytest.mark.parametrize(
    ("tail", "line", "column", "fragment"),
    [
        # unknown key, block value / flow value / scalar value
        ("    saliance:\n      territory: 1\n", 9, 5, "unknown field 'saliance'"),
        ("    saliance: {territory: 1}\n", 9, 5, "unknown field 'saliance'"),
        ("    saliance: [1]\n", 9, 5, "unknown field 'saliance'"),
        ("    weather: sunny\n", 9, 5, "unknown field 'weather'"),
        (
            "    deadlines:\n      - {round: 1, penalty: 1, when: 3}\n",
            10,
            32,
            "unknown field 'when'",
        ),
        # bad value: a block, a flow collection, a scalar
        ("    salience:\n      - 1\n", 9, 5, "expected a mapping, found a list [1]"),
        ("    salience: [1]\n", 9, 5, "expected a mapping, found a list [1]"),
        ("    war_cost: -1\n", 9, 15, "expected a value in [0, inf], found -1"),
        ("    war_cost:\n      kind: linar\n", 10, 13, "unknown schedule kind 'linar'"),
        ("    war_cost: {kind: linar}\n", 9, 22, "unknown schedule kind 'linar'"),
        ("    horizon:\n      weight_after: 0.5\n", 9, 5, "missing required field 'rounds'"),
        ("    horizon: {weight_after: 0.5}\n", 9, 5, "missing required field 'rounds'"),
        ("    red_lines:\n", 9, 5, "expected a mapping, found nothing"),
    ],
)
def test_located_at_the_key(tail: str, line: int, column: int, fragment: str):
    problems = _problems(BLOCK + tail)
    matches = [p for p in problems if fragment in p.message]
    assert matches, problems
    assert (matches[0].line, matches[0].column) == (line, column), matches[0]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (
            "name: t\nrounds: 4\nissues: {territory: {}}\nactors:\n  kyiv:\n    ideal: {}\n"
            "  moscow: {discount: 0.9}\n",
            5,
            3,
        ),
        (
            "name: t\nrounds: 4\nissues: {territory: {}}\n"
            "actors: {kyiv: {ideal: {}}, moscow: {discount: 0.9}}\n",
            4,
            10,
        ),
    ],
)
def test_missing_field_is_located_at_the_key_of_its_mapping(text: str, line: int, column: int):
    (problem,) = _problems(text)
    assert problem.message == "missing required field 'discount'"
    assert (problem.line, problem.column) == (line, column)


# -- item 8: what a path is -----------------------------------------------------------------
@pytest.fixture
def odd_paths(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    ring_a, ring_b = tmp_path / "ring_a", tmp_path / "ring_b"
    ring_a.symlink_to(ring_b)
    ring_b.symlink_to(ring_a)
    broken = tmp_path / "broken.yaml"
    broken.symlink_to(tmp_path / "gone.yaml")
    return {"folder": folder, "fifo": fifo, "loop": loop, "ring": ring_a, "broken": broken}


ODD = {
    "folder": "is a folder, not a scenario file",
    "fifo": "is not a regular file but a named pipe (FIFO); expected a YAML file",
    "loop": "symlink loop: the link leads back to itself, so there is no file to read",
    "ring": "symlink loop: the link leads back to itself, so there is no file to read",
    "broken": "broken symlink: its target ",
}


@pytest.mark.parametrize("kind", sorted(ODD))
def test_api_names_what_the_path_is(odd_paths, kind: str):
    for load in (negsim.load, load_file):
        with pytest.raises(ScenarioError) as info:
            load(odd_paths[kind])
        (problem,) = info.value.problems
        assert problem.message.startswith(ODD[kind]), problem
        assert problem.file == str(odd_paths[kind])


@pytest.mark.parametrize("kind", sorted(ODD))
def test_extends_names_what_the_base_is(odd_paths, kind: str, tmp_path: Path):
    variant = tmp_path / "variant.yaml"
    variant.write_text(f"extends: {odd_paths[kind].name}\nrounds: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        negsim.load(variant)
    (problem,) = info.value.problems
    assert problem.message.startswith(f"base file {odd_paths[kind]}: {ODD[kind]}"), problem
    assert (problem.line, problem.path) == (1, "extends")


def _run(exe: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize("kind", sorted(ODD))
def test_executable_names_what_the_path_is(negsim_exe: str, odd_paths, kind: str, tmp_path):
    name = odd_paths[kind].name
    explain = _run(negsim_exe, "explain", name, cwd=tmp_path)
    assert explain.returncode == 2
    assert explain.stdout == ""
    (line,) = explain.stderr.splitlines()
    assert line.startswith(f"error: {name}: {ODD[kind]}")
    validate = _run(negsim_exe, "validate", name, cwd=tmp_path)
    assert validate.returncode == 2
    assert validate.stdout.splitlines()[1].startswith(f"  {name}: {ODD[kind]}")
    (tmp_path / "v.yaml").write_text(f"extends: {name}\n", encoding="utf-8")
    through = _run(negsim_exe, "explain", "v.yaml", cwd=tmp_path)
    assert through.returncode == 2
    (line,) = through.stderr.splitlines()
    assert line.startswith("error: v.yaml:1:10: extends: base file ")
    assert ODD[kind] in line
    assert "internal error" not in explain.stderr + validate.stderr + through.stderr


# -- item 12: the user's words only ---------------------------------------------------------
HOSTILE = [None, "text", [[0, 1, 2]], {"x": 1}]
RAW = (
    "after validation",
    "Input should be",
    "None",
    "Value error",
    "pydantic",
    "function-",
    "dict[",
    "Tuple",
    "valid integer",
    "valid number",
    "nothing nothing",
)


def test_no_pydantic_wording_over_a_corpus_of_malformed_values():
    data = yaml.safe_load(RICH)
    checked = 0
    for path, _ in _leaves(data):
        for value in HOSTILE:
            text = yaml.safe_dump(_replaced(data, path, value), sort_keys=False)
            try:
                negsim.load_text(text)
            except ScenarioError as exc:
                for problem in exc.problems:
                    assert problem.line is not None, (path, value, problem)
                    leaked = [w for w in RAW if w in problem.message]
                    assert not leaked, (path, value, str(problem))
                checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "actors:\n  kyiv",
            "actors: null\nx:\n  kyiv",
            "expected a mapping, found nothing",
        ),
        (
            "discount: 0.9",
            "discount: {kind: piecewise, points: [[0, 0.9, 1]]}",
            "expected a pair [round, value], found 3 entries: [0, 0.9, 1]",
        ),
        (
            "discount: 0.9",
            "discount: {kind: piecewise, points: [[0]]}",
            "expected a pair [round, value], found 1 entry: [0]",
        ),
        (
            "discount: 0.9",
            "discount: {kind: piecewise, points: [7]}",
            "expected a pair [round, value], found 7",
        ),
        ("rounds: 4", "rounds: 4\nstart_date: 12", "expected a date YYYY-MM-DD, found 12"),
        (
            "rounds: 4",
            "rounds: 4\nterminal: peace",
            "expected one of 'war' or 'stationary', found text 'peace'",
        ),
    ],
)
def test_malformed_values_in_user_words(old: str, new: str, message: str):
    problems = _problems(MINIMAL.replace(old, new, 1))
    assert any(p.message == message for p in problems), problems


# -- item 14: every problem at once, warnings, explain --------------------------------------
def test_unknown_fields_do_not_hide_semantic_problems():
    text = MINIMAL.replace("kyiv: {discount: 0.9,", "kyiv: {discunt: 1.5, war_cost: -1, foo: 1,")
    text += "protocol: {proposers: [kyiv, mocsow]}\n"
    found = [(p.path, p.message.split(";")[0]) for p in _problems(text)]
    assert found == [
        ("actors.kyiv.discunt", "unknown field 'discunt' (did you mean 'discount'?)"),
        ("actors.kyiv.discount", "expected a value in (0, 1], found 1.5"),
        ("actors.kyiv.war_cost", "expected a value in [0, inf], found -1"),
        ("actors.kyiv.foo", "unknown field 'foo'"),
        ("protocol.proposers.1", "unknown actor 'mocsow' (did you mean 'moscow'?)"),
    ]


def test_a_bad_required_value_does_not_hide_the_rest():
    text = MINIMAL.replace("discount: 0.9,", "discount: yes, war_cost: -1,")
    found = [(p.line, p.path) for p in _problems(text)]
    assert found == [(6, "actors.kyiv.discount"), (6, "actors.kyiv.war_cost")]


WARN = MINIMAL.replace(
    "  territory: {kind: position}\n",
    "  territory: {kind: position}\n  budget: {kind: pie, among: [kyiv, moscow], war_value: 0.3}\n",
).replace(
    "kyiv: {discount: 0.9,",
    "kyiv: {discount: 0.9, horizon: {rounds: 9},"
    " war_cost: {kind: steps, initial: 0, steps: [{round: 2, value: 1}, {round: 6, value: 2}]},",
)


def test_values_with_no_effect_are_warnings():
    s = negsim.load_text(WARN)
    found = [(w.line, w.path, w.message) for w in s.warnings]
    assert found == [
        (
            5,
            "issues.budget.war_value",
            "has no effect: a pie issue has no war value (nobody gets a share)",
        ),
        (
            7,
            "actors.kyiv.horizon.rounds",
            "has no effect: the horizon ends after round 8, past the last round 3",
        ),
        (7, "actors.kyiv.war_cost", "has no effect from round 6: the last round is 3"),
    ]


def test_horizon_ending_at_the_last_round_is_not_a_warning():
    s = negsim.load_text(WARN.replace("horizon: {rounds: 9}", "horizon: {rounds: 4}"))
    assert [w.path for w in s.warnings] == ["issues.budget.war_value", "actors.kyiv.war_cost"]


FIRST_EDITION = (
    Path(__file__).resolve().parent / "data" / "ukraine_first_edition" / "ukraine_2025.yaml"
)


def test_base_values_every_regime_overrides_are_warned_in_the_first_edition():
    """The first edition of ukraine_2025 had these dead fields (the second has none)."""
    s = negsim.load(FIRST_EDITION)
    text = Path(s.source_file).read_text(encoding="utf-8").splitlines()
    found = {w.path: w for w in s.warnings}
    assert set(found) == {"actors.us.ideal.territory", "battlefield.support.0.amount"}
    assert text[found["actors.us.ideal.territory"].line - 1].strip().startswith("territory:")
    assert (
        "every regime (pressure_ukraine, pressure_russia)"
        in found["battlefield.support.0.amount"].message
    )


def test_validate_executable_shows_warnings_and_passes(negsim_exe: str, tmp_path: Path):
    path = tmp_path / "warn.yaml"
    path.write_text(WARN, encoding="utf-8")
    result = _run(negsim_exe, "validate", "warn.yaml", str(FIRST_EDITION), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "warn.yaml: OK (3 warnings)"
    assert lines[1] == (
        "  warning: warn.yaml:5:57: issues.budget.war_value: has no effect: a pie issue has "
        "no war value (nobody gets a share)"
    )
    assert f"{FIRST_EDITION}: OK (2 warnings)" in lines
    assert any("actors.us.ideal.territory: has no effect" in line for line in lines)


def test_explain_says_when_a_step_happens(negsim_exe: str, tmp_path: Path):
    text = MINIMAL.replace(
        "kyiv: {discount: 0.9,",
        "kyiv: {discount: 0.9, war_cost: {kind: steps, initial: 0, "
        "steps: [{round: 4, value: 0.004}], why: 'from week 4'},",
    ).replace("rounds: 4", "rounds: 8")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    result = _run(negsim_exe, "explain", "s.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (row,) = [line for line in result.stdout.splitlines() if "war_cost" in line]
    assert "0 until round 4, then 0.004" in row
    assert "from week 4" in row


@pytest.mark.parametrize(("written", "value"), [("1e-3", 1e-3), ("1.0e6", 1e6), (".5E-2", 5e-3)])
def test_exponent_numbers_are_numbers(written, value):
    # PyYAML reads YAML 1.1, where `1e-3` is text; the schema's strict numbers would then
    # refuse what every user means as a number (YAML 1.2 float).
    text = MINIMAL.replace("discount: 0.9,", f"discount: 0.9, war_cost: {written},")
    assert text != MINIMAL
    scenario = negsim.load_text(text)
    assert scenario.actors["kyiv"].war_cost.value == value


def test_text_that_looks_like_an_exponent_round_trips():
    # The reader takes `0E0` as a number (YAML 1.2); the writer must then quote the text
    # `0E0`, or a scenario named so could not be read back (found by the fuzzer).
    text = MINIMAL.replace("name: minimal", "name: 0E0x").replace("0E0x", "'0E0'")
    scenario = negsim.load_text(text)
    assert scenario.name == "0E0"
    assert negsim.load_text(scenario.to_yaml()).name == "0E0"
