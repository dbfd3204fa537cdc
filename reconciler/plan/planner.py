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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from reconciler.address import address_of
from reconciler.config.model import ConfigRecord, Configuration, Ensure, Settings
from reconciler.errors import PlanError
from reconciler.instance import Instance
from reconciler.jsontypes import LiveRecord
from reconciler.plan.diff import diff_record
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.governance import (
    MAX_DELETES,
    Acknowledgements,
    freeze_warnings,
    is_protected,
)
from reconciler.plan.health import health_warnings
from reconciler.plan.match import Match, live_id, match_records
from reconciler.plan.model import (
    Acknowledged,
    Action,
    FieldChange,
    Plan,
    PlanWarning,
    ResourceChange,
    Unmanaged,
)
from reconciler.plan.safety import hard_refusals, max_deletes_excess
from reconciler.plan.selection import Selection
from reconciler.registry import BY_KEY, ORDER, TypeSpec, spec


@dataclass(slots=True)
class _Builder:
    """Accumulates one plan; every list is sorted once at the end."""

    now: datetime
    settings: Settings
    acks: Acknowledgements
    changes: list[ResourceChange] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    acknowledged: list[Acknowledged] = field(default_factory=list)
    uncompared: int = 0

    def warn(self, address: str, messages: Sequence[str]) -> None:
        self.warnings.extend(PlanWarning(address, m) for m in messages)

    def record(self, tspec: TypeSpec, m: Match) -> None:
        rec, live = m.record, m.live
        rid = live_id(live) if live is not None else rec.id
        found = None
        changes: tuple[FieldChange, ...] = ()
        if rec.ensure is Ensure.ABSENT:
            action = Action.NO_OP if live is None else Action.DELETE
        else:
            found = diff_record(tspec, rec, live)
            self.problems.extend(found.problems)
            changes = found.changes
            if live is None:
                action = Action.CREATE
            else:
                changes, accepted, expired = self.acks.split(rec, rid, changes)
                self.acknowledged.extend(accepted)
                self.warn(rec.address, expired)
                action = Action.UPDATE if changes else Action.NO_OP
        self.changes.append(
            ResourceChange(
                address=rec.address,
                type=rec.type,
                identity=rec.identity,
                id=rid,
                action=action,
                changes=changes,
                # on create, write-only fields are among the changes
                write_only=found.write_only if found is not None and live is not None else (),
                prevent_destroy=rec.prevent_destroy,
                protected=is_protected(self.settings.protect, rec.type, rec.identity, rid),
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
        if tspec.key in self.settings.prune:
            protected = is_protected(self.settings.protect, tspec.key, identity, rid)
            rc = ResourceChange(
                address, tspec.key, identity, rid, Action.DELETE, pruned=True, protected=protected
            )
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
    """Registry order, then address; plan-wide entries (`settings.freeze`) first."""
    return (ORDER.get(key, -1), address)


def build_plan(
    config: Configuration,
    live: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    instance: Instance,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    now: datetime | None = None,
) -> Plan:
    """The plan that makes `live` (type key -> records as GET returns them) match `config`.

    Raises PlanError naming every matching problem (ambiguous or duplicate matches, an
    unknown `id`, a bad --target). `now` (default: the current time) dates health checks.
    """
    selection = Selection.parse(targets, excludes)
    unknown = sorted(set(live) - set(BY_KEY))
    if unknown:
        raise ValueError(f"live data for unknown types: {', '.join(unknown)}")
    moment = now if now is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    by_type: dict[str, list[ConfigRecord]] = {}
    for rec in config.records:
        by_type.setdefault(rec.type, []).append(rec)
    settings = config.settings
    b = _Builder(moment, settings, Acknowledgements(settings.acknowledge, moment.date()))
    seen: list[str] = []  # every address the plan saw, for --target/--exclude that miss
    live_counts: dict[str, int] = {}
    for key in sorted(set(config.types()) | set(live), key=ORDER.__getitem__):
        if not selection.touches(key):
            continue
        tspec = spec(key)
        records = by_type.get(key, [])
        rows = live.get(key, ())
        live_counts[key] = len(rows)
        matching = match_records(tspec, records, rows)
        if matching.problems:
            b.problems.extend(matching.problems)
            continue
        for m in matching.matches:
            rec = m.record
            # `type/#id` names the record too, by the id it states or the live one
            # (the plan prints it as `(id 4)`)
            ids = {rec.id, live_id(m.live) if m.live is not None else None} - {None}
            names = (rec.address, *(address_of(key, None, i) for i in sorted(ids, key=str)))
            seen.extend(names)
            if selection.selects(key, *names):
                b.record(tspec, m)
        taken = {r.address for r in records}
        addresses = _live_addresses(key, tspec.identity, matching.unmatched, taken)
        for leftover, address in zip(matching.unmatched, addresses, strict=True):
            names = (address, address_of(key, None, live_id(leftover)))
            seen.extend(names)
            if selection.selects(key, *names):
                b.leftover(tspec, leftover, address)
    if not b.problems:
        present = {k for k, n in live_counts.items() if n} | set(config.types())
        b.problems.extend(selection.unmatched(present, seen))
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
        max_deletes=settings.max_deletes,
        targets=tuple(targets),
        acknowledged=tuple(
            sorted(b.acknowledged, key=lambda a: (order.get(a.address, len(order)), a.field))
        ),
        excludes=tuple(excludes),
        allow_empty=tuple(sorted(settings.allow_empty, key=ORDER.__getitem__)),
        live_counts={k: live_counts[k] for k in sorted(live_counts, key=ORDER.__getitem__)},
        freeze=settings.freeze,
    )
    extra = freeze_warnings(settings.freeze, moment)
    excess = max_deletes_excess(plan)
    if excess is not None:  # an apply-time check (--allow-deletes): plan only warns
        extra.append(PlanWarning(MAX_DELETES, f"apply will refuse: {excess}"))
    return replace(plan, warnings=(*extra, *plan.warnings), refusals=tuple(hard_refusals(plan)))
