"""`read_status`: read every connection and HaloPSA's error log, judge each connection.

Requests: 1 token + 1 list GET per type (read_live, the same reading plan uses) + the
pages of `GET /api/IntegrationError` (read once per run). The error log is not part of
the nine types' contract: when it does not answer (an older HaloPSA answers 404, an agent
without the permission 403), the report is still made, with one note saying sync errors
were not checked. An authentication failure is not that: it fails the run like any read.
Never writes: takes a read-only client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from reconciler.errors import AuthenticationError, HaloError
from reconciler.halo.settings import ConnectionSettings
from reconciler.live import Lister, live_address, read_live
from reconciler.registry import KEYS, ORDER
from reconciler.scrubber import Scrubber
from reconciler.status.health import connection_health
from reconciler.status.model import StatusReport, SyncErrors
from reconciler.status.sync_errors import attribute, parse_rows, shorten

ERROR_LOG = "/IntegrationError"
DEFAULT_WARN_DAYS = 14


class StatusClient(Lister, Protocol):
    """What status needs from a client: the lists, another list's rows, its settings."""

    @property
    def settings(self) -> ConnectionSettings: ...

    def rows(self, path: str, params: Mapping[str, str] | None = None) -> Sequence[Any]: ...


def read_status(
    client: StatusClient,
    *,
    now: datetime,
    types: Sequence[str] = (),
    warn_days: int = DEFAULT_WARN_DAYS,
) -> StatusReport:
    """The health of every connection of `types` (all nine when empty), as of `now`."""
    keys = tuple(sorted(dict.fromkeys(types or KEYS), key=ORDER.__getitem__))
    snapshot = read_live(client, keys)
    settings = client.settings
    scrub = Scrubber([str(settings.client_secret.reveal())])
    rows, notes = read_error_log(client, scrub)
    pairs = [(key, record) for key in keys for record in snapshot.records.get(key, ())]
    addresses = [(scrub(live_address(k, r)), _id(r)) for k, r in pairs]
    found: Sequence[SyncErrors | None] = [None] * len(pairs)
    if rows is not None:
        matched = attribute(parse_rows(rows, scrub), addresses, now=now)
        found = matched.per_connection
        notes.extend(matched.notes)
    connections = [
        connection_health(
            key,
            record,
            now=now,
            warn_days=warn_days,
            sync_errors=sync,
            scrub=scrub,
        )
        for (key, record), sync in zip(pairs, found, strict=True)
    ]
    connections.sort(key=lambda c: (ORDER[c.type], c.address, c.id or 0))
    return StatusReport(
        generated_at=now,
        url=settings.instance.url,
        tenant=settings.instance.tenant,
        warn_days=warn_days,
        types=keys,
        connections=tuple(connections),
        notes=tuple(notes),
    )


def _id(record: Mapping[str, Any]) -> int | None:
    rid = record.get("id")
    return rid if isinstance(rid, int) and not isinstance(rid, bool) else None


def read_error_log(
    client: StatusClient, scrub: Scrubber
) -> tuple[list[Mapping[str, Any]] | None, list[str]]:
    """Every row of the error log, read page by page as every list is (halo.listing);
    None and one note when it does not answer or its answer cannot be read as a list."""
    try:
        rows = client.rows(ERROR_LOG)
    except AuthenticationError:
        raise
    except HaloError as exc:
        return None, [_not_answered(exc, scrub)]
    return [r for r in rows if isinstance(r, Mapping)], []


def _not_answered(exc: HaloError, scrub: Scrubber) -> str:
    message = shorten(exc.halo_message, scrub)
    if exc.status is not None and 200 <= exc.status < 300:
        return (
            f"HaloPSA's answer to GET /api{ERROR_LOG} could not be read ({message}): "
            "sync errors were not checked"
        )
    status = f"HTTP {exc.status}" if exc.status else "no answer"
    detail = f"{status}: {message}" if message and exc.status != 404 else status
    return f"HaloPSA did not answer GET /api{ERROR_LOG} ({detail}): sync errors were not checked"
