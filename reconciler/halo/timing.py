"""Time and chance, injected: the clock, sleep and random numbers the client uses.

Tests pass a fake clock whose sleep only records and advances it, so retry, token renewal
and rate-budget behaviour is checked by the delays asked for, never by timing a test.
No I/O beyond what the defaults (the real clock and sleep) do.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timing:
    """`clock`: monotonic seconds; `wall`: epoch seconds (for Retry-After dates);
    `random`: a number in [0, 1] for backoff jitter."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    wall: Callable[[], float] = time.time
    random: Callable[[], float] = random.random
