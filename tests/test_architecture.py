"""The shape of the code: no import cycles, no private names across modules, small modules.

The imports of every module of ``negsim/`` are read with :mod:`ast` (imports inside
functions count -- they run sooner or later; imports under ``if TYPE_CHECKING:`` do not).
An import of ``negsim.a.b`` is an edge to that module; ``from negsim.a import b`` is an
edge to ``negsim.a.b`` when b is a module, else to ``negsim.a``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "negsim"
LONG = 600
REASON = "longer than 600 lines because"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, skipping the bodies of ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                walk(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return found


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _edges(module: str) -> list[tuple[str, str | None]]:
    """(imported negsim module, imported name or None) for each import of ``module``."""
    tree = ast.parse(MODULES[module].read_text(), str(MODULES[module]))
    out: list[tuple[str, str | None]] = []
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names if a.name.split(".")[0] == "negsim"]
            continue
        target = _resolve(module, node)
        if target.split(".")[0] != "negsim":
            continue
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            out.append((sub, None) if sub in MODULES else (target, alias.name))
    return out


GRAPH = {m: sorted({t for t, _ in _edges(m) if t in MODULES and t != m}) for m in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle, or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for t in GRAPH[m]:
            if state.get(t) == 1:
                return [*stack[stack.index(t) :], t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(MODULES):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_walker_sees_a_cycle_and_skips_type_checking() -> None:
    """The checks below would catch a cycle: the walker run on known snippets."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from negsim.result import Result\n"
        "def f():\n    from negsim.engine import solve_arrays\n"
    )
    names = [n.module for n in _imports(tree) if isinstance(n, ast.ImportFrom)]
    assert names == ["typing", "negsim.engine"]


def test_no_import_cycles() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_no_private_names_across_modules() -> None:
    bad = [
        f"{m} imports {name} from {t}"
        for m in MODULES
        for t, name in _edges(m)
        if name and name.startswith("_") and t != m and not name.startswith("__")
    ]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_long_modules_say_why(module: str) -> None:
    path = MODULES[module]
    lines = len(path.read_text().splitlines())
    if lines <= LONG:
        return
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    says_why = REASON in " ".join(doc.lower().split())
    assert says_why, (
        f"{module} has {lines} lines; split it or say in its docstring why it is '{REASON} ...'"
    )


def test_subpackages_say_their_job_and_imports() -> None:
    for module, path in MODULES.items():
        if path.name == "__init__.py" and module.count(".") == 1:
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            assert "may import" in doc.lower(), f"{module}: say what it may import"


#: Subpackage -> the negsim modules it must not import (the flow of docs/design.md).
FORBIDDEN = {
    "negsim.models": ("negsim.",),  # pure: only other models
    "negsim.engine": (
        "negsim.results",
        "negsim.result",
        "negsim.analysis",
        "negsim.plot",
        "negsim.report",
        "negsim.sweeps",
        "negsim.cli",
        "negsim.api",
    ),
    "negsim.results": ("negsim.analysis", "negsim.plot", "negsim.report", "negsim.sweeps"),
    "negsim.analysis": ("negsim.plot", "negsim.report", "negsim.sweeps", "negsim.cli"),
    "negsim.plot": ("negsim.report", "negsim.sweeps", "negsim.cli"),
}


def test_subpackages_import_only_upstream() -> None:
    bad = []
    for module, targets in GRAPH.items():
        for package, forbidden in FORBIDDEN.items():
            if module != package and not module.startswith(package + "."):
                continue
            for t in targets:
                own = t == package or t.startswith(package + ".")
                if not own and any(t == f or t.startswith(f) for f in forbidden):
                    bad.append(f"{module} imports {t}")
    assert not bad, "\n".join(bad)
