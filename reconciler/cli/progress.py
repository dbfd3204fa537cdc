"""Progress on stderr while a run waits: the rate budget, a retry, a slow answer.

The HaloPSA client tells `WaitReport.waiting` of every wait (reconciler.halo.timing.Waits).
A wait of a second or less says nothing. A longer one gets a line saying what the run
waits for and how long: on a terminal one status line, rewritten in place as it counts
down and erased when the wait ends; elsewhere (CI logs, files) plain lines, at most one
every few seconds. Only stderr is written, so stdout (the plan, the report) is the same
whether a run waited or not. Clock and ticking are injectable so tests need no real time.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from reconciler.halo.timing import Timing

SILENT_UP_TO = 1.0  # seconds: shorter waits are not worth a line
PLAIN_EVERY = 5.0  # seconds between plain lines (CI logs)
TICK = 0.25  # seconds between updates of the terminal line


@dataclass(slots=True)
class _Wait:
    what: str
    start: float
    seconds: float | None  # None: an answer, which comes when it comes


class WaitReport:
    """Listens to the client's waits and reports the long ones on `stream`."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        clock: Callable[[], float] = time.monotonic,
        ticking: bool = True,
    ) -> None:
        self._stream = stream
        self._live = live
        self._clock = clock
        self._ticking = ticking
        self._lock = threading.Lock()
        self._waits: dict[int, _Wait] = {}
        self._next = 0
        self._last_line: float | None = None  # clock time of the last plain line
        self._shown = False  # a terminal status line is on screen
        self._ticker: threading.Thread | None = None

    @classmethod
    def for_stream(cls, stream: TextIO) -> WaitReport:
        """Live on a terminal (unless TERM=dumb), plain lines otherwise."""
        isatty = getattr(stream, "isatty", None)
        terminal = bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"
        return cls(stream, live=terminal)

    @contextlib.contextmanager
    def waiting(self, what: str, seconds: float | None) -> Iterator[None]:
        with self._lock:
            key = self._next
            self._next += 1
            wait = _Wait(what, self._clock(), seconds)
            self._waits[key] = wait
            if seconds is not None and seconds > SILENT_UP_TO:
                self._report(wait, wait.start)
            if self._ticking and (self._ticker is None or not self._ticker.is_alive()):
                self._ticker = threading.Thread(target=self._tick_while_waiting, daemon=True)
                self._ticker.start()
        try:
            yield
        finally:
            with self._lock:
                del self._waits[key]
                if self._live and self._shown and not self._waits:
                    self._write("\r\x1b[2K")
                    self._shown = False

    def tick(self) -> None:
        """Report the longest-running wait that has lasted more than SILENT_UP_TO."""
        with self._lock:
            now = self._clock()
            due = [w for w in self._waits.values() if now - w.start > SILENT_UP_TO]
            if due:
                self._report(min(due, key=lambda w: w.start), now)

    def _tick_while_waiting(self) -> None:
        pause = threading.Event()
        while True:
            pause.wait(TICK)
            with self._lock:
                if not self._waits:
                    return
            self.tick()

    def _report(self, wait: _Wait, now: float) -> None:
        """Called with the lock held."""
        if wait.seconds is None:
            line = f"Waiting for {wait.what} ({now - wait.start:.0f} s so far)"
        else:
            left = max(wait.start + wait.seconds - now, 0.0)
            line = f"Waiting {left:.1f} s for {wait.what}"
        if self._live:
            self._write(f"\r\x1b[2K{line}")
            self._shown = True
        elif self._last_line is None or now - self._last_line >= PLAIN_EVERY:
            self._write(line + "\n")
            self._last_line = now

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


def client_timing() -> Timing:
    """The timing a command's HaloPSA client uses: real time, waits reported on stderr.

    The one seam where tests put a fake clock under a whole command.
    """
    import sys

    from reconciler.halo.timing import Timing

    return Timing(waits=WaitReport.for_stream(sys.stderr))
