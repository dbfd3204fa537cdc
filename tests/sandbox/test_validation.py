"""POST bodies the sandbox refuses: 400, a message naming the field and index, no commit."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.sandbox import SandboxHandle

XERO = "/api/XeroDetails"
BC = "/api/BusinessCentralDetails"


def _refused(reply: httpx.Response) -> list[str]:
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["ClassName"] == "ValidationException"
    assert body["Message"] == "; ".join(body["errors"])
    errors: list[str] = body["errors"]
    return errors


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([{"name": "A", "bogus": 1}], '[0].bogus: XeroDetails has no field "bogus"'),
        (
            [{"name": "A", "authorized": True}],
            "[0].authorized: is read-only (HaloPSA sets it), so a POST may not send it",
        ),
        (
            [{"name": "A", "client_top_level_name": "x"}],
            "[0].client_top_level_name: is read-only (HaloPSA sets it), so a POST may not send it",
        ),
        (
            [{"name": "A", "enablesync": "yes"}],
            "[0].enablesync: expected a boolean or null, got a string",
        ),
        (
            [{"name": "A", "client_top_level": 1.5}],
            "[0].client_top_level: expected an integer or null, got a number",
        ),
        (
            [{"name": "A", "client_top_level": True}],
            "[0].client_top_level: expected an integer or null, got a boolean",
        ),
        ([{"name": 5}], "[0].name: expected a string or null, got an integer"),
        ([{"name": ["a"]}], "[0].name: expected a string or null, got an array"),
        ([{"id": "1"}], "[0].id: expected an integer, got a string"),
        ([{"id": None}], "[0].id: expected an integer, got null"),
        ([{"id": 99}], "[0].id: XeroDetails has no record with id 99"),
        ([{"name": "A"}, 7], "[1]: expected an object, got an integer"),
        ({"name": "A"}, "the body must be a JSON array of XeroDetails records, got an object"),
        ("A", "the body must be a JSON array of XeroDetails records, got a string"),
    ],
)
def test_refused_with_a_message_naming_the_field(
    api: httpx.Client, body: Any, message: str
) -> None:
    assert _refused(api.post(XERO, json=body)) == [message]
    assert api.get(XERO).json() == []


def test_malformed_json(api: httpx.Client) -> None:
    reply = api.post(XERO, content=b'[{"name": ', headers={"Content-Type": "application/json"})
    assert _refused(reply) == ["the body is not valid JSON"]


def test_not_utf8(api: httpx.Client) -> None:
    reply = api.post(XERO, content=b"\xff\xfe[]", headers={"Content-Type": "application/json"})
    assert _refused(reply) == ["the body is not valid JSON"]


def test_empty_body(api: httpx.Client) -> None:
    reply = api.post(XERO, content=b"", headers={"Content-Type": "application/json"})
    assert _refused(reply) == ["the body is empty: expected a JSON array of XeroDetails records"]


def test_every_problem_is_reported_at_once(api: httpx.Client) -> None:
    body = [{"name": 1, "x": 2}, "no", {"id": 5, "enablesync": 0}]
    assert _refused(api.post(XERO, json=body)) == [
        "[0].name: expected a string or null, got an integer",
        '[0].x: XeroDetails has no field "x"',
        "[1]: expected an object, got a string",
        "[2].id: XeroDetails has no record with id 5",
        "[2].enablesync: expected a boolean or null, got an integer",
    ]


def test_all_or_nothing(api: httpx.Client) -> None:
    api.post(XERO, json=[{"name": "keep", "enablesync": False}])
    body = [{"name": "new"}, {"id": 1, "enablesync": True}, {"name": "bad", "bogus": 1}]
    assert _refused(api.post(XERO, json=body)) == ['[2].bogus: XeroDetails has no field "bogus"']
    assert [(r["name"], r["enablesync"]) for r in api.get(XERO).json()] == [("keep", False)]
    # The refused POST took no id.
    assert api.post(XERO, json=[{"name": "next"}]).json()[0]["id"] == 2


def test_write_only_values_are_not_echoed(api: httpx.Client, canary: str) -> None:
    reply = api.post(XERO, json=[{"name": "A", "new_client_secret": 12345, "code": canary, "z": 1}])
    assert _refused(reply) == [
        "[0].new_client_secret: expected a string or null, got an integer",
        '[0].z: XeroDetails has no field "z"',
    ]
    assert canary not in reply.text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("x", "[0].client_mappings: expected an array or null, got a string"),
        (["x"], "[0].client_mappings[0]: expected an object, got a string"),
        (
            [{"halo_id": 1}, {"halo_id": "2"}],
            "[0].client_mappings[1].halo_id: expected an integer or null, got a string",
        ),
        ([{"nope": 1}], '[0].client_mappings[0].nope: BusinessCentralDetails has no field "nope"'),
        (
            [{"halo_desc": "x"}],
            "[0].client_mappings[0].halo_desc: is read-only (HaloPSA sets it), so a POST may "
            "not send it",
        ),
        (
            [{"id": 9}],
            "[0].client_mappings[0].id: this record has no client_mappings row with id 9",
        ),
        (
            [{"description": "x" * 251}],
            "[0].client_mappings[0].description: longer than 250 characters",
        ),
        (
            [{"subscription_expiry": "next tuesday"}],
            "[0].client_mappings[0].subscription_expiry: expected a date-time (ISO 8601, e.g. "
            "2025-01-31T00:00:00)",
        ),
        (
            [{"filters": [{"filter_type": "x"}]}],
            "[0].client_mappings[0].filters[0].filter_type: expected an integer or null, got a "
            "string",
        ),
    ],
)
def test_rows_of_nested_arrays_are_checked(api: httpx.Client, rows: Any, message: str) -> None:
    assert _refused(api.post(BC, json=[{"name": "BC", "client_mappings": rows}])) == [message]


def test_a_row_id_given_twice_is_refused(api: httpx.Client) -> None:
    api.post(BC, json=[{"name": "BC", "client_mappings": [{"halo_id": 1}]}])
    rows = [{"id": 1, "halo_id": 1}, {"id": 1, "halo_id": 2}]
    assert _refused(api.post(BC, json=[{"id": 1, "client_mappings": rows}])) == [
        "[0].client_mappings[1].id: row id 1 is given twice"
    ]


def test_row_triggers_and_date_times_are_accepted(api: httpx.Client) -> None:
    row = {"halo_id": 1, "_match": True, "subscription_expiry": "2030-01-01T00:00:00Z"}
    reply = api.post(BC, json=[{"name": "BC", "client_mappings": [row]}])
    assert reply.status_code == 200
    (stored,) = reply.json()[0]["client_mappings"]
    assert (stored["_match"], stored["subscription_expiry"]) == (None, "2030-01-01T00:00:00Z")


def test_a_read_only_array_is_refused(api: httpx.Client) -> None:
    reply = api.post(XERO, json=[{"name": "A", "sync_entities_list": []}])
    assert _refused(reply) == [
        "[0].sync_entities_list: is read-only (HaloPSA sets it), so a POST may not send it"
    ]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
_field_names = st.sampled_from(
    ["name", "id", "enablesync", "client_mappings", "bogus", "authorized"]
)
_elements = st.dictionaries(_field_names, _json_values, max_size=4)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.one_of(_json_values, st.lists(_elements | _json_values, max_size=3)))
def test_bad_input_is_never_a_500(sandbox: SandboxHandle, api: httpx.Client, body: Any) -> None:
    reply = api.post(
        BC, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    assert reply.status_code in (200, 400), reply.text
    assert sandbox.internal_errors == []
