"""live.py: one list GET per type (concurrently), lenient reading of odd live data."""

from __future__ import annotations

from typing import Any

from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.live import LiveWarning, read_live, sanitise
from reconciler.sandbox import SandboxHandle


def _client(h: SandboxHandle) -> ReadOnlyClient:
    env = {"HALO_URL": h.url, "HALO_CLIENT_ID": h.client_id, "HALO_CLIENT_SECRET": h.client_secret}
    return ReadOnlyClient(settings_from_env(env))


def test_one_get_per_type_keyed_in_registry_order(sandbox_seeded: SandboxHandle) -> None:
    with _client(sandbox_seeded) as client:
        snapshot = read_live(client, ["avalara", "xero", "kashflow", "xero"])
    assert list(snapshot.records) == ["xero", "kashflow", "avalara"]
    assert [r["name"] for r in snapshot.records["xero"]] == ["Acme NZ", "Acme AU", "Old tenant"]
    gets = sorted(
        (e.path, dict(e.query)) for e in sandbox_seeded.log.entries() if e.method == "GET"
    )
    paging = {"pageinate": "true", "page_size": "100", "page_no": "1"}
    assert gets == [
        ("/api/AvalaraDetails", paging),
        ("/api/KashflowDetails", {"includeenabled": "true", "includedisabled": "true", **paging}),
        ("/api/XeroDetails", paging),
    ]
    assert snapshot.warnings == ()


def test_no_types_no_request(sandbox: SandboxHandle) -> None:
    with _client(sandbox) as client:
        snapshot = read_live(client, [])
    assert snapshot.records == {}
    assert sandbox.log.entries() == []


def test_write_only_values_are_dropped(sandbox: SandboxHandle) -> None:
    records = sanitise("xero", [{"id": 1, "name": "A", "new_client_secret": "CANARY"}])
    assert records == ({"id": 1, "name": "A"},)


def test_values_that_break_the_schema_are_warnings_not_errors() -> None:
    warnings: list[LiveWarning] = []
    row: dict[str, Any] = {"halo_id": "twelve", "third_party_id": "C-1", "future": 1}
    raw: list[object] = [
        {"id": 1, "name": "A", "enable_sync": "yes", "brand_new_field": 1},
        {"id": 2, "name": "B", "client_mappings": [row, dict(row), "not a row"]},
        "not a record",
    ]
    unknown: set[str] = {"other_new"}
    records = sanitise("business_central", raw, warnings, unknown_out=unknown)
    assert records == (
        {"id": 1, "name": "A", "enable_sync": "yes"},
        {
            "id": 2,
            "name": "B",
            "client_mappings": [
                {"halo_id": "twelve", "third_party_id": "C-1"},
                {"halo_id": "twelve", "third_party_id": "C-1"},
                "not a row",
            ],
        },
    )
    assert [str(w) for w in warnings] == [
        "business_central: HaloPSA returned 1 list item that is not a record; skipped",
        "business_central/A: enable_sync: HaloPSA returned a string where the schema expects a "
        "boolean; compared as is",
        "business_central/B: client_mappings[]: HaloPSA returned a string where a row object is "
        "expected; compared as is",
        "business_central/B: client_mappings[].halo_id: HaloPSA returned a string where the "
        "schema expects an integer (2 rows); compared as is",
    ]
    # Fields the schema lacks are dropped silently: never a warning (SPEC §11).
    assert unknown == {"other_new", "brand_new_field", "client_mappings[].future"}


def test_an_integral_float_is_an_integer() -> None:
    warnings: list[LiveWarning] = []
    sanitise("xero", [{"id": 1, "name": "A", "item_group": 3.0}], warnings)
    assert warnings == []


def test_records_of_one_shape_are_checked_alike() -> None:
    """A shape already seen clean is not looked at again, but a value of another type (a
    write-only value, a wrong type) makes another shape and is looked at."""
    warnings: list[LiveWarning] = []
    clean = {"id": 1, "name": "A", "enablesync": True, "new_client_secret": None}
    raw = [
        clean,
        {**clean, "id": 2, "name": "B"},
        {**clean, "id": 3, "name": "C", "new_client_secret": "CANARY"},
        {**clean, "id": 4, "name": "D", "enablesync": "yes"},
        {**clean, "id": 5, "name": "E"},
    ]
    records = sanitise("xero", raw, warnings)
    assert [r.get("new_client_secret", "dropped") for r in records] == [
        None,
        None,
        "dropped",
        None,
        None,
    ]
    assert [r["enablesync"] for r in records] == [True, True, True, "yes", True]
    assert [str(w) for w in warnings] == [
        "xero/D: enablesync: HaloPSA returned a string where the schema expects a boolean; "
        "compared as is"
    ]


def test_rows_of_one_shape_are_checked_alike() -> None:
    warnings: list[LiveWarning] = []
    row = {"halo_id": 1, "third_party_id": "C-1"}
    rows = [row, {**row, "halo_id": 2}, {**row, "halo_id": "three"}, {**row, "halo_id": 4}]
    records = sanitise(
        "business_central", [{"id": 1, "name": "A", "client_mappings": rows}], warnings
    )
    assert records[0]["client_mappings"] == rows
    assert [str(w) for w in warnings] == [
        "business_central/A: client_mappings[].halo_id: HaloPSA returned a string where the "
        "schema expects an integer; compared as is"
    ]
