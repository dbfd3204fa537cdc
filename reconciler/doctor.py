"""`doctor`: how this HaloPSA instance answers, probed read-only (SPEC §12).

One line per check, each `ok`, `warn` or `fail` with what was found and, for warn and
fail, what to do: the connection settings; the token (obtained, its lifetime); for each
of the nine endpoints whether it is readable, its record count and list shape, the fields
its list rows lack compared with a detail read (`includedetails=true`) of one record,
and the fields HaloPSA returned that the schema lacks; the server's clock against ours
(the token answer's Date header); the instance's identity from `GET /api/InstanceInfo`.

Read-only by construction (a ReadOnlyClient), and bounded: 1 token request, 2 requests
per type (page 1 of its list, one detail read), 1 other. Never prints a secret or a
token: details are built from settings, counts, field names and HaloPSA's scrubbed
messages. No printing here: render/doctor.py writes the report.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.connection import Connection, open_client
from reconciler.errors import ConnectionSettingsError, HaloError, RecordNotFound
from reconciler.halo import ReadOnlyClient
from reconciler.registry import BY_KEY, KEYS, mapping_arrays
from reconciler.scrubber import Scrubber

OK, WARN, FAIL = "ok", "warn", "fail"
SKEW_LIMIT = 60.0  # seconds of clock difference that earn a warning


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok, warn or fail
    detail: str


@dataclass(frozen=True, slots=True)
class DoctorReport:
    url: str | None
    tenant: str | None
    checks: tuple[Check, ...]

    @property
    def failed(self) -> bool:
        return any(c.status == FAIL for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "instance": {"url": self.url, "tenant": self.tenant},
            "checks": [
                {"name": c.name, "status": c.status, "detail": c.detail} for c in self.checks
            ],
        }


def run_doctor(connection: Connection, *, wall: Callable[[], float] = time.time) -> DoctorReport:
    """Probe the instance `connection` names; `wall` is our clock (epoch seconds)."""
    try:
        client = open_client(connection, write=False)
    except ConnectionSettingsError as exc:
        return DoctorReport(None, connection.tenant, (Check("connection", FAIL, str(exc)),))
    with client:
        return diagnose(client, wall=wall)


def diagnose(client: ReadOnlyClient, *, wall: Callable[[], float] = time.time) -> DoctorReport:
    """Every check against `client`'s instance, in SPEC §12's order, scrubbed: HaloPSA's
    own texts (InstanceInfo's values, field names) may echo the client secret."""
    scrub = Scrubber([str(client.settings.client_secret.reveal())])
    report = _diagnose(client, wall=wall)
    checks = tuple(Check(c.name, c.status, scrub(c.detail)) for c in report.checks)
    return DoctorReport(report.url, report.tenant, checks)


def _diagnose(client: ReadOnlyClient, *, wall: Callable[[], float]) -> DoctorReport:
    s = client.settings
    where = client.instance
    count, seconds = s.rate_limit
    tenant = f", tenant {s.tenant}" if s.tenant else ""
    checks = [
        Check(
            "connection",
            OK,
            f"{where.url}{tenant}; token endpoint {s.token_url}; HALO_RATE_LIMIT "
            f"{count}/{seconds:g}; HALO_RETRY_BUDGET {s.retry_budget:g} s",
        )
    ]
    try:
        token = client.authenticate()
        asked_at = wall()
    except HaloError as exc:
        checks.append(Check("token", FAIL, f"{exc} — nothing else was checked"))
        return DoctorReport(where.url, where.tenant, tuple(checks))
    checks.append(Check("token", OK, f"obtained; valid {token.lifetime:g} s"))
    checks += [_endpoint(client, key) for key in KEYS]
    checks.append(_clock(token.server_date, asked_at))
    checks.append(_instance(client))
    return DoctorReport(where.url, where.tenant, tuple(checks))


def _hint(exc: HaloError) -> str:
    if exc.status in (401, 403):
        return "check that the API application's agent may read integration settings"
    if exc.status == 404:
        return "check HALO_URL (the API is under <HALO_URL>/api)"
    return "run doctor again; if it persists, check HaloPSA's status"


def _records(n: int) -> str:
    return f"{n} record" + ("" if n == 1 else "s")


def _names(fields: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(fields))


def _endpoint(client: ReadOnlyClient, key: str) -> Check:
    path = f"/api{BY_KEY[key].path}"
    try:
        page = client.first_page(key)
    except HaloError as exc:
        return Check(key, FAIL, f"{exc} — {_hint(exc)}")
    rows = page.rows
    if page.record_count is not None:
        counted = _records(page.record_count)
    elif len(rows) >= 100:
        counted = f"{len(rows)} or more records (page 1 is full)"
    else:
        counted = _records(len(rows))
    parts = [f"GET {path}: HTTP 200, {counted}, list shape {page.shape}"]
    first = next((r for r in rows if isinstance(r.get("id"), int)), None)
    if first is None:
        parts.append("no record to compare a list row with a detail read")
    else:
        try:
            full = client.detail(key, first["id"])
        except HaloError as exc:
            return Check(key, FAIL, f"{parts[0]}; the detail read failed: {exc} — {_hint(exc)}")
        lacking = set(full) - set(first)
        if lacking:
            parts.append(
                f"list rows lack {_names(lacking)}: a record stating one is read in detail "
                "(1 GET each)"
            )
        else:
            parts.append("list rows hold every field of a detail read")
        shorter = [n for n in mapping_arrays(key) if n in first and first[n] != full.get(n)]
        if shorter:
            parts.append(f"list rows differ from the detail read in {_names(set(shorter))}")
    unknown = client.unknown_fields.get(key, frozenset())
    if unknown:
        parts.append(
            f"fields the schema lacks: {_names(unknown)} — ignored (never compared, sent or "
            "exported); a newer halo-reconciler may manage them"
        )
        return Check(key, WARN, "; ".join(parts))
    return Check(key, OK, "; ".join(parts))


def _clock(date: str | None, ours: float) -> Check:
    if not date:
        return Check("clock", WARN, "HaloPSA sent no Date header: clock not compared")
    try:
        theirs = email.utils.parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError):
        return Check("clock", WARN, "HaloPSA's Date header is unreadable: clock not compared")
    skew = theirs - ours
    # The Date header has whole seconds: a difference below 2 s is rounding.
    if abs(skew) < 2:
        return Check("clock", OK, "HaloPSA's clock agrees with ours (Date header)")
    way = "ahead of" if skew > 0 else "behind"
    text = f"HaloPSA's clock is {abs(skew):.0f} s {way} ours (Date header)"
    if abs(skew) > SKEW_LIMIT:
        return Check(
            "clock",
            WARN,
            f"{text} — check this machine's clock (NTP): token renewal and expiry warnings "
            "depend on it",
        )
    return Check("clock", OK, text)


def _instance(client: ReadOnlyClient) -> Check:
    try:
        info = client.instance_info()
    except RecordNotFound:
        return Check(
            "instance",
            WARN,
            "GET /api/InstanceInfo: HTTP 404 — identity and version unknown; nothing else "
            "depends on them",
        )
    except HaloError as exc:
        return Check("instance", FAIL, f"{exc} — {_hint(exc)}")
    shown = []
    if isinstance(info, Mapping):
        for name in ("app_version", "database_version", "dbid"):
            value = info.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool):
                shown.append(f"{name} {value}")
    return Check("instance", OK, ", ".join(shown) or "GET /api/InstanceInfo answered")
