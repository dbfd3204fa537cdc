"""What the benchmark scripts share: a median timer, and timing the tool as installed."""

from __future__ import annotations

import compileall
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def median(fn: Callable[..., object], runs: int, *args: Any) -> float:
    """Median wall time of `fn(*args)` over `runs` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def medians(calls: Sequence[Callable[[], object]], runs: int) -> list[float]:
    """Median wall time of each call, over `runs` rounds that run every call in turn.

    For a ratio of two timings: interleaved, a slow spell of a shared machine slows both
    sides alike instead of one.
    """
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for fn, spent in zip(calls, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def compile_package() -> None:
    """Compile reconciler/ to bytecode, as `pip install` does.

    A checkout run under PYTHONDONTWRITEBYTECODE would otherwise recompile every module
    on every run and time the compiler, not the tool.
    """
    compileall.compile_dir(ROOT / "reconciler", quiet=1)
