"""The request log: what was asked, with write-only values and secrets masked."""

from __future__ import annotations

import httpx

from reconciler.sandbox import SandboxHandle
from reconciler.sandbox.log import LogEntry, RequestLog


def test_bodies_are_logged_with_write_only_values_masked(
    sandbox: SandboxHandle, api: httpx.Client, canary: str
) -> None:
    sandbox.log.clear()
    body = [
        {
            "name": "BC",
            "new_client_secret": canary,
            "_authcode": canary,
            "new_refresh_token": None,
            "client_mappings": [{"halo_id": 1, "new_subscription_key": canary}],
        }
    ]
    api.post("/api/BusinessCentralDetails", json=body, params={"x": "1"})
    (entry,) = sandbox.log.entries()
    assert entry == LogEntry(
        method="POST",
        path="/api/BusinessCentralDetails",
        query={"x": "1"},
        body=[
            {
                "name": "BC",
                "new_client_secret": "***",
                "_authcode": "***",
                "new_refresh_token": None,
                "client_mappings": [{"halo_id": 1, "new_subscription_key": "***"}],
            }
        ],
        status=200,
        fault=None,
    )
    assert canary not in repr(sandbox.log.entries())


def test_unparsable_bodies_are_summarised(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.log.clear()
    api.post("/api/XeroDetails", content=b"{oops", headers={"Content-Type": "application/json"})
    api.post("/api/XeroDetails/3", content=b"[]", headers={"Content-Type": "application/json"})
    assert [e.body for e in sandbox.log.entries()] == ["<not valid JSON, 5 bytes>", "<2 bytes>"]
    assert [e.status for e in sandbox.log.entries()] == [400, 405]


def test_gets_have_no_body_and_keep_the_query(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.log.clear()
    api.get("/api/KashflowDetails", params={"includeenabled": "true", "includedisabled": "true"})
    (entry,) = sandbox.log.entries()
    assert (entry.body, entry.query) == (
        None,
        {"includeenabled": "true", "includedisabled": "true"},
    )


def test_the_log_is_bounded() -> None:
    log = RequestLog(maxlen=3)
    for n in range(5):
        log.add(LogEntry("GET", f"/{n}", {}, None, 200))
    assert [e.path for e in log.entries()] == ["/2", "/3", "/4"]
