"""Test helpers for the HaloPSA client: clients wired to a sandbox on a fake clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, overload

from fake_time import FakeTime as FakeTime  # re-exported: the halo tests import it from here

from reconciler.halo import Client, ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.halo.ratelimit import RateBudget
from reconciler.sandbox import SandboxHandle


def sandbox_env(h: SandboxHandle, **extra: str) -> dict[str, str]:
    env = {"HALO_URL": h.url, "HALO_CLIENT_ID": h.client_id, "HALO_CLIENT_SECRET": h.client_secret}
    env.update(extra)
    return env


@overload
def connect(
    h: SandboxHandle,
    fake: FakeTime,
    *,
    write: Literal[False] = False,
    env: Mapping[str, str] | None = None,
    budget: RateBudget | None = None,
) -> ReadOnlyClient: ...


@overload
def connect(
    h: SandboxHandle,
    fake: FakeTime,
    *,
    write: Literal[True],
    env: Mapping[str, str] | None = None,
    budget: RateBudget | None = None,
) -> Client: ...


def connect(
    h: SandboxHandle,
    fake: FakeTime,
    *,
    write: bool = False,
    env: Mapping[str, str] | None = None,
    budget: RateBudget | None = None,
) -> ReadOnlyClient | Client:
    """A client for sandbox `h` whose time is `fake`'s."""
    settings = settings_from_env(env if env is not None else sandbox_env(h))
    options = ClientOptions(timing=fake.timing(), budget=budget)
    return Client(settings, options) if write else ReadOnlyClient(settings, options)


def requests_to(h: SandboxHandle, method: str, path: str) -> int:
    """How many requests the sandbox saw for `method path` (answered or not)."""
    return sum(1 for e in h.log.entries() if e.method == method and e.path == path)
