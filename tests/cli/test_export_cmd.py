"""`halo-reconciler export`: stdout, --out, --type, --force, errors; against a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cli_runner import requests, run_cli
from plan_cli_support import unreachable_url

from reconciler.cli.keys import TypeKey
from reconciler.registry import BY_KEY, KEYS, mapping_arrays
from reconciler.sandbox import SandboxHandle


def test_type_choices_are_the_registry_keys() -> None:
    assert tuple(TypeKey().choices) == KEYS


def test_stdout_is_one_document_of_every_type_with_records(
    sandbox_seeded_env: SandboxHandle, canary: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["export"], capsys)
    assert result.code == 0, result.err
    doc = yaml.safe_load(result.out)
    assert list(doc) == ["xero", "quickbooks", "myob", "business_central", "avalara"]
    assert doc["xero"][1] == {
        "name": "Acme NZ",
        "tenant_id": "6f1e2c1a-0000-4000-8000-000000000001",
        "client_top_level": 1,
        "item_group": 1,
        "isdefault": True,
        "enablesync": False,
        "default_item_code": "SERVICES",
        "show_message": True,
        "sync_entities": ["invoices"],
    }
    assert "# new_client_secret: ${XERO_ACME_NZ_CLIENT_SECRET}" in result.out
    assert "seeded-xero-token" not in result.out  # stored secrets stay in HaloPSA
    assert canary not in result.out + result.err
    gets = sorted(p for m, p in requests(sandbox_seeded_env) if m == "GET")
    # One list per type, and a detail read (includedetails=true) of every record of a
    # type with mapping arrays (SPEC §11): a list row may lack them.
    mapped = {
        f"{BY_KEY[k].path}/{r['id']}"
        for k in KEYS
        if mapping_arrays(k)
        for r in sandbox_seeded_env.store.list(k)
    }
    assert gets == sorted([f"/api{BY_KEY[k].path}" for k in KEYS] + [f"/api{p}" for p in mapped])
    details = [e for e in sandbox_seeded_env.log.entries() if e.path.count("/") == 3]
    assert all(e.query == {"includedetails": "true"} for e in details)
    assert [m for m, _ in requests(sandbox_seeded_env)].count("POST") == 1  # the token


def test_type_selects_and_out_writes_one_file_per_type(
    sandbox_seeded_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "adopted"
    args = ["export", "--type", "myob", "--type", "xero", "--type", "kashflow", "--out", str(out)]
    result = run_cli(args, capsys)
    assert result.code == 0, result.err
    assert result.out == (
        f"Wrote {out / 'xero.yaml'} (3 records).\n"
        f"Wrote {out / 'myob.yaml'} (1 record).\n"
        f"Wrote {out / 'kashflow.yaml'} (0 records).\n"
        f"Wrote {out / 'config.schema.json'} (the configuration schema the files name).\n"
    )
    assert yaml.safe_load((out / "kashflow.yaml").read_text(encoding="utf-8")) == {"kashflow": []}
    assert sorted(p for m, p in requests(sandbox_seeded_env) if m == "GET") == [
        "/api/KashflowDetails",
        "/api/MYOBdetails",
        "/api/MYOBdetails/1",  # MYOB has mapping arrays: read in detail
        "/api/XeroDetails",
    ]


def test_existing_files_are_not_overwritten_without_force(
    sandbox_seeded_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "xero.yaml").write_text("# mine\n", encoding="utf-8")
    args = ["export", "--type", "avalara", "--type", "xero", "--out", str(tmp_path)]
    result = run_cli(args, capsys)
    assert result.code == 1
    assert result.err == (
        f"Error: {tmp_path / 'xero.yaml'} already exists: use --force to overwrite it "
        "(nothing was written)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xero.yaml"]
    assert (tmp_path / "xero.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert run_cli([*args, "--force"], capsys).code == 0
    assert (tmp_path / "xero.yaml").read_text(encoding="utf-8").startswith("# yaml-language")


def test_unknown_type_is_a_usage_error(
    sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["export", "--type", "xeroo"], capsys)
    assert result.code == 1
    assert "Error: Invalid value for '--type': 'xeroo' is not one of 'xero'," in result.err
    assert requests(sandbox_env) == []


def test_unreachable_instance_exits_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HALO_URL", unreachable_url())
    monkeypatch.setenv("HALO_CLIENT_ID", "id")
    monkeypatch.setenv("HALO_CLIENT_SECRET", "secret")
    monkeypatch.setenv("HALO_RETRY_BUDGET", "1")
    result = run_cli(["export", "--out", str(tmp_path / "x")], capsys)
    assert result.code == 1
    assert result.err.startswith("Error: POST /auth/token: no answer: could not connect")
    assert not (tmp_path / "x").exists()


def test_notes_go_to_stderr(sandbox_env: SandboxHandle, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox_env.store.create("xero", {"name": "Odd", "enablesync": "yes", "authorized": True})
    result = run_cli(["export"], capsys)
    assert result.code == 0
    assert "enablesync" not in result.out
    assert result.err == (
        "Warning: xero/Odd: enablesync: HaloPSA returned a string where the schema expects a "
        "boolean; compared as is\n"
        "Warning: xero/Odd: enablesync: not exported: HaloPSA returned a value that is not "
        "boolean\n"
    )


def test_sandbox_flag(sandbox_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(["export", "--sandbox", "--type", "avalara"], capsys)
    assert result.code == 0, result.err
    assert yaml.safe_load(result.out)["avalara"][0]["name"] == "Acme US Tax"
