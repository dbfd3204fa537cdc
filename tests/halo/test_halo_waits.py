"""The client tells Timing.waits of every wait: rate budget, Retry-After, back-off, answers.

Against the sandbox on loopback with a fake clock; a recording listener stands in for the
CLI's progress lines (tests/cli/test_progress.py tests those).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import replace

from halo_support import FakeTime, sandbox_env

from reconciler.halo import ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.sandbox import SandboxHandle


class Recorder:
    def __init__(self) -> None:
        self.waits: list[tuple[str, float | None]] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def waiting(self, what: str, seconds: float | None) -> Iterator[None]:
        with self._lock:
            self.waits.append((what, seconds))
        yield


def _client(
    sandbox: SandboxHandle, fake: FakeTime, recorder: Recorder, **env: str
) -> ReadOnlyClient:
    timing = replace(fake.timing(), waits=recorder)
    settings = settings_from_env(sandbox_env(sandbox, **env))
    return ReadOnlyClient(settings, ClientOptions(timing=timing))


def test_rate_budget_retry_after_and_back_off_waits_are_told(sandbox: SandboxHandle) -> None:
    fake, recorder = FakeTime(jitter=0.5), Recorder()
    sandbox.faults.script("429:7", "503", paths="api")
    with _client(sandbox, fake, recorder, HALO_RATE_LIMIT="3/60") as client:
        # token at 0, 429 at 0 (Retry-After 7), 503 at 7 (back-off: jitter 0.5 x 1 s),
        # then the budget of 3 per minute is spent until the slot taken at 0 frees at 60
        client.list("xero")
    sleeps = [w for w in recorder.waits if w[1] is not None]
    assert sleeps == [
        ("Retry-After after HTTP 429 to GET /api/XeroDetails (attempt 1)", 7.0),
        ("back-off after HTTP 503 to GET /api/XeroDetails (attempt 2)", 0.5),
        ("the request budget (HALO_RATE_LIMIT=3/60)", 52.5),
    ]
    assert fake.sleeps == [s for _, s in sleeps]


def test_every_request_is_an_answer_waited_for(sandbox: SandboxHandle) -> None:
    fake, recorder = FakeTime(), Recorder()
    with _client(sandbox, fake, recorder) as client:
        client.list("xero")
    answers = [w for w, seconds in recorder.waits if seconds is None]
    assert answers == [
        "HaloPSA to answer POST /auth/token",
        "HaloPSA to answer GET /api/XeroDetails",
    ]
