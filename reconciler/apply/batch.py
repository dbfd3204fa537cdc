"""Batches: what apply sends for each type, built from the plan before the first write.

Per type, creates and updates go in one POST array and deletions follow, one DELETE each.
A create sends every field the plan gives it (write-only and ignore_changes fields too); an
update sends `id` plus only the changed fields, a changed list field whole (HaloPSA
replaces an array it is sent), and its write-only fields only with --push-secrets (which
also turns a no-op record that has write-only fields into an update of just those).

Everything is checked here, so a problem stops the run before any request: a field that
is read-only, an action trigger or unknown to the schema (a hand-edited plan) is refused,
never sent; every secret marker is resolved from the environment now, and a missing
variable is named. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.apply.secrets import SecretProblem, resolve_marker, resolve_value
from reconciler.errors import PlanRefused
from reconciler.plan.model import Action, FieldChange, Plan, ResourceChange
from reconciler.registry import BY_KEY, ORDER, FieldSpec, TypeSpec, spec
from reconciler.scrubber import secret_texts


@dataclass(frozen=True, slots=True)
class Write:
    """One element of a type's POST: `body` in API form, secrets as Sensitive.

    An update's body starts with `id`; a create's never holds one (HaloPSA creates an
    element without `id`, and `id: 0` or null must not be sent).
    """

    change: ResourceChange
    action: Action  # CREATE or UPDATE
    body: Mapping[str, Any]
    note: str = ""  # said in the report, e.g. "write-only fields sent"

    @property
    def fields(self) -> dict[str, Any]:
        """The body without `id`: the fields whose values should be live afterwards."""
        return {k: v for k, v in self.body.items() if k != "id"}


@dataclass(frozen=True, slots=True)
class TypeBatch:
    """Everything apply does to one type: one POST of `writes`, then `deletes`."""

    key: str
    writes: tuple[Write, ...] = ()
    deletes: tuple[ResourceChange, ...] = ()
    secrets: frozenset[str] = frozenset()  # secret texts to scrub from HaloPSA's messages


def _refusal(spec_: FieldSpec | None) -> str | None:
    if spec_ is None:
        return "is not a field of this type"
    if spec_.read_only:
        return "is computed by HaloPSA (readOnly)"
    if spec_.trigger:
        return "is an action trigger"
    return None


class _Builder:
    """Collects the bodies of one plan and every problem found on the way."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def value(self, rc: ResourceChange, tspec: TypeSpec, fc: FieldChange) -> Any:
        """The value to send for one field change, or None after noting a problem."""
        name, source, sensitive = fc.field, fc.source, fc.sensitive
        fspec = tspec.fields.get(name)
        where = f"{rc.address}: {name}"
        refusal = "is the record key" if name == "id" else _refusal(fspec)
        if refusal is not None:
            self.problems.append(f"{where} {refusal}; apply never sends it")
            return None
        assert fspec is not None
        if fspec.write_only and not sensitive:
            self.problems.append(f"{where} is write-only: its value must come from the environment")
            return None
        try:
            if sensitive:
                if source is None:
                    self.problems.append(
                        f"{where}: the plan does not say where the value comes from"
                    )
                    return None
                return resolve_marker(source, fspec, self.env)
            value = resolve_value(fc.after, fspec, self.env)
        except SecretProblem as exc:
            self.problems.append(f"{where}: {exc}")
            return None
        if fspec.comma_list and isinstance(value, list):
            value = ",".join(str(v) for v in value)  # HaloPSA's form is the joined "a,b"
        return value

    def write(self, rc: ResourceChange, push_secrets: bool) -> Write | None:
        pushed = push_secrets and rc.action is not Action.CREATE and bool(rc.write_only)
        if rc.action is Action.NO_OP and not pushed:
            return None
        tspec = spec(rc.type)
        body: dict[str, Any] = {}
        if rc.action is not Action.CREATE:
            if rc.id is None:
                self.problems.append(f"{rc.address}: an update needs the record's id")
                return None
            body["id"] = rc.id
        for fc in rc.changes:
            body[fc.field] = self.value(rc, tspec, fc)
        if pushed:
            for wo in rc.write_only:
                secret = FieldChange(wo.field, None, None, sensitive=True, source=wo.source)
                body[wo.field] = self.value(rc, tspec, secret)
        note = "write-only fields sent" if pushed else ""
        action = Action.CREATE if rc.action is Action.CREATE else Action.UPDATE
        return Write(change=rc, action=action, body=body, note=note)


def build_batches(
    plan: Plan, *, env: Mapping[str, str], push_secrets: bool = False
) -> tuple[TypeBatch, ...]:
    """One TypeBatch per type with work, in registry order; PlanRefused lists every problem."""
    builder = _Builder(env)
    writes: dict[str, list[Write]] = {}
    deletes: dict[str, list[ResourceChange]] = {}
    for rc in plan.resource_changes:
        if rc.type not in BY_KEY:
            builder.problems.append(f"{rc.address}: unknown resource type {rc.type!r}")
            continue
        if rc.action is Action.DELETE:
            if rc.id is None:
                builder.problems.append(f"{rc.address}: a deletion needs the record's id")
            else:
                deletes.setdefault(rc.type, []).append(rc)
            continue
        write = builder.write(rc, push_secrets)
        if write is not None:
            writes.setdefault(rc.type, []).append(write)
    if builder.problems:
        raise PlanRefused(builder.problems)
    batches = []
    for key in sorted(writes.keys() | deletes.keys(), key=ORDER.__getitem__):
        ws = tuple(writes.get(key, ()))
        secrets: set[str] = set()
        for w in ws:
            secrets |= secret_texts(dict(w.body))
        batches.append(TypeBatch(key, ws, tuple(deletes.get(key, ())), frozenset(secrets)))
    return tuple(batches)
