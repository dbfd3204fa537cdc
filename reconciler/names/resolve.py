"""`{name: "..."}` in configuration -> the id it names on the instance being planned.

Plan resolves every NameRef against the lookup list of its field (exact name first, then
a unique case-insensitive match) before diffing, so the plan shows, the digest covers and
apply sends the resolved id; nothing after this step sees a NameRef. A name that is not
in the list, one that several entries share, or one whose list cannot be read is an error
naming file:line:col and the candidates: the tool never guesses which record was meant.
Pure: tables come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from reconciler.config.model import ConfigRecord, Configuration, NameRef
from reconciler.errors import ConfigError, Issue
from reconciler.names.tables import NameTable
from reconciler.registry import FieldSpec, Lookup, spec

TableFor = Callable[[Lookup], NameTable | None]


def _refs(rec: ConfigRecord) -> Iterator[tuple[Lookup, NameRef]]:
    fields = spec(rec.type).fields
    for name, value in rec.fields.items():
        fs = fields.get(name)
        if fs is None:
            continue
        if isinstance(value, NameRef) and fs.lookup is not None:
            yield fs.lookup, value
        elif fs.element is not None and isinstance(value, list):
            row_field = fs.lookup.field if fs.lookup is not None else None
            row_spec = fs.element.fields.get(row_field) if row_field else None
            if row_spec is None or row_spec.lookup is None:
                continue
            for row in value:
                ref = row.get(row_field) if isinstance(row, Mapping) else None
                if isinstance(ref, NameRef):
                    yield row_spec.lookup, ref


def name_lookups(config: Configuration) -> list[Lookup]:
    """The lookup lists the configuration's `{name: ...}` values need, each once."""
    seen: dict[tuple[Any, ...], Lookup] = {}
    for rec in config.records:
        for lookup, _ in _refs(rec):
            seen.setdefault(lookup.key, lookup)
    return list(seen.values())


def _typed(key: str, table: NameTable, fs: FieldSpec) -> object:
    """The id as the field takes it: an integer field gets an int, a text field a str."""
    raw = table.ids[key]
    if "integer" in fs.json_types and key.lstrip("-").isdigit():
        return int(key)
    if "string" in fs.json_types:
        return key
    return raw


class _Resolver:
    def __init__(self, table_for: TableFor) -> None:
        self.table_for = table_for
        self.issues: list[Issue] = []

    def value(self, rec: ConfigRecord, path: str, fs: FieldSpec, ref: NameRef) -> object:
        lookup = fs.lookup
        assert lookup is not None
        table = self.table_for(lookup)
        if table is None:
            self._issue(
                ref,
                rec,
                path,
                f"{ref}: cannot be resolved: {lookup.label} could not be read on this "
                "instance (an error, or an answer that is not a list of id and name) "
                "— write the id instead",
            )
            return ref
        found = table.find(ref.name)
        if len(found) == 1:
            return _typed(found[0], table, fs)
        if not found:
            closest = ", ".join(table.closest(ref.name)) or "the list is empty"
            message = f"{ref}: {lookup.label} has no entry with this name; closest: {closest}"
        else:
            listed = ", ".join(table.entry(k) for k in found)
            message = (
                f"{ref}: {len(found)} entries of {lookup.label} have this name: {listed}"
                " — write the id of the one you mean"
            )
        self._issue(ref, rec, path, message)
        return ref

    def _issue(self, ref: NameRef, rec: ConfigRecord, path: str, message: str) -> None:
        m = ref.mark
        self.issues.append(Issue(m.file, m.line, m.column, f"{rec.address}: {path}", message))

    def record(self, rec: ConfigRecord) -> ConfigRecord:
        fields = spec(rec.type).fields
        out: dict[str, object] = {}
        changed = False
        for name, value in rec.fields.items():
            fs = fields.get(name)
            if fs is not None and isinstance(value, NameRef):
                out[name] = self.value(rec, name, fs, value)
                changed = True
            elif fs is not None and fs.element is not None and isinstance(value, list):
                rows = self.rows(rec, name, fs, value)
                changed = changed or rows is not value
                out[name] = rows
            else:
                out[name] = value
        return replace(rec, fields=out) if changed else rec

    def rows(self, rec: ConfigRecord, name: str, fs: FieldSpec, rows: list[Any]) -> list[Any]:
        row_field = fs.lookup.field if fs.lookup is not None else None
        assert fs.element is not None
        row_spec = fs.element.fields.get(row_field) if row_field else None
        if row_field is None or row_spec is None:
            return rows
        if not any(isinstance(r, Mapping) and isinstance(r.get(row_field), NameRef) for r in rows):
            return rows
        out: list[Any] = []
        for i, row in enumerate(rows):
            ref = row.get(row_field) if isinstance(row, Mapping) else None
            if isinstance(ref, NameRef):
                row = {**row, row_field: self.value(rec, f"{name}[{i}].{row_field}", row_spec, ref)}
            out.append(row)
        return out


def resolve_names(config: Configuration, table_for: TableFor) -> Configuration:
    """`config` with every `{name: ...}` replaced by its id; ConfigError naming each one
    that is unknown, ambiguous or unresolvable (all of them, sorted by place)."""
    if not any(True for rec in config.records for _ in _refs(rec)):
        return config
    resolver = _Resolver(table_for)
    records = tuple(resolver.record(rec) for rec in config.records)
    if resolver.issues:
        raise ConfigError(resolver.issues)
    return replace(config, records=records)
