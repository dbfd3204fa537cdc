"""A plan document (schemas/plan.schema.json) read back into a Plan: plan_from_json.

Every field it reads is checked, and a problem raises PlanFileError naming the JSON path;
it never echoes a value (a plan file holds no secret, but a hand-edited one might). A
document whose digest or summary does not match what it says, or that gives one address
twice, is refused (document.py says what the digest covers). Pure: no I/O (the caller
reads the file).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from reconciler.errors import PlanFileError
from reconciler.freeze import FreezeWindow
from reconciler.instance import Instance
from reconciler.plan.document import plan_to_json, value_from_json
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
    Unmanaged,
    WriteOnlyField,
)
from reconciler.registry import KEYS

T = TypeVar("T")


class Reader:
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

    def items(self, key: str, read: Callable[[Reader], T]) -> tuple[T, ...]:
        values = self.get(key, (list,), "a list")
        return tuple(read(Reader(v, f"{self.path}.{key}[{i}]")) for i, v in enumerate(values))

    def type_key(self, key: str) -> str:
        """A resource type's config key: one the registry knows (apply and staleness look
        every type up; an edited one must not reach them)."""
        raw = self.text(key)
        if raw not in KEYS:
            allowed = ", ".join(KEYS)
            raise PlanFileError(
                f"plan file: {self.path}.{key}: unknown resource type {raw[:40]!r}: "
                f"expected one of {allowed}"
            )
        return raw

    def choice(self, key: str, kind: type[Action] | type[ElementOp]) -> Any:
        raw = self.text(key)
        for member in kind:
            if member.value == raw:
                return member
        allowed = ", ".join(m.value for m in kind)
        raise PlanFileError(f"plan file: {self.path}.{key}: expected one of {allowed}")


def _read_element(r: Reader) -> ElementChange:
    return ElementChange(
        op=r.choice("op", ElementOp),
        key=r.text("key"),
        value=r.value("value"),
        changes=r.items("changes", _read_field),
        name=r.opt_text("name"),
    )


def _read_field(r: Reader) -> FieldChange:
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


def _read_write_only(r: Reader) -> WriteOnlyField:
    return WriteOnlyField(field=r.text("field"), source=r.opt_text("source"))


def _read_resource(r: Reader) -> ResourceChange:
    return ResourceChange(
        address=r.text("address"),
        type=r.type_key("type"),
        identity=r.opt_text("identity"),
        id=r.opt_integer("id"),
        action=r.choice("action", Action),
        changes=r.items("changes", _read_field),
        write_only=r.items("write_only", _read_write_only),
        prevent_destroy=r.flag("prevent_destroy"),
        pruned=r.flag("pruned"),
        protected=r.flag("protected"),
    )


def _read_acknowledged(r: Reader) -> Acknowledged:
    return Acknowledged(
        address=r.text("address"),
        field=r.text("field"),
        before=r.value("before"),
        after=r.value("after"),
        reason=r.text("reason"),
        until=r.text("until"),
        sensitive=r.flag("sensitive"),
    )


def _read_window(r: Reader) -> FreezeWindow:
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


def _strings(top: Reader, key: str) -> tuple[str, ...]:
    values = top.get(key, (list,), "a list")
    if not all(isinstance(v, str) for v in values):
        raise PlanFileError(f"plan file: $.{key}: expected strings")
    return tuple(values)


def _read_unmanaged(r: Reader) -> Unmanaged:
    return Unmanaged(
        address=r.text("address"),
        type=r.type_key("type"),
        identity=r.opt_text("identity"),
        id=r.opt_integer("id"),
    )


def _read_warning(r: Reader) -> PlanWarning:
    return PlanWarning(address=r.text("address"), message=r.text("message"))


def _counts(top: Reader) -> dict[str, int]:
    counts = top.get("live_counts", (dict,), "an object")
    if not all(type(v) is int and v >= 0 for v in counts.values()):
        raise PlanFileError("plan file: $.live_counts: expected counts")
    return dict(counts)


def plan_from_json(doc: object) -> Plan:
    """Read a plan document; PlanFileError for a wrong shape, version, digest or summary."""
    top = Reader(doc, "$")
    version = top.text("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"plan file: format_version {version!r} is not supported; this version of "
            f"halo-reconciler reads format_version {FORMAT_VERSION!r} (run plan again)"
        )
    inst = Reader(top.doc.get("instance"), "$.instance")
    fingerprints = top.get("fingerprints", (dict,), "an object")
    if not all(isinstance(v, str) for v in fingerprints.values()):
        raise PlanFileError("plan file: $.fingerprints: expected strings")
    plan = Plan(
        instance=Instance(url=inst.text("url"), tenant=inst.opt_text("tenant")),
        resource_changes=top.items("resource_changes", _read_resource),
        unmanaged=top.items("unmanaged", _read_unmanaged),
        warnings=top.items("warnings", _read_warning),
        refusals=_strings(top, "refusals"),
        fingerprints=dict(fingerprints),
        write_only_uncompared=top.integer("write_only_uncompared"),
        max_deletes=top.integer("max_deletes"),
        targets=_strings(top, "targets"),
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
