"""`halo-reconciler status` end to end: exit codes, formats, the canary, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cli_runner import run_cli
from status_support import seed_health

from reconciler.sandbox import SandboxHandle


@pytest.fixture
def seeded(sandbox_env: SandboxHandle, canary: str) -> SandboxHandle:
    # The canary is HALO_CLIENT_SECRET's value; a sync error's text quotes it.
    seed_health(sandbox_env, datetime.now(UTC), secret_in_error=canary)
    return sandbox_env


def test_exit_0_with_attention_and_2_with_detailed_exitcode(
    seeded: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = run_cli(["status"], capsys)
    assert plain.code == 0, plain.err
    assert plain.out.rstrip().endswith("8 connections, 6 need attention.")
    detailed = run_cli(["status", "--detailed-exitcode"], capsys)
    assert detailed.code == 2
    assert detailed.out == plain.out


def test_detailed_exitcode_is_0_when_every_connection_is_healthy(
    seeded: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["status", "--type", "kashflow", "--detailed-exitcode"], capsys)
    assert result.code == 0, result.err
    assert result.out.rstrip().endswith("1 connection, all healthy.")


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_the_canary_in_a_sync_error_never_appears(
    seeded: SandboxHandle, canary: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # HaloPSA's own texts go through the same scrubbing.
    seeded.store.update("business_central", 1, {"_warning": f"secret {canary} refused"})
    seeded.store.update("myob", 1, {"halointegrator_lasterror": f"Bearer x; {canary}"})
    result = run_cli(["status", "--format", fmt], capsys)
    assert result.code == 0, result.err
    assert "Account code '400' is not a valid code" in result.out
    assert "secret (sensitive) refused" in result.out
    assert canary not in result.out + result.err
    assert "(sensitive)" in result.out


def test_json_format_is_one_document(
    seeded: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["status", "--format", "json", "--warn-days", "0"], capsys)
    doc = json.loads(result.out)
    assert doc["warn_days"] == 0
    # With --warn-days 0 the token 5 days ahead no longer needs attention.
    assert doc["summary"] == {"connections": 8, "attention": 5}


def test_a_missing_error_log_is_one_note_in_every_format(
    seeded: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded.store.set_integration_errors(None)
    note = "HaloPSA did not answer GET /api/IntegrationError (HTTP 404)"
    for fmt in ("text", "markdown", "json"):
        result = run_cli(["status", "--format", fmt], capsys)
        assert result.code == 0, result.err
        assert result.out.count(note) == 1, fmt


def test_refused_credentials_exit_1(
    seeded: SandboxHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HALO_CLIENT_SECRET", "not-the-secret")
    result = run_cli(["status", "--detailed-exitcode"], capsys)
    assert result.code == 1
    assert result.err.startswith("Error: ")
    assert result.out == ""


def test_an_unknown_type_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(["status", "--type", "sage"], capsys)
    assert result.code == 1
    assert "sage" in result.err


def test_sandbox_flag_reports_the_bundled_seed(
    sandbox_dir: object, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["status", "--sandbox", "--format", "json"], capsys)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["summary"]["connections"] >= 7
    (old,) = (c for c in doc["connections"] if c["address"] == "xero/Old tenant")
    assert "not authorized in HaloPSA" in old["attention"]


def test_control_characters_from_halo_are_escaped_in_the_text_report(
    seeded: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 18, item 13: a sync error erasing the line above and forging a healthy headline.
    forged = "bad\x1b[1A\x1b[2K\n8 connections, all healthy."
    seeded.store.update("myob", 1, {"halointegrator_lasterror": forged})
    result = run_cli(["status"], capsys)
    assert result.code == 0, result.err
    assert "\x1b" not in result.out
    assert "bad\\u001b[1A\\u001b[2K 8 connections, all healthy." in result.out
    assert result.out.count("all healthy") == 1
