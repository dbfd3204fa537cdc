"""The documented list filters; undocumented and unknown parameters are ignored."""

from __future__ import annotations

import httpx
import pytest

from reconciler.sandbox import SandboxHandle


def _names(reply: httpx.Response) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [r.get("name") or r.get("company_id") for r in reply.json()]


@pytest.fixture
def filled(sandbox: SandboxHandle, api: httpx.Client) -> httpx.Client:
    store = sandbox.store
    store.create("xero", {"name": "on", "tenant_id": "t1", "new_access_token": "x"})
    store.create("xero", {"name": "off", "tenant_id": "t2"})
    store.create("sage_business_cloud", {"name": "s-on", "isauthorized": True})
    store.create("sage_business_cloud", {"name": "s-off"})
    store.create("quickbooks", {"name": "q1", "company_id": "c1", "authorized": True})
    store.create("quickbooks", {"name": "q2", "company_id": "c2"})
    store.create("business_central", {"name": "b1", "company_id": "c1"})
    store.create("exact", {"name": "e1", "division": 101, "isauthorized": True})
    store.create("exact", {"name": "e2", "division": 202})
    store.create("kashflow", {"name": "k-on", "enabled": True})
    store.create("kashflow", {"name": "k-off", "enabled": False})
    store.create("kashflow", {"name": "k-unset"})
    store.create("myob", {"company_id": "m1"})
    return api


def test_connectedonly(filled: httpx.Client) -> None:
    assert _names(filled.get("/api/XeroDetails", params={"connectedonly": "true"})) == ["on"]
    assert _names(filled.get("/api/XeroDetails", params={"connectedonly": "false"})) == [
        "on",
        "off",
    ]
    assert _names(filled.get("/api/XeroDetails", params={"ConnectedOnly": "True"})) == ["on"]
    assert _names(filled.get("/api/XeroDetails", params={"connectedonly": ""})) == ["on", "off"]
    sage = filled.get("/api/SageBusinessCloudDetails", params={"connectedonly": "true"})
    assert _names(sage) == ["s-on"]
    qbo = filled.get("/api/QuickBooksDetails", params={"connectedonly": "true"})
    assert _names(qbo) == ["q1"]
    exact = filled.get("/api/ExactDetails", params={"connectedonly": "true"})
    assert _names(exact) == ["e1"]


def test_a_bad_boolean_is_400(filled: httpx.Client) -> None:
    reply = filled.get("/api/XeroDetails", params={"connectedonly": "yes"})
    assert reply.status_code == 400
    assert reply.json() == {
        "Message": "The request is invalid: connectedonly must be true or false."
    }


def test_tenantid_companyid_division(filled: httpx.Client) -> None:
    assert _names(filled.get("/api/XeroDetails", params={"tenantid": "t2"})) == ["off"]
    assert _names(filled.get("/api/QuickBooksDetails", params={"companyid": "c2"})) == ["q2"]
    assert _names(filled.get("/api/BusinessCentralDetails", params={"companyid": "c9"})) == []
    assert _names(filled.get("/api/ExactDetails", params={"division": "202"})) == ["e2"]


def test_filters_on_fields_the_model_lacks_are_ignored(filled: httpx.Client) -> None:
    sage = filled.get("/api/SageBusinessCloudDetails", params={"tenantid": "zzz"})
    assert _names(sage) == ["s-on", "s-off"]


def test_kashflow_enabled_filters(filled: httpx.Client) -> None:
    url = "/api/KashflowDetails"
    assert _names(filled.get(url)) == ["k-on", "k-off", "k-unset"]
    both = {"includeenabled": "true", "includedisabled": "true"}
    assert _names(filled.get(url, params=both)) == ["k-on", "k-off", "k-unset"]
    assert _names(filled.get(url, params={"includeenabled": "true"})) == ["k-on"]
    assert _names(filled.get(url, params={"includedisabled": "true"})) == ["k-off", "k-unset"]


def test_unknown_and_undocumented_parameters_are_ignored(filled: httpx.Client) -> None:
    assert _names(filled.get("/api/MYOBdetails", params={"connectedonly": "true"})) == ["m1"]
    assert _names(filled.get("/api/XeroDetails", params={"page_size": "1", "x": "y"})) == [
        "on",
        "off",
    ]
    one = filled.get("/api/ExactDetails/1", params={"includedetails": "true", "division": "5"})
    assert one.json()["name"] == "e1"
