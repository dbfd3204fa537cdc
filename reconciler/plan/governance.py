"""Governance in the planner (SPEC §14): protect, acknowledged differences, freeze warnings.

- protect: a record named by settings.protect (its type, `type/identity` or `type/#id`)
  is flagged on its ResourceChange; safety.py turns a deletion of it into a refusal.
- acknowledge: a field difference an acknowledgement covers (until its date, inclusive,
  in UTC) leaves the record's changes and becomes an Acknowledged entry; after the date
  it stays a change and the plan warns that the acknowledgement expired.
- freeze: windows active at the plan's time, or starting within seven days, are warnings
  (apply refuses inside one: safety.check_freeze).
Pure: no I/O; the time is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reconciler.address import address_of
from reconciler.config.model import Acknowledgement, ConfigRecord
from reconciler.freeze import FreezeWindow, freeze_states
from reconciler.plan.model import Acknowledged, FieldChange, PlanWarning

FREEZE = "settings.freeze"  # the address of a plan-wide freeze warning
MAX_DELETES = "settings.max_deletes"


def is_protected(protect: Sequence[str], key: str, identity: str | None, rid: int | None) -> bool:
    """Whether settings.protect names the record of type `key` known by identity or id."""
    names = {key}
    if identity is not None:
        names.add(address_of(key, identity, rid))
    if rid is not None:
        names.add(address_of(key, None, rid))
    return any(p in names for p in protect)


def freeze_warnings(windows: tuple[FreezeWindow, ...], now: datetime) -> list[PlanWarning]:
    """A warning per window active at `now` or starting within seven days."""
    out = []
    for state in freeze_states(windows, now):
        then = "inside it" if state.active else "when it starts"
        text = f"{state.describe()}: apply will be refused {then}"
        out.append(PlanWarning(FREEZE, f"{text} unless --override-freeze is given"))
    return out


class Acknowledgements:
    """settings.acknowledge, indexed by the addresses a record is known by."""

    def __init__(self, acknowledge: Sequence[Acknowledgement], today: date) -> None:
        self.today = today
        self.by_address: dict[str, list[Acknowledgement]] = {}
        for ack in acknowledge:
            self.by_address.setdefault(ack.address, []).append(ack)

    def split(
        self, rec: ConfigRecord, rid: int | None, changes: tuple[FieldChange, ...]
    ) -> tuple[tuple[FieldChange, ...], list[Acknowledged], list[str]]:
        """`changes` without the acknowledged ones; the acknowledged; warnings (expired)."""
        acks = list(self.by_address.get(rec.address, ()))
        for name in {address_of(rec.type, None, i) for i in (rec.id, rid) if i is not None}:
            if name != rec.address:
                acks.extend(self.by_address.get(name, ()))
        if not acks:
            return changes, [], []
        active: dict[str, Acknowledgement] = {}
        expired: dict[str, Acknowledgement] = {}
        for ack in acks:
            into = active if ack.active(self.today) else expired
            for name in ack.fields:
                into.setdefault(name, ack)
        kept: list[FieldChange] = []
        accepted: list[Acknowledged] = []
        warnings: list[str] = []
        differing = {fc.field for fc in changes}
        for fc in changes:
            found = active.get(fc.field)
            if found is None:
                kept.append(fc)
                continue
            accepted.append(
                Acknowledged(
                    rec.address,
                    fc.field,
                    fc.before,
                    fc.after,
                    found.reason,
                    found.until.isoformat(),
                    fc.sensitive,
                )
            )
        for name, ack in sorted(expired.items()):
            if name in active:
                continue
            head = f'the acknowledgement of {name} ("{ack.reason}", until {ack.until}) expired'
            if name in differing:
                warnings.append(f"{head}: the difference is planned as a change again")
            else:
                warnings.append(f"{head}; remove it from settings.acknowledge")
        return tuple(kept), accepted, warnings
