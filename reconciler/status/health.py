"""One connection's health, judged as SPEC §15 pins it.

A connection needs attention when it is not authorised, its token is expired or expires
within `warn_days` (days of 24 hours), or it has a HaloPSA warning, a Halo Integrator
last error, or sync errors in the last 7 days. Which field holds each signal comes from
the schema's `x-halo-health` roles, so a type without a signal is never judged on it.
The token expiry is reported as HaloPSA states it: what it measures (the access token's
or the refresh token's life) is undocumented, so it is shown with its date. Time is
injected (`now`); every text is scrubbed through `scrub`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from reconciler.live import live_address
from reconciler.plan.health import health_fields
from reconciler.plan.normalise import parse_instant
from reconciler.registry import spec
from reconciler.status.hints import provider_hints
from reconciler.status.model import SYNC_WINDOW_DAYS, ConnectionHealth, SyncErrors
from reconciler.status.sync_errors import shorten


def whole_days(delta: timedelta) -> int:
    """Whole days in `delta`, rounded toward zero (-2.5 days is -2)."""
    days = abs(delta) // timedelta(days=1)
    return days if delta >= timedelta(0) else -days


def when(moment: datetime) -> str:
    """`2026-12-04 09:30 UTC`."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def days_text(days: int) -> str:
    return "less than a day" if days == 0 else ("1 day" if days == 1 else f"{days} days")


def age_text(moment: datetime, now: datetime) -> str:
    """`3 days ago`, `less than a day ago`, or `in 2 days` for a moment in the future."""
    days = whole_days(now - moment)
    return f"in {days_text(-days)}" if moment > now else f"{days_text(days)} ago"


def connection_health(
    key: str,
    record: Mapping[str, Any],
    *,
    now: datetime,
    warn_days: int,
    sync_errors: SyncErrors | None,
    scrub: Callable[[str], str],
) -> ConnectionHealth:
    """Judge one live record of type `key`; `sync_errors` None means not checked."""
    roles = health_fields(key)
    attention: list[str] = []
    authorized = _flag(record.get(roles["authorized"])) if "authorized" in roles else None
    if authorized is False:
        attention.append("not authorized in HaloPSA")
    expiry = parse_instant(record.get(roles["token_expiry"])) if "token_expiry" in roles else None
    days_left = whole_days(expiry - now) if expiry is not None else None
    if expiry is not None and days_left is not None:
        if expiry <= now:
            attention.append(f"token expired {age_text(expiry, now)} ({when(expiry)})")
        elif expiry - now <= timedelta(days=warn_days):
            attention.append(f"token expires in {days_text(days_left)} ({when(expiry)})")
    warning = _text(record, roles.get("warning"), scrub)
    if warning:
        attention.append(f"HaloPSA warning: {warning}")
    last_error = _text(record, roles.get("last_error"), scrub)
    if last_error:
        attention.append(f"Halo Integrator last error: {last_error}")
    if sync_errors is not None and sync_errors.count:
        attention.append(_sync_line(sync_errors, now))
    last_sync = parse_instant(record.get(roles["last_sync"])) if "last_sync" in roles else None
    hints = list(provider_hints(key))
    if last_sync is not None and now - last_sync > timedelta(days=SYNC_WINDOW_DAYS):
        hints.append(
            f"The Halo Integrator last synced {age_text(last_sync, now)}: "
            "check that its agent is running."
        )
    ident = record.get(spec(key).identity)
    rid = record.get("id")
    # A name is HaloPSA's text too: the secret is scrubbed from it like from a warning.
    return ConnectionHealth(
        address=scrub(live_address(key, record)),
        type=key,
        identity=scrub(ident) if isinstance(ident, str) and ident else None,
        id=rid if isinstance(rid, int) and not isinstance(rid, bool) else None,
        authorized=authorized,
        token_expiry=expiry,
        days_left=days_left,
        warning=warning or None,
        last_sync=last_sync,
        last_error=last_error or None,
        sync_errors=sync_errors,
        attention=tuple(attention),
        hints=tuple(hints),
    )


def _sync_line(errors: SyncErrors, now: datetime) -> str:
    count = "1 sync error" if errors.count == 1 else f"{errors.count} sync errors"
    line = f"{count} in the last {SYNC_WINDOW_DAYS} days"
    if errors.newest_date is not None:
        line += f", newest {when(errors.newest_date)} ({age_text(errors.newest_date, now)})"
    if errors.newest_message:
        line += f": {errors.newest_message}"
    if errors.also:
        # HaloPSA's module ids are not published: the row may belong to either record.
        line += f" [details id shared with {', '.join(errors.also)}]"
    return line


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _text(record: Mapping[str, Any], field: str | None, scrub: Callable[[str], str]) -> str:
    if field is None:
        return ""
    return shorten(record.get(field), scrub)
