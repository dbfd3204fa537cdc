"""Run control: what paces and stops an apply from outside the engine.

Two things the engine must not decide alone. How long to wait before re-reading after a
POST whose answer was lost (a slow commit may land a moment later): `sleep`, injected so
tests ask for the wait without taking it. And when to stop: the command sets `stop` on the
first Ctrl-C, after which no new request is started — a type not begun is skipped, a type
half done stops before its next request — while requests in flight end normally, so the
report still says what was done. Pure: holds an Event and a callable, no I/O.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

INTERRUPTED = "not started: apply was interrupted (Ctrl-C)"
# Waits before each re-read that looks for the creates of a POST whose answer was lost.
SETTLE_WAITS = (1.0, 3.0)


@dataclass(frozen=True, slots=True)
class RunControl:
    """The settle wait and the interrupt flag of one apply run."""

    sleep: Callable[[float], None] = time.sleep
    stop: threading.Event = field(default_factory=threading.Event)
    settle_waits: tuple[float, ...] = SETTLE_WAITS

    def interrupt(self) -> None:
        """Start nothing new from now on (the first Ctrl-C)."""
        self.stop.set()

    @property
    def stopped(self) -> bool:
        return self.stop.is_set()
