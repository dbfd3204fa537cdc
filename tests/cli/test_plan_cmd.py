"""`halo-reconciler plan` end to end, against a sandbox on a real loopback port."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import requests, run_cli
from plan_cli_support import unreachable_url, write

from reconciler.cli.output import use_color
from reconciler.plan import Plan
from reconciler.sandbox import SandboxHandle

CONFIG = """
xero:
  - name: Acme NZ
    enablesync: true
    sync_entities: [invoices, clients]
    new_client_secret: ${XERO_NZ_SECRET}
  - name: Acme UK
    default_item_code: UK-SERVICES
  - name: Retired
    ensure: absent
quickbooks:
  - name: Acme US
    enable_sync: true
settings:
  prune: [xero]
  max_deletes: 5
"""


def _seed(h: SandboxHandle) -> None:
    h.store.create(
        "xero",
        {
            "name": "Acme NZ",
            "enablesync": False,
            "sync_entities": "invoices",
            "default_item_code": "SERVICES",
        },
    )
    h.store.create("xero", {"name": "Gone", "enablesync": True})
    h.store.create("xero", {"name": "Retired"})
    h.store.create("quickbooks", {"name": "Acme US", "enable_sync": True})
    h.store.create("quickbooks", {"name": "Side US"})


@pytest.fixture
def scenario(
    sandbox_env: SandboxHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, canary: str
) -> Path:
    """The sandbox seeded with five records and a config (with a canary secret) in tmp."""
    _seed(sandbox_env)
    monkeypatch.setenv("XERO_NZ_SECRET", canary)
    write(tmp_path / "config", "xero.yaml", CONFIG)
    return tmp_path / "config"


def _actions(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(rc["address"], rc["action"]) for rc in doc["resource_changes"]]


def test_plan_json_shows_create_update_delete_noop_and_unmanaged(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["plan", str(scenario), "--format", "json"], capsys)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert _actions(doc) == [
        ("xero/Acme NZ", "update"),
        ("xero/Acme UK", "create"),
        ("xero/Gone", "delete"),
        ("xero/Retired", "delete"),
        ("quickbooks/Acme US", "no-op"),
    ]
    assert doc["summary"] == {"create": 1, "update": 1, "delete": 2, "no_op": 1, "unmanaged": 1}
    assert [u["address"] for u in doc["unmanaged"]] == ["quickbooks/Side US"]
    update = doc["resource_changes"][0]
    assert [(c["field"], c["before"], c["after"]) for c in update["changes"]] == [
        ("enablesync", False, True),
        ("sync_entities", "invoices", "invoices,clients"),
    ]
    assert result.err == ""


def test_plan_text_reads_like_terraform(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(["plan", str(scenario)], capsys)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert "  ~ update xero/Acme NZ (id 1)" in lines
    assert "      ~ enablesync: false -> true   # sync switched on" in lines
    assert "  + create xero/Acme UK" in lines
    assert lines[-1] == "Plan: 1 to create, 1 to update, 2 to delete."
    assert "\x1b[" not in result.out  # not a terminal: no colour


def test_detailed_exitcode_is_2_with_changes_and_0_without(
    scenario: Path, sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["plan", str(scenario), "--detailed-exitcode"], capsys).code == 2
    write(tmp_path / "same", "q.yaml", "quickbooks:\n  - name: Acme US\n    enable_sync: true\n")
    result = run_cli(["plan", str(tmp_path / "same"), "--detailed-exitcode"], capsys)
    assert result.code == 0
    assert "Plan: 0 to create, 0 to update, 0 to delete." in result.out


def test_ignore_changes_hides_a_difference(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(sandbox_env)
    write(
        tmp_path,
        "x.yaml",
        """
        xero:
          - name: Acme NZ
            default_item_code: SOMETHING-ELSE
            lifecycle:
              ignore_changes: [default_item_code]
        """,
    )
    result = run_cli(["plan", str(tmp_path), "--format", "json", "--detailed-exitcode"], capsys)
    assert result.code == 0
    assert _actions(json.loads(result.out)) == [("xero/Acme NZ", "no-op")]


def test_target_plans_only_the_record_named(
    scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["plan", str(scenario), "--format", "json", "--target", "xero/Acme NZ"]
    result = run_cli(args, capsys)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert _actions(doc) == [("xero/Acme NZ", "update")]
    assert doc["targets"] == ["xero/Acme NZ"]


def test_target_type_reads_only_that_type(
    scenario: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["plan", str(scenario), "--format", "json", "--target", "quickbooks"], capsys)
    assert result.code == 0, result.err
    assert _actions(json.loads(result.out)) == [("quickbooks/Acme US", "no-op")]
    assert requests(sandbox_env) == [("POST", "/auth/token"), ("GET", "/api/QuickBooksDetails")]


def test_unknown_target_type_is_a_usage_error(
    scenario: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["plan", str(scenario), "--target", "xer/Acme"], capsys)
    assert result.code == 1
    assert result.err.endswith(
        "Error: Invalid value for '--target': unknown type 'xer' in 'xer/Acme' (types: xero, "
        "quickbooks, sage_business_cloud, myob, kashflow, fortnox, exact, business_central, "
        "avalara)\n"
    )
    assert requests(sandbox_env) == []


def test_only_gets_one_per_referenced_type(
    scenario: Path, sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["plan", str(scenario)], capsys).code == 0
    sent = requests(sandbox_env)
    assert sent[0] == ("POST", "/auth/token")
    # plus one read of the one lookup list a changed field needs (Acme UK's default item)
    assert sorted(sent[1:]) == [
        ("GET", "/api/IntegrationData/Get/Xero"),
        ("GET", "/api/QuickBooksDetails"),
        ("GET", "/api/XeroDetails"),
    ]


def test_invalid_config_exits_1_before_any_request(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.yaml", "xero:\n  - name: A\n    enablesync: yes please\n")
    result = run_cli(["plan", str(tmp_path)], capsys)
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        "Error: 1 error in the configuration\n"
        f'{path}:3:5: xero[0].enablesync: expected a boolean, got the string "yes please"'
        " — use true/false\n"
    )
    assert requests(sandbox_env) == []


def test_unreachable_instance_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HALO_URL", unreachable_url())
    monkeypatch.setenv("HALO_CLIENT_ID", "id")
    monkeypatch.setenv("HALO_CLIENT_SECRET", "secret")
    monkeypatch.setenv("HALO_RETRY_BUDGET", "1")
    write(tmp_path, "x.yaml", "xero:\n  - name: A\n")
    result = run_cli(["plan", str(tmp_path), "--detailed-exitcode"], capsys)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("Error: POST /auth/token: no answer: could not connect")


def test_out_saves_the_json_plan_whatever_the_format(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "plan.json"
    result = run_cli(["plan", str(scenario), "--format", "markdown", "--out", str(saved)], capsys)
    assert result.code == 0, result.err
    assert result.out.startswith("**Plan:** 1 to create, 1 to update, 2 to delete")
    plan = Plan.from_json(json.loads(saved.read_text(encoding="utf-8")))
    assert plan.summary.update == 1
    shown = run_cli(["plan", str(scenario), "--format", "json"], capsys)
    assert json.loads(shown.out)["digest"] == plan.digest


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_canary_secret_never_shown_or_saved(
    scenario: Path, tmp_path: Path, canary: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / f"plan-{fmt}.json"
    result = run_cli(["plan", str(scenario), "--format", fmt, "--out", str(saved)], capsys)
    assert result.code == 0, result.err
    assert "new_client_secret" in result.out  # the secret is planned ...
    for text in (result.out, result.err, saved.read_text(encoding="utf-8")):
        assert canary not in text  # ... its value is nowhere


def test_live_values_that_break_the_schema_are_warnings(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create("xero", {"name": "Odd", "enablesync": "yes", "authorized": True})
    write(tmp_path, "x.yaml", "xero:\n  - name: Odd\n    enablesync: true\n")
    result = run_cli(["plan", str(tmp_path), "--format", "json"], capsys)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["warnings"] == [
        {
            "address": "xero/Odd",
            "message": "enablesync: HaloPSA returned a string where the schema expects a "
            "boolean; compared as is",
        }
    ]
    change = doc["resource_changes"][0]["changes"][0]
    assert (change["field"], change["before"], change["after"]) == ("enablesync", "yes", True)


def test_sandbox_flag_runs_against_the_local_simulator(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "x.yaml", "xero:\n  - name: Acme NZ\n")
    result = run_cli(["plan", str(tmp_path), "--sandbox", "--format", "json"], capsys)
    assert result.code == 0, result.err
    assert _actions(json.loads(result.out))[0] == ("xero/Acme NZ", "no-op")
    assert (sandbox_dir / "data.json").is_file()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": ""}, True), ({"TERM": "dumb"}, False)],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(
    environ: dict[str, str], expected: bool
) -> None:
    assert use_color(_Tty(), environ) is expected
    assert use_color(io.StringIO(), environ) is False
