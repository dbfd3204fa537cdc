"""A fake clock for tests: time moves only when something sleeps, and every sleep is kept.

Importable from every test directory (tests/ is on sys.path through tests/conftest.py).
"""

from __future__ import annotations

import threading

from reconciler.halo import Timing

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
