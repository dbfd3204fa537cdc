"""One record's or row's fields as export writes them: what is stated, and what cannot be.

The rules (see records.py for why planning the result shows no changes): schema order;
no `id`, readOnly fields or triggers; empty values left out; write-only fields a user
sets as commented `${VAR}` placeholders (top level only; none for OAuth codes, verifiers
and tokens); comma-separated fields as lists; rows
with their identity fields first. A value the configuration could not state (wrong
type, too long, not a date-time, outside an enum, duplicate rows) is left out with a
note, and a row identity it could not state drops the whole list: left out, a field is
not managed, so it is never a change. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.export.emitter import Comment, FlowList, Named, Pairs, Rows, quote
from reconciler.jsontypes import PY_TYPES, fits, is_date_time, json_kind
from reconciler.live import LiveWarning
from reconciler.registry import ElementSpec, FieldSpec, per_fields
from reconciler.sensitive import env_variable


def quoted(value: object) -> str:
    """A value inside a comment or note: quoted, so a line break cannot end the comment."""
    return quote(value) if isinstance(value, str) else json.dumps(value, default=str)


# Write-only fields an OAuth connection fills in itself (the authorization code, the PKCE
# verifier, the tokens it yields): nobody keeps these in configuration, so export writes
# no placeholder for them. The ones a user sets (client secrets, passwords, webhook
# secrets) keep theirs.
OAUTH_FLOW_FIELDS = frozenset(
    {
        "code",
        "authorization_code",
        "_authcode",
        "code_verifier",
        "new_access_token",
        "new_refresh_token",
    }
)

# What a field of a record or row is to export (fields never exported are not listed):
# a placeholder, or a value — written as is when of one of the exact Python types of its
# scalar JSON types and the field has no further rule, else looked at closer. A list or
# mapping is written only as rows or a comma-separated list, never as a scalar.
_PLACEHOLDER, _CHECK = 1, 2
_SCALARS: Mapping[str, tuple[type, ...]] = {
    k: PY_TYPES[k] for k in ("string", "integer", "number", "boolean")
}


@per_fields
def _layout(fields: Mapping[str, FieldSpec]) -> list[tuple[str, FieldSpec, int, frozenset[type]]]:
    """Per field in schema order: (name, spec, what, exact types written as is).

    Worked out once per field map (registry.per_fields): 10,000 rows share one.
    """
    layout = []
    for name, fs in fields.items():
        if name == "id" or fs.read_only or fs.trigger:
            continue
        if fs.write_only and name in OAUTH_FLOW_FIELDS:
            continue
        exact: set[type] = set()
        if fs.write_only:
            what = _PLACEHOLDER
        else:
            what = _CHECK
            plain = not (fs.element or fs.comma_list or fs.date_time or fs.enum or fs.max_length)
            if plain:
                for kind in fs.json_types:
                    exact.update(_SCALARS.get(kind, ()))
        layout.append((name, fs, what, frozenset(exact)))
    return layout


def export_fields(
    fields: Mapping[str, FieldSpec],
    record: Mapping[str, Any],
    address: str,
    notes: list[LiveWarning],
    *,
    skip: str | tuple[str, ...] = (),
    var: str | None = None,
    path: str = "",
) -> list[tuple[str | None, object]]:
    """The exportable (key, value) pairs of a record or row, in schema order."""
    out: list[tuple[str | None, object]] = []
    skipped = (skip,) if isinstance(skip, str) else skip
    for name, fs, what, exact in _layout(fields):
        if name in skipped:
            continue
        if what == _PLACEHOLDER:
            if var is not None:  # rows get no placeholders (one per row would be noise)
                out.append((None, Comment(f"{name}: ${{{env_variable(var, name)}}}")))
            continue
        value = record.get(name)
        if value is None or value == "":
            continue
        if type(value) in exact:  # the common case: a plain value of the schema's type
            out.append((name, value))
            continue
        if _empty(value):
            continue
        converted = _value(fs, value, address, f"{path}{name}", notes)
        if converted is not None:
            out.append((name, converted))
    return out


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


class _Skip(Exception):
    """A value the configuration cannot state: left out, with a note saying why."""


def _value(
    fs: FieldSpec, value: object, address: str, path: str, notes: list[LiveWarning]
) -> object:
    """The value to write for one field, or None (with a note) when it cannot be stated."""
    try:
        return _convert(fs, value, address, path, notes)
    except _Skip as why:
        notes.append(LiveWarning(address, f"{path}: not exported: {why}"))
        return None


def _convert(
    fs: FieldSpec, value: object, address: str, path: str, notes: list[LiveWarning]
) -> object:
    if isinstance(value, Named):  # export --names: an id written as its unique name
        return value
    if fs.element is not None:
        if not isinstance(value, list):
            raise _Skip("HaloPSA returned no list of rows")
        return _rows(fs.element, value, address, path, notes)
    if fs.comma_list and isinstance(value, str):
        items = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
        return FlowList(items) if items else None
    if json_kind(value) not in _SCALARS or not fits(value, fs, integral_floats=True):
        kinds = " or ".join(sorted(fs.json_types))
        raise _Skip(f"HaloPSA returned a value that is not {kinds}")
    if isinstance(value, float) and value.is_integer() and "integer" in fs.json_types:
        value = int(value)
    if isinstance(value, str):
        if fs.max_length is not None and len(value) > fs.max_length:
            raise _Skip(f"longer than the {fs.max_length} characters the schema allows")
        if fs.date_time and not is_date_time(value):
            raise _Skip("not a date-time the configuration accepts")
    if fs.enum is not None and value not in fs.enum:
        raise _Skip("not one of the documented values")
    return value


def _hashable(value: object) -> object:
    """A row identity part as the configuration will see it ("" is left out, so None)."""
    if _empty(value):
        return None
    return value if isinstance(value, str | int | float) else repr(value)


def _rows(
    element: ElementSpec, rows: list[Any], address: str, path: str, notes: list[LiveWarning]
) -> Rows | None:
    out: list[Pairs] = []
    seen: set[tuple[object, ...]] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise _Skip(f"row {i} is not a mapping")
        key = tuple(_hashable(row.get(n)) for n in element.identity)
        if key in seen:
            # The configuration may not state two rows with one identity.
            named = ", ".join(
                f"{n}={quoted(v)}" for n, v in zip(element.identity, key, strict=True)
            )
            raise _Skip(f"HaloPSA holds two rows with {named}")
        seen.add(key)
        pairs: list[tuple[str | None, object]] = []
        for name in element.identity:  # the row's identity first, as a reader looks for it
            value = row.get(name)
            if not _empty(value):
                # A row identity the configuration cannot state would unpair the rows in
                # the plan: then the whole list is left out (raised to the list field).
                try:
                    converted = _convert(element.fields[name], value, address, "", notes)
                except _Skip as why:
                    raise _Skip(f"[{i}].{name}: {why}") from None
                pairs.append((name, converted))
        rest = export_fields(
            element.fields, row, address, notes, skip=element.identity, path=f"{path}[{i}]."
        )
        pairs.extend(rest)
        out.append(tuple(pairs))
    return Rows(tuple(out)) if out else None
