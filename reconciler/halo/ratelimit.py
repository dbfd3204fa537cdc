"""The client-side request budget: at most N requests in any rolling S seconds.

One `RateBudget` is shared by every thread of a client, and every request draws on it —
token requests and retries included — so a run stays inside HaloPSA's hosted limit
(300 per rolling 5 minutes) instead of discovering it through 429s. Clock and sleep are
injected so tests check the waits asked for, not wall time. No I/O of its own.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateBudget:
    """A rolling window of the times requests were let through."""

    def __init__(
        self,
        count: int,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if count < 1 or not seconds > 0:
            raise ValueError(f"a rate budget needs N >= 1 and S > 0, got {count}/{seconds}")
        self.count = count
        self.seconds = seconds
        self._clock = clock
        self._sleep = sleep
        self._granted: deque[float] = deque()
        # Held while a thread waits for a slot: waiters queue behind it in turn instead of
        # all waking at once and racing for the one slot that frees.
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until a request may go; returns the clock time its slot was taken."""
        with self._lock:
            while True:
                now = self._clock()
                # A slot frees S seconds after the request that took it (a nanosecond of
                # slack so float rounding after an exact sleep cannot spin the loop).
                while self._granted and self._granted[0] <= now - self.seconds + 1e-9:
                    self._granted.popleft()
                if len(self._granted) < self.count:
                    self._granted.append(now)
                    return now
                self._sleep(max(self._granted[0] + self.seconds - now, 0.001))

    def __repr__(self) -> str:
        return f"RateBudget({self.count}/{self.seconds:g}s)"
