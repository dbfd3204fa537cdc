"""Test helpers for the HaloPSA client: a fake clock, and clients wired to a sandbox."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Literal, overload

from reconciler.halo import Client, ClientOptions, ReadOnlyClient, Timing, settings_from_env
from reconciler.halo.ratelimit import RateBudget
from reconciler.sandbox import SandboxHandle

WALL_START = 1_700_000_000.0  # the fake wall clock starts here (2023-11-14T22:13:20Z)


class FakeTime:
    """A clock that moves only when something sleeps; every sleep is recorded."""

    def __init__(self, start: float = 1000.0, jitter: float = 1.0) -> None:
        self.start = start
        self.now = start
        self.jitter = jitter  # what the injected random() returns
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def wall(self) -> float:
        return WALL_START + self.clock() - self.start

    def random(self) -> float:
        return self.jitter

    def timing(self) -> Timing:
        return Timing(clock=self.clock, sleep=self.sleep, wall=self.wall, random=self.random)


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
