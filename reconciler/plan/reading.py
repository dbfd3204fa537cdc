"""A plan document (schemas/plan.schema.json) read back: the Plan's fields, then checks.

The schema is the one truth for the document's format: `plan_fields` has it checked
(plan_schema.py, jsonschema) before anything is read, so the reading below may trust the
shapes, and a problem is reported by its JSON path and what the schema expects there,
never by the value found (a plan file holds no secret, but a hand-edited one might).
What a schema cannot say is checked here: a freeze window's bounds are date-times, and
(`check_consistent`) the digest and summary match what the document says and no address
is given twice (document.py says what the digest covers). Knows the plan's parts, not
the Plan class (model.py builds it), so the imports run one way. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from reconciler.errors import PlanFileError
from reconciler.freeze import FreezeWindow
from reconciler.instance import Instance
from reconciler.plan.changes import (
    FORMAT_VERSION,
    Acknowledged,
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    PlanWarning,
    ResourceChange,
    Unmanaged,
    WriteOnlyField,
)
from reconciler.plan.document import plan_to_json, value_from_json
from reconciler.plan.plan_schema import check_plan_document

if TYPE_CHECKING:
    from reconciler.plan.model import Plan


def _element(d: Mapping[str, Any]) -> ElementChange:
    return ElementChange(
        op=ElementOp(d["op"]),
        key=d["key"],
        value=value_from_json(d["value"]),
        changes=tuple(_field(c) for c in d["changes"]),
        name=d.get("name"),
    )


def _field(d: Mapping[str, Any]) -> FieldChange:
    return FieldChange(
        field=d["field"],
        before=value_from_json(d["before"]),
        after=value_from_json(d["after"]),
        sensitive=d["sensitive"],
        impact=d["impact"],
        description=d["description"],
        source=d["source"],
        elements=tuple(_element(e) for e in d["elements"]),
        before_name=d.get("before_name"),
        after_name=d.get("after_name"),
    )


def _resource(d: Mapping[str, Any]) -> ResourceChange:
    return ResourceChange(
        address=d["address"],
        type=d["type"],
        identity=d["identity"],
        id=d["id"],
        action=Action(d["action"]),
        changes=tuple(_field(c) for c in d["changes"]),
        write_only=tuple(WriteOnlyField(w["field"], w["source"]) for w in d["write_only"]),
        prevent_destroy=d["prevent_destroy"],
        pruned=d["pruned"],
        protected=d["protected"],
    )


def _acknowledged(d: Mapping[str, Any]) -> Acknowledged:
    return Acknowledged(
        address=d["address"],
        field=d["field"],
        before=value_from_json(d["before"]),
        after=value_from_json(d["after"]),
        reason=d["reason"],
        until=d["until"],
        sensitive=d["sensitive"],
    )


def _window(d: Mapping[str, Any], path: str) -> FreezeWindow:
    if "days_of_month" in d:
        return FreezeWindow(d["reason"], days_of_month=tuple(d["days_of_month"]))
    bounds = []
    for key in ("from", "to"):
        try:
            moment = datetime.fromisoformat(d[key])
        except ValueError:
            raise PlanFileError(f"plan file: {path}.{key}: expected a date-time") from None
        bounds.append(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC))
    return FreezeWindow(d["reason"], start=bounds[0], end=bounds[1])


def plan_fields(doc: object) -> dict[str, Any]:
    """The Plan's fields from its document, checked against the schema first (PlanFileError
    naming the JSON path and what the schema expects there, never the value found)."""
    if not isinstance(doc, dict):
        raise PlanFileError("plan file: $: expected an object")
    version = doc.get("format_version")
    if isinstance(version, str) and version != FORMAT_VERSION:
        raise PlanFileError(
            f"plan file: format_version {version!r} is not supported; this version of "
            f"halo-reconciler reads format_version {FORMAT_VERSION!r} (run plan again)"
        )
    check_plan_document(doc)
    return {
        "instance": Instance(url=doc["instance"]["url"], tenant=doc["instance"]["tenant"]),
        "resource_changes": tuple(_resource(rc) for rc in doc["resource_changes"]),
        "unmanaged": tuple(
            Unmanaged(u["address"], u["type"], u["identity"], u["id"]) for u in doc["unmanaged"]
        ),
        "warnings": tuple(PlanWarning(w["address"], w["message"]) for w in doc["warnings"]),
        "refusals": tuple(doc["refusals"]),
        "fingerprints": dict(doc["fingerprints"]),
        "write_only_uncompared": doc["write_only_uncompared"],
        "max_deletes": doc["max_deletes"],
        "targets": tuple(doc["targets"]),
        "format_version": version,
        "acknowledged": tuple(_acknowledged(a) for a in doc["acknowledged"]),
        "excludes": tuple(doc["excludes"]),
        "allow_empty": tuple(doc["allow_empty"]),
        "live_counts": dict(doc["live_counts"]),
        "freeze": tuple(_window(w, f"$.freeze[{i}]") for i, w in enumerate(doc["freeze"])),
    }


def check_consistent(plan: Plan, doc: Any) -> None:
    """PlanFileError unless the document's digest and summary are those of the plan read
    from it, and no address is given twice. `doc` is one plan_fields accepted."""
    if doc["digest"] != plan.digest:
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
    if doc["summary"] != plan_to_json(plan)["summary"]:
        raise PlanFileError("plan file: $.summary does not match its resource_changes")
