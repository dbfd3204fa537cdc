"""build_plan: configuration + live snapshot -> Plan. The pure heart of `plan`.

Per type, in registry order: match config records to live records (match.py), diff each
pair (diff.py), turn live records nobody matched into deletions (types in
settings.prune) or unmanaged entries (the rest), read health warnings (health.py), then
compute the refusals (safety.py). Output is sorted once — registry order, then address —
so the same inputs always give the same plan, byte for byte.
--target narrows what is planned, never what is matched: every config record of a type
takes part in matching, so a record left out by --target is not mistaken for a live
record nobody configured (and pruned).
Pure: no I/O; `now` is injected for the health checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from reconciler.address import address_of
from reconciler.config.model import ConfigRecord, Configuration, Ensure
from reconciler.errors import PlanError
from reconciler.instance import Instance
from reconciler.jsontypes import LiveRecord
from reconciler.plan.diff import diff_record
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.health import health_warnings
from reconciler.plan.match import Match, live_id, match_records
from reconciler.plan.model import (
    Action,
    Plan,
    PlanWarning,
    ResourceChange,
    Unmanaged,
)
from reconciler.plan.safety import check_refusals
from reconciler.registry import BY_KEY, KEYS, ORDER, TypeSpec, spec


@dataclass(frozen=True, slots=True)
class Selection:
    """What --target selects: whole types, and single records by address."""

    types: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, targets: Sequence[str]) -> Selection:
        """`TYPE` or `TYPE/IDENTITY` (`TYPE/#ID` for a record known by id); PlanError if bad."""
        types: set[str] = set()
        addresses: set[str] = set()
        problems: list[str] = []
        for target in targets:
            key, slash, rest = target.partition("/")
            if key not in BY_KEY:
                problems.append(
                    f"--target {target}: unknown type {key!r} (types: {', '.join(KEYS)})"
                )
            elif slash and not rest:
                problems.append(f"--target {target}: give an identity after the slash")
            elif slash:
                addresses.add(target)
            else:
                types.add(key)
        if problems:
            raise PlanError(problems)
        return cls(frozenset(types), frozenset(addresses))

    @property
    def everything(self) -> bool:
        return not self.types and not self.addresses

    def touches(self, key: str) -> bool:
        return (
            self.everything
            or key in self.types
            or any(a.startswith(f"{key}/") for a in self.addresses)
        )

    def selects(self, key: str, *addresses: str) -> bool:
        return self.everything or key in self.types or any(a in self.addresses for a in addresses)


@dataclass(slots=True)
class _Builder:
    """Accumulates one plan; every list is sorted once at the end."""

    now: datetime
    prune: frozenset[str]
    changes: list[ResourceChange]
    unmanaged: list[Unmanaged]
    warnings: list[PlanWarning]
    fingerprints: dict[str, str]
    problems: list[str]
    uncompared: int = 0

    def warn(self, address: str, messages: Sequence[str]) -> None:
        self.warnings.extend(PlanWarning(address, m) for m in messages)

    def record(self, tspec: TypeSpec, m: Match) -> None:
        rec, live = m.record, m.live
        found = None
        if rec.ensure is Ensure.ABSENT:
            action = Action.NO_OP if live is None else Action.DELETE
        else:
            found = diff_record(tspec, rec, live)
            self.problems.extend(found.problems)
            if live is None:
                action = Action.CREATE
            else:
                action = Action.UPDATE if found.changes else Action.NO_OP
        self.changes.append(
            ResourceChange(
                address=rec.address,
                type=rec.type,
                identity=rec.identity,
                id=live_id(live) if live is not None else rec.id,
                action=action,
                changes=found.changes if found is not None else (),
                # on create, write-only fields are among the changes
                write_only=found.write_only if found is not None and live is not None else (),
                prevent_destroy=rec.prevent_destroy,
            )
        )
        if live is None:
            return
        if found is None or action is Action.UPDATE or found.write_only:
            self.fingerprints[rec.address] = fingerprint(live, rec.type)
        if found is None:  # ensure: absent
            return
        self.uncompared += found.uncompared
        names = [w.field for w in found.write_only]
        self.warn(rec.address, health_warnings(tspec, live, now=self.now, write_only=names))
        if found.missing:
            fields = ", ".join(found.missing)
            self.warn(
                rec.address,
                [
                    f"HaloPSA does not return {fields} (an older HaloPSA version?): "
                    "planned as a change on every run until it does"
                ],
            )

    def leftover(self, tspec: TypeSpec, live: LiveRecord, address: str) -> None:
        ident = live.get(tspec.identity)
        identity = ident if isinstance(ident, str) else None
        rid = live_id(live)
        if tspec.key in self.prune:
            rc = ResourceChange(address, tspec.key, identity, rid, Action.DELETE, pruned=True)
            self.changes.append(rc)
            self.fingerprints[address] = fingerprint(live, tspec.key)
        else:
            self.unmanaged.append(Unmanaged(address, tspec.key, identity, rid))
            self.warn(address, health_warnings(tspec, live, now=self.now))


def _live_addresses(
    key: str, identity_field: str, live: Sequence[LiveRecord], taken: set[str]
) -> list[str]:
    """Addresses for live records nobody configured: `type/name`, or `type/#id` when the
    name is empty, shared by another live record, or already a configured address."""
    names = Counter(n for r in live if isinstance(n := r.get(identity_field), str))
    out = []
    for rec in live:
        ident = rec.get(identity_field)
        usable = isinstance(ident, str) and ident and names[ident] == 1
        address = address_of(key, ident if usable else None, live_id(rec))
        if address in taken:
            address = address_of(key, None, live_id(rec))
        out.append(address)
    return out


def _sort_key(address: str, key: str) -> tuple[int, str]:
    return (ORDER[key], address)


def build_plan(
    config: Configuration,
    live: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    instance: Instance,
    targets: Sequence[str] = (),
    allow_deletes: bool = False,
    now: datetime | None = None,
) -> Plan:
    """The plan that makes `live` (type key -> records as GET returns them) match `config`.

    Raises PlanError naming every matching problem (ambiguous or duplicate matches, an
    unknown `id`, a bad --target). `now` (default: the current time) dates health checks.
    """
    selection = Selection.parse(targets)
    unknown = sorted(set(live) - set(BY_KEY))
    if unknown:
        raise ValueError(f"live data for unknown types: {', '.join(unknown)}")
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    by_type: dict[str, list[ConfigRecord]] = {}
    for rec in config.records:
        by_type.setdefault(rec.type, []).append(rec)
    b = _Builder(moment, config.settings.prune, [], [], [], {}, [])
    for key in sorted(set(config.types()) | set(live), key=ORDER.__getitem__):
        if not selection.touches(key):
            continue
        tspec = spec(key)
        records = by_type.get(key, [])
        rows = live.get(key, ())
        matching = match_records(tspec, records, rows)
        if matching.problems:
            b.problems.extend(matching.problems)
            continue
        for m in matching.matches:
            rec = m.record
            by_id = address_of(key, None, rec.id) if rec.id is not None else rec.address
            if selection.selects(key, rec.address, by_id):
                b.record(tspec, m)
        taken = {r.address for r in records}
        addresses = _live_addresses(key, tspec.identity, matching.unmatched, taken)
        for leftover, address in zip(matching.unmatched, addresses, strict=True):
            if selection.selects(key, address):
                b.leftover(tspec, leftover, address)
    if b.problems:
        raise PlanError(b.problems)
    changes = sorted(b.changes, key=lambda rc: _sort_key(rc.address, rc.type))
    order = {rc.address: i for i, rc in enumerate(changes)}
    plan = Plan(
        instance=instance,
        resource_changes=tuple(changes),
        unmanaged=tuple(sorted(b.unmanaged, key=lambda u: _sort_key(u.address, u.type))),
        warnings=tuple(
            sorted(b.warnings, key=lambda w: _sort_key(w.address, w.address.split("/")[0]))
        ),
        fingerprints={a: b.fingerprints[a] for a in sorted(b.fingerprints, key=order.__getitem__)},
        write_only_uncompared=b.uncompared,
        max_deletes=config.settings.max_deletes,
        targets=tuple(targets),
    )
    return replace(plan, refusals=tuple(check_refusals(plan, allow_deletes=allow_deletes)))
