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
from reconciler.halo.messages import Scrubber
from reconciler.halo.settings import ConnectionSettings
from reconciler.live import live_address, read_live
from reconciler.registry import KEYS, ORDER
from reconciler.status.health import connection_health
from reconciler.status.model import StatusReport, SyncErrors
from reconciler.status.sync_errors import attribute, parse_rows, shorten

ERROR_LOG = "/IntegrationError"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 rows: far more than 7 days of errors, far less than the rate budget
DEFAULT_WARN_DAYS = 14


class StatusClient(Protocol):
    """What status needs from a client: the lists, one other GET, and its settings."""

    @property
    def settings(self) -> ConnectionSettings: ...

    def list(self, key: str) -> Sequence[Mapping[str, Any]]: ...

    def read_json(self, path: str, params: Mapping[str, str] | None = None) -> Any: ...


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
    addresses = [(live_address(k, r), _id(r)) for k, r in pairs]
    found: Mapping[str, SyncErrors] | None = None
    if rows is not None:
        matched = attribute(parse_rows(rows, scrub), addresses, now=now)
        found = matched.by_address
        notes.extend(matched.notes)
    connections = [
        connection_health(
            key,
            record,
            now=now,
            warn_days=warn_days,
            sync_errors=None if found is None else found[address],
            scrub=scrub,
        )
        for (key, record), (address, _) in zip(pairs, addresses, strict=True)
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
    """Every row of the error log, page by page; None (and a note) when it does not answer.

    Pages are asked for explicitly (HaloPSA answers a short default page otherwise). A
    bare array is the whole log; a wrapper is followed while its `record_count` says
    rows remain, until a page comes back short or empty.
    """
    rows: list[Mapping[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        params = {"pageinate": "true", "page_size": str(PAGE_SIZE), "page_no": str(page)}
        try:
            data = client.read_json(ERROR_LOG, params)
        except AuthenticationError:
            raise
        except HaloError as exc:
            return None, [_not_answered(exc, scrub)]
        found, total = _page(data)
        if found is None:
            return None, [
                f"GET /api{ERROR_LOG} answered something other than a list: "
                "sync errors were not checked"
            ]
        rows.extend(found)
        if isinstance(data, list) or len(found) < PAGE_SIZE:
            return rows, []
        if total is not None and len(rows) >= total:
            return rows, []
    return rows, [
        f"HaloPSA's error log has more than {MAX_PAGES * PAGE_SIZE} rows: only the first "
        f"{MAX_PAGES * PAGE_SIZE} were read"
    ]


def _not_answered(exc: HaloError, scrub: Scrubber) -> str:
    status = f"HTTP {exc.status}" if exc.status else "no answer"
    message = shorten(exc.halo_message, scrub)
    detail = f"{status}: {message}" if message and exc.status != 404 else status
    return f"HaloPSA did not answer GET /api{ERROR_LOG} ({detail}): sync errors were not checked"


def _page(data: Any) -> tuple[list[Mapping[str, Any]] | None, int | None]:
    """The rows of one answer and its `record_count`; (None, None) when it holds no list."""
    if data is None:
        return [], None
    if isinstance(data, list):
        return [r for r in data if isinstance(r, Mapping)], None
    if not isinstance(data, Mapping):
        return None, None
    arrays = [v for v in data.values() if isinstance(v, list)]
    rows = next((a for a in arrays if any(isinstance(x, Mapping) for x in a)), None)
    if rows is None:
        rows = next((a for a in arrays if not a), None)
    count = data.get("record_count")
    total = count if isinstance(count, int) and not isinstance(count, bool) else None
    if rows is None:
        return ([], total) if total == 0 else (None, None)
    return [r for r in rows if isinstance(r, Mapping)], total
