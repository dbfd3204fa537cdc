"""The data file: persistence across restarts, atomic writes, corrupt files left alone."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx
import pytest

from reconciler.errors import SandboxError
from reconciler.sandbox import SandboxHandle, start_in_thread
from reconciler.sandbox.store import Store

from .conftest import Connect

XERO = "/api/XeroDetails"


def test_records_persist_across_restarts(tmp_path: Path, connect: Connect) -> None:
    data = tmp_path / "data.json"
    with start_in_thread(data=data) as first:
        client = connect(first)
        client.post(XERO, json=[{"name": "A", "new_client_secret": "s"}, {"name": "B"}])
        client.delete(f"{XERO}/2")
    with start_in_thread(data=data) as second:
        client = connect(second)
        assert [(r["id"], r["name"]) for r in client.get(XERO).json()] == [(1, "A")]
        # A deleted id stays used after a restart.
        assert client.post(XERO, json=[{"name": "C"}]).json()[0]["id"] == 3
        raw = second.store.raw("xero", 1)
        assert raw is not None
        assert raw["new_client_secret"] == "s"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.json"]  # no temporary files


def test_a_new_data_file_starts_from_the_seed_and_later_ignores_it(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    with start_in_thread(data=data, seed="bundled") as handle:
        assert handle.store.counts()["xero"] == 3
        handle.store.delete("xero", 3)
    assert data.is_file()
    with start_in_thread(data=data, seed="bundled") as handle:
        assert handle.store.counts()["xero"] == 2


def test_the_data_file_is_json_in_a_documented_shape(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    with start_in_thread(data=data) as handle:
        handle.store.create("kashflow", {"name": "K"})
    doc = json.loads(data.read_text(encoding="utf-8"))
    assert doc["format"] == "halo-reconciler-sandbox/1"
    assert doc["records"]["kashflow"] == [{"id": 1, "name": "K"}]
    assert doc["next_id"]["kashflow"] == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '{"format": ',
            "is not valid JSON (line 1, column 12); it was left unchanged: fix it, or move it "
            "away to start afresh",
        ),
        (
            "[]",
            'is not a sandbox data file (no "format": "halo-reconciler-sandbox/1"); it was left '
            "unchanged: fix it, or move it away to start afresh",
        ),
        (
            '{"format": "halo-reconciler-sandbox/1", "next_id": {}, "next_row_id": 1, '
            '"lookups": {}, "records": {"zoho": []}}',
            'is not a sandbox data file (unknown resource type "zoho"); it was left unchanged: '
            "fix it, or move it away to start afresh",
        ),
        (
            '{"format": "halo-reconciler-sandbox/1", "next_id": {}, "next_row_id": 1, '
            '"lookups": {}, "records": {"xero": [{"name": "no id"}]}}',
            'is not a sandbox data file (record 0 of "xero" has no integer id); it was left '
            "unchanged: fix it, or move it away to start afresh",
        ),
        (
            '{"format": "halo-reconciler-sandbox/1", "next_id": {}, "next_row_id": 1, '
            '"lookups": {}, "records": {"xero": [{"id": 1, "colour": "red"}]}}',
            'is not a sandbox data file (record 0 of "xero" has an unknown field "colour"); it '
            "was left unchanged: fix it, or move it away to start afresh",
        ),
        (
            '{"format": "halo-reconciler-sandbox/1", "records": {}}',
            'is not a sandbox data file ("next_id" is missing); it was left unchanged: fix it, '
            "or move it away to start afresh",
        ),
    ],
)
def test_a_corrupt_data_file_is_an_error_and_left_unchanged(
    tmp_path: Path, text: str, problem: str
) -> None:
    data = tmp_path / "data.json"
    data.write_text(text, encoding="utf-8")
    with pytest.raises(SandboxError) as info:
        start_in_thread(data=data, seed="bundled")
    assert str(info.value) == f"the sandbox data file {data} {problem}"
    assert data.read_text(encoding="utf-8") == text


def test_an_unreadable_data_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxError) as info:
        start_in_thread(data=tmp_path)
    assert str(info.value) == f"cannot read the sandbox data file {tmp_path}: Is a directory"


def test_an_unwritable_place_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "missing-dir" / "data.json"
    with pytest.raises(SandboxError) as info:
        start_in_thread(data=data)
    assert str(info.value) == (
        f"cannot write the sandbox data file {data}: No such file or directory"
    )


def test_a_busy_port_is_an_error(sandbox: SandboxHandle) -> None:
    with pytest.raises(SandboxError) as info:
        start_in_thread(port=sandbox.port)
    assert str(info.value) == f"cannot listen on 127.0.0.1:{sandbox.port}: Address already in use"


def test_direct_edits_simulate_the_web_ui(sandbox: SandboxHandle, api: httpx.Client) -> None:
    created = sandbox.store.create("xero", {"name": "A", "authorized": True, "tenant_name": "T"})
    assert (created["id"], created["authorized"], created["tenant_name"]) == (1, True, "T")
    sandbox.store.update("xero", 1, {"enablesync": True, "_warning": "check me"})
    (live,) = api.get(XERO).json()
    assert (live["enablesync"], live["_warning"]) == (True, "check me")
    assert sandbox.store.get("xero", 1) == live
    assert sandbox.store.list("xero") == [live]
    sandbox.store.delete("xero", 1)
    assert sandbox.store.get("xero", 1) is None
    assert api.get(XERO).json() == []


def test_direct_edit_errors(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError, match='XeroDetails has no field "colour"'):
        sandbox.store.create("xero", {"name": "A", "colour": "red"})
    sandbox.store.create("xero", {"id": 5, "name": "A"})
    with pytest.raises(ValueError, match="XeroDetails 5 exists already"):
        sandbox.store.create("xero", {"id": 5, "name": "B"})
    assert sandbox.store.create("xero", {"name": "C"})["id"] == 6
    with pytest.raises(KeyError, match="XeroDetails 9 does not exist"):
        sandbox.store.update("xero", 9, {"name": "x"})
    with pytest.raises(KeyError, match="XeroDetails 9 does not exist"):
        sandbox.store.delete("xero", 9)
    with pytest.raises(KeyError, match="unknown resource type 'zoho'"):
        sandbox.store.list("zoho")


def test_load_seed_replaces_the_contents(sandbox: SandboxHandle) -> None:
    sandbox.store.create("fortnox", {"name": "F"})
    sandbox.store.load_seed({"xero": [{"name": "Seeded", "sync_entities": ["a", "b"]}]})
    assert sandbox.store.counts()["fortnox"] == 0
    (rec,) = sandbox.store.list("xero")
    assert (rec["id"], rec["name"], rec["sync_entities"]) == (1, "Seeded", "a,b")


def test_a_seeded_status_beats_the_stored_token(sandbox: SandboxHandle) -> None:
    sandbox.store.load_seed({"xero": [{"name": "X", "new_access_token": "t", "authorized": False}]})
    assert sandbox.store.list("xero")[0]["authorized"] is False


def test_store_without_a_file_keeps_nothing_on_disk(tmp_path: Path) -> None:
    store = Store.open(None, {"xero": [{"name": "X"}]})
    assert store.path is None
    assert store.counts()["xero"] == 1


def test_data_files_are_private(tmp_path: Path) -> None:
    # They hold write-only values: secrets pushed with --push-secrets among them.
    previous = os.umask(0o022)  # a usual umask: files 0644 unless made private
    try:
        data = tmp_path / "data.json"
        with start_in_thread(data=data) as handle:
            handle.store.create("xero", {"name": "A", "new_client_secret": "s"})
        assert stat.S_IMODE(data.stat().st_mode) == 0o600
        from reconciler.sandbox.local import open_local

        where = tmp_path / "halo-sandbox"
        open_local(where).stop()
        assert stat.S_IMODE(where.stat().st_mode) == 0o700
        assert stat.S_IMODE((where / "data.json").stat().st_mode) == 0o600
    finally:
        os.umask(previous)
