"""The ``negsim`` command, run in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import negsim
from negsim.cli import cli, explain_rows, scenario_json_schema, summarise
from negsim.schedules import Constant, Exponential, Linear, Piecewise, Step, Steps

SCHEMA_FILE = Path(__file__).parents[1] / "scenarios" / "schema.json"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"negsim, version {negsim.__version__}\n"


def test_every_subcommand_has_an_example_in_its_help(runner: CliRunner):
    assert set(cli.commands) >= {"list", "validate", "explain", "schema"}
    for name in cli.commands:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, name
        assert f"negsim {name}" in result.output, name


def test_list_shows_every_shipped_scenario(runner: CliRunner):
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "TITLE", "ROUNDS", "ACTORS"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == list(negsim.available())
    rubinstein = next(line for line in lines if line.startswith("textbook/rubinstein "))
    assert "Rubinstein alternating offers" in rubinstein
    assert "2 rounds" in rubinstein
    assert rubinstein.endswith("alice, bob")


def test_validate_ok_and_mixed(runner: CliRunner, write, minimal: str):
    good = write("good.yaml", minimal)
    result = runner.invoke(cli, ["validate", str(good), "textbook/rubinstein"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"{good}: OK", "textbook/rubinstein: OK"]

    bad = write("bad.yaml", minimal.replace("discount: 0.9,", "discount: 1.9,"))
    result = runner.invoke(cli, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{good}: OK",
        f"{bad}: INVALID (1 problem)",
        f"  {bad}:6:20: actors.kyiv.discount: expected a value in (0, 1], found 1.9",
    ]
    assert result.stderr == "1 of 2 scenarios invalid\n"


def test_validate_unknown_name_suggests_the_nearest(runner: CliRunner):
    result = runner.invoke(cli, ["validate", "rubinstien"])
    assert result.exit_code == 2
    assert "no scenario named 'rubinstien' (did you mean 'textbook/rubinstein'?)" in result.stdout


def test_validate_needs_an_argument(runner: CliRunner):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_explain_shows_why_quotes_and_structure(runner: CliRunner):
    result = runner.invoke(cli, ["explain", "textbook/rubinstein"], terminal_width=200)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "rubinstein: Rubinstein alternating offers"
    assert lines[1].startswith("Source: Rubinstein, A. (1982)")
    rows = {line.split()[0]: line for line in lines[3:]}
    assert rows["PARAMETER"].split() == ["PARAMETER", "VALUE", "WHY"]
    assert rows["rounds"].split() == ["rounds", "2", "rounds"]
    assert rows["actors.alice.discount"].split()[:2] == ["actors.alice.discount", "0.9"]
    assert rows["actors.alice.discount"].endswith("Alice discounts each round of delay by 0.9.")
    assert rows["actors.bob.discount"].endswith(
        "0.8                                Bob is less patient."
    )
    assert "alice -> bob" in rows["protocol.proposers"]


def test_explain_rows_for_schedules_and_nested_why(write, minimal: str):
    text = minimal.replace(
        "kyiv: {discount: 0.9,",
        "kyiv: {discount: {kind: linear, start: 0.97, slope: -0.0233333333, why: 'Patience wanes.'},"
        " horizon: {rounds: 3, why: 'Elections in spring.'},",
    )
    s = negsim.load(write("s.yaml", text))
    rows = {path: (value, why) for path, value, why in explain_rows(s)}
    assert rows["actors.kyiv.discount"] == ("0.97 -> 0.9 linear", "Patience wanes.")
    assert rows["actors.kyiv.horizon"] == ("rounds: 3, weight_after: 0", "Elections in spring.")
    assert rows["actors.moscow.discount"] == ("0.95", "")
    assert rows["issues.territory"] == ("position", "")
    assert "actors.kyiv.war_cost" not in rows
    everything = {path for path, _, _ in explain_rows(s, show_all=True)}
    assert {"actors.kyiv.war_cost", "actors.moscow.salience.territory"} <= everything


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (Constant(value=0.9), "0.9"),
        (Linear(kind="linear", start=0.97, slope=-0.02, min=0.9), "0.97 -> 0.9 linear"),
        (Exponential(kind="exponential", start=1.0, rate=-0.5), "1 -> 0.0625 exponential"),
        (
            Steps(kind="steps", initial=0.0, steps=[Step(round=2, value=5.0)]),
            "0 until round 2, then 5",
        ),
        (Piecewise(kind="piecewise", points=[(0, 0.2), (2, 0.6)]), "0.2 -> 0.6 piecewise"),
    ],
)
def test_summarise_schedules(schedule, expected: str):
    assert summarise(schedule, 5) == expected


def test_explain_bad_file_exits_2_with_one_line_per_problem(runner: CliRunner, write, minimal):
    bad = write("bad.yaml", minimal.replace("discount: 0.9,", "discount: -1, war_cost: -2,"))
    result = runner.invoke(cli, ["explain", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {bad}:6:20: actors.kyiv.discount: expected a value in (0, 1], found -1",
        f"error: {bad}:6:34: actors.kyiv.war_cost: expected a value in [0, inf], found -2",
    ]


def test_debug_flag_lets_the_exception_through(runner: CliRunner, write):
    bad = write("bad.yaml", "rounds: [")
    result = runner.invoke(cli, ["--debug", "explain", str(bad)])
    assert isinstance(result.exception, negsim.ScenarioError)


def test_internal_errors_are_short_without_debug(runner: CliRunner, monkeypatch):
    def boom(_name):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("negsim.catalog.load_file", boom)
    result = runner.invoke(cli, ["explain", "textbook/rubinstein"])
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == "negsim: internal error: ZeroDivisionError: division by zero"
    )
    assert "Traceback" not in result.output


def test_schema_prints_json_schema(runner: CliRunner):
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Scenario"
    assert set(schema["required"]) == {"name", "rounds", "issues", "actors"}
    discount = schema["$defs"]["Actor"]["properties"]["discount"]
    # a bare number is a constant schedule in YAML, so the schema must accept one
    assert {"type": "number"} in discount["oneOf"][0]["anyOf"]


def test_committed_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == scenario_json_schema(), (
        "scenarios/schema.json is stale; regenerate it with: negsim schema > scenarios/schema.json"
    )
