"""Fingerprints: a short hash of what a live record says, to detect a stale saved plan.

The hash covers the record's `id` and its configurable fields (nested rows likewise):
the fields a plan can read or write. Read-only status fields (token_expiry, authorized,
_warning, halointegrator_lastsync ...) are left out because HaloPSA changes them on its
own with every sync, which would make every saved plan stale; write-only fields and
unknown extra fields are left out because they say nothing a plan compared.
Apply recomputes fingerprint() on its re-read and compares. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from reconciler.plan.document import canonical_json
from reconciler.registry import FieldSpec, spec


def _kept(fields: Mapping[str, FieldSpec]) -> dict[str, FieldSpec]:
    return {n: f for n, f in fields.items() if not (f.read_only or f.trigger or f.write_only)}


def _project(record: Mapping[str, Any], kept: Mapping[str, FieldSpec]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in record.items():
        field = kept.get(name)
        if field is None:
            continue
        if field.element is not None and isinstance(value, list):
            inner = _kept(field.element.fields)  # once per list, not per row
            value = [_project(r, inner) if isinstance(r, Mapping) else r for r in value]
        out[name] = value
    return out


def fingerprint(record: Mapping[str, Any], type_key: str) -> str:
    """SHA-256 hex of the canonical JSON (sorted keys, "," ":", UTF-8) of `record`
    restricted to `id` and the configurable fields of type `type_key`."""
    projected = _project(record, _kept(spec(type_key).fields))
    return hashlib.sha256(canonical_json(projected)).hexdigest()
