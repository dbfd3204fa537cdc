"""Freeze windows (`settings.freeze`): when apply must not write, and how a window reads.

Two shapes, as SPEC §14 pins them: a span `{from, to, reason}` (aware UTC date-times),
or `{days_of_month: [-2, -1, 1, 2, 3], reason}` (whole UTC days; a negative day counts
back from the month's last day). A month-end window crosses into the next month, so the
frozen days of neighbouring months are merged into spans before anything asks "is now
inside?" or "when does the next one start?". The time is always passed in (tests inject
it). Lives outside config/ and plan/ because both use it: the configuration states the
windows, the plan carries them so that `apply PLANFILE` checks them at apply time.
Pure: no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

COMING = timedelta(days=7)  # plan and drift warn about a window starting this soon


@dataclass(frozen=True, slots=True)
class FreezeWindow:
    """One `settings.freeze` entry: a span (`start`/`end`) or `days_of_month`."""

    reason: str
    start: datetime | None = None  # aware, UTC
    end: datetime | None = None
    days_of_month: tuple[int, ...] = ()

    def label(self) -> str:
        """How messages name the window: `2026-12-30T00:00Z to 2027-01-04T00:00Z` or
        `days of month -2, -1, 1 (UTC)`."""
        if self.start is not None and self.end is not None:
            return f"{_stamp(self.start)} to {_stamp(self.end)}"
        return f"days of month {', '.join(str(d) for d in self.days_of_month)} (UTC)"

    def span_at(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The span of this window that contains `now`, or else the next one to start;
        None when the window has passed for good."""
        if self.start is not None and self.end is not None:
            return (self.start, self.end) if now < self.end else None
        for start, end in _day_spans(self.days_of_month, now.date()):
            if now < end:
                return start, end
        return None


@dataclass(frozen=True, slots=True)
class FreezeState:
    """A window in relation to a moment: active now, or starting within COMING."""

    window: FreezeWindow
    start: datetime
    end: datetime
    active: bool

    def describe(self) -> str:
        """`freeze window days of month -1, 1 (UTC) ("month-end close"), now until ...`."""
        head = f"freeze window {self.window.label()} ({_reason(self.window.reason)})"
        if self.active:
            return f"{head} is active now, until {_stamp(self.end)}"
        return f"{head} starts {_stamp(self.start)}"


def freeze_states(windows: tuple[FreezeWindow, ...], now: datetime) -> list[FreezeState]:
    """The windows active at `now` or starting within COMING, in configuration order."""
    out = []
    for window in windows:
        span = window.span_at(now)
        if span is None:
            continue
        start, end = span
        if start <= now:
            out.append(FreezeState(window, start, end, active=True))
        elif start - now <= COMING:
            out.append(FreezeState(window, start, end, active=False))
    return out


def active_windows(windows: tuple[FreezeWindow, ...], now: datetime) -> list[FreezeState]:
    """The windows `now` is inside: apply refuses to write while any is."""
    return [s for s in freeze_states(windows, now) if s.active]


def frozen_day(day: int, year: int, month: int) -> date | None:
    """The date `day` (1..31, or -1..-31 from the end) names in a month; None if none."""
    last = calendar.monthrange(year, month)[1]
    number = day if day > 0 else last + day + 1
    return date(year, month, number) if 1 <= number <= last else None


def _day_spans(days: tuple[int, ...], today: date) -> list[tuple[datetime, datetime]]:
    """Frozen days from last month to two months on, merged into [start, end) spans."""
    frozen: set[date] = set()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for _ in range(4):
        for day in days:
            found = frozen_day(day, year, month)
            if found is not None:
                frozen.add(found)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    spans: list[tuple[datetime, datetime]] = []
    for day_ in sorted(frozen):
        start = datetime(day_.year, day_.month, day_.day, tzinfo=UTC)
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], start + timedelta(days=1))
        else:
            spans.append((start, start + timedelta(days=1)))
    return spans


def _stamp(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    if utc.second == 0 and utc.microsecond == 0:
        return utc.strftime("%Y-%m-%dT%H:%MZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _reason(text: str) -> str:
    return f'reason: "{text}"'
