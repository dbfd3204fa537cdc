"""WaitReport on stderr while a run waits (reconciler/cli/progress.py), on a fake clock.

No thread ticks here (`ticking=False`): the test calls tick() where a ticker would.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from cli_runner import run_cli
from fake_time import FakeTime

from reconciler.cli import progress
from reconciler.cli.progress import WaitReport
from reconciler.halo.timing import Timing
from reconciler.sandbox import SandboxHandle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _plain() -> tuple[WaitReport, io.StringIO, Clock]:
    out, clock = io.StringIO(), Clock()
    return WaitReport(out, live=False, clock=clock, ticking=False), out, clock


def test_a_short_wait_says_nothing() -> None:
    progress, out, clock = _plain()
    with progress.waiting("the request budget (HALO_RATE_LIMIT=300/300)", 0.8):
        clock.now += 0.8
        progress.tick()
    with progress.waiting("HaloPSA to answer GET /api/XeroDetails", None):
        clock.now += 1.0
        progress.tick()
    assert out.getvalue() == ""


def test_plain_lines_say_what_and_how_long_at_most_every_five_seconds() -> None:
    progress, out, clock = _plain()
    for _ in range(4):
        with progress.waiting("the request budget (HALO_RATE_LIMIT=2/3)", 3.0):
            clock.now += 3.0
    with progress.waiting("HaloPSA to answer GET /api/XeroDetails", None):
        clock.now += 2.0
        progress.tick()
        clock.now += 4.0
        progress.tick()
    assert out.getvalue() == (
        "Waiting 3.0 s for the request budget (HALO_RATE_LIMIT=2/3)\n"  # at 100
        "Waiting 3.0 s for the request budget (HALO_RATE_LIMIT=2/3)\n"  # at 106 (103: too soon)
        "Waiting for HaloPSA to answer GET /api/XeroDetails (2 s so far)\n"  # at 114
    )


def test_a_terminal_line_is_rewritten_in_place_and_erased() -> None:
    out, clock = io.StringIO(), Clock()
    progress = WaitReport(out, live=True, clock=clock, ticking=False)
    with progress.waiting("Retry-After after HTTP 429 to GET /api/XeroDetails (attempt 1)", 7):
        clock.now += 2.5
        progress.tick()
    assert out.getvalue() == (
        "\r\x1b[2KWaiting 7.0 s for Retry-After after HTTP 429 to GET /api/XeroDetails "
        "(attempt 1)"
        "\r\x1b[2KWaiting 4.5 s for Retry-After after HTTP 429 to GET /api/XeroDetails "
        "(attempt 1)"
        "\r\x1b[2K"
    )


def test_the_oldest_of_several_waits_is_shown() -> None:
    out, clock = io.StringIO(), Clock()
    progress = WaitReport(out, live=True, clock=clock, ticking=False)
    with progress.waiting("HaloPSA to answer GET /api/XeroDetails", None):
        clock.now += 0.5
        with progress.waiting("HaloPSA to answer GET /api/MYOBdetails", None):
            clock.now += 1.0
            progress.tick()
    assert out.getvalue() == (
        "\r\x1b[2KWaiting for HaloPSA to answer GET /api/XeroDetails (2 s so far)\r\x1b[2K"
    )


def test_the_ticker_thread_ends_when_the_waits_do() -> None:
    out = io.StringIO()
    progress = WaitReport(out, live=False)
    with progress.waiting("HaloPSA to answer GET /api/XeroDetails", None):
        pass
    ticker = progress._ticker
    assert ticker is not None
    ticker.join(timeout=5)
    assert not ticker.is_alive()
    assert out.getvalue() == ""


def test_for_stream_is_live_only_on_a_terminal(monkeypatch: object) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert WaitReport.for_stream(Tty())._live is True
    assert WaitReport.for_stream(io.StringIO())._live is False


def test_a_rate_limited_plan_of_nine_types_says_so_on_stderr_only(
    sandbox_seeded_env: SandboxHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    all_nine = str(Path(__file__).resolve().parents[2] / "examples" / "all-nine")
    unhurried = run_cli(["plan", all_nine], capsys)
    assert (unhurried.code, unhurried.err) == (0, "")

    fake = FakeTime()

    def fake_timing() -> Timing:
        report = WaitReport(sys.stderr, live=False, clock=fake.clock, ticking=False)
        return replace(fake.timing(), waits=report)

    monkeypatch.setattr(progress, "client_timing", fake_timing)
    monkeypatch.setenv("HALO_RATE_LIMIT", "2/3")
    limited = run_cli(["plan", all_nine], capsys)
    assert limited.code == 0, limited.err
    assert limited.out == unhurried.out  # byte for byte: nothing extra on stdout
    # a token and nine list reads, two per 3 s: the run waited, and said so, plainly
    assert sum(fake.sleeps) >= 12
    lines = limited.err.splitlines()
    assert lines, "no progress line"
    for line in lines:
        assert re.fullmatch(
            r"Waiting \d+\.\d s for the request budget \(HALO_RATE_LIMIT=2/3\)", line
        ), line
    assert len(lines) <= sum(fake.sleeps) / progress.PLAIN_EVERY + 1  # throttled
