"""The client over real HTTP: list, get, post, delete, shapes, unknown fields, read-only."""

from __future__ import annotations

import pytest
from halo_support import FakeTime, connect, requests_to

from reconciler.errors import HaloRequestError, RecordNotFound
from reconciler.halo import Client, ReadOnlyClient, known_fields
from reconciler.halo.client import _split
from reconciler.sandbox import SandboxHandle
from reconciler.sensitive import Sensitive

CANARY = "CANARY-9f3b2a7c-secret"


def test_list_and_get(sandbox_seeded: SandboxHandle) -> None:
    with connect(sandbox_seeded, FakeTime()) as client:
        records = client.list("xero")
        assert [r["name"] for r in records] == ["Acme NZ", "Acme AU", "Old tenant"]
        first = client.get("xero", records[0]["id"])
        assert first == records[0]
        assert client.unknown_fields == {}
        with pytest.raises(RecordNotFound) as info:
            client.get("xero", 999)
    assert str(info.value) == "GET /api/XeroDetails/999: HTTP 404: XeroDetails 999 not found"
    assert (info.value.method, info.value.path, info.value.status) == (
        "GET",
        "/api/XeroDetails/999",
        404,
    )


def test_list_sends_the_registry_list_params(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime()) as client:
        assert client.list("kashflow") == []
        assert client.list("myob") == []
    queries = {e.path: dict(e.query) for e in sandbox.log.entries() if e.method == "GET"}
    paging = {"pageinate": "true", "page_size": "100", "page_no": "1"}
    assert queries == {
        "/api/KashflowDetails": {"includeenabled": "true", "includedisabled": "true", **paging},
        "/api/MYOBdetails": paging,
    }


def test_post_creates_and_updates_revealing_sensitive_values_only_on_the_wire(
    sandbox: SandboxHandle,
) -> None:
    secret = Sensitive(CANARY, "${XERO_CLIENT_SECRET}")
    with connect(sandbox, FakeTime(), write=True) as client:
        saved = client.post("xero", [{"name": "Acme NZ", "new_client_secret": secret}])
        assert [(r["id"], r["name"]) for r in saved] == [(1, "Acme NZ")]
        assert saved[0]["new_client_secret"] is None  # write-only: never returned
        updated = client.post("xero", [{"id": 1, "enablesync": True}])
        assert [(r["id"], r["name"], r["enablesync"]) for r in updated] == [(1, "Acme NZ", True)]
    raw = sandbox.store.raw("xero", 1)
    assert raw is not None and raw["new_client_secret"] == CANARY  # it was sent
    posts = [e for e in sandbox.log.entries() if e.method == "POST"]
    bodies = [e.body for e in posts if e.path == "/api/XeroDetails"]
    assert bodies == [
        [{"name": "Acme NZ", "new_client_secret": "***"}],
        [{"id": 1, "enablesync": True}],
    ]


def test_post_nothing_sends_nothing(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime(), write=True) as client:
        assert client.post("xero", []) == []
    assert sandbox.log.entries() == []


def test_post_refuses_fields_the_schema_lacks(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime(), write=True) as client, pytest.raises(ValueError) as info:
        client.post("xero", [{"name": "x", "brand_new": 1, "also_new": 2}])
    assert str(info.value) == "xero: fields not in the schema: also_new, brand_new"
    assert sandbox.log.entries() == []


def test_post_400_carries_halos_message(sandbox: SandboxHandle) -> None:
    client = connect(sandbox, FakeTime(), write=True)
    with client, pytest.raises(HaloRequestError) as info:
        client.post("xero", [{"name": 5}])
    assert str(info.value) == (
        "POST /api/XeroDetails: HTTP 400: [0].name: expected a string or null, got an integer"
    )
    assert info.value.halo_message == "[0].name: expected a string or null, got an integer"
    assert requests_to(sandbox, "POST", "/api/XeroDetails") == 1


def test_delete(sandbox: SandboxHandle) -> None:
    rid = sandbox.store.create("avalara", {"name": "Tax"})["id"]
    with connect(sandbox, FakeTime(), write=True) as client:
        client.delete("avalara", rid)
        assert client.list("avalara") == []
        with pytest.raises(RecordNotFound):
            client.delete("avalara", rid)


def test_ids_must_be_ints(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime(), write=True) as client:
        with pytest.raises(TypeError, match="a HaloPSA id is an int, got str"):
            client.get("xero", "1")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="a HaloPSA id is an int, got bool"):
            client.delete("xero", True)
    assert sandbox.log.entries() == []


# -- the read-only client cannot write ---------------------------------------------------------

WRITING_NAMES = [
    "post",
    "delete",
    "put",
    "patch",
    "request",
    "send",
    "stream",
    "_post",
    "_delete",
    "_http",
    "_client",
    "_api",
    "_exchange",
    "_writer",
    "http",
    "client",
    "transport",
]


@pytest.mark.parametrize("name", WRITING_NAMES)
def test_read_only_client_has_no_writing_attribute(sandbox: SandboxHandle, name: str) -> None:
    with connect(sandbox, FakeTime()) as ro:
        assert type(ro) is ReadOnlyClient
        assert not hasattr(ro, name)
        assert not hasattr(ReadOnlyClient, name)


def test_read_only_client_holds_a_get_only_transport(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime()) as ro:
        public = sorted(n for n in dir(ro) if not n.startswith("_"))
        assert public == [
            "authenticate",
            "close",
            "detail",
            "first_page",
            "get",
            "instance",
            "instance_info",
            "list",
            "list_read",
            "rows",
            "settings",
            "timing",
            "unknown_fields",
        ]
        held = [getattr(ro, n) for n in vars(ro)] if hasattr(ro, "__dict__") else []
        transports = [v for v in held if type(v).__name__ == "Reader"]
        assert len(transports) == 1
        reader = sorted(n for n in dir(transports[0]) if not n.startswith("_"))
        assert reader == ["close", "get", "token"]


def test_writing_client_adds_post_and_delete(sandbox: SandboxHandle) -> None:
    with connect(sandbox, FakeTime(), write=True) as client:
        assert isinstance(client, Client) and isinstance(client, ReadOnlyClient)
        public = sorted(n for n in dir(client) if not n.startswith("_"))
        assert public == [
            "authenticate",
            "close",
            "delete",
            "detail",
            "first_page",
            "get",
            "instance",
            "instance_info",
            "list",
            "list_read",
            "post",
            "rows",
            "settings",
            "timing",
            "unknown_fields",
        ]


def test_close_runs_on_close_once(sandbox: SandboxHandle) -> None:
    from halo_support import sandbox_env

    from reconciler.halo import settings_from_env

    calls: list[str] = []
    client = ReadOnlyClient(
        settings_from_env(sandbox_env(sandbox)), on_close=lambda: calls.append("x")
    )
    with client:
        pass
    client.close()
    assert calls == ["x"]


# -- response shapes and unknown fields (pure) -------------------------------------------------


def test_known_fields_drop_what_the_schema_lacks() -> None:
    record = {
        "id": 1,
        "company_id": "c-1",
        "brand_new_field": "x",
        "client_mappings": [
            {"halo_id": 1, "third_party_id": "a", "row_added_later": True},
            None,
        ],
        "halointegrator_lasterror": None,
    }
    known, unknown = _split("myob", record)
    assert known == {
        "id": 1,
        "company_id": "c-1",
        "client_mappings": [{"halo_id": 1, "third_party_id": "a"}, None],
        "halointegrator_lasterror": None,
    }
    assert unknown == {"brand_new_field", "client_mappings[].row_added_later"}
    assert known_fields("myob", record) == known


def test_plain_http_exchange_refuses_https() -> None:
    # Built without a TLS context (plain-http loopback settings), it can never be used
    # to send to an https URL unverified.
    from reconciler.halo.ratelimit import RateBudget
    from reconciler.halo.retry import RetryPolicy
    from reconciler.halo.transport import Exchange
    from reconciler.scrubber import Scrubber

    fake = FakeTime()
    budget = RateBudget(10, 1, clock=fake.clock, sleep=fake.sleep)
    exchange = Exchange(
        budget=budget, policy=RetryPolicy(budget=1), timing=fake.timing(), tls=False
    )
    with pytest.raises(ValueError, match="plain http only"):
        exchange.send(
            "GET",
            "https://acme.halopsa.com/api/XeroDetails",
            repeatable=True,
            scrub=lambda: Scrubber(()),
        )


def test_exchange_takes_an_httpx_transport() -> None:
    """httpx's own seam: what goes on the wire, without a server (a 503, then an answer)."""
    import httpx

    from reconciler.halo.ratelimit import RateBudget
    from reconciler.halo.retry import RetryPolicy
    from reconciler.halo.transport import Exchange
    from reconciler.scrubber import Scrubber

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503 if len(seen) == 1 else 200, json=[])

    fake = FakeTime()
    exchange = Exchange(
        budget=RateBudget(10, 1, clock=fake.clock, sleep=fake.sleep),
        policy=RetryPolicy(budget=60),
        timing=fake.timing(),
        tls=False,
        transport=httpx.MockTransport(answer),
    )
    sent = exchange.send(
        "GET", "http://127.0.0.1:1/api/XeroDetails", repeatable=True, scrub=lambda: Scrubber(())
    )
    exchange.close()
    assert sent.response.status_code == 200
    assert len(seen) == 2 and len(fake.sleeps) == 1
    assert seen[0].headers["Accept"] == "application/json"
    assert seen[0].headers["User-Agent"].startswith("halo-reconciler/")
