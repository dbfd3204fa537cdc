"""Names beside ids in a computed plan, and the references it would write checked.

For every created or updated field whose schema names a lookup (`x-halo-lookup`), the
plan gets `before_name` (the live record's `*_name` companion when it holds one, else
the lookup list) and `after_name` (the list); a changed mapping row gets the name of the
Halo record its `halo_id` holds. Only changed fields are looked at, so a plan that
changes no lookup field reads no lookup list (`needed`), and a value HaloPSA already
holds is never re-checked.

References (SPEC §13): a value about to be written that is missing from one of
HaloPSA's own lists (/TopLevel, /ItemGroup, /Client, /Supplier) is an Issue naming
file:line:col, the field, the value and the closest entries; missing from an accounting
package's list it is a warning (that list may be partial, and the package checks it).
An unreadable list leaves names null and checks nothing (its reader warned once).
Pure: tables come from the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reconciler.config.model import ConfigRecord, Configuration, Mark
from reconciler.errors import Issue
from reconciler.names.tables import NameTable, id_text
from reconciler.plan.diff import row_label
from reconciler.plan.model import (
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    Plan,
    PlanWarning,
    ResourceChange,
)
from reconciler.registry import ElementSpec, FieldSpec, Lookup, spec

TableFor = Callable[[Lookup], NameTable | None]
_WRITES = (Action.CREATE, Action.UPDATE)


def _lookup_of(fs: FieldSpec | None, fc: FieldChange) -> Lookup | None:
    """The list that names `fc`'s values (for a mapping array: its rows' halo_id)."""
    if fs is None or fs.lookup is None or fc.sensitive:
        return None
    if fs.lookup.field is not None and not fc.elements:
        return None
    return fs.lookup


def needed(plan: Plan) -> list[Lookup]:
    """The lookup lists naming the plan's changed fields, each once, in plan order."""
    seen: dict[tuple[Any, ...], Lookup] = {}
    for rc in plan.resource_changes:
        if rc.action not in _WRITES:
            continue
        fields = spec(rc.type).fields
        for fc in rc.changes:
            lookup = _lookup_of(fields.get(fc.field), fc)
            if lookup is not None and (lookup.field is not None or _has_id(fc)):
                seen.setdefault(lookup.key, lookup)
    return list(seen.values())


def _has_id(fc: FieldChange) -> bool:
    return id_text(fc.after) is not None or id_text(fc.before) is not None


@dataclass(slots=True)
class Findings:
    """What annotating found besides names: errors (references) and warnings."""

    issues: list[Issue] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)


@dataclass(slots=True)
class _Record:
    """One created or updated record being annotated."""

    rc: ResourceChange
    rec: ConfigRecord | None
    live: Mapping[str, Any] | None
    found: Findings

    def missing(self, lookup: Lookup, table: NameTable, value: Any, at: str) -> None:
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        closest = ", ".join(table.closest(str(value))) or "the list is empty"
        if not lookup.halo_side:
            self.found.warnings.append(
                PlanWarning(
                    self.rc.address,
                    f"{at}: {shown} is not in {lookup.label} (the accounting package's list); "
                    f"closest: {closest}",
                )
            )
            return
        mark = self._mark(at)
        self.found.issues.append(
            Issue(
                mark.file if mark else "",
                mark.line if mark else 0,
                mark.column if mark else 0,
                f"{self.rc.address}: {at}",
                f"{shown} is not in {lookup.label} on this instance; closest: {closest}",
            )
        )

    def _mark(self, at: str) -> Mark | None:
        if self.rec is None:
            return None
        return self.rec.marks.get(at) or self.rec.mark

    def scalar(self, fc: FieldChange, lookup: Lookup, table: NameTable | None) -> FieldChange:
        before_name = None
        if self.live is not None and lookup.name is not None:
            companion = self.live.get(lookup.name)
            if isinstance(companion, str) and companion and id_text(fc.before) is not None:
                before_name = companion
        if before_name is None and table is not None:
            before_name = table.name_of(fc.before)
        after_name = table.name_of(fc.after) if table is not None else None
        if table is not None and id_text(fc.after) is not None and after_name is None:
            self.missing(lookup, table, fc.after, fc.field)
        return replace(fc, before_name=before_name, after_name=after_name)

    def rows(
        self, fc: FieldChange, fs: FieldSpec, lookup: Lookup, table: NameTable | None
    ) -> FieldChange:
        assert fs.element is not None and lookup.field is not None
        if table is None:
            return fc
        element, key = fs.element, lookup.field
        out: list[ElementChange] = []
        index: dict[str | None, int] | None = None
        for ec in fc.elements:
            if ec.op is ElementOp.CHANGE:
                value = self._changed_id(fc.field, element, key, ec)
            else:
                value = ec.value.get(key) if isinstance(ec.value, Mapping) else None
            name = table.name_of(value)
            if ec.op is ElementOp.ADD and id_text(value) is not None and name is None:
                if index is None:  # only when a reference is missing: 10,000 rows cost
                    rows = self._configured_rows(fc.field)
                    index = {id_text(r.get(key)): i for i, r in reversed(list(enumerate(rows)))}
                i = index.get(id_text(value))
                at = f"{fc.field}[{i}].{key}" if i is not None else fc.field
                self.missing(lookup, table, value, at)
            out.append(replace(ec, name=name))
        return replace(fc, elements=tuple(out))

    def _changed_id(self, field: str, element: ElementSpec, key: str, ec: ElementChange) -> object:
        """The id a changed row holds, read back from its key (row_label's text,
        `halo_id=12, third_party_id="C-1"`: the id is JSON, an integer for halo_id)."""
        if element.identity[:1] == (key,):
            text = ec.key.partition(", ")[0].partition("=")[2]
            try:
                return json.loads(text)
            except ValueError:
                return None
        rows = self._configured_rows(field)
        return next((r.get(key) for r in rows if row_label(element, r) == ec.key), None)

    def _configured_rows(self, name: str) -> list[Mapping[str, Any]]:
        value = self.rec.fields.get(name) if self.rec is not None else None
        if not isinstance(value, list):
            return []
        return [r for r in value if isinstance(r, Mapping)]


def annotate(
    plan: Plan,
    config: Configuration,
    live: Mapping[str, Sequence[Mapping[str, Any]]],
    table_for: TableFor,
) -> tuple[Plan, Findings]:
    """`plan` with names beside the ids of its changed lookup fields, and what the
    reference checks found (the caller raises the issues, adds the warnings)."""
    lookups = needed(plan)
    if not lookups:
        return plan, Findings()
    records = {r.address: r for r in config.records}
    by_id: dict[str, dict[Any, Mapping[str, Any]]] = {}
    found = Findings()
    changes: list[ResourceChange] = []
    for rc in plan.resource_changes:
        if rc.action not in _WRITES:
            changes.append(rc)
            continue
        fields = spec(rc.type).fields
        live_rec = None
        if rc.action is Action.UPDATE:
            if rc.type not in by_id:
                by_id[rc.type] = {r.get("id"): r for r in live.get(rc.type, ())}
            live_rec = by_id[rc.type].get(rc.id)
        work = _Record(rc, records.get(rc.address), live_rec, found)
        out: list[FieldChange] = []
        for fc in rc.changes:
            fs = fields.get(fc.field)
            lookup = _lookup_of(fs, fc)
            if lookup is None or fs is None:
                out.append(fc)
            elif lookup.field is not None:
                out.append(work.rows(fc, fs, lookup, table_for(lookup)))
            elif _has_id(fc):
                out.append(work.scalar(fc, lookup, table_for(lookup)))
            else:
                out.append(fc)
        changes.append(replace(rc, changes=tuple(out)))
    return replace(plan, resource_changes=tuple(changes)), found
