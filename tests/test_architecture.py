"""The layout's rules a reader should not have to check by hand (STYLE §2, issue 14):
no import cycle between our modules, no command module importing another (or the group
that loads them), every cli/ module small.

Imports are read from the source (ast), module-level and inside functions alike (a lazy
import is still a dependency); those under `if TYPE_CHECKING:` are left out: they never
run. `from a.b import c` is an edge to a.b.c when that is a module, else to a.b.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"
CLI_MAX_LINES = 135  # "about 120" for any cli/ module (progress.py, one class, is 131)
COMMAND_MAX_LINES = 120  # a command module: never more (it aims at ~40)


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> set[str]:
    """Our modules `module` imports at run time."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    base = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for branch in node.orelse:
                visit(branch)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                source = ".".join([*base.split(".")[: len(base.split(".")) - node.level + 1]])
                source = f"{source}.{node.module}" if node.module else source
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                if sub in MODULES:
                    found.add(sub)
                elif source in MODULES:
                    found.add(source)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return found


GRAPH: dict[str, set[str]] = {m: _imports(m) for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            connect(v)
    return found


def test_the_graph_is_read() -> None:
    assert "reconciler.plan.document" in GRAPH["reconciler.plan.model"]
    assert "reconciler.planning" in GRAPH["reconciler.cli.plan_cmd"]  # a lazy import


def test_no_import_cycle() -> None:
    assert _cycles() == []


COMMANDS = sorted(m for m in MODULES if m.startswith("reconciler.cli.") and m.endswith("_cmd"))


@pytest.mark.parametrize("module", COMMANDS)
def test_no_command_imports_another_or_the_group(module: str) -> None:
    others = {*COMMANDS, "reconciler.cli.main"} - {module}
    assert GRAPH[module] & others == set()


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("reconciler.cli")))
def test_cli_modules_are_small(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    cap = COMMAND_MAX_LINES if module in COMMANDS else CLI_MAX_LINES
    assert lines <= cap, f"{module}: {lines} lines"


def test_the_readme_module_map_names_every_top_level_module() -> None:
    """README's "Development" map lists every module and package right under reconciler/."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("\nreconciler/\n")
    block = readme[start : readme.index("```", start)]
    named = {
        line.split()[0] for line in block.splitlines()[2:] if line.startswith("  ") and line.split()
    }
    present = {
        p.name + ("/" if p.is_dir() else "")
        for p in PACKAGE.iterdir()
        if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())
    }
    assert present - named == set()
