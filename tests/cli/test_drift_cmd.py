"""`halo-reconciler drift`: 0 in sync, 2 on drift, 1 on error — in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import requests, run_cli
from plan_cli_support import unreachable_url, write

from reconciler.sandbox import SandboxHandle

CONFIG = """
xero:
  - name: Acme NZ
    enablesync: true
    sync_entities: [invoices, clients]
"""


@pytest.fixture
def in_sync(sandbox_env: SandboxHandle, tmp_path: Path) -> Path:
    """A sandbox whose one xero record matches the configuration written in tmp."""
    sandbox_env.store.create(
        "xero",
        {
            "name": "Acme NZ",
            "enablesync": True,
            "sync_entities": "clients,invoices",
            "authorized": True,
        },
    )
    sandbox_env.store.create("xero", {"name": "Unmanaged", "authorized": True})
    write(tmp_path / "config", "xero.yaml", CONFIG)
    return tmp_path / "config"


def _change_in_the_web_ui(h: SandboxHandle) -> None:
    h.store.update("xero", 1, {"enablesync": False})


def test_no_drift_exits_0(in_sync: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(["drift", str(in_sync)], capsys)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "No drift: HaloPSA matches the configuration (1 record checked)."
    assert lines[-1] == "Plan: 0 to create, 0 to update, 0 to delete."


def test_a_change_made_in_halopsa_is_drift_exit_2(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    _change_in_the_web_ui(sandbox_env)
    result = run_cli(["drift", str(in_sync)], capsys)
    assert result.code == 2
    lines = result.out.splitlines()
    assert lines[0] == "Drift detected: 1 record differs from the configuration."
    assert "  ~ update xero/Acme NZ (id 1)" in lines
    assert "      ~ enablesync: false -> true   # sync switched on" in lines
    assert result.err == ""


def test_drift_json_names_record_and_field(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    _change_in_the_web_ui(sandbox_env)
    result = run_cli(["drift", str(in_sync), "--format", "json"], capsys)
    assert result.code == 2
    doc = json.loads(result.out)
    assert doc["drift"] is True
    assert doc["message"] == "Drift detected: 1 record differs from the configuration."
    assert doc["drifted"] == ["xero/Acme NZ"]
    assert doc["summary"] == {"create": 0, "update": 1, "delete": 0, "no_op": 0, "unmanaged": 1}
    change = doc["plan"]["resource_changes"][0]["changes"][0]
    assert (change["field"], change["before"], change["after"]) == ("enablesync", False, True)


def test_drift_json_in_sync(in_sync: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(["drift", str(in_sync), "--format", "json"], capsys)
    assert result.code == 0
    doc = json.loads(result.out)
    assert (doc["drift"], doc["drifted"]) == (False, [])
    assert doc["message"] == "No drift: HaloPSA matches the configuration (1 record checked)."


def test_drift_markdown(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["drift", str(in_sync), "--format", "markdown"], capsys).out.startswith(
        "### No drift: HaloPSA matches the configuration (1 record checked).\n\n**Plan:**"
    )
    _change_in_the_web_ui(sandbox_env)
    result = run_cli(["drift", str(in_sync), "--format", "markdown"], capsys)
    assert result.code == 2
    assert result.out.startswith(
        "### Drift detected: 1 record differs from the configuration.\n\n"
        "**Plan:** 0 to create, 1 to update, 0 to delete"
    )
    assert "`xero/Acme NZ`" in result.out
    assert "enablesync" in result.out


def test_a_record_deleted_in_halopsa_is_drift(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.delete("xero", 1)
    result = run_cli(["drift", str(in_sync), "--format", "json"], capsys)
    assert result.code == 2
    assert json.loads(result.out)["drifted"] == ["xero/Acme NZ"]


def test_drift_only_reads(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    _change_in_the_web_ui(sandbox_env)
    assert run_cli(["drift", str(in_sync)], capsys).code == 2
    assert requests(sandbox_env) == [("POST", "/auth/token"), ("GET", "/api/XeroDetails")]


def test_invalid_config_exits_1(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.yaml", "xero:\n  - name: A\n    enablesnyc: true\n")
    result = run_cli(["drift", str(tmp_path)], capsys)
    assert result.code == 1
    assert result.err == (
        "Error: 1 error in the configuration\n"
        f'{path}:3:5: xero[0].enablesnyc: unknown field "enablesnyc":'
        ' did you mean "enablesync"?\n'
    )
    assert requests(sandbox_env) == []


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_unreachable_instance_exits_1(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HALO_URL", unreachable_url())
    monkeypatch.setenv("HALO_CLIENT_ID", "id")
    monkeypatch.setenv("HALO_CLIENT_SECRET", "secret")
    monkeypatch.setenv("HALO_RETRY_BUDGET", "1")
    write(tmp_path, "x.yaml", CONFIG)
    result = run_cli(["drift", str(tmp_path), "--format", fmt], capsys)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("Error: POST /auth/token: no answer: could not connect")


def test_detailed_exitcode_is_accepted(
    in_sync: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["drift", str(in_sync), "--detailed-exitcode"], capsys).code == 0
    _change_in_the_web_ui(sandbox_env)
    assert run_cli(["drift", str(in_sync), "--detailed-exitcode"], capsys).code == 2
