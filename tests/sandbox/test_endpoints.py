"""The nine endpoints: list, get, create, partial update, delete — over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from reconciler.registry import TYPES, spec
from reconciler.sandbox import SandboxHandle


@pytest.mark.parametrize("rtype", TYPES, ids=lambda t: t.key)
def test_every_type_round_trips(api: httpx.Client, rtype: object) -> None:
    from reconciler.registry import ResourceType

    assert isinstance(rtype, ResourceType)
    ident = spec(rtype.key).identity
    path = f"/api{rtype.path}"
    assert api.get(path).json() == []
    created = api.post(path, json=[{ident: "first"}, {ident: "second"}])
    assert created.status_code == 200
    first, second = created.json()
    assert (first["id"], second["id"]) == (1, 2)
    # Every field of the model, in HaloPSA's order, null when unset.
    assert list(first) == list(spec(rtype.key).fields)
    assert api.get(f"{path}/1").json() == first
    assert api.get(path).json() == [first, second]
    assert api.delete(f"{path}/1").status_code == 200
    assert api.get(f"{path}/1").status_code == 404
    assert [r[ident] for r in api.get(path).json()] == ["second"]


def test_paths_are_spelled_exactly(api: httpx.Client) -> None:
    assert api.get("/api/MYOBdetails").status_code == 200
    reply = api.get("/api/MYOBDetails")
    assert reply.status_code == 404
    assert reply.json() == {
        "Message": "No HTTP resource was found that matches the request URI '/api/MYOBDetails'."
    }


def test_unknown_paths_are_404(api: httpx.Client) -> None:
    assert api.get("/api/Tickets").status_code == 404
    assert api.get("/api/XeroDetails/1/extra").status_code == 404
    assert api.get("/api/XeroDetails/abc").status_code == 404
    assert api.get("/").status_code == 404


def test_get_of_a_missing_record_is_404(api: httpx.Client) -> None:
    reply = api.get("/api/XeroDetails/42")
    assert reply.status_code == 404
    assert reply.json() == {"ClassName": "NotFoundException", "Message": "XeroDetails 42 not found"}


def test_delete_of_a_missing_record_is_404(api: httpx.Client) -> None:
    reply = api.delete("/api/QuickBooksDetails/7")
    assert reply.status_code == 404
    assert reply.json()["Message"] == "QuickBooksDetails 7 not found"


def test_delete_answers_200_with_an_empty_body(api: httpx.Client) -> None:
    api.post("/api/FortnoxDetails", json=[{"name": "F"}])
    reply = api.delete("/api/FortnoxDetails/1")
    assert (reply.status_code, reply.content) == (200, b"")


def test_other_methods_are_405(api: httpx.Client) -> None:
    reply = api.put("/api/XeroDetails", json=[])
    assert reply.status_code == 405
    assert reply.json() == {"Message": "The requested resource does not support http method 'PUT'."}
    assert api.patch("/api/XeroDetails/1", json={}).status_code == 405
    assert api.delete("/api/XeroDetails").status_code == 405
    assert api.post("/api/XeroDetails/1", json=[]).status_code == 405


def test_ids_increase_and_are_never_reused(api: httpx.Client) -> None:
    for name in ("a", "b", "c"):
        api.post("/api/XeroDetails", json=[{"name": name}])
    api.delete("/api/XeroDetails/3")
    api.delete("/api/XeroDetails/2")
    (new,) = api.post("/api/XeroDetails", json=[{"name": "d"}]).json()
    assert new["id"] == 4
    # Ids are per type.
    (other,) = api.post("/api/KashflowDetails", json=[{"name": "k"}]).json()
    assert other["id"] == 1


def test_update_changes_only_the_fields_sent(api: httpx.Client) -> None:
    api.post(
        "/api/XeroDetails",
        json=[{"name": "Acme", "enablesync": True, "default_item_code": "A", "isdefault": True}],
    )
    (updated,) = api.post("/api/XeroDetails", json=[{"id": 1, "default_item_code": "B"}]).json()
    assert updated["name"] == "Acme"
    assert updated["enablesync"] is True
    assert updated["isdefault"] is True
    assert updated["default_item_code"] == "B"
    assert api.get("/api/XeroDetails/1").json() == updated


def test_null_clears_a_field(api: httpx.Client) -> None:
    api.post("/api/XeroDetails", json=[{"name": "Acme", "default_item_code": "A"}])
    (updated,) = api.post("/api/XeroDetails", json=[{"id": 1, "default_item_code": None}]).json()
    assert updated["default_item_code"] is None


def test_one_post_creates_and_updates(api: httpx.Client) -> None:
    api.post("/api/XeroDetails", json=[{"name": "Acme"}])
    saved = api.post("/api/XeroDetails", json=[{"name": "New"}, {"id": 1, "enablesync": True}])
    assert [(r["id"], r["name"], r["enablesync"]) for r in saved.json()] == [
        (2, "New", None),
        (1, "Acme", True),
    ]


def test_write_only_fields_are_stored_but_never_returned(
    api: httpx.Client, sandbox: SandboxHandle, canary: str
) -> None:
    (created,) = api.post(
        "/api/XeroDetails", json=[{"name": "Acme", "new_client_secret": canary}]
    ).json()
    assert created["new_client_secret"] is None
    assert canary not in api.get("/api/XeroDetails").text
    assert canary not in api.get("/api/XeroDetails/1").text
    raw = sandbox.store.raw("xero", 1)
    assert raw is not None
    assert raw["new_client_secret"] == canary
    assert canary not in repr(sandbox.log.entries())


def test_name_lookups_are_computed(api: httpx.Client) -> None:
    (rec,) = api.post(
        "/api/XeroDetails",
        json=[{"name": "Acme", "client_top_level": 1, "item_group": 2, "supplier_top_level": 99}],
    ).json()
    assert rec["client_top_level_name"] == "Customers"
    assert rec["item_group_name"] == "Hardware"
    assert rec["supplier_top_level_name"] == "Unknown (99)"
    (rec,) = api.post("/api/XeroDetails", json=[{"id": 1, "client_top_level": None}]).json()
    assert rec["client_top_level_name"] is None


def test_lookups_by_string_key(api: httpx.Client) -> None:
    (rec,) = api.post(
        "/api/BusinessCentralDetails",
        json=[{"name": "BC", "default_sales_account": "200", "default_invoice_item": "X"}],
    ).json()
    assert rec["default_sales_account_name"] == "Sales"
    assert rec["default_invoice_item_name"] == "Unknown (X)"


def test_a_stored_access_token_makes_a_record_authorized(api: httpx.Client) -> None:
    (rec,) = api.post("/api/XeroDetails", json=[{"name": "Acme"}]).json()
    assert (rec["authorized"], rec["token_expiry"]) == (False, None)
    (rec,) = api.post("/api/XeroDetails", json=[{"id": 1, "new_access_token": "t"}]).json()
    assert rec["authorized"] is True
    assert rec["token_expiry"] is not None
    (rec,) = api.post("/api/XeroDetails", json=[{"id": 1, "new_access_token": None}]).json()
    assert (rec["authorized"], rec["token_expiry"]) == (False, None)


def test_isauthorized_spelling_and_password_credentials(api: httpx.Client) -> None:
    (sage,) = api.post(
        "/api/SageBusinessCloudDetails", json=[{"name": "S", "new_access_token": "t"}]
    ).json()
    assert sage["isauthorized"] is True
    assert sage["tokenexpiry"] is not None
    (ava,) = api.post("/api/AvalaraDetails", json=[{"name": "A", "new_password": "p"}]).json()
    assert ava["authorized"] is True


def test_triggers_are_accepted_and_not_stored(api: httpx.Client, sandbox: SandboxHandle) -> None:
    api.post("/api/XeroDetails", json=[{"name": "Acme", "new_access_token": "t"}])
    reply = api.post(
        "/api/XeroDetails", json=[{"id": 1, "_disconnect": True, "_exchangecode": True}]
    )
    assert reply.status_code == 200
    (rec,) = reply.json()
    assert (rec["_disconnect"], rec["_exchangecode"], rec["authorized"]) == (None, None, True)
    raw = sandbox.store.raw("xero", 1)
    assert raw is not None
    assert "_disconnect" not in raw


def test_an_array_sent_replaces_the_stored_array(api: httpx.Client) -> None:
    rows = [{"halo_id": 1, "third_party_id": "A"}, {"halo_id": 2, "third_party_id": "B"}]
    (rec,) = api.post(
        "/api/BusinessCentralDetails", json=[{"name": "BC", "client_mappings": rows}]
    ).json()
    stored = rec["client_mappings"]
    assert [(r["id"], r["halo_id"], r["third_party_id"], r["details_id"]) for r in stored] == [
        (1, 1, "A", 1),
        (2, 2, "B", 1),
    ]
    element = spec("business_central").fields["client_mappings"].element
    assert element is not None
    assert list(stored[0]) == list(element.fields)
    (rec,) = api.post(
        "/api/BusinessCentralDetails",
        json=[{"id": 1, "client_mappings": [{"id": 2, "third_party_id": "B2"}, {"halo_id": 3}]}],
    ).json()
    rows_now = [(r["id"], r["halo_id"], r["third_party_id"]) for r in rec["client_mappings"]]
    # Row 2 kept its id but only what was sent (the array is replaced, not merged).
    assert rows_now == [(2, None, "B2"), (3, 3, None)]
    (rec,) = api.post("/api/BusinessCentralDetails", json=[{"id": 1, "client_mappings": []}]).json()
    assert rec["client_mappings"] == []


def test_the_post_answer_lists_saved_records_in_request_order(api: httpx.Client) -> None:
    saved = api.post("/api/ExactDetails", json=[{"name": "b"}, {"name": "a"}]).json()
    assert [r["name"] for r in saved] == ["b", "a"]
    assert [r["name"] for r in api.get("/api/ExactDetails").json()] == ["b", "a"]


def test_seeded_store_has_unauthorized_and_warned_records(seeded_api: httpx.Client) -> None:
    xero = seeded_api.get("/api/XeroDetails").json()
    assert [(r["name"], r["authorized"], r["_warning"]) for r in xero] == [
        ("Acme NZ", True, None),
        ("Acme AU", True, None),
        ("Old tenant", False, "Xero connection expired: reconnect the integration"),
    ]
    assert xero[0]["sync_entities"] == "invoices"
    assert xero[0]["new_access_token"] is None
    (bc,) = seeded_api.get("/api/BusinessCentralDetails").json()
    assert [m["third_party_id"] for m in bc["client_mappings"]] == ["C00010", "C00020"]
    assert bc["default_sales_account_name"] == "Sales, Services"
