"""The plan as a JSON document (schemas/plan.schema.json): to_json, from_json, digest.

The document's key order is fixed here, so the same plan always gives the same bytes.
The digest covers everything apply acts on: the whole document but the parts that are
only read by people (UNDIGESTED: summary, refusals, warnings, unmanaged, the count of
uncompared fields) and the digest itself, serialised with sorted keys, "," / ":"
separators and UTF-8. So the instance, the fingerprints and the safety rules the plan
carries (max_deletes, prevent_destroy, and any rule added later) cannot be edited without
changing the digest, and two plans with the same changes for the same instance share a
digest whatever the time or machine. Apply trusts no stored verdict: `refusals` are
re-derived from the rules (safety.check_refusals), so they are left out on purpose.
from_json checks every field it reads and raises PlanFileError naming the JSON path;
it never echoes a value (a plan file holds no secret, but a hand-edited one might).
Pure: no I/O (the caller reads the file).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from reconciler.errors import PlanFileError
from reconciler.freeze import FreezeWindow
from reconciler.instance import Instance
from reconciler.plan.model import (
    FORMAT_VERSION,
    Acknowledged,
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    Plan,
    PlanWarning,
    ResourceChange,
    SecretRef,
    Unmanaged,
    WriteOnlyField,
)
from reconciler.sensitive import Sensitive

T = TypeVar("T")


def value_to_json(value: Any) -> Any:
    """A model value as JSON: a SecretRef becomes {"sensitive": true, "source": ...}."""
    if isinstance(value, SecretRef):
        return {"sensitive": True, "source": value.source}
    if isinstance(value, Sensitive):  # never stored in a plan; refuse rather than leak
        raise TypeError("a Sensitive value reached the plan document")
    if isinstance(value, Mapping):
        return {str(k): value_to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [value_to_json(v) for v in value]
    return value


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


class _Reader:
    """Typed access to one JSON object, with its path for error messages."""

    def __init__(self, doc: object, path: str) -> None:
        if not isinstance(doc, dict):
            raise PlanFileError(f"plan file: {path}: expected an object")
        self.doc: dict[str, Any] = doc
        self.path = path

    def get(self, key: str, kinds: tuple[type, ...], what: str, optional: bool = False) -> Any:
        if key not in self.doc:
            if optional:
                return None
            raise PlanFileError(f"plan file: {self.path}.{key}: missing")
        value = self.doc[key]
        if value is None and optional:
            return None
        # bool is an int in Python: an integer field must not accept true/false.
        bad_bool = isinstance(value, bool) and bool not in kinds
        if bad_bool or not isinstance(value, kinds):
            raise PlanFileError(f"plan file: {self.path}.{key}: expected {what}")
        return value

    def text(self, key: str) -> str:
        value: str = self.get(key, (str,), "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        value: str | None = self.get(key, (str,), "a string or null", optional=True)
        return value

    def integer(self, key: str) -> int:
        value: int = self.get(key, (int,), "an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        value: int | None = self.get(key, (int,), "an integer or null", optional=True)
        return value

    def flag(self, key: str) -> bool:
        value: bool = self.get(key, (bool,), "true or false")
        return value

    def value(self, key: str) -> Any:
        if key not in self.doc:
            raise PlanFileError(f"plan file: {self.path}.{key}: missing")
        return value_from_json(self.doc[key])

    def items(self, key: str, read: Callable[[_Reader], T]) -> tuple[T, ...]:
        values = self.get(key, (list,), "a list")
        return tuple(read(_Reader(v, f"{self.path}.{key}[{i}]")) for i, v in enumerate(values))

    def choice(self, key: str, kind: type[Action] | type[ElementOp]) -> Any:
        raw = self.text(key)
        for member in kind:
            if member.value == raw:
                return member
        allowed = ", ".join(m.value for m in kind)
        raise PlanFileError(f"plan file: {self.path}.{key}: expected one of {allowed}")


def _read_element(r: _Reader) -> ElementChange:
    return ElementChange(
        op=r.choice("op", ElementOp),
        key=r.text("key"),
        value=r.value("value"),
        changes=r.items("changes", _read_field),
        name=r.opt_text("name"),
    )


def _read_field(r: _Reader) -> FieldChange:
    return FieldChange(
        field=r.text("field"),
        before=r.value("before"),
        after=r.value("after"),
        sensitive=r.flag("sensitive"),
        impact=r.opt_text("impact"),
        description=r.text("description"),
        source=r.opt_text("source"),
        elements=r.items("elements", _read_element),
        before_name=r.opt_text("before_name"),
        after_name=r.opt_text("after_name"),
    )


def _read_write_only(r: _Reader) -> WriteOnlyField:
    return WriteOnlyField(field=r.text("field"), source=r.opt_text("source"))


def _read_resource(r: _Reader) -> ResourceChange:
    return ResourceChange(
        address=r.text("address"),
        type=r.text("type"),
        identity=r.opt_text("identity"),
        id=r.opt_integer("id"),
        action=r.choice("action", Action),
        changes=r.items("changes", _read_field),
        write_only=r.items("write_only", _read_write_only),
        prevent_destroy=r.flag("prevent_destroy"),
        pruned=r.flag("pruned"),
        protected=r.flag("protected"),
    )


def _read_acknowledged(r: _Reader) -> Acknowledged:
    return Acknowledged(
        address=r.text("address"),
        field=r.text("field"),
        before=r.value("before"),
        after=r.value("after"),
        reason=r.text("reason"),
        until=r.text("until"),
        sensitive=r.flag("sensitive"),
    )


def _read_window(r: _Reader) -> FreezeWindow:
    reason = r.text("reason")
    if "days_of_month" in r.doc:
        days = r.get("days_of_month", (list,), "a list")
        if not days or not all(type(d) is int and 1 <= abs(d) <= 31 for d in days):
            raise PlanFileError(
                f"plan file: {r.path}.days_of_month: expected days 1..31 or -1..-31"
            )
        return FreezeWindow(reason, days_of_month=tuple(days))
    bounds = []
    for key in ("from", "to"):
        try:
            moment = datetime.fromisoformat(r.text(key))
        except ValueError:
            raise PlanFileError(f"plan file: {r.path}.{key}: expected a date-time") from None
        bounds.append(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))
    return FreezeWindow(reason, start=bounds[0], end=bounds[1])


def _strings(top: _Reader, key: str) -> tuple[str, ...]:
    values = top.get(key, (list,), "a list")
    if not all(isinstance(v, str) for v in values):
        raise PlanFileError(f"plan file: $.{key}: expected strings")
    return tuple(values)


def _read_unmanaged(r: _Reader) -> Unmanaged:
    return Unmanaged(
        address=r.text("address"),
        type=r.text("type"),
        identity=r.opt_text("identity"),
        id=r.opt_integer("id"),
    )


def _read_warning(r: _Reader) -> PlanWarning:
    return PlanWarning(address=r.text("address"), message=r.text("message"))


def _counts(top: _Reader) -> dict[str, int]:
    counts = top.get("live_counts", (dict,), "an object")
    if not all(type(v) is int and v >= 0 for v in counts.values()):
        raise PlanFileError("plan file: $.live_counts: expected counts")
    return dict(counts)


def plan_from_json(doc: object) -> Plan:
    """Read a plan document; PlanFileError for a wrong shape, version, digest or summary."""
    top = _Reader(doc, "$")
    version = top.text("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"plan file: format_version {version!r} is not supported; this version of "
            f"halo-reconciler reads format_version {FORMAT_VERSION!r} (run plan again)"
        )
    inst = _Reader(top.doc.get("instance"), "$.instance")
    fingerprints = top.get("fingerprints", (dict,), "an object")
    if not all(isinstance(v, str) for v in fingerprints.values()):
        raise PlanFileError("plan file: $.fingerprints: expected strings")
    refusals = top.get("refusals", (list,), "a list")
    if not all(isinstance(v, str) for v in refusals):
        raise PlanFileError("plan file: $.refusals: expected strings")
    targets = top.get("targets", (list,), "a list")
    if not all(isinstance(v, str) for v in targets):
        raise PlanFileError("plan file: $.targets: expected strings")
    plan = Plan(
        instance=Instance(url=inst.text("url"), tenant=inst.opt_text("tenant")),
        resource_changes=top.items("resource_changes", _read_resource),
        unmanaged=top.items("unmanaged", _read_unmanaged),
        warnings=top.items("warnings", _read_warning),
        refusals=tuple(refusals),
        fingerprints=dict(fingerprints),
        write_only_uncompared=top.integer("write_only_uncompared"),
        max_deletes=top.integer("max_deletes"),
        targets=tuple(targets),
        format_version=version,
        acknowledged=top.items("acknowledged", _read_acknowledged),
        excludes=_strings(top, "excludes"),
        allow_empty=_strings(top, "allow_empty"),
        live_counts=_counts(top),
        freeze=top.items("freeze", _read_window),
    )
    if top.text("digest") != plan.digest:
        raise PlanFileError(
            "plan file: $.digest does not match what the plan says (its changes, instance, "
            "fingerprints or safety rules: the file was edited or damaged; run plan again)"
        )
    addresses = Counter(rc.address for rc in plan.resource_changes)
    twice = sorted(a for a, n in addresses.items() if n > 1)
    if twice:
        raise PlanFileError(
            f"plan file: $.resource_changes: address {twice[0]} is given twice "
            "(the file was edited or damaged; run plan again)"
        )
    if top.value("summary") != plan_to_json(plan)["summary"]:
        raise PlanFileError("plan file: $.summary does not match its resource_changes")
    return plan
