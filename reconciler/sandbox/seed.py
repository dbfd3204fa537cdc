"""Sandbox seeds: YAML in the configuration's own shape, plus what only a server knows.

    xero:                         # a config key: a list of records
      - id: 1                     # optional; assigned in order when absent
        name: Acme NZ
        sync_entities: [customers, invoices]   # a YAML list joins into "customers,invoices"
        tenant_name: Acme NZ Ltd  # read-only, server-side values are allowed here
        authorized: true
    lookups:                      # optional: names for *_name fields, per table
      top_level: {12: Managed clients}
    integration_errors:           # optional: rows of /api/IntegrationError (error_log.py);
      - {detail_id: 1, error: "Invalid account code", age_days: 1}   # null: endpoint 404s

A `settings:` mapping (as in a configuration) is ignored. Every problem is reported at
once, as SandboxError naming the file and the record. Reads files; no sockets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import SandboxError
from reconciler.registry import KEYS, spec
from reconciler.sandbox.error_log import check_rows
from reconciler.sandbox.lookups import KINDS
from reconciler.sandbox.records import check_seed_record


@dataclass(frozen=True, slots=True)
class Seed:
    """Records per config key (in file order), extra lookup names per table, and the
    rows of the error log (None: the instance has no /IntegrationError)."""

    records: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    lookups: Mapping[str, dict[str, str]] = field(default_factory=dict)
    integration_errors: list[dict[str, Any]] | None = field(default_factory=list)


def bundled_seed_path() -> Path:
    """The seed that ships in the wheel, or the checkout's examples/sandbox-seed.yaml."""
    packaged = Path(__file__).parent / "bundled-seed.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples" / "sandbox-seed.yaml"


def load_seed(path: Path) -> Seed:
    """Read and check a seed file (SandboxError with file and line when it is wrong)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise SandboxError(f"cannot read the sandbox seed {path}: {reason}") from None
    try:
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise SandboxError(f"{where}: the sandbox seed is not valid YAML ({exc.problem})") from None
    except yaml.YAMLError:
        raise SandboxError(f"{path}: the sandbox seed is not valid YAML") from None
    return parse_seed({} if doc is None else doc, str(path))


def parse_seed(doc: Any, source: str) -> Seed:
    """Check a seed's mapping (already parsed) and put it in the store's form."""
    if not isinstance(doc, Mapping):
        raise SandboxError(f"{source}: a sandbox seed must be a mapping of config keys to lists")
    issues: list[str] = []
    out: dict[str, list[dict[str, Any]]] = {}
    for key, items in doc.items():
        if key in ("settings", "lookups", "integration_errors"):
            continue
        if key not in KEYS:
            issues.append(f'unknown resource type "{key}" (expected one of {", ".join(KEYS)})')
            continue
        if not isinstance(items, list):
            issues.append(f"{key}: expected a list of records")
            continue
        out[key] = []
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                issues.append(f"{key}[{i}]: expected a mapping")
                continue
            record = _api_form(key, item)
            issues.extend(check_seed_record(key, record, f"{key}[{i}]"))
            out[key].append(record)
        ids = [r["id"] for r in out[key] if isinstance(r.get("id"), int)]
        if len(ids) != len(set(ids)):
            issues.append(f"{key}: the same id is given twice")
    lookups = _lookups(doc.get("lookups"), issues)
    errors, found = check_rows(doc.get("integration_errors", []), "integration_errors")
    issues.extend(found)
    if issues:
        raise SandboxError(f"{source}: the sandbox seed is invalid:\n  " + "\n  ".join(issues))
    # Records without an id come after those with one, so stated ids are never taken.
    ordered = {k: sorted(v, key=lambda r: "id" not in r) for k, v in out.items()}
    return Seed(ordered, lookups, errors)


def _api_form(key: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """A YAML list in a comma-separated list field becomes HaloPSA's "a,b" string."""
    fields = spec(key).fields
    record = dict(item)
    for name, value in record.items():
        f = fields.get(name)
        if f is not None and f.comma_list and isinstance(value, list):
            record[name] = ",".join(str(v) for v in value)
    return record


def _lookups(raw: Any, issues: list[str]) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        issues.append("lookups: expected a mapping of table names to {id: name}")
        return {}
    out: dict[str, dict[str, str]] = {}
    for kind, table in raw.items():
        if kind not in KINDS:
            issues.append(f'lookups: unknown table "{kind}" (expected one of {", ".join(KINDS)})')
        elif not isinstance(table, Mapping):
            issues.append(f"lookups.{kind}: expected a mapping of id to name")
        else:
            out[kind] = {str(k): str(v) for k, v in table.items()}
    return out
