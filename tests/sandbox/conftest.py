"""Fixtures for the sandbox's own tests: httpx clients holding a valid bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from reconciler.sandbox import SandboxHandle

Connect = Callable[[SandboxHandle], httpx.Client]


def get_token(client: httpx.Client, handle: SandboxHandle) -> str:
    reply = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": handle.client_id,
            "client_secret": handle.client_secret,
            "scope": "all",
        },
    )
    assert reply.status_code == 200, reply.text
    token: str = reply.json()["access_token"]
    return token


def authed(handle: SandboxHandle) -> httpx.Client:
    # verify=False: plain http anyway, and loading CA certificates costs ~30-200 ms.
    client = httpx.Client(base_url=handle.url, timeout=10, verify=False)
    try:
        client.headers["Authorization"] = f"Bearer {get_token(client, handle)}"
    except BaseException:
        client.close()
        raise
    return client


@pytest.fixture
def api(sandbox: SandboxHandle) -> Iterator[httpx.Client]:
    """A client of the empty sandbox, with a bearer token (base URL: the instance)."""
    client = authed(sandbox)
    try:
        yield client
    finally:
        client.close()
    assert sandbox.internal_errors == []


@pytest.fixture
def seeded_api(sandbox_seeded: SandboxHandle) -> Iterator[httpx.Client]:
    """A client of the bundled-seed sandbox, with a bearer token."""
    client = authed(sandbox_seeded)
    try:
        yield client
    finally:
        client.close()
    assert sandbox_seeded.internal_errors == []


@pytest.fixture
def connect() -> Iterator[Connect]:
    """`connect(handle)` -> an authenticated client; all are closed after the test."""
    opened: list[httpx.Client] = []

    def _connect(handle: SandboxHandle) -> httpx.Client:
        client = authed(handle)
        opened.append(client)
        return client

    yield _connect
    for client in opened:
        client.close()
