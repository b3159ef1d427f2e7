"""Hostile YAML (issue 8): what tests/bad_scenarios/ does not already cover.

The corpus (tests/test_cli_errors.py) covers the classic billion-laughs bomb, a Python
object tag, a merge key, 100 levels of flow nesting, non-UTF-8 bytes, NaN/inf, tabs, a
huge file and a BOM + CRLF file. Here: memory bounds on alias bombs, every other kind of
tag, merge lists, deep block nesting, recursive aliases, control characters, oversized
numbers and text through ``load_text``. Each case asserts its message; a hang fails
through pytest-timeout (no test asserts a duration, which would depend on the machine).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

import negsim
from negsim import ScenarioError
from negsim.yaml_source import MAX_BYTES, MAX_DEPTH, MAX_NODES

BAD_DIR = Path(__file__).parent / "bad_scenarios"

MINIMAL = """\
name: m
rounds: 2
issues: {x: {}}
actors:
  a: {discount: 0.9, ideal: {x: 0}, salience: {x: 1}}
  b: {discount: 0.9, ideal: {x: 1}, salience: {x: 1}}
"""


def refuse(text: str):
    """The problems ``load_text`` finds in ``text`` (it must refuse it, in time)."""
    with pytest.raises(ScenarioError) as info:  # a hang fails through pytest-timeout
        negsim.load_text(text, file="hostile.yaml")
    return info.value.problems


def _map_bomb(levels: int = 9) -> str:
    # mappings instead of lists: 10 keys per level, 10**10 values once expanded
    keys = ", ".join(f"k{j}: 1" for j in range(10))
    lines = [f"a0: &a0 {{{keys}}}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"k{j}: *a{i - 1}" for j in range(10))
        lines.append(f"a{i}: &a{i} {{{refs}}}")
    return "\n".join(lines) + "\n"


# -- alias bombs: fast and bounded memory -------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [(BAD_DIR / "alias_bomb.yaml").read_text(encoding="utf-8"), _map_bomb()],
    ids=["list_bomb", "mapping_bomb"],
)
def test_alias_bomb_is_refused_with_bounded_memory(text: str):
    (problem,) = refuse(text)
    assert problem.message == f"document expands to more than {MAX_NODES:,} values (alias bomb?)"
    assert problem.line is not None
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError):
            negsim.load_text(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, f"peak {peak / 2**20:.1f} MiB"  # about 11 MiB today


def test_recursive_alias_is_refused_as_too_deep():
    (problem,) = refuse("a: &a [*a]\n")
    assert problem.message == f"document nests deeper than {MAX_DEPTH} levels"
    assert (problem.line, problem.column) == (1, 4)


# -- tags ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!python/module:os", "!!python/module:os"),
        ("!!python/object/new:os.system [ls]", "!!python/object/new:os.system"),
        ("!!python/object/apply:subprocess.call [[ls]]", "!!python/object/apply:subprocess.call"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [{a: 1}]", "!!omap"),
        ("!local 3", "!local"),
    ],
)
def test_every_non_plain_tag_is_refused(value: str, tag: str):
    (problem,) = refuse(f"rounds: {value}\n")
    assert problem.message == f"tag '{tag}' is not allowed; scenario files hold plain data only"
    assert (problem.path, problem.line, problem.column) == ("rounds", 1, 9)


def test_tag_directive_is_refused():
    text = "%TAG !e! tag:example.com,2000:\n---\nrounds: !e!x 3\n"
    (problem,) = refuse(text)
    assert problem.message.startswith("tag 'tag:example.com,2000:x' is not allowed")
    assert problem.line == 3


def test_merge_key_with_a_list_of_aliases_is_refused():
    problems = refuse("a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b]}\n")
    merge = [p for p in problems if "merge keys" in p.message]
    assert [(p.line, p.column) for p in merge] == [(3, 5)]
    assert merge[0].message == "merge keys ('<<') are not supported; use 'extends:' to reuse a file"


# -- nesting, size, text --------------------------------------------------------------------------
def test_deep_block_nesting_is_refused_at_the_limit():
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n"
    (problem,) = refuse(text)
    assert problem.message == f"document nests deeper than {MAX_DEPTH} levels"
    assert problem.line == MAX_DEPTH + 1


def test_hundred_thousand_open_brackets_are_refused_fast():
    (problem,) = refuse("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert problem.message == f"document nests deeper than {MAX_DEPTH} levels"
    assert problem.line == 1


def test_text_over_the_size_limit_is_refused_by_load_text():
    (problem,) = refuse(MINIMAL + "#" * MAX_BYTES)
    assert problem.message == f"document is larger than {MAX_BYTES:,} bytes"


def test_long_line_under_the_limit_is_read_and_checked():
    problems = refuse("name: " + "x" * 900_000 + "\n")
    assert "missing required field 'rounds'" in [p.message for p in problems]


@pytest.mark.parametrize(
    ("text", "line", "column", "code"),
    [
        ("\x08", 1, 1, "0008"),
        (MINIMAL.replace("rounds: 2", "rounds: 2\x00"), 2, 10, "0000"),
        (MINIMAL + "title: a\x1bb\n", 7, 9, "001B"),
    ],
)
def test_control_characters_are_located(text: str, line: int, column: int, code: str):
    # regression: these raised a ScenarioError with no line ("unacceptable character #x0008")
    (problem,) = refuse(text)
    assert problem.message == f"invalid YAML: character U+{code} is not allowed in YAML text"
    assert (problem.file, problem.line, problem.column) == ("hostile.yaml", line, column)


def test_utf16_file_is_refused_as_not_utf8(tmp_path: Path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes(MINIMAL.encode("utf-16"))
    with pytest.raises(ScenarioError) as info:
        negsim.load(path)
    (problem,) = info.value.problems
    assert problem.message == "file is not UTF-8 text (byte 0xff at offset 0)"
    assert problem.line == 1


def test_old_mac_line_ends_are_counted():
    (problem,) = refuse(MINIMAL.replace("\n", "\r") + "bogus: 1\r")
    assert (problem.path, problem.line) == ("bogus", 7)


def test_several_documents_in_one_file_are_refused():
    (problem,) = refuse(MINIMAL + "---\n" + MINIMAL)
    assert problem.message == "invalid YAML: but found another document"
    assert problem.line == 7


# -- numbers --------------------------------------------------------------------------------------
def test_integer_with_thousands_of_digits_gets_a_short_message():
    # regression: the message quoted all 5,001 digits
    (problem,) = refuse(MINIMAL.replace("rounds: 2", "rounds: 1" + "0" * 5000))
    assert problem.path == "rounds"
    assert problem.message.startswith(
        "cannot read value '1000000000000000000000000000000000000...': "
    )
    assert "4300 digits" in problem.message
    assert len(problem.message) < 200


def test_float_overflowing_to_infinity_is_refused():
    (problem,) = refuse(MINIMAL.replace("discount: 0.9", "discount: 1.0e+999", 1))
    assert (problem.path, problem.message) == (
        "actors.a.discount",
        "expected a finite number, found inf",
    )


def test_impossible_date_is_refused():
    (problem,) = refuse(MINIMAL + "start_date: 2025-13-45\n")
    assert problem.path == "start_date"
    assert problem.message == "cannot read value '2025-13-45': month must be in 1..12"
