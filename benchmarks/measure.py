"""What the benchmark scripts share: median timers, timing the tool as installed, and
pointing it at a sandbox."""

from __future__ import annotations

import compileall
import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler.sandbox import SandboxHandle

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


def halo_env(handle: SandboxHandle) -> dict[str, str]:
    """The HALO_* variables that point the tool at the sandbox `handle`."""
    return {
        "HALO_URL": handle.url,
        "HALO_CLIENT_ID": handle.client_id,
        "HALO_CLIENT_SECRET": handle.client_secret,
    }


@contextlib.contextmanager
def environ(values: Mapping[str, str]) -> Iterator[None]:
    """`values` set in os.environ for the block (in-process runs read it); what was there
    before is put back after."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
