"""`export --names`: ids written as `{name: ...}`, so adopted files serve other instances.

An id is replaced by its name only when the name leads back to that id and no other (the
same rule plan resolves by: exact first, then a unique case-insensitive match), so
planning the exported files against the same instance still shows no changes. An id
with no name in its list, or a name shared, stays an id. Which lists are needed is
decided from the values present: a type without lookup values reads none.
Pure: tables come from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.export.emitter import Named
from reconciler.names.tables import NameTable, id_text
from reconciler.registry import FieldSpec, Lookup, spec

TableFor = Callable[[Lookup], NameTable | None]


def _lookups(key: str) -> list[tuple[str, FieldSpec, Lookup]]:
    return [(n, fs, fs.lookup) for n, fs in spec(key).fields.items() if fs.lookup is not None]


def wanted(records: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Lookup]:
    """The lookup lists naming a value present in `records`, each once, in field order."""
    seen: dict[tuple[Any, ...], Lookup] = {}
    for key, rows in records.items():
        for name, _, lookup in _lookups(key):
            if lookup.key in seen:
                continue
            for rec in rows:
                value = rec.get(name)
                if lookup.field is not None and isinstance(value, list):
                    if any(isinstance(r, Mapping) and id_text(r.get(lookup.field)) for r in value):
                        seen[lookup.key] = lookup
                        break
                elif lookup.field is None and id_text(value) is not None:
                    seen[lookup.key] = lookup
                    break
    return list(seen.values())


def _named(value: object, table: NameTable | None) -> object:
    if table is None:
        return value
    name = table.name_of(value)
    if name is None or table.find(name) != [id_text(value)]:
        return value  # no name, or one that would not lead back here alone
    return Named(name)


def with_names(
    records: Mapping[str, Sequence[Mapping[str, Any]]], table_for: TableFor
) -> dict[str, tuple[Mapping[str, Any], ...]]:
    """`records` with every lookup id that has a unique name replaced by Named(name)."""
    out: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for key, rows in records.items():
        fields = _lookups(key)
        if not fields:
            out[key] = tuple(rows)
            continue
        named_rows = []
        for rec in rows:
            copy = dict(rec)
            for name, _, lookup in fields:
                value = copy.get(name)
                if lookup.field is None:
                    if id_text(value) is not None:
                        copy[name] = _named(value, table_for(lookup))
                elif isinstance(value, list):
                    table = table_for(lookup)
                    copy[name] = [
                        {**r, lookup.field: _named(r.get(lookup.field), table)}
                        if isinstance(r, Mapping) and id_text(r.get(lookup.field)) is not None
                        else r
                        for r in value
                    ]
            named_rows.append(copy)
        out[key] = tuple(named_rows)
    return out
