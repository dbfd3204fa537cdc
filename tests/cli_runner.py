"""Running `halo-reconciler` in this process from tests: exit code, stdout, stderr.

Importable from every test directory (tests/ is on sys.path through tests/conftest.py).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest

from reconciler.cli.main import main
from reconciler.sandbox import SandboxHandle


class Result(NamedTuple):
    code: int
    out: str
    err: str


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> Result:
    """`halo-reconciler ARGS` in this process: exit code, stdout and stderr."""
    capsys.readouterr()  # drop anything printed before
    with pytest.raises(SystemExit) as info:
        main(args)
    code = info.value.code
    assert isinstance(code, int)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def requests(h: SandboxHandle) -> list[tuple[str, str]]:
    """(method, path) of every request the sandbox got, in order."""
    return [(e.method, e.path) for e in h.log.entries()]
