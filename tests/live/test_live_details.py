"""Detail reads (SPEC §11): which records are read again with includedetails=true, and
fields the schema lacks logged once per type (--debug), never warned about."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from reconciler.config import load
from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.live import every_mapped_record, needs_detail, read_live
from reconciler.plan.details import config_details
from reconciler.sandbox import SandboxHandle


def test_needs_detail_for_mapping_arrays_and_absent_keys() -> None:
    row = {"id": 1, "name": "A", "enablesync": None}
    assert not needs_detail("sage_business_cloud", ["name", "enablesync"], row)
    assert needs_detail("sage_business_cloud", ["name", "client_mappings"], row)
    assert needs_detail("sage_business_cloud", ["name", "defaultitemcode"], row)  # absent
    # A write-only field is never compared, so it never calls for a detail read.
    assert not needs_detail("xero", ["name", "new_client_secret"], {"name": "A"})


def test_config_details_names_matched_rows_only(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        "sage_business_cloud:\n"
        "  - name: Mapped\n    client_mappings: [{halo_id: 1, third_party_id: C-1}]\n"
        "  - name: Plain\n    enablesync: true\n"
        "  - name: Sparse\n    defaultitemcode: X\n"
        "  - name: New\n    client_mappings: []\n"
        "  - name: Gone\n    ensure: absent\n",
        encoding="utf-8",
    )
    wanted = config_details(load([str(tmp_path)], env={}))
    rows = [
        {"id": 1, "name": "Mapped", "client_mappings": []},
        {"id": 2, "name": "Plain", "enablesync": False},
        {"id": 3, "name": "Sparse"},
        {"id": 4, "name": "Gone"},
        {"id": 5, "name": "Unmanaged"},
    ]
    assert list(wanted("sage_business_cloud", rows)) == [1, 3]
    assert list(wanted("xero", rows)) == []
    assert every_mapped_record("sage_business_cloud", rows) == [1, 2, 3, 4, 5]
    assert every_mapped_record("xero", [{"id": 1}]) == []


@pytest.fixture
def newer(sandbox: SandboxHandle) -> SandboxHandle:
    sandbox.store.create("myob", {"company_id": "c1", "client_mappings": [{"halo_id": 1}]})
    sandbox.store.create("myob", {"company_id": "c2"})
    sandbox.store.create("xero", {"name": "X"})
    sandbox.faults.extra_fields = True
    sandbox.faults.list_rows = "summary"
    return sandbox


def test_unknown_fields_are_logged_once_per_type_and_never_warned(
    newer: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"HALO_URL": newer.url, "HALO_CLIENT_ID": newer.client_id}
    env["HALO_CLIENT_SECRET"] = newer.client_secret
    client = ReadOnlyClient(settings_from_env(env))
    with caplog.at_level(logging.DEBUG, logger="reconciler.live"), client:
        live = read_live(client, ["xero", "myob"], details=every_mapped_record)
    assert live.warnings == ()
    assert live.unknown == {
        "xero": frozenset({"sandbox_newer_field"}),
        "myob": frozenset({"sandbox_newer_field", "client_mappings[].sandbox_newer_row_field"}),
    }
    assert [r.getMessage() for r in caplog.records if r.name == "reconciler.live"] == [
        "xero: ignoring fields the schema lacks: sandbox_newer_field",
        "myob: ignoring fields the schema lacks: client_mappings[].sandbox_newer_row_field, "
        "sandbox_newer_field",
    ]
    # Summary rows: the detail reads filled the mapping arrays.
    first = live.records["myob"][0]
    assert first["client_mappings"][0]["halo_id"] == 1
    details = [e.path for e in newer.log.entries() if e.path.count("/") == 3]
    assert sorted(details) == ["/api/MYOBdetails/1", "/api/MYOBdetails/2"]
