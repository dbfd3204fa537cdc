"""`halo-reconciler show PLANFILE`: a saved plan (or drift report) rendered again, byte for
byte as plan (or drift) printed it, with no HaloPSA settings and no secrets at hand."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_runner import Result, run_cli

from reconciler.sandbox import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]
ALL_NINE = str(ROOT / "examples" / "all-nine")  # plans against the seed with no variables


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HALO_* at all: show must not need a connection (or a secret)."""
    for name in list(os.environ):
        if name.startswith("HALO_") and name != "HALO_TEST_CANARY":
            monkeypatch.delenv(name)


def _show(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Result:
    with monkeypatch.context() as scope:
        _offline(scope)
        return run_cli(["show", *args], capsys)


def test_show_renders_a_saved_plan_exactly_as_plan_printed_it(
    sandbox_seeded_env: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    canary: str,
) -> None:
    saved = tmp_path / "plan.json"
    markdown = run_cli(["plan", ALL_NINE, "--out", str(saved), "--format", "markdown"], capsys)
    text = run_cli(["plan", ALL_NINE], capsys)
    json_out = run_cli(["plan", ALL_NINE, "--format", "json"], capsys)
    assert (markdown.code, text.code, json_out.code) == (0, 0, 0), markdown.err
    assert "to create" in text.out

    shown = {
        fmt: _show([str(saved), "--format", fmt], monkeypatch, capsys)
        for fmt in ("text", "markdown", "json")
    }
    assert shown["text"] == (0, text.out, "")
    assert shown["markdown"] == (0, markdown.out, "")
    assert shown["json"] == (0, json_out.out, "")
    assert shown["json"].out == saved.read_text(encoding="utf-8")
    assert _show([str(saved)], monkeypatch, capsys) == shown["text"]  # text is the default
    for result in shown.values():
        assert canary not in result.out


def test_show_renders_a_drift_report_exactly_as_drift_printed_it(
    sandbox_seeded_env: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = {
        fmt: run_cli(["drift", ALL_NINE, "--format", fmt], capsys)
        for fmt in ("text", "markdown", "json")
    }
    assert printed["json"].code == 2, printed["json"].err
    report = tmp_path / "drift.json"
    report.write_text(printed["json"].out, encoding="utf-8")
    for fmt, result in printed.items():
        assert _show([str(report), "--format", fmt], monkeypatch, capsys) == (0, result.out, "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it (No such file or directory)"),
        ("xero:\n  - name: Acme\n", "not valid JSON (line 1, column 1)"),
        (
            '{"drift": true, "plan": {}, "format_version": "9"}',
            "a drift report of format_version '9'; this halo-reconciler reads format_version 1",
        ),
    ],
)
def test_an_unreadable_file_is_an_error_naming_it(
    content: str | None,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = _show([str(path)], monkeypatch, capsys)
    assert result == (1, "", f"Error: plan file {path}: {message}\n")
