"""Retries: the waits asked for (fake clock), the budget, and the POST rule, over real HTTP."""

from __future__ import annotations

import socket

import pytest
from fake_time import WALL_START, FakeTime
from halo_support import connect, requests_to, sandbox_env

from reconciler.errors import HaloUnavailable, OutcomeUnknown, RecordNotFound
from reconciler.halo import ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.halo.retry import Backoff, Failure, RetryPolicy, may_retry, parse_retry_after
from reconciler.sandbox import SandboxHandle

LIST = "/api/XeroDetails"


# -- pure units -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("soon", None),
        ("inf", None),
        ("Tue, 14 Nov 2023 22:13:50 GMT", 30.0),  # WALL_START + 30 s
        ("Tue, 14 Nov 2023 22:13:50 -0000", 30.0),
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # in the past: go now
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, WALL_START) == expected


@pytest.mark.parametrize(
    ("repeatable", "failure", "status", "expected"),
    [
        (True, Failure.STATUS, 429, True),
        (True, Failure.STATUS, 500, True),
        (True, Failure.STATUS, 503, True),
        (True, Failure.STATUS, 408, True),
        (True, Failure.LOST, None, True),
        (True, Failure.REFUSED, None, True),
        (True, Failure.FATAL, None, False),
        (False, Failure.STATUS, 429, True),  # refused before processing
        (False, Failure.STATUS, 500, False),  # may have been processed
        (False, Failure.STATUS, 502, False),
        (False, Failure.STATUS, 503, False),
        (False, Failure.STATUS, 504, False),
        (False, Failure.REFUSED, None, True),  # never sent
        (False, Failure.UNREACHABLE, None, True),
        (False, Failure.LOST, None, False),  # sent, answer lost
    ],
)
def test_may_retry(repeatable: bool, failure: Failure, status: int | None, expected: bool) -> None:
    assert may_retry(repeatable, failure, status) is expected


def test_backoff_is_exponential_with_full_jitter_and_bounded() -> None:
    fake = FakeTime(jitter=0.5)
    backoff = Backoff(RetryPolicy(budget=10), fake.clock, fake.random)
    waits = []
    while True:
        backoff.attempts += 1
        wait = backoff.next_wait(Failure.STATUS, status=503)
        if wait is None:
            break
        waits.append(wait)
        fake.sleep(wait)
    assert waits == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert backoff.reason == "gave up after 6 attempts in 7.8 s (HALO_RETRY_BUDGET is 10 s)"


def test_backoff_throttled_without_retry_after_backs_off_harder() -> None:
    fake = FakeTime(jitter=1.0)
    backoff = Backoff(RetryPolicy(), fake.clock, fake.random)
    asked = []
    for _ in range(6):
        backoff.attempts += 1
        wait = backoff.next_wait(Failure.STATUS, status=429)
        assert wait is not None
        asked.append(wait)
    assert asked == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_backoff_excludes_rate_budget_waits() -> None:
    fake = FakeTime()
    backoff = Backoff(RetryPolicy(budget=5), fake.clock, fake.random)
    fake.advance(100)
    backoff.exclude(100)
    backoff.attempts = 1
    assert backoff.next_wait(Failure.STATUS, status=500) == 0.5


def test_retry_after_beyond_the_budget_stops_at_once() -> None:
    fake = FakeTime()
    backoff = Backoff(RetryPolicy(budget=120), fake.clock, fake.random)
    backoff.attempts = 1
    assert backoff.next_wait(Failure.STATUS, status=429, retry_after=300) is None
    assert backoff.reason == (
        "HaloPSA asked to wait 300 s (Retry-After), more than the 120.0 s left "
        "(HALO_RETRY_BUDGET is 120 s); gave up after 1 attempt in 0.0 s"
    )


# -- over HTTP, against the sandbox -----------------------------------------------------------


def test_429_retry_after_is_waited_out(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=0.0)
    sandbox.faults.script("429:7", paths="api")
    with connect(sandbox, fake) as client:
        assert client.list("xero") == []
    assert fake.sleeps == [7.0]  # exactly the server's Retry-After
    assert requests_to(sandbox, "GET", LIST) == 2


def test_5xx_and_dropped_connections_retried_for_get(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script("500", "drop", "502", "503:4", "504", paths="api")
    with connect(sandbox, fake) as client:
        assert client.list("xero") == []
    # Full jitter at its top (random() == 1): 0.5, 1, 2, then Retry-After 4, then 8.
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]
    statuses = [e.status for e in sandbox.log.entries() if e.path == LIST]
    assert statuses == [500, None, 502, 503, 504, 200]


def test_retry_budget_bounds_the_total_then_names_method_and_path(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script(*["500"] * 10, paths="api")
    env = sandbox_env(sandbox, HALO_RETRY_BUDGET="10")
    with connect(sandbox, fake, env=env) as client, pytest.raises(HaloUnavailable) as info:
        client.list("xero")
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0]  # the next (8 s) would overrun 10 s
    assert sum(fake.sleeps) <= 10
    assert str(info.value) == (
        "GET /api/XeroDetails: HTTP 500: An error has occurred. — gave up after 5 attempts "
        "in 7.5 s (HALO_RETRY_BUDGET is 10 s)"
    )
    assert (info.value.method, info.value.path, info.value.status) == ("GET", LIST, 500)


def test_html_error_page_message(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script("503", "503", paths="api")
    env = sandbox_env(sandbox, HALO_RETRY_BUDGET="0.5")
    with connect(sandbox, fake, env=env) as client, pytest.raises(HaloUnavailable) as info:
        client.list("xero")
    assert str(info.value) == (
        "GET /api/XeroDetails: HTTP 503: 503 Service Unavailable — gave up after 2 attempts "
        "in 0.5 s (HALO_RETRY_BUDGET is 0.5 s)"
    )


def test_post_dropped_after_commit_is_outcome_unknown_and_not_resent(
    sandbox: SandboxHandle,
) -> None:
    fake = FakeTime()
    sandbox.faults.script("commit-drop", methods=["POST"], paths="api")
    with connect(sandbox, fake, write=True) as client:
        with pytest.raises(OutcomeUnknown) as info:
            client.post("xero", [{"name": "Acme NZ"}])
        assert str(info.value) == (
            "POST /api/XeroDetails: no answer: the connection closed without an answer after "
            "the request was sent: it may have been applied"
        )
        assert info.value.status is None
        # It landed: the engine's re-read finds it; nothing was sent twice.
        assert [r["name"] for r in client.list("xero")] == ["Acme NZ"]
    assert requests_to(sandbox, "POST", LIST) == 1
    assert fake.sleeps == []


def test_post_5xx_is_outcome_unknown_and_not_resent(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    sandbox.faults.script("502", methods=["POST"], paths="api")
    with connect(sandbox, fake, write=True) as client, pytest.raises(OutcomeUnknown) as info:
        client.post("xero", [{"name": "Acme NZ"}])
    assert str(info.value) == (
        "POST /api/XeroDetails: HTTP 502: 502 Bad Gateway — HaloPSA failed while processing "
        "it: some or all of it may have been applied"
    )
    assert requests_to(sandbox, "POST", LIST) == 1


def test_post_429_is_retried(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    sandbox.faults.script("429:3", methods=["POST"], paths="api")
    with connect(sandbox, fake, write=True) as client:
        saved = client.post("xero", [{"name": "Acme NZ"}])
    assert [(r["id"], r["name"]) for r in saved] == [(1, "Acme NZ")]
    assert fake.sleeps == [3.0]
    assert [e.status for e in sandbox.log.entries() if e.method == "POST" and e.path == LIST] == [
        429,
        200,
    ]
    assert sandbox.store.counts()["xero"] == 1


def test_delete_retried_after_a_drop_and_a_404_then_counts_as_done(
    sandbox: SandboxHandle,
) -> None:
    fake = FakeTime()
    rid = sandbox.store.create("xero", {"name": "Old"})["id"]
    sandbox.faults.script("commit-drop", methods=["DELETE"], paths="api")
    with connect(sandbox, fake, write=True) as client:
        client.delete("xero", rid)  # the retry finds it gone: that is the first try's work
        with pytest.raises(RecordNotFound) as info:
            client.delete("xero", rid)  # a plain 404 is still an error
    assert str(info.value) == (
        f"DELETE /api/XeroDetails/{rid}: HTTP 404: XeroDetails {rid} not found"
    )
    assert [e.status for e in sandbox.log.entries() if e.method == "DELETE"] == [None, 404, 404]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_connection_fails_within_10_seconds(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    env = sandbox_env(sandbox, HALO_URL=f"http://127.0.0.1:{_closed_port()}")
    with connect(sandbox, fake, env=env) as client, pytest.raises(HaloUnavailable) as info:
        client.list("xero")
    assert sum(fake.sleeps) <= 10
    assert fake.sleeps == [0.5, 1.0]  # the next (2 s) would pass the 3 s connection cap
    assert str(info.value) == (
        "POST /auth/token: no answer: could not connect ([Errno 111] Connection refused) — "
        "gave up after 3 attempts in 1.5 s (a refused connection or unknown host is retried "
        "for 3 s at most)"
    )


def test_unknown_host_fails_fast() -> None:
    fake = FakeTime(jitter=1.0)
    env = {"HALO_URL": "https://no-such-host.invalid", "HALO_CLIENT_ID": "a"}
    settings = settings_from_env({**env, "HALO_CLIENT_SECRET": "b"})
    client = ReadOnlyClient(settings, ClientOptions(timing=fake.timing()))
    with client, pytest.raises(HaloUnavailable) as info:
        client.list("xero")
    assert sum(fake.sleeps) <= 10
    assert info.value.path == "/auth/token"
    assert "could not connect" in str(info.value)
