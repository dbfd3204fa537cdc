"""Diff: the field changes between one configuration record and its live record.

Only the fields a record states are compared; a field it leaves out is never reported.
Write-only fields are never compared (HaloPSA does not return them): they are counted,
sent on create, and on update only with --push-secrets. `lifecycle.ignore_changes`
fields are skipped on update (still sent on create).

A list of mapping objects (FieldSpec.element) is diffed by key, never by position or by
similarity: both sides are indexed by the element identity (e.g. halo_id, third_party_id),
added and removed rows are the key differences, and a matched row is compared only on the
fields the configured row states (live rows carry dozens more). A comma-separated list is
diffed as a set. Both report element by element. This keyed comparison is linear; it
replaces DeepDiff(ignore_order=True), which is quadratic and pairs unrelated rows.
Pure: no I/O; a Sensitive value is revealed only to compare, and the result holds its
`source` marker, never the value.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reconciler.config.model import ConfigRecord
from reconciler.jsontypes import map_leaves
from reconciler.plan.model import (
    ElementChange,
    ElementOp,
    FieldChange,
    SecretRef,
    WriteOnlyField,
)
from reconciler.plan.normalise import canonical_text, csv_items, normalise, same
from reconciler.registry import ElementSpec, FieldSpec, TypeSpec
from reconciler.sensitive import MASK, Sensitive, is_sensitive


@dataclass(frozen=True, slots=True)
class RecordDiff:
    """What diff_record found: the changes and what it could not or would not compare."""

    changes: tuple[FieldChange, ...] = ()
    write_only: tuple[WriteOnlyField, ...] = ()
    uncompared: int = 0  # write-only fields (list rows included) not compared
    missing: tuple[str, ...] = ()  # stated fields the live record does not return at all
    problems: tuple[str, ...] = ()  # e.g. two configured rows with the same identity


@dataclass(slots=True)
class _Context:
    record: ConfigRecord | None  # named in problems (None: a lone value, no record)
    uncompared: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.record.where if self.record is not None else ""


_SCALARS = (str, int, bool, float, type(None))
_EXACT = frozenset({str, int, bool})


def _leaf(value: Any) -> Any:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Sensitive):
        return SecretRef(value.source)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    return value


def jsonable(value: Any) -> Any:
    """A configured or live value as a plan value: JSON types, secrets as SecretRef."""
    if type(value) in _SCALARS:  # the common case, without the walk
        return value
    return map_leaves(value, _leaf)


def _label(value: Any) -> str:
    if isinstance(value, Sensitive):
        return MASK
    return json.dumps(jsonable(value), ensure_ascii=False, sort_keys=True)


def _ordered(names: Sequence[str], fields: Mapping[str, FieldSpec]) -> list[str]:
    # Schema (HaloPSA) order; a name the schema lacks goes last, alphabetically.
    return sorted(names, key=lambda n: (fields[n].order, "") if n in fields else (1 << 30, n))


def _masked(name: str, spec: FieldSpec | None, desired: Sensitive) -> FieldChange:
    return FieldChange(
        field=name,
        before=None,
        after=None,
        sensitive=True,
        impact=spec.impact if spec else None,
        description=spec.description if spec else "",
        source=desired.source,
    )


def _rows(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, list | tuple):
        return [r for r in value if isinstance(r, Mapping)]
    return []


def row_label(element: ElementSpec, row: Mapping[str, Any]) -> str:
    """How a plan names a row: its identity, `halo_id=12, third_party_id="C-1"`."""
    return ", ".join(f"{f}={_label(row.get(f))}" for f in element.identity)


def _diff_rows(
    name: str, spec: FieldSpec, element: ElementSpec, desired: Any, live: Any, ctx: _Context
) -> FieldChange | None:
    efields = element.fields
    ident = [(f, efields.get(f)) for f in element.identity]

    def key_of(row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple([normalise(row.get(f), fspec) for f, fspec in ident])

    def label_of(row: Mapping[str, Any]) -> str:
        return row_label(element, row)

    wanted = _rows(desired)
    index: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    extra: list[Mapping[str, Any]] = []  # live rows repeating a key: the list is replaced
    for row in _rows(live):
        if index.setdefault(key_of(row), row) is not row:
            extra.append(row)

    stated = {f for row in wanted for f in row}
    secret = {f for row in wanted for f, v in row.items() if is_sensitive(v)}
    shown = [
        f
        for f in _ordered([*element.identity, *(stated - set(element.identity))], efields)
        if f not in secret and not (f in efields and efields[f].write_only)
    ]

    def project(row: Mapping[str, Any]) -> dict[str, Any]:
        return {f: jsonable(row[f]) for f in shown if f in row}

    found: list[tuple[tuple[Any, ...], ElementChange]] = []
    seen: set[tuple[Any, ...]] = set()
    for row in wanted:
        key = key_of(row)
        if key in seen:
            ctx.problems.append(f"{ctx.where}: {name}: two rows have {label_of(row)}")
            continue
        seen.add(key)
        match = index.pop(key, None)
        if match is None:
            found.append((key, ElementChange(ElementOp.ADD, label_of(row), jsonable(row))))
            continue
        changes = []
        for f in _ordered([f for f in row if f not in element.identity], efields):
            fspec = efields.get(f)
            if fspec is not None and fspec.write_only:
                ctx.uncompared += 1
                continue
            fc = _diff_field(f, fspec, row[f], match.get(f), ctx)
            if fc is not None:
                changes.append(fc)
        if changes:
            op = ElementOp.CHANGE
            found.append((key, ElementChange(op, label_of(row), None, tuple(changes))))
    for row in [*index.values(), *extra]:
        value = project(row)
        found.append((key_of(row), ElementChange(ElementOp.REMOVE, label_of(row), value)))
    if not found:
        return None
    # Sorted by key (as canonical text: keys may mix types), so row order never matters.
    found.sort(key=lambda item: (canonical_text(item[0]), item[1].op.value))
    return FieldChange(
        field=name,
        before=[project(r) for r in _rows(live)] if live is not None else None,
        after=jsonable(desired),
        impact=spec.impact,
        description=spec.description,
        elements=tuple(ec for _, ec in found),
    )


def _diff_field(
    name: str, spec: FieldSpec | None, desired: Any, live: Any, ctx: _Context
) -> FieldChange | None:
    """The change of one stated field, or None when live already holds the desired value."""
    sensitive = isinstance(desired, Sensitive)
    if spec is not None and spec.element is not None and not sensitive:
        return _diff_rows(name, spec, spec.element, desired, live, ctx)
    impact = spec.impact if spec else None
    description = spec.description if spec else ""
    if spec is not None and spec.comma_list:
        want, have = csv_items(desired), csv_items(live)
        if want == have:
            return None
        if isinstance(desired, Sensitive):
            return _masked(name, spec, desired)
        elements = [ElementChange(ElementOp.ADD, item, item) for item in want - have]
        elements += [ElementChange(ElementOp.REMOVE, item, item) for item in have - want]
        elements.sort(key=lambda ec: (ec.key, ec.op.value))
        return FieldChange(
            name,
            jsonable(live),
            jsonable(desired),
            impact=impact,
            description=description,
            elements=tuple(elements),
        )
    if same(normalise(desired, spec), normalise(live, spec)):
        return None
    if isinstance(desired, Sensitive):
        return _masked(name, spec, desired)
    return FieldChange(name, jsonable(live), jsonable(desired), False, impact, description)


def same_value(spec: FieldSpec | None, desired: Any, live: Any) -> bool:
    """Does `live` hold `desired`, by the plan's rules (normalised; list rows keyed and
    compared on the fields `desired` states)? For apply's read-back check; pass revealed
    values, since a Sensitive compares by its value."""
    return _diff_field(spec.name if spec else "", spec, desired, live, _Context(None)) is None


def _created(name: str, spec: FieldSpec | None, desired: Any, ctx: _Context) -> FieldChange:
    if isinstance(desired, Sensitive):
        return _masked(name, spec, desired)
    change = _diff_field(name, spec, desired, None, ctx)
    if change is not None:
        return change
    # Desired empty (null, "", []): nothing differs from "no record", but it is still sent.
    return FieldChange(
        field=name,
        before=None,
        after=jsonable(desired),
        impact=spec.impact if spec else None,
        description=spec.description if spec else "",
    )


def diff_record(spec: TypeSpec, record: ConfigRecord, live: Mapping[str, Any] | None) -> RecordDiff:
    """Changes that make `live` match `record` (`live` None: the record is created)."""
    return diff_fields(spec, record.fields, live, ignore=record.ignore_changes, record=record)


def diff_fields(
    spec: TypeSpec,
    fields: Mapping[str, Any],
    live: Mapping[str, Any] | None,
    *,
    ignore: Collection[str] = (),
    record: ConfigRecord | None = None,
) -> RecordDiff:
    """Changes that make `live` match `fields` (`live` None: all of them are created),
    leaving out the names in `ignore`. `record`, when the fields are a configuration
    record's, names it in problems; apply's read-back compares what it sent without one.
    """
    ctx = _Context(record)
    changes: list[FieldChange] = []
    write_only: list[WriteOnlyField] = []
    missing: list[str] = []
    for name in _ordered(list(fields), spec.fields):
        fspec = spec.fields.get(name)
        desired = fields[name]
        if fspec is not None and fspec.write_only and not isinstance(desired, Sensitive):
            # The loader guarantees this (a write-only literal is a config error); a plain
            # value here would end up in the plan file, so refuse loudly instead.
            where = record.address if record is not None else spec.key
            raise TypeError(f"{where}: write-only field {name} is not Sensitive")
        if live is None:
            changes.append(_created(name, fspec, desired, ctx))
            continue
        if name in ignore:
            continue
        if fspec is not None and fspec.write_only and isinstance(desired, Sensitive):
            write_only.append(WriteOnlyField(name, desired.source))
            ctx.uncompared += 1
            continue
        have = live.get(name)
        if type(desired) is type(have) and type(desired) in _EXACT and desired == have:
            continue  # equal text, numbers or booleans normalise alike: the common case
        change = _diff_field(name, fspec, desired, have, ctx)
        if change is not None:
            changes.append(change)
            if name not in live:
                missing.append(name)
    return RecordDiff(
        changes=tuple(changes),
        write_only=tuple(write_only),
        uncompared=ctx.uncompared,
        missing=tuple(missing),
        problems=tuple(ctx.problems),
    )
