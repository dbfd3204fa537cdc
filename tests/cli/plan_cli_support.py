"""Running the CLI in-process for plan/drift/export tests, and writing config files."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.cli.main import main
from reconciler.sandbox import SandboxHandle


@dataclass(frozen=True)
class Result:
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


def write(directory: Path, name: str, text: str) -> Path:
    """Write a dedented YAML file into `directory`; returns its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def requests(h: SandboxHandle) -> list[tuple[str, str]]:
    """(method, path) of every request the sandbox got, in order."""
    return [(e.method, e.path) for e in h.log.entries()]


def unreachable_url() -> str:
    """The URL of a sandbox that has stopped: nothing listens there any more."""
    from reconciler.sandbox import start_in_thread

    with start_in_thread() as h:
        url = h.url
    return url
