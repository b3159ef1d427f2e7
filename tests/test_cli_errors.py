"""Bad input: every broken file in ``tests/bad_scenarios/`` gives a located, readable error.

One table drives two tests: through the Python API (``negsim.load`` raises
:class:`~negsim.ScenarioError` with the expected line and message) and through the installed
``negsim`` executable (exit code 2, file name and line in the output, never a traceback).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import negsim
from negsim import ScenarioError
from negsim.yaml_source import MAX_BYTES

BAD_DIR = Path(__file__).parent / "bad_scenarios"

# file -> (line of the problem, fragment of its message[, file the problem is located in])
BAD = {
    "alias_bomb.yaml": (2, "document expands to more than 50,000 values (alias bomb?)"),
    "battlefield_unknown_actor.yaml": (14, "unknown actor 'kiev' (did you mean 'kyiv'?)"),
    "comments_only.yaml": (1, "file is empty"),
    "deadline_after_last_round.yaml": (9, "round 12 is past the last round 5"),
    "deeply_nested.yaml": (14, "document nests deeper than 64 levels"),
    "discount_above_one.yaml": (7, "expected a value in (0, 1], found 1.2"),
    "discount_schedule_leaves_range.yaml": (8, "expected a value in (0, 1], found 1.05 at round 3"),
    "discount_zero.yaml": (8, "expected a value in (0, 1], found 0"),
    "duplicate_key.yaml": (9, "duplicate key 'discount' (first defined on line 8)"),
    "empty.yaml": (1, "file is empty"),
    "extends_cycle_a.yaml": (
        2,
        "extends cycle: extends_cycle_a.yaml -> extends_cycle_b.yaml -> extends_cycle_a.yaml",
        "extends_cycle_b.yaml",
    ),
    "extends_cycle_b.yaml": (
        2,
        "extends cycle: extends_cycle_b.yaml -> extends_cycle_a.yaml -> extends_cycle_b.yaml",
        "extends_cycle_a.yaml",
    ),
    "extends_missing_base.yaml": (2, "base file not found: "),
    "ideal_out_of_range.yaml": (7, "expected a value in [0, 1], found 1.5"),
    "inf_value.yaml": (7, "expected a finite number, found inf"),
    "malformed_yaml.yaml": (8, "invalid YAML: expected ',' or '}'"),
    "merge_key.yaml": (8, "merge keys ('<<') are not supported"),
    "nan_value.yaml": (7, "expected a finite number, found nan"),
    "negative_cost.yaml": (7, "expected a value in [0, inf], found -0.2"),
    "non_mapping_root.yaml": (2, "expected a mapping of scenario fields, found a list"),
    "non_utf8.yaml": (7, "file is not UTF-8 text (byte 0xef"),
    "pie_shares_not_summing.yaml": (12, "shares must be non-negative and sum to 1, found 1.3"),
    "proposal_missing_issue.yaml": (12, "missing terms for issue 'sanctions'"),
    "protocol_unknown_actor.yaml": (10, "unknown actor 'mocsow' (did you mean 'moscow'?)"),
    "python_tag.yaml": (7, "tag '!!python/object/apply:os.system' is not allowed"),
    "recognition_not_summing.yaml": (10, "recognition probabilities must sum to 1, found 0.9"),
    "regime_transition_not_summing.yaml": (15, "transition probabilities must sum to 1, found 1.1"),
    "salience_unknown_issue.yaml": (7, "unknown issue 'teritory' (did you mean 'territory'?)"),
    "schedule_unknown_kind.yaml": (8, "unknown schedule kind 'linar'"),
    "several_errors.yaml": (7, "expected a value in (0, 1], found 1.5"),
    "stage_game_unknown_actor.yaml": (12, "unknown actor 'usa'; defined: kyiv, moscow"),
    "stage_game_wrong_shape.yaml": (16, "expected a 2x2 matrix (strategies), found 2x3"),
    "tabs.yaml": (8, "indent with spaces, not tabs"),
    "too_few_actors.yaml": (6, "expected at least 2 entries, found 1"),
    "typo_field.yaml": (8, "unknown field 'discunt' (did you mean 'discount'?)"),
    "uncertainty_bad_path.yaml": (
        10,
        "no field 'discont' in actors.kyiv (did you mean 'discount'?)",
    ),
    "unknown_key.yaml": (9, "unknown field 'weather'; expected one of: actors,"),
    "wrong_type.yaml": (3, "expected a whole number, found text 'many'"),
    # issue 13: yes/no values are not numbers, contradictions inside one actor, the key's
    # own line for blocks, user words for malformed values
    "bool_rounds.yaml": (3, "expected a whole number, found true (a yes/no value)"),
    "bool_schedule_value.yaml": (7, "expected a number, found true (a yes/no value)"),
    "red_line_crossed.yaml": (12, "red line min 0.7 is above its max 0.3 (line 12)"),
    "reservation_above_best.yaml": (12, "reservation 0.8 is above 0.5, the best utility"),
    "ideal_outside_red_line.yaml": (9, "ideal point 0.1 is below its red line min 0.2 (line 11)"),
    "unknown_block_key.yaml": (9, "unknown field 'saliance' (did you mean 'salience'?)"),
    "piecewise_point_three.yaml": (
        8,
        "expected a pair [round, value], found 3 entries: [3, 0.8, 1]",
    ),
    "actors_null.yaml": (6, "expected a mapping, found nothing"),
}


def _expect(name: str) -> tuple[int, str, str]:
    line, fragment, *located = BAD[name]
    return line, fragment, located[0] if located else name


def test_table_covers_the_corpus():
    on_disk = {p.name for p in BAD_DIR.glob("*.yaml") if not p.name.startswith("valid_")}
    assert on_disk == set(BAD)
    assert len(BAD) >= 24


@pytest.mark.parametrize("name", sorted(BAD))
def test_api_reports_line_and_message(name: str):
    line, fragment, located = _expect(name)
    with pytest.raises(ScenarioError) as info:
        negsim.load(BAD_DIR / name)
    matches = [p for p in info.value.problems if fragment in p.message]
    assert matches, f"no problem mentions {fragment!r}: {info.value}"
    problem = matches[0]
    assert problem.line == line, str(problem)
    assert Path(problem.file).name == located
    # str(error) lists the problem in file:line form, one per line
    assert f"{located}:{line}" in str(info.value)


def test_several_errors_are_all_reported():
    with pytest.raises(ScenarioError) as info:
        negsim.load(BAD_DIR / "several_errors.yaml")
    found = [(p.line, p.path, p.message) for p in info.value.problems]
    assert found == [
        (7, "actors.kyiv.discount", "expected a value in (0, 1], found 1.5"),
        (7, "actors.kyiv.war_cost", "expected a value in [0, inf], found -1"),
        (8, "actors.moscow.salience.sanctions", "unknown issue 'sanctions'; defined: territory"),
    ]
    assert str(info.value).startswith("3 problems in scenario:")


def test_typo_is_not_also_reported_as_missing_field():
    with pytest.raises(ScenarioError) as info:
        negsim.load(BAD_DIR / "typo_field.yaml")
    assert [p.path for p in info.value.problems] == ["actors.kyiv.discunt"]


def test_alias_bomb_is_rejected_fast():
    # The expansion is cut at MAX_NODES values; a hang would fail through pytest-timeout.
    with pytest.raises(ScenarioError, match="alias bomb"):
        negsim.load(BAD_DIR / "alias_bomb.yaml")


def test_python_tag_is_never_run(tmp_path: Path, write):
    marker = tmp_path / "pwned"
    path = write("evil.yaml", f"rounds: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ScenarioError, match="is not allowed"):
        negsim.load(path)
    assert not marker.exists()


def test_huge_file_is_refused(tmp_path: Path, minimal: str):
    path = tmp_path / "huge.yaml"
    padding = "# " + "x" * 98 + "\n"
    path.write_text(minimal + padding * (MAX_BYTES // len(padding) + 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        negsim.load(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert f"scenario files are limited to {MAX_BYTES:,} bytes" in problem.message


def test_bom_and_crlf_file_loads():
    s = negsim.load(BAD_DIR / "valid_bom_crlf.yaml")
    assert s.name == "bom_crlf"
    assert s.actors["kyiv"].label == "Ky\u00efv"
    assert s.issues["territory"].label == "Territory \u2014 share recognised"
    assert s.rounds == 3


def test_load_text_rejects_non_mapping_and_names_the_type():
    with pytest.raises(ScenarioError, match="expected a mapping of scenario fields, found 7"):
        negsim.load_text("7")


# -- through the installed executable ---------------------------------------------------------
def _run(exe: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def test_validate_executable_on_whole_corpus(negsim_exe: str):
    names = sorted(BAD)
    result = _run(negsim_exe, "validate", *names, cwd=BAD_DIR)
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert f"{len(names)} of {len(names)} scenarios invalid" in result.stderr
    # split stdout into one block per file: a header line, then indented problems
    blocks: dict[str, list[str]] = {}
    current = ""
    for line in result.stdout.splitlines():
        if line.startswith("  "):
            blocks[current].append(line.strip())
        else:
            current = line.split(": INVALID")[0]
            assert line.endswith(")") and ": INVALID (" in line, line
            blocks[current] = []
    assert set(blocks) == set(names)
    for name in names:
        line, fragment, located = _expect(name)
        assert any(
            problem.startswith(f"{located}:{line}") and fragment in problem
            for problem in blocks[name]
        ), (name, blocks[name])


def test_validate_executable_single_bad_file(negsim_exe: str):
    result = _run(negsim_exe, "validate", str(BAD_DIR / "discount_above_one.yaml"))
    assert result.returncode == 2
    assert (
        "discount_above_one.yaml:7:20: actors.kyiv.discount: expected a value in (0, 1], found 1.2"
        in result.stdout
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_executable_huge_file(negsim_exe: str, tmp_path: Path, minimal: str):
    path = tmp_path / "huge.yaml"
    path.write_text(minimal + "#" * (MAX_BYTES + 10) + "\n", encoding="utf-8")
    result = _run(negsim_exe, "validate", str(path))
    assert result.returncode == 2
    assert "huge.yaml: file is" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_explain_executable_bad_file_is_short_and_debug_shows_traceback(negsim_exe: str):
    path = str(BAD_DIR / "nan_value.yaml")
    plain = _run(negsim_exe, "explain", path)
    assert plain.returncode == 2
    assert plain.stdout == ""
    assert plain.stderr.splitlines() == [
        f"error: {path}:7:20: actors.kyiv.discount: expected a finite number, found nan"
    ]
    debug = _run(negsim_exe, "--debug", "explain", path)
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr
    assert "ScenarioError" in debug.stderr
