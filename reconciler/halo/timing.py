"""Time and chance, injected: the clock, sleep and random numbers the client uses, and
who is told when the client waits.

Tests pass a fake clock whose sleep only records and advances it, so retry, token renewal
and rate-budget behaviour is checked by the delays asked for, never by timing a test.
`waits` hears of every wait (the rate budget, a retry back-off or Retry-After, an answer
being awaited) so the CLI can say on stderr what a run waits for; the client itself never
prints. No I/O beyond what the defaults (the real clock and sleep) do.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol


class Waits(Protocol):
    """Told of each wait while it lasts: `what` the run waits for, and for how long when
    that is known (None: an answer, which comes when it comes). Called from any thread."""

    def waiting(self, what: str, seconds: float | None) -> AbstractContextManager[None]: ...


class NoWaits:
    """Nobody listening: the default."""

    @contextlib.contextmanager
    def waiting(self, what: str, seconds: float | None) -> Iterator[None]:
        yield


@dataclass(frozen=True, slots=True)
class Timing:
    """`clock`: monotonic seconds; `wall`: epoch seconds (for Retry-After dates);
    `random`: a number in [0, 1] for backoff jitter; `waits`: told of every wait."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    wall: Callable[[], float] = time.time
    random: Callable[[], float] = random.random
    waits: Waits = field(default_factory=NoWaits)

    def pause(self, what: str, seconds: float) -> None:
        """Sleep `seconds`, telling `waits` what for."""
        with self.waits.waiting(what, seconds):
            self.sleep(seconds)
