"""Fully populated live records of every type (from the registry's specs); running the CLI.

Every configurable field gets a valid value (strings include ones YAML 1.1 would misread
unquoted), mapping arrays get several rows (nested filter rows too), and every
write-only field — top level and in rows — holds the secret given, server-side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.registry import KEYS, ElementSpec, FieldSpec, spec

# Strings a careless YAML writer would turn into something else, or into a variable.
TRICKY = (
    "yes",
    "0012",
    "true",
    "1:30",
    "2024-01-01",
    "null",
    "~",
    "on",
    "${NOT_A_VARIABLE}",
    "a: b",
    "- dash",
    "#hash",
    "Café & Co",
    "1e3",
    "line\nbreak",
    " padded ",
)


def _string(fs: FieldSpec, n: int) -> str:
    if fs.date_time:
        return "2024-03-31T00:00:00Z"
    if fs.comma_list:
        return "invoices, clients,payments"
    text = TRICKY[(fs.order + n) % len(TRICKY)] if fs.order % 3 == 0 else f"{fs.name}-{n}"
    return text[: fs.max_length] if fs.max_length else text


def _value(fs: FieldSpec, n: int, secret: str, rows: int) -> object:
    if fs.write_only:
        return secret
    if fs.element is not None:
        return [element_row(fs.element, i, secret, rows) for i in range(1, rows + 1)]
    if fs.enum:
        return fs.enum[n % len(fs.enum)]
    kinds = fs.json_types
    if "boolean" in kinds:
        return (fs.order + n) % 2 == 0
    if "integer" in kinds:
        return 100 * n + fs.order
    if "string" in kinds:
        return _string(fs, n)
    raise AssertionError(f"no value for {fs.name}: {sorted(kinds)}")


def _fields(fields: Mapping[str, FieldSpec], n: int, secret: str, rows: int) -> dict[str, Any]:
    return {
        name: _value(fs, n, secret, max(2, rows // 2) if fs.element else rows)
        for name, fs in fields.items()
        if fs.configurable
    }


def element_row(element: ElementSpec, i: int, secret: str, rows: int = 2) -> dict[str, Any]:
    row = _fields(element.fields, i, secret, 2)
    for name in element.identity:  # distinct identities per row
        fs = element.fields[name]
        row[name] = i if "integer" in fs.json_types else f"{name}-{i}"
    return row


def full_record(key: str, n: int, secret: str, rows: int = 3) -> dict[str, Any]:
    """A record of type `key` with every configurable field set (and secrets set)."""
    ts = spec(key)
    record = _fields(ts.fields, n, secret, rows)
    record[ts.identity] = f"{ts.title.split(' (')[0]} {n}"
    return record


def full_seed(secret: str) -> dict[str, list[dict[str, Any]]]:
    """Two fully populated records of each of the nine types."""
    return {key: [full_record(key, n, secret) for n in (1, 2)] for key in KEYS}
