"""Safe reading of untrusted YAML, keeping where every value came from.

PyYAML's safe composer builds the node tree (no Python tags are ever constructed); this
module turns the tree into plain dicts, lists and scalars itself so that it can

* record the line and column of every value, keyed by its path (``("actors", "us",
  "discount")``), for error messages;
* reject duplicate keys, non-standard tags (``!!python/object`` ...), merge keys and
  non-string keys;
* bound the work an alias bomb ("billion laughs") can cause by counting expanded nodes;
* refuse files over :data:`MAX_BYTES`, non-UTF-8 bytes (a BOM is accepted) and empty files;
* say what a path is when it is not a file that can be read (a folder, a named pipe, a
  symlink loop), rather than "not found" or blocking on a pipe.

Positions point where a person would look: a scalar at its value, a mapping or list at the
key that introduces it (``saliance:`` on line 61, not its first entry on line 62), and
every key also at itself (:func:`key_path`), for "unknown field" messages.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from negsim.errors import Problem, ScenarioError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Location",
    "Positions",
    "dump_yaml",
    "file_problem",
    "key_path",
    "read_yaml",
    "parse_yaml",
]

MAX_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 64

Location = tuple[str | None, int, int]
Positions = dict[tuple[Any, ...], Location]

_SAFE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


class _KeyMarker:
    """The last part of a :data:`Positions` path that locates a mapping key itself."""

    def __repr__(self) -> str:
        return "<key>"


_KEY = _KeyMarker()


def key_path(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """The :data:`Positions` entry of the key that introduces ``path`` in its mapping."""
    return (*path, _KEY)


_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def file_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as a scenario file, or ``None`` if it is a regular file.

    >>> file_problem("/")
    'is a folder, not a scenario file'
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link leads back to itself, so there is no file to read"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            if os.path.islink(path):
                return f"broken symlink: its target {os.readlink(path)} does not exist"
            return "file not found"
        return f"cannot read file: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return "is a folder, not a scenario file"
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "a special file")
        return f"is not a regular file but {kind}; expected a YAML file"
    return None


def read_yaml(path: str | Path) -> tuple[Any, Positions]:
    """Read a YAML file safely; return ``(data, positions)`` or raise :class:`ScenarioError`."""
    path = Path(path)
    name = str(path)
    problem = file_problem(path)
    if problem is not None:
        raise ScenarioError([Problem(problem, file=name)])
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(
                [
                    Problem(
                        f"file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes",
                        file=name,
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            [Problem(f"cannot read file: {exc.strerror or exc}", file=name)]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [
                Problem(
                    f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    file=name,
                    line=line,
                )
            ]
        ) from None
    return parse_yaml(text, name)


#: YAML 1.2 floats with an exponent and no dot (``1e-3``), which YAML 1.1 reads as text.
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 floats: ``1e-3`` and ``1.0e6`` are numbers.

    PyYAML follows YAML 1.1, whose float pattern needs a dot and a signed exponent, so
    ``war_cost: 1e-3`` would be read as text and refused by the schema's strict numbers.
    """


class _Dumper(yaml.SafeDumper):
    """The safe dumper that knows the loader's extra float rule, so that the text ``0E0``
    is written quoted and reads back as text (see :func:`dump_yaml`)."""


for _cls in (_Loader, _Dumper):
    _cls.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))


def dump_yaml(data: Any) -> str:
    """YAML text of ``data`` that :func:`parse_yaml` reads back as the same values
    (block style, keys in order, Unicode kept)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, Positions]:
    """Parse YAML text safely; see :func:`read_yaml`."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ScenarioError([Problem(f"document is larger than {MAX_BYTES:,} bytes", file=file)])
    _check_depth(text, file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise ScenarioError(
            [Problem(f"document nests deeper than {MAX_DEPTH} levels", file=file)]
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_problem(exc, file)]) from None
    except yaml.reader.ReaderError as exc:  # a control character: locate it in the text
        raise ScenarioError([_character_problem(text, exc, file)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(f"invalid YAML: {exc}", file=file)]) from None
    if node is None:
        raise ScenarioError(
            [
                Problem(
                    "file is empty; expected a mapping with at least 'rounds', 'issues' and 'actors'",
                    file=file,
                    line=1,
                )
            ]
        )
    builder = _Builder(file)
    data = builder.build(node, ())
    if builder.problems:
        raise ScenarioError(builder.problems)
    return data, builder.positions


def _check_depth(text: str, file: str | None) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` levels, naming where.

    PyYAML's composer recurses once per level, so a deeply nested document would exhaust
    Python's stack (and its scanner is slow on thousands of open brackets). The event
    parser does not recurse, so depth is counted on events, with libyaml when available.
    Syntax errors are left to the composer, which words them better.
    """

    def too_deep(mark: Any) -> ScenarioError:
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark else {}
        return ScenarioError(
            [Problem(f"document nests deeper than {MAX_DEPTH} levels", file=file, **where)]
        )

    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise too_deep(event.start_mark)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "depth" in str(exc.problem):  # libyaml's own nesting limit
            raise too_deep(exc.problem_mark) from None
    except yaml.YAMLError:
        pass


def _character_problem(text: str, exc: yaml.reader.ReaderError, file: str | None) -> Problem:
    """A character YAML does not allow (NUL, backspace, ...), with its line and column."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(
        f"invalid YAML: character U+{char:04X} is not allowed in YAML text",
        file=file,
        line=line,
        column=column,
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str | None) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {exc.problem or exc.context}"
    if "'\\t'" in message or "\t" in message:
        message += " (indent with spaces, not tabs)"
    return Problem(
        message,
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


class _Builder:
    """Turns a composed node tree into Python values, recording positions and problems."""

    def __init__(self, file: str | None):
        self.file = file
        self.positions: Positions = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self._scalars = _Loader("")

    def _problem(self, node: yaml.Node, path: tuple[Any, ...], message: str) -> None:
        self.problems.append(
            Problem(
                message,
                path=".".join(str(p) for p in path),
                file=self.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        )

    def build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        if len(path) > MAX_DEPTH:
            if not any(p.message.startswith("document nests") for p in self.problems):
                self._problem(
                    node, path[:MAX_DEPTH], f"document nests deeper than {MAX_DEPTH} levels"
                )
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self._problem(
                    node, path, f"document expands to more than {MAX_NODES:,} values (alias bomb?)"
                )
            return None
        self.positions.setdefault(
            path, (self.file, node.start_mark.line + 1, node.start_mark.column + 1)
        )
        if node.tag not in _SAFE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self._problem(
                node, path, f"tag '{tag}' is not allowed; scenario files hold plain data only"
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: tuple[Any, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(
                    key_node,
                    path,
                    "merge keys ('<<') are not supported; use 'extends:' to reuse a file",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SAFE_TAGS:
                self._problem(key_node, path, "mapping keys must be plain names")
                continue
            key = str(key_node.value)
            if key in result:
                first = self.positions.get((*path, key))
                where = f" (first defined on line {first[1]})" if first else ""
                self._problem(key_node, (*path, key), f"duplicate key '{key}'{where}")
                continue
            at_key = (self.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            self.positions[key_path((*path, key))] = at_key
            result[key] = self.build(value_node, (*path, key))
            empty = isinstance(value_node, yaml.ScalarNode) and value_node.value == ""
            if empty or isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                self.positions[path + (key,)] = at_key  # a block starts on the key's line
        return result

    def _scalar(self, node: yaml.ScalarNode, path: tuple[Any, ...]) -> Any:
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            reason = str(exc) if len(str(exc)) <= 120 else str(exc)[:117] + "..."
            self._problem(node, path, f"cannot read value {shown!r}: {reason}")
            return None
