"""Staleness: may a saved plan still be applied to what HaloPSA holds now?

A saved plan was computed from live records that may have moved since. Before any write,
apply re-reads the plan's types and refuses (StalePlanError, naming every address) when
a record it would touch changed or vanished (its fingerprint differs from the one the
plan stored), or when a record it would create now exists (applying would make a
duplicate). Records the plan leaves alone are not checked: their changes do not make
this plan wrong. A saved plan is also refused on another instance than it was made for:
scheme, host, port, path and tenant must all agree, loopback addresses included (two
sandboxes on two ports are two instances; `--sandbox` names its instance by its data
directory, not its port, so a plan made with it applies with it).
Pure: compares the snapshot it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from reconciler.errors import PlanRefused, StalePlanError
from reconciler.live import Details
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.match import live_id
from reconciler.plan.model import Action, Plan
from reconciler.registry import spec


def stale_addresses(
    plan: Plan, live: Mapping[str, Sequence[Mapping[str, Any]]], *, push_secrets: bool = False
) -> list[str]:
    """Addresses of the records `plan` would touch that `live` no longer matches, in plan order."""
    stale: list[str] = []
    for rc in plan.resource_changes:
        records = live.get(rc.type, ())
        if rc.action is Action.CREATE:
            field = spec(rc.type).identity
            if any(r.get(field) == rc.identity for r in records):
                stale.append(rc.address)
            continue
        touched = rc.action in (Action.UPDATE, Action.DELETE) or (push_secrets and rc.write_only)
        if not touched:
            continue
        now = next((r for r in records if rc.id is not None and live_id(r) == rc.id), None)
        seen = plan.fingerprints.get(rc.address)
        if now is None or seen is None or fingerprint(now, rc.type) != seen:
            stale.append(rc.address)
    return stale


def detail_rereads(plan: Plan, *, push_secrets: bool = False) -> Details:
    """`details` for the re-read: touched records whose list row differs from the plan.

    The plan may have read a record in detail (SPEC §11), so its fingerprint covers the
    mapping arrays a summary list row lacks. Such a row is read again in detail before it
    is judged stale: one GET per record that differs, none when nothing does.
    """
    touched = {
        (rc.type, rc.id): rc.address
        for rc in plan.resource_changes
        if rc.id is not None
        and (rc.action in (Action.UPDATE, Action.DELETE) or (push_secrets and rc.write_only))
    }

    def wanted(key: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        ids: list[int] = []
        for row in rows:
            rid = live_id(row)
            address = touched.get((key, rid)) if rid is not None else None
            seen = plan.fingerprints.get(address) if address is not None else None
            if rid is not None and seen is not None and seen != fingerprint(row, key):
                ids.append(rid)
        return ids

    return wanted


def check_fresh(
    plan: Plan, live: Mapping[str, Sequence[Mapping[str, Any]]], *, push_secrets: bool = False
) -> None:
    """Raise StalePlanError naming every record that moved since `plan` was computed."""
    stale = stale_addresses(plan, live, push_secrets=push_secrets)
    if stale:
        raise StalePlanError(stale)


def _where(url: str, tenant: str | None) -> str:
    return f"{url} (tenant {tenant})" if tenant else url


def _canonical(url: str) -> tuple[str, str, int | None, str]:
    """Scheme, host, port and path of `url`, so that spelling differences do not count
    (`HTTPS://Acme.halopsa.com:443/` is `https://acme.halopsa.com`)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = _DEFAULT_PORTS.get(scheme)
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_instance(plan: Plan, url: str, tenant: str | None) -> None:
    """Raise PlanRefused when `plan` was made for another instance than `url`/`tenant`."""
    made = plan.instance
    same_url = made.url == url or (
        not made.url.startswith("sandbox:") and _canonical(made.url) == _canonical(url)
    )
    if not (same_url and (made.tenant or None) == (tenant or None)):
        raise PlanRefused(
            [
                f"the plan was made for {_where(made.url, made.tenant)}, but this run is "
                f"connected to {_where(url, tenant)}: apply it where it was made, or plan again"
            ]
        )
