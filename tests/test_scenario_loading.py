"""Loading scenarios: ``extends:`` overlays, ``with_changes``, YAML round trips, schedules."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import negsim
from negsim import Scenario, ScenarioError
from negsim.schedules import Constant, Exponential, Linear, Piecewise, Step, Steps, evaluate
from negsim.yaml_source import parse_yaml

BASE = """\
name: base
title: Base war
rounds: 6
issues:
  territory: {kind: position, war_value: 0.3}
  sanctions: {kind: position}
actors:
  kyiv:
    discount: 0.9
    ideal: {territory: 0, sanctions: 1}
    salience: {territory: 3, sanctions: 1}
    war_cost: 0.05
  moscow:
    discount: {value: 0.95, why: "Moscow believes time is on its side."}
    ideal: {territory: 1, sanctions: 0}
    salience: {territory: 1}
    deadlines: [{round: 2, penalty: 0.1}, {round: 4, penalty: 0.2}]
protocol:
  proposers: [kyiv, moscow]
"""


@pytest.fixture
def base_file(write) -> Path:
    return write("base.yaml", BASE)


# -- extends ------------------------------------------------------------------------------
class TestExtends:
    def test_variant_overrides_one_discount_and_keeps_the_rest(self, base_file: Path, write):
        variant = write(
            "variants/patient.yaml", "extends: ../base.yaml\nactors:\n  moscow: {discount: 0.99}\n"
        )
        base, s = negsim.load(base_file), negsim.load(variant)
        assert s.name == "patient"  # the variant's own file name, not the base's
        assert s.title == "Base war"
        assert s.actors["moscow"].discount.value == 0.99
        assert s.actors["moscow"].discount.why is None  # the whole schedule was replaced
        assert s.actors["moscow"].ideal == base.actors["moscow"].ideal
        assert s.actors["moscow"].deadlines == base.actors["moscow"].deadlines
        assert s.actors["kyiv"] == base.actors["kyiv"]
        assert s.issues == base.issues
        why = "Moscow believes time is on its side."
        restored = s.with_changes({"actors.moscow.discount": {"value": 0.95, "why": why}})
        assert restored.actors == base.actors

    def test_lists_are_replaced_not_appended(self, base_file: Path, write):
        variant = write(
            "v.yaml",
            "extends: base.yaml\nprotocol: {proposers: [moscow]}\n"
            "actors:\n  moscow:\n    deadlines: [{round: 5, penalty: 0.5}]\n",
        )
        s = negsim.load(variant)
        assert s.protocol.proposers == ["moscow"]
        assert [(d.round, d.penalty) for d in s.actors["moscow"].deadlines] == [(5, 0.5)]

    def test_chained_extends(self, base_file: Path, write):
        write("mid.yaml", "extends: base.yaml\nrounds: 8\n")
        top = write("top.yaml", "extends: mid.yaml\nactors: {kyiv: {war_cost: 0.2}}\n")
        s = negsim.load(top)
        assert (s.rounds, s.actors["kyiv"].war_cost.value, s.actors["kyiv"].discount.value) == (
            8,
            0.2,
            0.9,
        )

    def test_error_in_variant_points_at_variant(self, base_file: Path, write):
        variant = write(
            "v.yaml", "# a comment\nextends: base.yaml\nactors:\n  kyiv: {discount: 1.4}\n"
        )
        with pytest.raises(ScenarioError) as info:
            negsim.load(variant)
        (problem,) = info.value.problems
        assert (Path(problem.file).name, problem.line, problem.column) == ("v.yaml", 4, 20)
        assert problem.path == "actors.kyiv.discount"

    def test_error_in_inherited_part_points_at_base(self, write):
        write("base.yaml", BASE.replace("war_cost: 0.05", "war_cost: -0.05"))
        variant = write("v.yaml", "extends: base.yaml\nrounds: 7\n")
        with pytest.raises(ScenarioError) as info:
            negsim.load(variant)
        (problem,) = info.value.problems
        assert (Path(problem.file).name, problem.line) == ("base.yaml", 12)
        assert problem.message == "expected a value in [0, inf], found -0.05"

    def test_inherited_reference_broken_by_variant(self, base_file: Path, write):
        # the variant turns 'sanctions' into a pie issue: its own mistake (no 'among') is
        # located in the variant, the inherited ideal points on it in the base file
        variant = write("v.yaml", "extends: base.yaml\nissues: {sanctions: {kind: pie}}\n")
        with pytest.raises(ScenarioError) as info:
            negsim.load(variant)
        found = [(Path(p.file).name, p.line, p.path) for p in info.value.problems]
        assert found == [
            ("v.yaml", 2, "issues.sanctions.among"),
            ("base.yaml", 10, "actors.kyiv.ideal.sanctions"),
            ("base.yaml", 15, "actors.moscow.ideal.sanctions"),
        ]
        assert info.value.problems[1].message == (
            "unknown position issue 'sanctions'; defined: territory"
        )

    def test_extends_must_be_a_path(self, write):
        with pytest.raises(ScenarioError, match="expected a file path, found 3"):
            negsim.load(write("v.yaml", "extends: 3\n"))

    def test_extends_in_load_text_resolves_against_file(self, base_file: Path):
        s = negsim.load_text("extends: base.yaml\nname: inline\n", file=str(base_file))
        assert (s.name, s.rounds) == ("inline", 6)


# -- with_changes ---------------------------------------------------------------------------
class TestWithChanges:
    def test_valid_change_gives_new_object_and_keeps_old(self, base_file: Path):
        old = negsim.load(base_file)
        new = old.with_changes({"actors.kyiv.discount": 0.8, "rounds": 10})
        assert new is not old
        assert (new.actors["kyiv"].discount.value, new.rounds) == (0.8, 10)
        assert (old.actors["kyiv"].discount.value, old.rounds) == (0.9, 6)
        assert new.actors["moscow"] == old.actors["moscow"]
        assert new.source_file == old.source_file == str(base_file)

    def test_change_can_set_a_schedule_and_an_unset_field(self, base_file: Path):
        s = negsim.load(base_file).with_changes(
            {
                "actors.kyiv.war_cost": {"kind": "linear", "start": 0.05, "slope": 0.01},
                "actors.kyiv.reservation": 0.4,
            }
        )
        assert_allclose(s.series(s.actors["kyiv"].war_cost), [0.05, 0.06, 0.07, 0.08, 0.09, 0.10])
        assert s.actors["kyiv"].reservation.value == 0.4

    def test_bad_path_suggests_nearest(self, base_file: Path):
        with pytest.raises(ScenarioError) as info:
            negsim.load(base_file).with_changes({"actors.kyiv.discont": 0.8})
        (problem,) = info.value.problems
        assert problem.path == "actors.kyiv.discont"
        assert problem.message.startswith(
            "no field 'discont' in actors.kyiv (did you mean 'discount'?)"
        )

    def test_bad_actor_suggests_nearest(self, base_file: Path):
        with pytest.raises(
            ScenarioError, match=r"no field 'kiev' in actors \(did you mean 'kyiv'\?\)"
        ):
            negsim.load(base_file).with_changes({"actors.kiev.discount": 0.8})

    def test_out_of_range_value_is_an_error(self, base_file: Path):
        with pytest.raises(ScenarioError) as info:
            negsim.load(base_file).with_changes({"actors.moscow.discount": 1.5})
        (problem,) = info.value.problems
        assert (problem.path, problem.message) == (
            "actors.moscow.discount",
            "expected a value in (0, 1], found 1.5",
        )

    def test_wrong_type_is_an_error(self, base_file: Path):
        with pytest.raises(
            ScenarioError, match="rounds: expected a whole number, found text .ten."
        ):
            negsim.load(base_file).with_changes({"rounds": "ten"})


# -- YAML round trip ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(negsim.available()))
def test_to_yaml_round_trip_of_shipped_scenarios(name: str):
    s = negsim.load(name)
    text = s.to_yaml()
    again = negsim.load_text(text)
    assert again == s
    assert again.content_hash() == s.content_hash()
    assert again.to_yaml() == text


def test_to_yaml_keeps_issues_and_regimes_with_only_defaults(write):
    text = """\
name: d
rounds: 3
issues: {territory: {}, sanctions: {}}
actors: {a: {discount: 0.9}, b: {discount: 0.8}}
regimes:
  initial: calm
  states: {calm: {}, erratic: {changes: {actors.a.discount: 0.5}}}
  transition: {calm: {calm: 1.0}, erratic: {calm: 0.5, erratic: 0.5}}
"""
    s = negsim.load_text(text)
    again = negsim.load_text(s.to_yaml())
    assert again == s
    assert list(again.issues) == ["territory", "sanctions"]
    assert list(again.regimes.states) == ["calm", "erratic"]


def test_to_yaml_round_trip_keeps_schedules_and_why(base_file: Path):
    s = negsim.load(base_file).with_changes(
        {
            "actors.kyiv.discount": {
                "kind": "steps",
                "initial": 0.9,
                "steps": [{"round": 3, "value": 0.8}],
            }
        }
    )
    text = s.to_yaml()
    assert "Moscow believes time is on its side." in text
    assert negsim.load_text(text) == s


def test_shipped_catalog_is_not_empty():
    assert "textbook/rubinstein" in negsim.available()
    assert negsim.load("textbook/rubinstein").actors["bob"].discount.value == 0.8


# -- schedules ------------------------------------------------------------------------------
class TestSchedules:
    def test_constant(self):
        assert evaluate(Constant(value=0.4), 3).tolist() == [0.4, 0.4, 0.4]

    def test_linear_and_clipping(self):
        assert_allclose(
            evaluate(Linear(kind="linear", start=0.5, slope=0.2), 4), [0.5, 0.7, 0.9, 1.1]
        )
        clipped = Linear(kind="linear", start=0.5, slope=0.2, min=0.0, max=1.0)
        assert_allclose(evaluate(clipped, 5), [0.5, 0.7, 0.9, 1.0, 1.0])
        falling = Linear(kind="linear", start=0.3, slope=-0.2, min=0.0)
        assert_allclose(evaluate(falling, 4), [0.3, 0.1, 0.0, 0.0])

    def test_exponential_and_clipping(self):
        assert_allclose(
            evaluate(Exponential(kind="exponential", start=2.0, rate=-0.5), 4), [2, 1, 0.5, 0.25]
        )
        capped = Exponential(kind="exponential", start=1.0, rate=1.0, max=5.0)
        assert_allclose(evaluate(capped, 5), [1, 2, 4, 5, 5])

    def test_steps(self):
        s = Steps(
            kind="steps", initial=1.0, steps=[Step(round=1, value=2.0), Step(round=3, value=0.5)]
        )
        assert evaluate(s, 5).tolist() == [1.0, 2.0, 2.0, 0.5, 0.5]

    def test_piecewise_interpolates_and_is_flat_beyond_ends(self):
        p = Piecewise(kind="piecewise", points=[(1, 0.0), (3, 1.0)])
        assert_allclose(evaluate(p, 6), [0.0, 0.0, 0.5, 1.0, 1.0, 1.0])

    def test_shape_and_dtype(self):
        values = evaluate(Linear(kind="linear", start=0, slope=1), 7)
        assert values.shape == (7,)
        assert values.dtype == np.float64

    def test_yaml_forms(self):
        text = """\
name: s
rounds: 4
issues: {x: {}}
actors:
  a:
    discount: 0.9
    war_cost: {kind: steps, initial: 0, steps: [{round: 2, value: 0.3}]}
    capacity: {value: 2}
    capability: {kind: piecewise, points: [[0, 1], [3, 4]]}
  b:
    discount: {kind: exponential, start: 0.99, rate: -0.01}
"""
        s = negsim.load_text(text)
        a, b = s.actors["a"], s.actors["b"]
        assert s.series(a.war_cost).tolist() == [0, 0, 0.3, 0.3]
        assert s.series(a.capacity).tolist() == [2, 2, 2, 2]
        assert_allclose(s.series(a.capability), [1, 2, 3, 4])
        assert_allclose(s.series(b.discount), 0.99 * 0.99 ** np.arange(4))

    def test_steps_rounds_must_increase(self):
        with pytest.raises(
            ScenarioError, match=r"step rounds must strictly increase, got \[3, 2\]"
        ):
            negsim.load_text(
                "name: s\nrounds: 4\nissues: {x: {}}\nactors:\n"
                "  a: {discount: {kind: steps, initial: 0.9, steps: [{round: 3, value: 0.8}, {round: 2, value: 0.7}]}}\n"
                "  b: {discount: 0.9}\n"
            )


# -- documentation --------------------------------------------------------------------------
DOCS = Path(__file__).parents[1] / "docs" / "scenario-format.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)


def test_docs_yaml_examples_parse_and_full_scenarios_load():
    blocks = _blocks("yaml")
    assert len(blocks) >= 10
    full = [b for b in blocks if "\nrounds:" in b and "\nactors:" in b]
    assert len(full) == 1
    for block in blocks:
        parse_yaml(block)  # every fragment is valid YAML that the safe reader accepts
    s = negsim.load_text(full[0])
    assert s.actors["alice"].discount.why == "Alice discounts each round of delay by 0.9."


def test_docs_python_example_runs():
    (code,) = _blocks("python")
    exec(compile(code, str(DOCS), "exec"), {})


def test_salience_convention_is_documented():
    """The engine divides an actor's salience weights by their sum each round."""
    docs = DOCS.read_text(encoding="utf-8")
    assert "divided by their sum in every round" in docs
    assert "divided by their sum in every round" in negsim.scenario.__doc__


def test_scenario_is_immutable(base_file: Path):
    s: Scenario = negsim.load(base_file)
    with pytest.raises(Exception, match="frozen"):
        s.rounds = 3  # type: ignore[misc]


def test_docs_mention_every_field_of_the_format():
    from negsim import scenario as sc

    docs = DOCS.read_text(encoding="utf-8")
    models = [getattr(sc, name) for name in sc.__all__ if isinstance(getattr(sc, name), type)]
    models += [Constant, Linear, Exponential, Steps, Piecewise, Step]
    missing = {
        f"{model.__name__}.{field}"
        for model in models
        for field in model.model_fields
        if f"`{field}`" not in docs
        and f"{field}:" not in docs
        and f"{{{field}" not in docs
        and f" {field}," not in docs
        and f", {field}" not in docs
    }
    assert not missing, f"docs/scenario-format.md does not describe: {sorted(missing)}"
