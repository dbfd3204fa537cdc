"""The CLI group: exit-code mapping (usage errors are 1, never 2), --help, --version."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli.main import COMMANDS, YOUNG_THRESHOLD, main, run

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


def _python_m(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m reconciler ARGS` in a child process."""
    command = [sys.executable, "-m", "reconciler", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_python_dash_m_runs_the_cli() -> None:
    result = _python_m("--version")
    assert result.returncode == 0
    assert "halo-reconciler" in result.stdout


def test_run_keeps_the_exit_code_and_freezes_what_is_left(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The script entry point exits with main()'s code, having collected less often and
    moved every live object to the permanent generation so the interpreter's final
    collections skip them."""
    monkeypatch.setattr(sys, "argv", ["halo-reconciler", "no-such-command"])
    assert gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as info:
            run()
        assert info.value.code == 1
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *thresholds[1:])
    finally:  # this test process goes on collecting as before
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert "No such command" in capsys.readouterr().err


def test_the_script_entry_points_use_run() -> None:
    """`halo-reconciler` and `python -m reconciler` both end through run()."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'halo-reconciler = "reconciler.cli.main:run"' in pyproject
    dunder_main = (ROOT / "reconciler" / "__main__.py").read_text(encoding="utf-8")
    assert "from reconciler.cli.main import run\n\nrun()\n" in dunder_main
    result = _python_m("validate", "no-such-dir")  # an error's exit code passes through
    assert result.returncode == 1
    assert "no-such-dir: no such file or directory" in result.stderr


def test_ctrl_c_in_any_command_is_interrupted_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("reconciler.config.loader.load", interrupted)
    assert _exit_code(["validate", str(tmp_path)]) == 130
    assert capsys.readouterr().err.endswith("Interrupted.\n")  # click's "Aborted." is not it


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["drift"], 2),
        (["plan", "--detailed-exitcode"], 2),
        (["plan"], 0),
    ],
)
def test_a_closed_stdout_keeps_the_real_exit_code(
    tmp_path: Path, args: list[str], code: int
) -> None:
    # `drift | head -1`: the reader is gone before the report is written. The exit code
    # is still the command's (2: drift), not click's 1 for a broken pipe.
    (tmp_path / "c.yaml").write_text("xero:\n  - name: Brand new\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALO_")}
    env["HALO_SANDBOX_DIR"] = str(tmp_path / "sandbox")
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args, "--sandbox", "c.yaml"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `head -1` does once it has its line
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=60) == code, err
    assert "Error" not in err and "Exception" not in err


def test_an_error_message_never_carries_a_control_character(
    sandbox_seeded_env: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A freeze window's reason (or HaloPSA's text in an error) reaches "Error: ..." as it
    # was written: its control characters are escaped, the message's own lines kept.
    config = tmp_path / "c.yaml"
    config.write_text(
        "xero:\n  - name: Acme AU\n    enablesync: false\nsettings:\n  freeze:\n"
        "    - {from: 2000-01-01T00:00:00Z, to: 2100-01-01T00:00:00Z,\n"
        '       reason: "a\\rPlan: 0\\e[2J"}\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["apply", "--auto-approve", str(config)])
    err = capsys.readouterr().err
    assert info.value.code == 1
    assert err.startswith("Error: apply refused:\n  freeze window ")
    assert '(reason: "a\\rPlan: 0\\u001b[2J")' in err
    assert "\r" not in err and "\x1b" not in err
    # --override-freeze's reason is printed in the apply report, escaped the same way
    with pytest.raises(SystemExit) as info:
        main(["apply", "--auto-approve", str(config), "--override-freeze", "ok\nApply\x1b[2J"])
    out = capsys.readouterr().out
    assert info.value.code == 0
    assert 'overridden with --override-freeze "ok\\nApply\\u001b[2J"' in out
    assert "\r" not in out and "\x1b" not in out
