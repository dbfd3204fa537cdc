"""Landing: did a written record take? Matching sent elements against live records.

Used twice by the engine: after a POST whose answer was lost (OutcomeUnknown) to decide
what landed and what must be sent again, and after all writes to read the results back.
A create has landed when a live record has its identity; an update when every field it
sent that HaloPSA returns reads back equal, compared exactly as `plan` compares (the
plan's own diff_fields, so "equal" means the same thing to both). Write-only fields are
never compared: HaloPSA does not return them.
Pure: compares the records it is given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reconciler.apply.batch import Write
from reconciler.jsontypes import LiveRecord
from reconciler.live import Details, needs_detail
from reconciler.plan.diff import diff_fields
from reconciler.plan.match import live_id
from reconciler.plan.model import Action, ElementOp, FieldChange
from reconciler.registry import spec
from reconciler.sensitive import MASK

# An element change read the other way round: what was sent versus what came back.
_ROW = {ElementOp.ADD: "missing", ElementOp.REMOVE: "unexpected", ElementOp.CHANGE: "differs:"}


def find_live(write: Write, live: Sequence[LiveRecord], known_id: int | None) -> LiveRecord | None:
    """The live record a write is about: by id when known, else (a create) by identity."""
    rid = known_id if known_id is not None else write.change.id
    if rid is not None:
        return next((r for r in live if live_id(r) == rid), None)
    if write.action is Action.CREATE and write.change.identity is not None:
        field = spec(write.change.type).identity
        return next((r for r in live if r.get(field) == write.change.identity), None)
    return None


def landing_details(writes: Sequence[Write], known: Mapping[str, int | None]) -> Details:
    """`details` for a re-read: the written records a list row cannot show in full.

    A write that sent a mapping array, or a field the record's list row lacks, is checked
    against `GET /X/{id}?includedetails=true` (SPEC §11). `known`: ids by address.
    """

    def wanted(key: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        ids: list[int] = []
        for write in writes:
            found = find_live(write, rows, known.get(write.change.address))
            rid = live_id(found) if found is not None else None
            if (
                found is not None
                and rid is not None
                and needs_detail(key, comparable(write), found)
            ):
                ids.append(rid)
        return sorted(set(ids))

    return wanted


def comparable(write: Write) -> dict[str, Any]:
    """The sent fields that can be read back (all but write-only ones)."""
    fields = spec(write.change.type).fields
    return {k: v for k, v in write.fields.items() if not (k in fields and fields[k].write_only)}


def differences(write: Write, live: LiveRecord) -> tuple[tuple[FieldChange, ...], tuple[str, ...]]:
    """Sent fields whose live value differs, and sent fields HaloPSA did not return at all."""
    found = diff_fields(spec(write.change.type), comparable(write), live)
    return _named(write, found.changes, live), found.missing


def _named(
    write: Write, changes: Sequence[FieldChange], live: LiveRecord
) -> tuple[FieldChange, ...]:
    """Read-back differences with the names the plan showed: the sent id's from the plan,
    the id read back's from the live record's companion name field (SPEC §13)."""
    planned = {fc.field: fc for fc in write.change.changes}
    fields = spec(write.change.type).fields
    out = []
    for c in changes:
        fs, sent = fields.get(c.field), planned.get(c.field)
        lookup = fs.lookup if fs is not None and not c.sensitive else None
        if lookup is None or lookup.field is not None:
            out.append(c)
            continue
        companion = live.get(lookup.name) if lookup.name is not None else None
        out.append(
            replace(
                c,
                after_name=sent.after_name if sent is not None else None,
                before_name=companion if isinstance(companion, str) and companion else None,
            )
        )
    return tuple(out)


def update_landed(write: Write, live: LiveRecord) -> bool:
    """Did an update take? Only provable when it sent a field HaloPSA returns."""
    if not comparable(write):
        return False  # nothing to check (only secrets): resending an update is harmless
    changes, _missing = differences(write, live)
    return not changes


def _shown(value: Any, sensitive: bool) -> str:
    if sensitive:
        return MASK
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def describe(change: FieldChange, missing: Sequence[str]) -> str:
    """`enablesync: sent true, read back false` (secrets masked)."""
    if change.field in missing:
        return f"{change.field}: HaloPSA did not return the field (an older HaloPSA version?)"
    if change.elements:
        parts = "; ".join(f"{_ROW[ec.op]} {ec.key}" for ec in change.elements)
        return f"{change.field}: read back differs from what was sent ({parts})"
    sent = _shown(change.after, change.sensitive)
    read = _shown(change.before, change.sensitive)
    if change.after_name:
        sent += f" ({change.after_name})"
    if change.before_name:
        read += f" ({change.before_name})"
    return f"{change.field}: sent {sent}, read back {read}"
