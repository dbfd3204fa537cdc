"""export -> validate -> plan: the exported files plan with no changes (SPEC §7).

The sandbox holds fully populated records of all nine types — every configurable field
set, mapping arrays with several rows, secrets stored server-side (the canary) — and the
CLI runs in-process against it over real HTTP.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_runner import requests, run_cli
from export_support import full_seed

from reconciler.registry import KEYS, mapping_arrays, spec
from reconciler.sandbox import SandboxHandle


@pytest.fixture
def populated(sandbox_env: SandboxHandle, canary: str) -> SandboxHandle:
    for key, records in full_seed(canary).items():
        for record in records:
            sandbox_env.store.create(key, record)
    return sandbox_env


def test_export_then_plan_shows_no_changes(
    populated: SandboxHandle,
    tmp_path: Path,
    canary: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "adopted"
    result = run_cli(["export", "--out", str(out)], capsys)
    assert result.code == 0, result.err
    assert result.err == ""  # nothing had to be left out
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.yaml" for k in KEYS)
    for path in out.iterdir():
        assert canary not in path.read_text(encoding="utf-8")

    # validate with no environment at all: the placeholders are comments
    for name in [n for n in os.environ if n.startswith("HALO_TEST")]:
        monkeypatch.delenv(name)
    valid = run_cli(["validate", str(out), "--no-env"], capsys)
    assert valid.code == 0, valid.err
    assert valid.out == "Configuration valid: 18 records of 9 types in 9 files.\n"

    populated.log.clear()
    plan = run_cli(["plan", str(out), "--detailed-exitcode", "--format", "json"], capsys)
    assert plan.code == 0, plan.out
    doc = json.loads(plan.out)
    assert doc["summary"] == {"create": 0, "update": 0, "delete": 0, "no_op": 18, "unmanaged": 0}
    # the exported fields are really compared: every configurable field with a value is stated
    assert canary not in plan.out + plan.err
    gets = [p for m, p in requests(populated) if m == "GET"]
    # One list per type, and one detail read per record stating a mapping array (all
    # the records of types that have them: the seed fills every one) — SPEC §11.
    mapped = sum(len(populated.store.list(k)) for k in KEYS if mapping_arrays(k))
    assert (len([p for p in gets if p.count("/") == 2]), len(gets)) == (9, 9 + mapped)


def test_exported_files_state_every_configurable_field(
    populated: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["export", "--type", "xero"], capsys)
    assert result.code == 0, result.err
    text = result.out
    for name, fs in spec("xero").fields.items():
        stated = re.search(rf"^(    |  - ){name}: ", text, re.MULTILINE)
        if fs.write_only:
            assert f"    # {name}: ${{XERO_XERO_INTEGRATION_1_" in text
            assert stated is None
        else:
            assert (stated is not None) is fs.configurable, name


def test_a_change_after_export_shows_in_the_plan(
    populated: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "adopted"
    assert run_cli(["export", "--out", str(out), "--type", "business_central"], capsys).code == 0
    record = populated.store.list("business_central")[0]
    rows = record["client_mappings"]
    populated.store.update("business_central", record["id"], {"client_mappings": rows[:-1]})
    plan = run_cli(["plan", str(out), "--detailed-exitcode", "--format", "json"], capsys)
    assert plan.code == 2
    changes = json.loads(plan.out)["resource_changes"]
    assert [(rc["address"], rc["action"]) for rc in changes] == [
        ("business_central/Dynamics 365 Business Central integration 1", "update"),
        ("business_central/Dynamics 365 Business Central integration 2", "no-op"),
    ]
    assert [c["field"] for c in changes[0]["changes"]] == ["client_mappings"]


def test_header_says_where_and_when(
    populated: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    result = run_cli(["export", "--type", "avalara"], capsys)
    lines = result.out.splitlines()
    assert lines[0] == (
        "# yaml-language-server: $schema=https://halo-reconciler.dev/schemas/config.schema.json"
    )
    prefix = f"# Exported by halo-reconciler from {populated.url} at "
    assert lines[1].startswith(prefix)
    when = datetime.fromisoformat(lines[1][len(prefix) : -1].replace("Z", "+00:00"))
    assert before <= when <= datetime.now(UTC)
