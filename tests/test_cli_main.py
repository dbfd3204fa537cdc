"""The CLI group: exit-code mapping (usage errors are 1, never 2), --help, --version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]


def _exit_code(args: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(args)
    code = info.value.code
    assert isinstance(code, int)
    return code


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_unknown_command_is_exit_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["no-such-command"]) == 1
    assert "No such command" in capsys.readouterr().err


def test_unknown_option_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["validate", "--no-such-flag"]) == 1
    assert "No such option" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert f"Usage: halo-reconciler {name}" in out


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "halo-reconciler" in result.stdout
