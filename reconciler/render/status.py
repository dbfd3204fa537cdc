"""The `status` report as text (terminals, logs), Markdown (a CI job summary) or JSON.

Both lead with what needs attention: the text report lists connections needing it
first, each attention line marked `!`; the Markdown report opens with the headline and
a table, then one list per connection needing attention. A signal a type does not have
(Kashflow has no authorised flag) is left out rather than shown empty. Provider notes are
labelled as hints. Deterministic: registry order, then address. Pure: writes to `out`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from reconciler.plan.health import health_fields
from reconciler.printable import printable
from reconciler.render import FORMATS
from reconciler.render.markdown import code, esc
from reconciler.status.health import age_text, days_text, when
from reconciler.status.hints import PROVIDER_HINTS
from reconciler.status.model import SYNC_WINDOW_DAYS, ConnectionHealth, StatusReport


def render_status(report: StatusReport, out: TextIO, *, format: str = "text") -> None:
    """Write `report` to `out` in `format` (one of FORMATS; ValueError otherwise)."""
    writers: dict[str, Callable[[StatusReport, TextIO], None]] = {
        "text": render_text,
        "markdown": render_markdown,
        "json": render_json,
    }
    if format not in writers:
        raise ValueError(f"unknown status format {format!r}; use one of {', '.join(FORMATS)}")
    writers[format](report, out)


def render_json(report: StatusReport, out: TextIO) -> None:
    out.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")


def _ordered(report: StatusReport) -> list[ConnectionHealth]:
    """Connections needing attention first; otherwise registry order, then address."""
    return [c for c in report.connections if c.attention] + [
        c for c in report.connections if not c.attention
    ]


def _instance(report: StatusReport) -> str:
    return report.url + (f" (tenant {report.tenant})" if report.tenant else "")


def _name(c: ConnectionHealth) -> str:
    return c.address + (f" (id {c.id})" if c.id is not None else "")


def _expiry(c: ConnectionHealth, now: datetime) -> str:
    if c.token_expiry is None:
        return "none stated"
    if c.days_left is not None and c.token_expiry > now:
        left = "less than a day" if c.days_left == 0 else days_text(c.days_left)
        return f"{when(c.token_expiry)} ({left} left)"
    return f"{when(c.token_expiry)} (expired {age_text(c.token_expiry, now)})"


def _facts(c: ConnectionHealth, now: datetime) -> list[tuple[str, str]]:
    """(label, value) pairs of what was read, for the signals the type has."""
    roles = health_fields(c.type)
    facts: list[tuple[str, str]] = []
    if "authorized" in roles:
        facts.append(("authorized", {True: "yes", False: "no", None: "not stated"}[c.authorized]))
    if "token_expiry" in roles:
        facts.append(("token expiry", _expiry(c, now)))
    if "last_sync" in roles:
        last = f"{when(c.last_sync)} ({age_text(c.last_sync, now)})" if c.last_sync else "never"
        facts.append(("Halo Integrator last sync", last))
    if c.sync_errors is None:
        facts.append((f"sync errors, last {SYNC_WINDOW_DAYS} days", "not checked"))
    elif not c.sync_errors.count:
        facts.append((f"sync errors, last {SYNC_WINDOW_DAYS} days", "none"))
    return facts


def render_text(report: StatusReport, out: TextIO) -> None:
    now = report.generated_at
    lines = [
        f"Connection health of {_instance(report)} at {when(now)}; "
        f"tokens expiring within {report.warn_days} days need attention."
    ]
    for c in _ordered(report):
        state = "needs attention" if c.attention else "ok"
        lines += ["", f"{_name(c)}: {state}"]
        lines += [f"  ! {line}" for line in c.attention]
        lines += [f"    {label}: {value}" for label, value in _facts(c, now)]
        lines += [f"    hint: {hint}" for hint in c.hints]
    if report.notes:
        lines += ["", "Notes:", *(f"  - {note}" for note in report.notes)]
    lines += ["", report.headline()]
    # Names and messages are HaloPSA's text: no control character reaches a terminal.
    out.write("".join(printable(line) + "\n" for line in lines))


def render_markdown(report: StatusReport, out: TextIO) -> None:
    now = report.generated_at
    out.write(f"**Connection health:** {esc(report.headline())}\n\n")
    tenant = f" (tenant {code(report.tenant)})" if report.tenant else ""
    out.write(
        f"HaloPSA {code(report.url)}{tenant} · {esc(when(now))} · tokens expiring within "
        f"{report.warn_days} days need attention\n"
    )
    if report.connections:
        out.write("\n| connection | state | authorized | token expiry | sync errors (7 days) |\n")
        out.write("| --- | --- | --- | --- | --- |\n")
        for c in _ordered(report):
            out.write(_row(c, now))
    bad = report.attention
    if bad:
        out.write("\n### Needs attention\n")
        for c in bad:
            out.write(f"\n{code(c.address)}" + (f" (id {c.id})" if c.id is not None else ""))
            out.write("\n\n" + "".join(f"- {esc(line)}\n" for line in c.attention))
    hinted = [k for k in report.types if k in PROVIDER_HINTS and _has(report, k)]
    if hinted:
        out.write("\n### Provider notes (hints, not findings about these connections)\n\n")
        for key in hinted:
            out.write("".join(f"- {esc(h)}\n" for h in PROVIDER_HINTS[key]))
    extra = [h for c in report.connections for h in c.hints if h not in _provider_texts()]
    if report.notes or extra:
        out.write("\n### Notes\n\n")
        for c in report.connections:
            for hint in c.hints:
                if hint not in _provider_texts():
                    out.write(f"- {code(c.address)}: {esc(hint)}\n")
        out.write("".join(f"- {esc(n)}\n" for n in report.notes))


def _row(c: ConnectionHealth, now: datetime) -> str:
    facts = dict(_facts(c, now))
    auth = facts.get("authorized", "—")
    expiry = facts.get("token expiry", "—")
    sync = "not checked" if c.sync_errors is None else str(c.sync_errors.count)
    state = "**needs attention**" if c.attention else "ok"
    name = code(c.address, table=True) + (f" (id {c.id})" if c.id is not None else "")
    return f"| {name} | {state} | {esc(auth)} | {esc(expiry)} | {sync} |\n"


def _has(report: StatusReport, key: str) -> bool:
    return any(c.type == key for c in report.connections)


def _provider_texts() -> frozenset[str]:
    return frozenset(h for hints in PROVIDER_HINTS.values() for h in hints)
