"""Client-credentials tokens: one per run, shared by threads, renewed before expiry and on 401."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from halo_support import FakeTime, connect, requests_to, sandbox_env

from reconciler.errors import AuthenticationError, HaloUnavailable
from reconciler.halo import ReadOnlyClient
from reconciler.sandbox import Faults, SandboxHandle, start_in_thread

TOKEN = "/auth/token"
LIST = "/api/XeroDetails"


def _together(n: int, work: Callable[[], object]) -> list[BaseException]:
    """Run `work` in n threads released at the same instant; the exceptions raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_token_request_form_and_tenant_query() -> None:
    with start_in_thread(tenant="acme") as h:
        fake = FakeTime()
        env = sandbox_env(h, HALO_TENANT="acme", HALO_SCOPE="all")
        with connect(h, fake, env=env) as client:
            client.list("xero")
        token = next(e for e in h.log.entries() if e.path == TOKEN)
    assert token.method == "POST"
    assert token.query == {"tenant": "acme"}
    assert token.body == {
        "grant_type": "client_credentials",
        "client_id": h.client_id,
        "client_secret": "***",  # masked by the sandbox's log; it was sent
        "scope": "all",
    }


def test_one_token_request_shared_by_four_threads(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    with connect(sandbox, fake) as client:
        assert _together(4, lambda: client.list("xero")) == []
    assert requests_to(sandbox, "POST", TOKEN) == 1
    assert requests_to(sandbox, "GET", LIST) == 4


def test_token_renewed_shortly_before_expiry() -> None:
    with start_in_thread(faults=Faults(token_ttl=100)) as h:
        fake = FakeTime()
        with connect(h, fake) as client:
            client.list("xero")
            fake.advance(89)  # renewal is due 10 s (a tenth of 100 s) before expiry
            client.list("xero")
            assert requests_to(h, "POST", TOKEN) == 1
            fake.advance(2)
            client.list("xero")
            assert requests_to(h, "POST", TOKEN) == 2
            client.list("xero")
        assert requests_to(h, "POST", TOKEN) == 2
        assert [e.status for e in h.log.entries() if e.path == LIST] == [200] * 4


def test_long_lived_token_renewed_60_seconds_before_expiry(sandbox: SandboxHandle) -> None:
    fake = FakeTime()  # the sandbox issues 3600 s tokens
    with connect(sandbox, fake) as client:
        client.list("xero")
        fake.advance(3539)
        client.list("xero")
        assert requests_to(sandbox, "POST", TOKEN) == 1
        fake.advance(2)
        client.list("xero")
    assert requests_to(sandbox, "POST", TOKEN) == 2


def test_renewed_once_after_a_401_and_the_call_repeated(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    with connect(sandbox, fake) as client:
        client.list("xero")
        sandbox.faults.script("401", paths="api")
        assert client.list("xero") == []
    assert requests_to(sandbox, "POST", TOKEN) == 2
    assert [e.status for e in sandbox.log.entries() if e.path == LIST] == [200, 401, 200]
    assert fake.sleeps == []


def test_revoked_token_renewed_once_for_four_threads(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    with connect(sandbox, fake) as client:
        client.list("xero")
        sandbox.expire_tokens()
        assert _together(4, lambda: client.list("xero")) == []
    assert requests_to(sandbox, "POST", TOKEN) == 2


def test_second_401_is_an_authentication_error(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    sandbox.faults.script("401", "401", paths="api")
    with connect(sandbox, fake) as client, pytest.raises(AuthenticationError) as info:
        client.list("xero")
    assert str(info.value) == (
        "GET /api/XeroDetails: HTTP 401: Authorization has been denied for this request."
    )
    assert requests_to(sandbox, "POST", TOKEN) == 2


def test_wrong_credentials_refused_once_with_halos_message(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    env = sandbox_env(sandbox, HALO_CLIENT_SECRET="not-the-secret")
    with connect(sandbox, fake, env=env) as client:
        for _ in range(2):
            with pytest.raises(AuthenticationError) as info:
                client.list("xero")
            assert str(info.value) == (
                "POST /auth/token: HTTP 401: invalid_client — check HALO_CLIENT_ID, "
                "HALO_CLIENT_SECRET and HALO_TENANT"
            )
    assert requests_to(sandbox, "POST", TOKEN) == 1  # refused credentials are not re-sent
    assert requests_to(sandbox, "GET", LIST) == 0


def test_wrong_tenant() -> None:
    with start_in_thread(tenant="acme") as h:
        env = sandbox_env(h, HALO_TENANT="other")
        with connect(h, FakeTime(), env=env) as client, pytest.raises(AuthenticationError) as info:
            client.list("xero")
    assert str(info.value) == (
        "POST /auth/token: HTTP 401: invalid_client: unknown tenant — check HALO_CLIENT_ID, "
        "HALO_CLIENT_SECRET and HALO_TENANT"
    )


def test_token_request_retried_like_a_get(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script("503", "drop", "429:2", paths="token")
    with connect(sandbox, fake) as client:
        assert client.list("xero") == []
    assert fake.sleeps == [0.5, 1.0, 2.0]
    assert [e.status for e in sandbox.log.entries() if e.path == TOKEN] == [503, None, 429, 200]


def test_token_endpoint_outage_is_unavailable(sandbox: SandboxHandle) -> None:
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script(*["500"] * 5, paths="token")
    env = sandbox_env(sandbox, HALO_RETRY_BUDGET="2")
    with connect(sandbox, fake, env=env) as client, pytest.raises(HaloUnavailable) as info:
        client.list("xero")
    assert str(info.value) == (
        "POST /auth/token: HTTP 500: An error has occurred. — gave up after 3 attempts in "
        "1.5 s (HALO_RETRY_BUDGET is 2 s) — if it persists, check the API application's agent "
        "in HaloPSA"
    )


def test_token_outage_is_waited_out_once_for_four_threads(sandbox: SandboxHandle) -> None:
    # Four readers (plan reads types concurrently) meet one outage: one round of retries,
    # not four rounds one after another, and every reader gets the same error.
    fake = FakeTime(jitter=1.0)
    sandbox.faults.script(*["503"] * 20, paths="token")
    env = sandbox_env(sandbox, HALO_RETRY_BUDGET="2")
    with connect(sandbox, fake, env=env) as client:
        errors = _together(4, lambda: client.list("xero"))
    assert len(errors) == 4
    assert {type(e) for e in errors} == {HaloUnavailable}
    assert len({str(e) for e in errors}) == 1
    assert fake.sleeps == [0.5, 1.0]
    assert requests_to(sandbox, "POST", TOKEN) == 3


def test_wrong_auth_url(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    env = sandbox_env(sandbox, HALO_AUTH_URL=sandbox.url + "/nowhere")
    with connect(sandbox, fake, env=env) as client, pytest.raises(AuthenticationError) as info:
        client.list("xero")
    # No such route on the sandbox: HaloPSA's "no resource" 404, with the hint.
    assert str(info.value) == (
        "POST /nowhere/token: HTTP 404: No HTTP resource was found that matches the request "
        "URI '/nowhere/token'. — check HALO_URL and HALO_AUTH_URL"
    )


def test_repr_shows_no_token(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    with connect(sandbox, fake) as client:
        client.list("xero")
        assert repr(client) == f"ReadOnlyClient({sandbox.url!r})"
        assert isinstance(client, ReadOnlyClient)
