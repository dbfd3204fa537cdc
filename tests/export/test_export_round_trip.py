"""export -> validate -> plan: the exported files plan with no changes (SPEC §7).

The sandbox holds fully populated records of all nine types — every configurable field
set, mapping arrays with several rows, secrets stored server-side (the canary) — and the
CLI runs in-process against it over real HTTP.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jsonschema
import pytest
import yaml
from cli_runner import requests, run_cli
from export_support import full_seed

from reconciler.export.fields import OAUTH_FLOW_FIELDS
from reconciler.registry import KEYS, mapping_arrays, schema_dir, spec
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
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*(f"{k}.yaml" for k in KEYS), "config.schema.json"])
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
            placeholder = f"    # {name}: ${{XERO_XERO_INTEGRATION_1_" in text
            assert placeholder is (name not in OAUTH_FLOW_FIELDS), name  # only what users set
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


def test_header_says_where_and_a_re_export_is_byte_identical(
    populated: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(["export", "--type", "avalara"], capsys)
    lines = first.out.splitlines()
    assert lines[1] == f"# Exported by halo-reconciler from {populated.url}."  # no time
    assert run_cli(["export", "--type", "avalara"], capsys).out == first.out

    out = tmp_path / "adopted"
    assert run_cli(["export", "--out", str(out)], capsys).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert run_cli(["export", "--out", str(out), "--force"], capsys).code == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def _modeline_target(path: Path) -> Path:
    """Where the editor's `$schema=` modeline of `path` leads (relative to the file, or a
    file: URI), as the YAML language server resolves it."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    target = first[len(prefix) :]
    if target.startswith("file:"):
        return Path(url2pathname(urlsplit(target).path))
    assert "://" not in target, target  # nothing to fetch from a site
    return path.parent / target


def test_the_modeline_leads_to_a_schema_the_export_satisfies(
    populated: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "adopted"
    assert run_cli(["export", "--out", str(out)], capsys).code == 0
    document = tmp_path / "one.yaml"
    document.write_text(run_cli(["export"], capsys).out, encoding="utf-8")
    files = [*sorted(out.glob("*.yaml")), document]
    assert len(files) == len(KEYS) + 1
    for path in files:
        schema_path = _modeline_target(path)
        assert schema_path.is_file(), path
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert errors == [], (path, [e.message for e in errors])
    # beside the files: the schema of this installation, byte for byte
    assert (out / "config.schema.json").read_bytes() == (
        schema_dir() / "config.schema.json"
    ).read_bytes()
