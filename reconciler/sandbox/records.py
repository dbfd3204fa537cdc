"""The sandbox's record model: what a GET returns, what a POST may send, and how it merges.

A stored record holds only the fields that were set (write-only ones included, and
server-side values a seed gave). `render` turns it into what HaloPSA returns: every field
of the model in schema order, null when unset, write-only fields and triggers always
null, `*_name` lookups and the authorised/expiry status computed. `check_post` finds
every reason to refuse a POST body before anything is committed (all-or-nothing); its
messages name the field and index and never contain a value, which may be a secret.
Pure: no I/O, no locking (the store holds the lock).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from reconciler.jsontypes import ARTICLED, fits, json_kind
from reconciler.registry import FieldSpec, TypeSpec, per_fields, spec
from reconciler.sandbox.lookups import name_of, name_sources

Raw = dict[str, Any]

# As HaloPSA's API speaks: JSON's "an array" (not "a list"), and null, in this order.
_KIND_NAMES = {"null": "null", **ARTICLED, "array": "an array"}


def model_name(key: str) -> str:
    """HaloPSA's model name, e.g. "XeroDetails" (from the schema title's parentheses)."""
    title = spec(key).title
    return title[title.rfind("(") + 1 : -1] if title.endswith(")") else title


def status_fields(ts: TypeSpec) -> tuple[str | None, str | None, str | None]:
    """(authorised flag, token expiry, stored credential) field names of a type, if any."""
    return _status_fields(ts.key)


@cache
def _status_fields(key: str) -> tuple[str | None, str | None, str | None]:
    fields = spec(key).fields
    auth = next((n for n, f in fields.items() if f.health == "authorized"), None)
    expiry = next((n for n, f in fields.items() if f.health == "token_expiry"), None)
    cred = next((n for n in ("new_access_token", "new_password") if n in fields), None)
    return auth, expiry, cred


def timestamp(epoch: float) -> str:
    """HaloPSA-style date-time: UTC without an offset (clients must parse leniently)."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def render(key: str, raw: Raw, tables: Mapping[str, Mapping[str, str]]) -> Raw:
    """The full record as GET returns it (a new object: callers may keep or change it)."""
    ts = spec(key)
    out = _render_fields(ts.fields, raw)
    for name_field, (source, kind) in name_sources(key).items():
        if raw.get(source) is not None:
            out[name_field] = name_of(kind, raw[source], tables)
    auth, expiry, cred = status_fields(ts)
    if auth is not None:
        # A status a seed or a direct edit stated wins; else a stored credential decides.
        out[auth] = bool(raw[auth]) if auth in raw else bool(cred and raw.get(cred))
    if expiry is not None:
        out[expiry] = raw.get(expiry)
    return out


_HIDDEN, _PLAIN, _ROWS = 0, 1, 2


# Per model: every field name in schema order, and how each stored value renders.
_Layout = tuple[tuple[str, ...], dict[str, tuple[int, FieldSpec]]]


@per_fields
def _layout(fields: Mapping[str, FieldSpec]) -> _Layout:
    """How each field renders, worked out once per model (a list renders many records)."""
    how = {
        name: (_HIDDEN if f.write_only or f.trigger else _ROWS if f.element else _PLAIN, f)
        for name, f in fields.items()
    }
    return (tuple(fields), how)


def _render_fields(fields: Mapping[str, FieldSpec], raw: Raw) -> Raw:
    names, layout = _layout(fields)
    # Every field of the model, null unless stored: a record stores a few of its dozens.
    out: Raw = dict.fromkeys(names)
    for name, value in raw.items():
        known = layout.get(name)
        if known is None or value is None or known[0] == _HIDDEN:
            continue
        how, f = known
        if how == _ROWS and isinstance(value, list):
            assert f.element is not None
            sub = f.element.fields
            out[name] = [_render_fields(sub, r) if isinstance(r, dict) else r for r in value]
        else:
            # Scalars are immutable; only containers need a copy the caller may change.
            out[name] = copy.deepcopy(value) if isinstance(value, list | dict) else value
    return out


def check_post(key: str, body: Any, stored: Mapping[int, Raw]) -> list[str]:
    """Every reason to refuse a POST body; empty when the whole array may be committed."""
    model = model_name(key)
    if not isinstance(body, list):
        return [f"the body must be a JSON array of {model} records, got {_a(json_kind(body))}"]
    issues: list[str] = []
    fields = spec(key).fields
    for i, element in enumerate(body):
        where = f"[{i}]"
        if not isinstance(element, dict):
            issues.append(f"{where}: expected an object, got {_a(json_kind(element))}")
            continue
        current: Raw | None = None
        if "id" in element:
            rid = element["id"]
            if json_kind(rid) != "integer":
                issues.append(f"{where}.id: expected an integer, got {_a(json_kind(rid))}")
            elif rid not in stored:
                issues.append(f"{where}.id: {model} has no record with id {rid}")
            else:
                current = stored[rid]
        for name, value in element.items():
            if name == "id":
                continue
            issues.extend(_check_field(model, fields, name, value, f"{where}.{name}", current))
    return issues


def _check_field(
    model: str,
    fields: Mapping[str, FieldSpec],
    name: str,
    value: Any,
    where: str,
    current: Raw | None,
    server: bool = False,
) -> list[str]:
    f = fields.get(name)
    if f is None:
        return [f'{where}: {model} has no field "{name}"']
    if f.read_only and not server:
        return [f"{where}: is read-only (HaloPSA sets it), so a POST may not send it"]
    if f.trigger and "object" in f.json_types:
        return []  # an enum HaloPSA's spec gives as a $ref: any value, never stored
    if not fits(value, f):
        allowed = set(f.json_types) | ({"null"} if f.nullable else set())
        wanted = " or ".join(_KIND_NAMES[k] for k in _order(allowed))
        return [f"{where}: expected {wanted}, got {_a(json_kind(value))}"]
    if isinstance(value, str):
        if f.max_length is not None and len(value) > f.max_length:
            return [f"{where}: longer than {f.max_length} characters"]
        if f.date_time and not _is_datetime(value):
            return [f"{where}: expected a date-time (ISO 8601, e.g. 2025-01-31T00:00:00)"]
    if f.enum is not None and value is not None and value not in f.enum:
        return [f"{where}: not one of the allowed values"]
    if f.element is not None and isinstance(value, list):
        return _check_rows(model, f, value, where, current, server)
    return []


def _check_rows(
    model: str, f: FieldSpec, rows: list[Any], where: str, current: Raw | None, server: bool
) -> list[str]:
    assert f.element is not None
    # A row may name an existing row of this record by `id`; every other read-only row
    # field is refused like a top-level one.
    known = {r.get("id") for r in (current or {}).get(f.name) or [] if isinstance(r, dict)}
    issues: list[str] = []
    seen: set[int] = set()
    for j, row in enumerate(rows):
        at = f"{where}[{j}]"
        if not isinstance(row, dict):
            issues.append(f"{at}: expected an object, got {_a(json_kind(row))}")
            continue
        for name, value in row.items():
            if name == "id" and "id" in f.element.fields:
                if json_kind(value) != "integer":
                    issues.append(f"{at}.id: expected an integer, got {_a(json_kind(value))}")
                elif value not in known and not server:
                    issues.append(f"{at}.id: this record has no {f.name} row with id {value}")
                elif value in seen:
                    issues.append(f"{at}.id: row id {value} is given twice")
                else:
                    seen.add(value)
                continue
            sub = f.element.fields
            issues.extend(_check_field(model, sub, name, value, f"{at}.{name}", None, server))
    return issues


def check_seed_record(key: str, record: Mapping[str, Any], where: str) -> list[str]:
    """Problems of a record a seed states: like a POST, but server-side fields allowed."""
    model, fields = model_name(key), spec(key).fields
    issues: list[str] = []
    for name, value in record.items():
        if name == "id":
            if json_kind(value) != "integer":
                issues.append(f"{where}.id: expected an integer, got {_a(json_kind(value))}")
            continue
        issues.extend(_check_field(model, fields, name, value, f"{where}.{name}", None, True))
    return issues


def merge(
    key: str,
    current: Raw | None,
    element: Mapping[str, Any],
    rid: int,
    next_row_id: Callable[[], int],
    now: float,
) -> Raw:
    """The stored record after applying one checked POST element (a partial update)."""
    ts = spec(key)
    raw: Raw = copy.deepcopy(current) if current is not None else {}
    raw["id"] = rid
    for name, value in element.items():
        f = ts.fields.get(name)
        if name == "id" or f is None or f.trigger:
            continue  # triggers are accepted and have no effect: never stored
        if f.element is not None and isinstance(value, list):
            raw[name] = [_row(f, r, rid, next_row_id) for r in value]
        else:
            raw[name] = copy.deepcopy(value)
    auth, expiry, cred = status_fields(ts)
    if cred is not None and cred in element:
        # A credential sent decides the status from now on; a token gets a fresh expiry.
        raw.pop(auth or "", None)
        if expiry is not None:
            raw[expiry] = timestamp(now + 3600) if element[cred] else None
    return raw


def _row(f: FieldSpec, row: Mapping[str, Any], owner: int, next_row_id: Callable[[], int]) -> Raw:
    assert f.element is not None
    out: Raw = {}
    for name, value in row.items():
        g = f.element.fields.get(name)
        if g is None or g.trigger:
            continue
        if g.element is not None and isinstance(value, list):
            value = [_row(g, r, owner, next_row_id) for r in value]
        out[name] = copy.deepcopy(value)
    if "id" in f.element.fields and out.get("id") is None:
        out["id"] = next_row_id()
    if "details_id" in f.element.fields:
        out["details_id"] = owner
    return out


def _is_datetime(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _order(kinds: set[str]) -> list[str]:
    return [k for k in _KIND_NAMES if k in kinds and k != "null"] + (
        ["null"] if "null" in kinds else []
    )


def _a(kind: str) -> str:
    return _KIND_NAMES.get(kind, kind)
