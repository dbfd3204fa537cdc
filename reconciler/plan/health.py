"""Health: warnings about live records (not changes), from the schema's x-halo-health roles.

- authorized/isauthorized false: the integration is not authorised;
- token expiry past, when the record is also unauthorised or the expiry is long past
  (over 30 days): HaloPSA renews a short-lived token on use, so a past expiry alone is
  normal (../shared/api/README.md §8);
- a non-empty `_warning`: HaloPSA's own message about the record;
- a non-empty `halointegrator_lasterror` (MYOB): the last sync failed.
When the configuration states write-only credentials, the likely cause of a failed
authorisation is a changed credential that plan cannot compare: the message says so.
Time is injected (`now`) so tests are deterministic. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from reconciler import registry
from reconciler.plan.normalise import parse_instant
from reconciler.registry import TypeSpec

LONG_PAST = timedelta(days=30)


def _hint(write_only: Sequence[str]) -> str:
    if not write_only:
        return ""
    names = ", ".join(write_only)
    verb = "is" if len(write_only) == 1 else "are"
    return (
        f"; if the credential changed, apply with --push-secrets "
        f"({names} {verb} write-only and not compared)"
    )


def _expired(expiry: datetime | None, now: datetime, *, unauthorized: bool) -> str:
    """ "token expired ..." when the expiry is past and that matters, else ""."""
    if expiry is None or expiry >= now:
        return ""
    age = now - expiry
    if not unauthorized and age <= LONG_PAST:
        return ""  # HaloPSA renews the access token on next use
    days = f"{age.days} day{'s' if age.days != 1 else ''} ago"
    return f"token expired {expiry.strftime('%Y-%m-%d %H:%M UTC')} ({days})"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def health_warnings(
    spec: TypeSpec,
    live: Mapping[str, Any],
    *,
    now: datetime,
    write_only: Sequence[str] = (),
) -> list[str]:
    """Health messages for one live record; `write_only` names the write-only fields
    its configuration states (for the --push-secrets hint)."""
    roles = health_fields(spec.key)
    messages: list[str] = []
    authorized = live.get(roles["authorized"]) if "authorized" in roles else None
    if authorized is False:
        messages.append(f"not authorized in HaloPSA{_hint(write_only)}")
    if "token_expiry" in roles:
        expiry = parse_instant(live.get(roles["token_expiry"]))
        expired = _expired(expiry, now, unauthorized=authorized is False)
        if expired:
            hint = _hint(write_only) if authorized is not False else ""
            messages.append(f"{expired}{hint}")
    if "warning" in roles and (text := _text(live.get(roles["warning"]))):
        messages.append(f"HaloPSA warning: {text}")
    if "last_error" in roles and (text := _text(live.get(roles["last_error"]))):
        messages.append(f"last sync error: {text}")
    return messages


@cache
def health_fields(key: str) -> Mapping[str, str]:
    """Health role (authorized, token_expiry, ...) -> the type's field holding it."""
    return {f.health: name for name, f in registry.spec(key).fields.items() if f.health}
