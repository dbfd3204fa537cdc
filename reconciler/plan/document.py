"""The plan as a JSON document (schemas/plan.schema.json): to_json and the digest.

The document's key order is fixed here, so the same plan always gives the same bytes.
The digest covers everything apply acts on: the whole document but the parts that are
only read by people (UNDIGESTED: summary, refusals, warnings, unmanaged, the count of
uncompared fields) and the digest itself, serialised with sorted keys, "," / ":"
separators and UTF-8. So the instance, the fingerprints and the safety rules the plan
carries (max_deletes, prevent_destroy, and any rule added later) cannot be edited without
changing the digest, and two plans with the same changes for the same instance share a
digest whatever the time or machine. Apply trusts no stored verdict: `refusals` are
re-derived from the rules (safety.check_refusals), so they are left out on purpose.
Reading a document back is reading.py's. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reconciler.freeze import FreezeWindow
from reconciler.jsontypes import map_leaves
from reconciler.plan.changes import (
    Acknowledged,
    ElementChange,
    FieldChange,
    ResourceChange,
    SecretRef,
)
from reconciler.sensitive import Sensitive

if TYPE_CHECKING:
    from reconciler.plan.model import Plan


def _leaf_to_json(value: Any) -> Any:
    if isinstance(value, SecretRef):
        return {"sensitive": True, "source": value.source}
    if isinstance(value, Sensitive):  # never stored in a plan; refuse rather than leak
        raise TypeError("a Sensitive value reached the plan document")
    return value


def value_to_json(value: Any) -> Any:
    """A model value as JSON: a SecretRef becomes {"sensitive": true, "source": ...}."""
    return map_leaves(value, _leaf_to_json)


def value_from_json(value: Any) -> Any:
    """Inverse of value_to_json."""
    if isinstance(value, dict):
        marker = set(value) == {"sensitive", "source"} and value["sensitive"] is True
        if marker and isinstance(value["source"], str):
            return SecretRef(value["source"])
        return {k: value_from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [value_from_json(v) for v in value]
    return value


def _element_json(ec: ElementChange) -> dict[str, Any]:
    return {
        "op": ec.op.value,
        "key": ec.key,
        "value": value_to_json(ec.value),
        "name": ec.name,
        "changes": [_field_json(fc) for fc in ec.changes],
    }


def _field_json(fc: FieldChange) -> dict[str, Any]:
    return {
        "field": fc.field,
        "before": value_to_json(fc.before),
        "after": value_to_json(fc.after),
        "sensitive": fc.sensitive,
        "impact": fc.impact,
        "description": fc.description,
        "source": fc.source,
        "before_name": fc.before_name,
        "after_name": fc.after_name,
        "elements": [_element_json(ec) for ec in fc.elements],
    }


def _resource_json(rc: ResourceChange) -> dict[str, Any]:
    return {
        "address": rc.address,
        "type": rc.type,
        "identity": rc.identity,
        "id": rc.id,
        "action": rc.action.value,
        "prevent_destroy": rc.prevent_destroy,
        "protected": rc.protected,
        "pruned": rc.pruned,
        "changes": [_field_json(fc) for fc in rc.changes],
        "write_only": [{"field": w.field, "source": w.source} for w in rc.write_only],
    }


def canonical_json(value: Any) -> bytes:
    """Canonical bytes for hashing: sorted keys, no spaces, UTF-8."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


# Document keys only people read: derived from the rest (summary), re-derived by apply
# (refusals), or informational (warnings, unmanaged, write_only_uncompared). Any other
# key, including one added later, is covered by the digest.
UNDIGESTED = frozenset(
    {"digest", "summary", "refusals", "warnings", "unmanaged", "write_only_uncompared"}
)


def _digest(doc: Mapping[str, Any]) -> str:
    covered = {k: v for k, v in doc.items() if k not in UNDIGESTED}
    return hashlib.sha256(canonical_json(covered)).hexdigest()


def digest_of(plan: Plan) -> str:
    """SHA-256 hex of everything apply acts on (see the module doc)."""
    return _digest(plan_to_json(plan))


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The whole document, keys in a fixed reading order."""
    doc = _document(plan)
    doc["digest"] = _digest(doc)
    return doc


def _document(plan: Plan) -> dict[str, Any]:
    """The document with a placeholder digest (filled in by plan_to_json)."""
    changes = [_resource_json(rc) for rc in plan.resource_changes]
    s = plan.summary
    return {
        "format_version": plan.format_version,
        "instance": {"url": plan.instance.url, "tenant": plan.instance.tenant},
        "targets": list(plan.targets),
        "summary": {
            "create": s.create,
            "update": s.update,
            "delete": s.delete,
            "no_op": s.no_op,
            "unmanaged": s.unmanaged,
        },
        "digest": "",
        "refusals": list(plan.refusals),
        "warnings": [{"address": w.address, "message": w.message} for w in plan.warnings],
        "resource_changes": changes,
        "unmanaged": [
            {"address": u.address, "type": u.type, "identity": u.identity, "id": u.id}
            for u in plan.unmanaged
        ],
        "fingerprints": dict(plan.fingerprints),
        "write_only_uncompared": plan.write_only_uncompared,
        "max_deletes": plan.max_deletes,
        "acknowledged": [_acknowledged_json(a) for a in plan.acknowledged],
        "excludes": list(plan.excludes),
        "allow_empty": list(plan.allow_empty),
        "live_counts": dict(plan.live_counts),
        "freeze": [window_to_json(w) for w in plan.freeze],
    }


def _acknowledged_json(a: Acknowledged) -> dict[str, Any]:
    return {
        "address": a.address,
        "field": a.field,
        "before": value_to_json(a.before),
        "after": value_to_json(a.after),
        "sensitive": a.sensitive,
        "reason": a.reason,
        "until": a.until,
    }


def window_to_json(w: FreezeWindow) -> dict[str, Any]:
    """A freeze window as the plan carries it: `apply PLANFILE` checks it at apply time."""
    if w.start is not None and w.end is not None:
        return {"from": w.start.isoformat(), "to": w.end.isoformat(), "reason": w.reason}
    return {"days_of_month": list(w.days_of_month), "reason": w.reason}
