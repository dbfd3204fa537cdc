"""The sandbox's ways of answering (SPEC §11): list shapes, summary rows, POST answers,
fields the schemas lack — each switchable by Faults, flag and environment variable."""

from __future__ import annotations

import httpx
import pytest

from reconciler.errors import SandboxError
from reconciler.sandbox import Faults, SandboxHandle


def _fill(h: SandboxHandle, count: int) -> None:
    for i in range(count):
        h.store.create("xero", {"name": f"T{i}"})


def test_paged_list_without_paging_parameters_is_a_short_page(
    sandbox: SandboxHandle, api: httpx.Client
) -> None:
    _fill(sandbox, 60)
    sandbox.faults.list_shape = "paged"
    doc = api.get("/api/XeroDetails").json()
    assert doc["record_count"] == 50 and len(doc["xerodetails"]) == 50
    doc = api.get("/api/XeroDetails?pageinate=true&page_size=25&page_no=3").json()
    assert (doc["page_no"], doc["page_size"], doc["record_count"]) == (3, 25, 60)
    assert [r["name"] for r in doc["xerodetails"]] == [f"T{i}" for i in range(50, 60)]


def test_wrapper_is_the_whole_list(sandbox: SandboxHandle, api: httpx.Client) -> None:
    _fill(sandbox, 3)
    sandbox.faults.list_shape = "wrapper"
    doc = api.get("/api/XeroDetails?pageinate=true&page_size=1&page_no=1").json()
    assert doc["record_count"] == 3 and len(doc["xerodetails"]) == 3


def test_summary_rows_lack_mapping_arrays_unless_asked_for_details(
    sandbox: SandboxHandle, api: httpx.Client
) -> None:
    row = {"halo_id": 1, "third_party_id": "C-1"}
    saved = sandbox.store.create("myob", {"company_id": "c1", "client_mappings": [row]})
    sandbox.faults.list_rows = "summary"
    listed = api.get("/api/MYOBdetails").json()[0]
    assert "client_mappings" not in listed and "supplier_mappings" not in listed
    plain = api.get(f"/api/MYOBdetails/{saved['id']}").json()
    assert "client_mappings" not in plain
    full = api.get(f"/api/MYOBdetails/{saved['id']}?includedetails=true").json()
    assert [r["third_party_id"] for r in full["client_mappings"]] == ["C-1"]


@pytest.mark.parametrize("answer", ["array", "object", "empty"])
def test_post_answers(sandbox: SandboxHandle, api: httpx.Client, answer: str) -> None:
    sandbox.faults.post_answer = answer
    reply = api.post("/api/XeroDetails", json=[{"name": "A"}, {"name": "B"}])
    assert reply.status_code == 200
    if answer == "empty":
        assert reply.content == b""
    elif answer == "object":
        assert reply.json()["name"] == "B"
    else:
        assert [r["name"] for r in reply.json()] == ["A", "B"]
    assert [r["name"] for r in sandbox.store.list("xero")] == ["A", "B"]


def test_extra_fields_everywhere(sandbox: SandboxHandle, api: httpx.Client) -> None:
    saved = sandbox.store.create("myob", {"company_id": "c1", "client_mappings": [{"halo_id": 1}]})
    sandbox.faults.extra_fields = True
    listed = api.get("/api/MYOBdetails").json()[0]
    assert listed["sandbox_newer_field"] is True
    assert listed["client_mappings"][0]["sandbox_newer_row_field"] == 1
    one = api.get(f"/api/MYOBdetails/{saved['id']}").json()
    assert one["sandbox_newer_field"] is True


def test_answer_options_from_the_environment() -> None:
    env = {
        "HALO_SANDBOX_LIST_SHAPE": "paged",
        "HALO_SANDBOX_LIST_ROWS": "summary",
        "HALO_SANDBOX_POST_ANSWER": "empty",
        "HALO_SANDBOX_EXTRA_FIELDS": "1",
    }
    faults = Faults.from_env(env)
    assert (faults.list_shape, faults.list_rows, faults.post_answer, faults.extra_fields) == (
        "paged",
        "summary",
        "empty",
        True,
    )
    with pytest.raises(SandboxError) as info:
        Faults.from_env({"HALO_SANDBOX_LIST_SHAPE": "pages"})
    assert str(info.value) == (
        "HALO_SANDBOX_LIST_SHAPE: expected one of array, wrapper, paged, got 'pages'"
    )
    with pytest.raises(ValueError, match="list_rows must be one of full, summary"):
        Faults().list_rows = "partial"
