"""Names beside ids, `{name: ...}` and reference checks, end to end against sandboxes on
loopback ports (SPEC §13; issue 15 acceptance 2-5)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_runner import requests, run_cli
from conftest import CANARY

from reconciler.sandbox import LogEntry, SandboxHandle, start_in_thread


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


NAMED = """
quickbooks:
  - name: Acme US
    client_top_level: {name: Managed Services}
    service_item_group: {name: managed services}   # a unique case-insensitive match
sage_business_cloud:
  - name: Sage UK
    client_mappings:
      - halo_id: {name: Contoso Ltd}
        third_party_id: C00030
"""


def _instance(h: SandboxHandle, offset: int) -> None:
    """An instance whose ids for the same names differ by `offset`."""
    h.store.set_lookup("top_level", {str(12 + offset): "Managed Services", "40": "Projects"})
    h.store.set_lookup("item_group", {str(7 + offset): "Managed services"})
    h.store.set_lookup("client", {str(18 + offset): "Contoso Ltd"})
    h.store.create("quickbooks", {"name": "Acme US", "client_top_level": 40})
    h.store.create("sage_business_cloud", {"name": "Sage UK", "client_mappings": []})


@pytest.fixture
def instances() -> Iterator[tuple[SandboxHandle, SandboxHandle]]:
    with (
        start_in_thread(client_secret=CANARY) as uat,
        start_in_thread(client_secret=CANARY) as prod,
    ):
        _instance(uat, 0)
        _instance(prod, 100)
        yield uat, prod


@pytest.fixture
def uat(
    instances: tuple[SandboxHandle, SandboxHandle], monkeypatch: pytest.MonkeyPatch
) -> SandboxHandle:
    """The first instance, with HALO_* pointing at it."""
    _use(monkeypatch, instances[0])
    return instances[0]


def _use(monkeypatch: pytest.MonkeyPatch, h: SandboxHandle) -> None:
    monkeypatch.setenv("HALO_URL", h.url)
    monkeypatch.setenv("HALO_CLIENT_ID", h.client_id)
    monkeypatch.setenv("HALO_CLIENT_SECRET", h.client_secret)


def _plan(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    result = run_cli(["plan", str(path), "--format", "json", *extra], capsys)
    assert result.code == 0, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def _changes(doc: dict[str, Any]) -> dict[str, tuple[Any, Any, Any, Any]]:
    return {
        f"{rc['address']}.{c['field']}": (
            c["before"],
            c["before_name"],
            c["after"],
            c["after_name"],
        )
        for rc in doc["resource_changes"]
        for c in rc["changes"]
    }


def test_names_resolve_per_instance_and_apply_converges_on_both(
    instances: tuple[SandboxHandle, SandboxHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write(tmp_path, "halo.yaml", NAMED)
    for h, offset in zip(instances, (0, 100), strict=True):
        _use(monkeypatch, h)
        doc = _plan(config, capsys)
        changes = _changes(doc)
        top, group = 12 + offset, 7 + offset
        assert changes["quickbooks/Acme US.client_top_level"] == (
            40,
            "Projects",
            top,
            "Managed Services",
        )
        assert changes["quickbooks/Acme US.service_item_group"] == (
            None,
            None,
            group,
            "Managed services",
        )
        rows = doc["resource_changes"][1]["changes"][0]
        assert [(e["op"], e["value"], e["name"]) for e in rows["elements"]] == [
            ("add", {"halo_id": 18 + offset, "third_party_id": "C00030"}, "Contoso Ltd")
        ]
        text = run_cli(["plan", str(config)], capsys).out
        assert f"client_top_level: 40 (Projects) -> {top} (Managed Services)" in text
        drift = run_cli(["drift", str(config)], capsys)
        assert drift.code == 2
        assert f"client_top_level: 40 (Projects) -> {top} (Managed Services)" in drift.out
        assert f'+ {{"halo_id": {18 + offset}, "third_party_id": "C00030"}} (Contoso Ltd)' in text
        applied = run_cli(["apply", str(config), "--auto-approve"], capsys)
        assert applied.code == 0, applied.err
        assert h.store.raw("quickbooks", 1)["client_top_level"] == top  # type: ignore[index]
        again = run_cli(["plan", str(config)], capsys)
        assert again.code == 0 and "No changes." in again.out
        assert CANARY not in again.out + again.err + applied.out + applied.err


def _errors(
    h: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> list[str]:
    config = write(tmp_path, "bad.yaml", text)
    result = run_cli(["apply", str(config), "--auto-approve"], capsys)
    assert result.code == 1
    assert result.out == "" or "Plan:" not in result.out
    assert not [m for m, _ in requests(h) if m in ("POST", "DELETE") and _ != "/auth/token"]
    return result.err.splitlines()


def test_a_missing_top_level_id_is_an_error_with_place_and_closest_names(
    uat: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = _errors(
        uat,
        tmp_path,
        capsys,
        "quickbooks:\n  - name: Acme US\n    client_top_level: 13\n",
    )
    assert lines[1] == (
        f"{tmp_path / 'bad.yaml'}:3:5: quickbooks/Acme US: client_top_level: 13 is not in "
        '/TopLevel on this instance; closest: "Customers" (1), "Suppliers" (2), "Partners" (3)'
    )


def test_unknown_and_ambiguous_names_are_errors_with_candidates(
    uat: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uat.store.set_lookup("client", {"77": "Contoso Ltd"})  # a second Contoso Ltd
    config = (
        "quickbooks:\n  - name: Acme US\n    client_top_level: {name: Managed Servces}\n"
        "sage_business_cloud:\n  - name: Sage UK\n    client_mappings:\n"
        "      - halo_id: {name: Contoso Ltd}\n        third_party_id: C1\n"
    )
    lines = _errors(uat, tmp_path, capsys, config)
    path = tmp_path / "bad.yaml"
    assert lines[1:] == [
        f"{path}:3:5: quickbooks/Acme US: client_top_level: {{name: 'Managed Servces'}}: "
        '/TopLevel has no entry with this name; closest: "Managed Services" (12)',
        f"{path}:7:9: sage_business_cloud/Sage UK: client_mappings[0].halo_id: "
        "{name: 'Contoso Ltd'}: 2 entries of /Client have this name: \"Contoso Ltd\" (18), "
        '"Contoso Ltd" (77) — write the id of the one you mean',
    ]


@pytest.mark.parametrize("answer", ["missing", "odd"])
def test_unreadable_lookups_leave_names_null_with_one_warning_per_source(
    answer: str,
    instances: tuple[SandboxHandle, SandboxHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uat = instances[0]
    uat.store.create(
        "quickbooks", {"name": "Other", "default_tax_code_id": 1, "default_sales_account_id": 200}
    )
    for path in ("/TopLevel", "/ItemGroup", "/IntegrationData/Get/QuickBooksOnline"):
        uat.lookup_answers[path] = answer
    _use(monkeypatch, uat)
    config = write(
        tmp_path,
        "halo.yaml",
        """
        quickbooks:
          - name: Acme US
            client_top_level: 99
            service_item_group: 3
          - name: Other
            default_tax_code_id: 2
            default_sales_account_id: 260
        """,
    )
    doc = _plan(config, capsys)
    changes = _changes(doc)
    assert changes["quickbooks/Acme US.client_top_level"] == (40, "Projects", 99, None)
    assert changes["quickbooks/Other.default_tax_code_id"] == (1, "GST on Income", 2, None)
    warned = [w for w in doc["warnings"] if w["address"].startswith("/")]
    assert [w["address"] for w in warned] == [  # one per source, in address order
        "/IntegrationData/Get/QuickBooksOnline?datatype=account",
        "/IntegrationData/Get/QuickBooksOnline?datatype=tax_code",
        "/ItemGroup",
        "/TopLevel",
    ]
    why = "could not be read (HTTP 404)" if answer == "missing" else "answered a shape"
    assert all(w["message"].startswith(why) for w in warned)
    named = write(
        tmp_path,
        "named.yaml",
        "quickbooks:\n  - name: Acme US\n    client_top_level: {name: Projects}\n",
    )
    lines = _errors(uat, tmp_path, capsys, named.read_text())
    assert lines[1].endswith(
        "client_top_level: {name: 'Projects'}: cannot be resolved: /TopLevel could not be read"
        " on this instance (an error, or an answer that is not a list of id and name) — write"
        " the id instead"
    )


def _lookup_gets(h: SandboxHandle) -> list[str]:
    nine = ("/api/QuickBooksDetails", "/api/SageBusinessCloudDetails", "/auth/token")
    return [p for _, p in requests(h) if not p.startswith(nine)]  # detail reads too


def test_lookup_lists_are_read_only_when_a_changed_field_needs_them_and_once(
    uat: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uat.store.set_lookup("client", {str(i): f"Client {i:04}" for i in range(1000, 1250)})
    unchanged = write(
        tmp_path / "a", "halo.yaml", "quickbooks:\n  - name: Acme US\n    client_top_level: 40\n"
    )
    _plan(unchanged, capsys)
    assert _lookup_gets(uat) == []  # nothing changed: no lookup read at all
    uat.log.clear()
    several = write(
        tmp_path / "b",
        "halo.yaml",
        """
        quickbooks:
          - name: Acme US
            client_top_level: 12
            supplier_top_level: 40
            default_tax_code_id: 3
            zero_tax_rate_id: 5
        sage_business_cloud:
          - name: Sage UK
            client_mappings:
              - {halo_id: 1001, third_party_id: A}
              - {halo_id: 1249, third_party_id: B}
        """,
    )
    doc = _plan(several, capsys)
    assert _lookup_gets(uat) == [
        "/api/IntegrationData/Get/QuickBooksOnline",
        "/api/TopLevel",
        "/api/Client",
        "/api/Client",
        "/api/Client",
    ]  # one read per source; /Client's 253 rows take three pages of 100
    names = [e["name"] for e in doc["resource_changes"][1]["changes"][0]["elements"]]
    assert names == ["Client 1001", "Client 1249"]


def test_export_names_round_trips_and_serves_another_instance(
    instances: tuple[SandboxHandle, SandboxHandle],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    uat, prod = instances
    uat.store.update("quickbooks", 1, {"client_top_level": 12, "service_item_group": 7})
    uat.store.update(
        "sage_business_cloud", 1, {"client_mappings": [{"halo_id": 18, "third_party_id": "C1"}]}
    )
    _use(monkeypatch, uat)
    out = tmp_path / "adopted"
    result = run_cli(["export", "--names", "--out", str(out)], capsys)
    assert result.code == 0, result.err
    text = (out / "quickbooks.yaml").read_text("utf-8")
    assert "client_top_level: {name: Managed Services}" in text
    assert "service_item_group: {name: Managed services}" in text
    assert "- halo_id: {name: Contoso Ltd}" in (out / "sage_business_cloud.yaml").read_text()
    assert run_cli(["validate", str(out), "--no-env"], capsys).code == 0
    same = run_cli(["plan", str(out)], capsys)
    assert same.code == 0 and "No changes." in same.out, same.out + same.err
    _use(monkeypatch, prod)  # the same files, another instance, other ids
    doc = _plan(out, capsys)
    assert _changes(doc)["quickbooks/Acme US.client_top_level"] == (
        40,
        "Projects",
        112,
        "Managed Services",
    )


def test_an_apply_report_names_what_was_sent_and_what_came_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def keep_old_top_level(entry: LogEntry) -> None:
        # HaloPSA accepting a value and not keeping it: undo it behind the API's back.
        if entry.method == "POST" and entry.path == "/api/QuickBooksDetails":
            handle.store.update("quickbooks", 1, {"client_top_level": 40})

    with start_in_thread(client_secret=CANARY, on_request=keep_old_top_level) as handle:
        _instance(handle, 0)
        _use(monkeypatch, handle)
        config = write(
            tmp_path,
            "halo.yaml",
            "quickbooks:\n  - name: Acme US\n    client_top_level: {name: Managed Services}\n",
        )
        result = run_cli(["apply", str(config), "--auto-approve"], capsys)
    assert result.code == 1
    assert (
        "quickbooks/Acme US: update failed: inconsistent result: client_top_level: "
        "sent 12 (Managed Services), read back 40 (Projects)"
    ) in result.out
