"""The client secret and the access token never reach a log line, a message or a repr."""

from __future__ import annotations

import logging
import os

import pytest
from halo_support import FakeTime

from reconciler.errors import AuthenticationError, HaloError, OutcomeUnknown
from reconciler.halo import Client, ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.sandbox import SandboxHandle
from reconciler.sensitive import Sensitive


def _token_of(client: ReadOnlyClient) -> str:
    # Reaching into the client on purpose: the test needs the token to look for it.
    return client._reader._api._tokens.bearer()


def test_canary_and_token_absent_everywhere(
    sandbox_env: SandboxHandle, canary: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeTime(jitter=0.0)
    settings = settings_from_env(os.environ)
    errors: list[BaseException] = []
    with Client(settings, ClientOptions(timing=fake.timing())) as client:
        client.list("xero")
        token = _token_of(client)
        # Every path that logs or builds a message: retries, 401 renewal, 4xx, lost POST.
        sandbox_env.faults.script("500", "drop", "401", "429:1", paths="api")
        client.list("xero")
        token2 = _token_of(client)
        sensitive = Sensitive(canary, "${HALO_TEST_CANARY}")
        for body, kind in (
            ([{"name": "x", "new_client_secret": sensitive, "enablesync": "no"}], HaloError),
            ([{"name": "y", "new_client_secret": sensitive}], OutcomeUnknown),
        ):
            if kind is OutcomeUnknown:
                sandbox_env.faults.script("commit-drop", methods=["POST"], paths="api")
            with pytest.raises(kind) as info:
                client.post("xero", body)
            errors.append(info.value)
        objects = [settings, client, client._reader, client._reader._api._tokens]
        texts = [repr(o) for o in objects] + [str(o) for o in objects]
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    assert token != token2
    for secret in (canary, token, token2):
        assert secret not in caplog.text
        for text in texts:
            assert secret not in text
    # DEBUG lines carry method, path, status, attempt and timing, nothing more.
    assert any(
        r.getMessage().startswith("GET /api/XeroDetails -> HTTP 500 (attempt 1, ")
        for r in caplog.records
    )
    assert {r.name for r in caplog.records} == {"reconciler.halo"}


def test_refused_canary_secret_not_in_the_error(
    sandbox: SandboxHandle, canary: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {"HALO_URL": sandbox.url, "HALO_CLIENT_ID": "app", "HALO_CLIENT_SECRET": canary}
    settings = settings_from_env(env)
    with ReadOnlyClient(settings, ClientOptions(timing=FakeTime().timing())) as client:
        with pytest.raises(AuthenticationError) as info:
            client.list("xero")
        assert canary not in repr(client) + str(client) + repr(settings) + str(settings)
    assert canary not in str(info.value) + repr(info.value)
    assert canary not in caplog.text
    assert str(info.value) == (
        "POST /auth/token: HTTP 401: invalid_client — check HALO_CLIENT_ID, HALO_CLIENT_SECRET "
        "and HALO_TENANT"
    )


def test_httpx_loggers_kept_at_warning() -> None:
    import reconciler.halo.transport  # noqa: F401  (sets the levels on import)

    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
