"""The status report: each accounting connection's health, as values (SPEC §15).

`ConnectionHealth` holds what was read about one connection and the lines that need
someone's attention; `StatusReport` holds them all, the notes about the run (an endpoint
that did not answer) and `to_json()`, the document schemas/status.schema.json describes.
Every text here is already shortened and scrubbed of secrets. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = "1"
SYNC_WINDOW_DAYS = 7  # sync errors younger than this count (SPEC §15)


def iso(moment: datetime | None) -> str | None:
    """`2026-12-04T09:30:00Z` (UTC, whole seconds) or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SyncErrors:
    """The sync errors of the last 7 days logged for one connection's details id."""

    count: int
    newest_date: datetime | None = None
    newest_message: str = ""
    also: tuple[str, ...] = ()  # other connections read with the same details id


@dataclass(frozen=True, slots=True)
class ConnectionHealth:
    """One live record of one type, judged. `attention` empty means healthy."""

    address: str
    type: str
    identity: str | None
    id: int | None
    authorized: bool | None  # None: the type has no such field, or HaloPSA sent none
    token_expiry: datetime | None
    days_left: int | None  # whole days until the expiry; negative once expired
    warning: str | None
    last_sync: datetime | None
    last_error: str | None
    sync_errors: SyncErrors | None  # None: not checked (the error log did not answer)
    attention: tuple[str, ...]
    hints: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        sync: dict[str, Any] | None = None
        if self.sync_errors is not None:
            s = self.sync_errors
            sync = {
                "count": s.count,
                "newest_date": iso(s.newest_date),
                "newest_message": s.newest_message or None,
                "also_matches": list(s.also),
            }
        return {
            "address": self.address,
            "type": self.type,
            "identity": self.identity,
            "id": self.id,
            "authorized": self.authorized,
            "token_expiry": iso(self.token_expiry),
            "days_left": self.days_left,
            "warning": self.warning,
            "last_sync": iso(self.last_sync),
            "last_error": self.last_error,
            "sync_errors": sync,
            "attention": list(self.attention),
            "hints": list(self.hints),
        }


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Every connection read, in registry order then by address, and notes about the run."""

    generated_at: datetime
    url: str
    tenant: str | None
    warn_days: int
    types: tuple[str, ...]
    connections: tuple[ConnectionHealth, ...]
    notes: tuple[str, ...] = ()

    @property
    def attention(self) -> tuple[ConnectionHealth, ...]:
        """The connections that need someone's attention."""
        return tuple(c for c in self.connections if c.attention)

    @property
    def needs_attention(self) -> bool:
        return any(c.attention for c in self.connections)

    def headline(self) -> str:
        """`3 connections, 1 needs attention.` (the line a scheduled job's log shows)."""
        total, bad = len(self.connections), len(self.attention)
        noun = "connection" if total == 1 else "connections"
        if not total:
            return "No accounting connections found."
        if not bad:
            return f"{total} {noun}, all healthy."
        verb = "needs" if bad == 1 else "need"
        return f"{total} {noun}, {bad} {verb} attention."

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "generated_at": iso(self.generated_at),
            "instance": {"url": self.url, "tenant": self.tenant},
            "warn_days": self.warn_days,
            "types": list(self.types),
            "connections": [c.to_json() for c in self.connections],
            "notes": list(self.notes),
            "summary": {"connections": len(self.connections), "attention": len(self.attention)},
        }
