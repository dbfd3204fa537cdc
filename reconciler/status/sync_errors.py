"""Sync errors from HaloPSA's error log (`GET /api/IntegrationError`), per connection.

A row (api/README §9a) names the connection by `detail_id` (the id of the details
record, e.g. a XeroDetails id) and the integration by `module_id`, whose numbering
HaloPSA does not publish. So a row is matched to every connection read whose id equals
its `detail_id`; when connections of several types share that id, each is told which
others match too (`also`), rather than the tool guessing one. Only rows dated within
the last 7 days count; a row without a readable date is left out and said so.

Messages come from another system and may quote anything, credentials included: they
are scrubbed (known secrets, then anything shaped like a credential), folded onto one
line and shortened. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from reconciler.plan.normalise import parse_instant
from reconciler.sensitive import MASK
from reconciler.status.model import SYNC_WINDOW_DAYS, SyncErrors

MESSAGE_LIMIT = 160

# Shapes of credentials in free text: `Bearer <token>`, `refresh_token=...`,
# `"client_secret": "..."`, and JSON Web Tokens. Applied after the known secrets.
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]+=*")
_KEYED = re.compile(
    r"(?i)\b([a-z_]*(?:token|secret|password|passwd|apikey|api_key|auth_?code))"
    r"(\"?\s*[:=]\s*\"?)([^\"&\s,;}]+)"
)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def shorten(text: object, scrub: Callable[[str], str]) -> str:
    """A message fit for a report: secrets out, one line, at most MESSAGE_LIMIT chars.

    Scrubbing comes before shortening, so a cut can never leave half a secret behind.
    """
    if not isinstance(text, str):
        return ""
    clean = scrub(text)
    clean = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", clean)
    clean = _KEYED.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", clean)
    clean = _JWT.sub(MASK, clean)
    clean = " ".join(clean.split())
    if len(clean) <= MESSAGE_LIMIT:
        return clean
    return clean[: MESSAGE_LIMIT - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class SyncError:
    """One row of the error log, as far as it could be read."""

    detail_id: int | None
    date: datetime | None
    message: str  # already shortened and scrubbed


def parse_rows(
    rows: Sequence[Mapping[str, object]], scrub: Callable[[str], str]
) -> list[SyncError]:
    """The rows HaloPSA returned, read leniently (a string id "12" is 12)."""
    found: list[SyncError] = []
    for row in rows:
        subject = " ".join(
            str(row[k]).strip()
            for k in ("entity_type", "entity_name")
            if isinstance(row.get(k), str | int) and str(row[k]).strip()
        )
        error = row.get("error")
        text = f"{subject}: {error}" if subject and isinstance(error, str) else error
        found.append(
            SyncError(
                _int(row.get("detail_id")), parse_instant(row.get("date")), shorten(text, scrub)
            )
        )
    return found


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


@dataclass(frozen=True, slots=True)
class Attribution:
    """Each connection's recent sync errors (in the order given); notes about the rest."""

    per_connection: tuple[SyncErrors, ...]
    notes: tuple[str, ...]


def attribute(
    errors: Sequence[SyncError],
    connections: Sequence[tuple[str, int | None]],
    *,
    now: datetime,
) -> Attribution:
    """Match the last 7 days' errors to `connections` ((address, id) pairs) by id.

    The answer is positional: two live records may share an address (a duplicate name).
    """
    since = now - timedelta(days=SYNC_WINDOW_DAYS)
    undated = sum(1 for e in errors if e.date is None)
    recent = [e for e in errors if e.date is not None and since <= e.date <= now]
    by_id: dict[int, list[int]] = {}  # id -> positions in `connections`
    for position, (_, rid) in enumerate(connections):
        if rid is not None:
            by_id.setdefault(rid, []).append(position)
    grouped: dict[int, list[SyncError]] = {}
    unmatched: dict[int | None, int] = {}
    for e in recent:
        if e.detail_id is not None and e.detail_id in by_id:
            grouped.setdefault(e.detail_id, []).append(e)
        else:
            unmatched[e.detail_id] = unmatched.get(e.detail_id, 0) + 1
    out = [SyncErrors(0)] * len(connections)
    for rid, rows in grouped.items():
        # Newest first; among equal dates the later row in the log wins (stable).
        newest = max(enumerate(rows), key=lambda p: (p[1].date, p[0]))[1]
        for position in by_id[rid]:
            others = tuple(connections[p][0] for p in by_id[rid] if p != position)
            out[position] = SyncErrors(len(rows), newest.date, newest.message, others)
    notes: list[str] = []
    if unmatched:
        count = sum(unmatched.values())
        known = sorted(i for i in unmatched if i is not None)
        ids = ", ".join(str(i) for i in known)
        which = f" (details id{'s' if len(known) > 1 else ''} {ids})" if ids else ""
        verb = "matches" if count == 1 else "match"
        notes.append(
            f"{_errors(count)} of the last {SYNC_WINDOW_DAYS} days {verb} no connection "
            f"read here{which}: other integrations, or types not read"
        )
    if undated:
        verb = "was" if undated == 1 else "were"
        notes.append(f"{_errors(undated)} without a readable date {verb} not counted")
    return Attribution(tuple(out), tuple(notes))


def _errors(count: int) -> str:
    return "1 sync error" if count == 1 else f"{count} sync errors"
