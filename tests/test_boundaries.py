"""The architecture's boundaries (STYLE §2), held by a test rather than by memory.

ruff already bans click outside reconciler/cli/ (TID251) and print outside it (T20);
this checks what ruff cannot scope per package: where the network, the untyped libraries
and I/O may be imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reconciler"

# module prefix -> the only places (path prefixes under reconciler/) that may import it
ALLOWED: dict[str, tuple[str, ...]] = {
    "socket": ("halo/", "sandbox/server.py"),
    "socketserver": ("sandbox/server.py",),
    "http.server": ("sandbox/server.py",),
    "httpx": ("halo/",),
    "jsonschema": ("plan/plan_schema.py",),
    "deepdiff": (),  # nowhere at run time (README): only the benchmark baseline uses it
}
# pure packages: no network, files, processes or environment
PURE = ("plan/", "render/", "status/")
IMPURE = ("os", "pathlib", "socket", "httpx", "subprocess", "shutil", "tempfile", "io")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _where(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", _modules(), ids=_where)
def test_imports_stay_in_their_place(path: Path) -> None:
    where = _where(path)
    for name in _imports(path):
        for banned, places in ALLOWED.items():
            if name == banned or name.startswith(banned + "."):
                assert where.startswith(places), f"{where} imports {name}"
        if where.startswith(PURE):
            top = name.split(".")[0]
            assert top not in IMPURE, f"{where} (pure) imports {name}"
