"""What the text and Markdown renderers share: value text, record detail lines, counts.

A detail line is (symbol, depth, text): symbol "+", "-", "~" or " ", depth the nesting
(0 for a field, 1 for an element of a list field, 2 for a field of a changed row).
Text puts the symbol after the indent (Terraform style); Markdown puts it first, so
GitHub's `diff` highlighting colours the line. A sensitive value prints as "(sensitive)":
the plan does not hold it, so no renderer can print it. Pure: no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reconciler.jsontypes import map_leaves
from reconciler.plan.model import (
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    Plan,
    ResourceChange,
    SecretRef,
)
from reconciler.sensitive import MASK

SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.NO_OP: " "}
VERB = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.DELETE: "destroy",
    Action.NO_OP: "",
}
ELEMENT_SYMBOL = {ElementOp.ADD: "+", ElementOp.REMOVE: "-", ElementOp.CHANGE: "~"}


@dataclass(frozen=True, slots=True)
class Line:
    symbol: str
    depth: int
    text: str


def _masked(value: Any) -> Any:
    return MASK if isinstance(value, SecretRef) else value


def _plain(value: Any) -> Any:
    return map_leaves(value, _masked)


def show(value: Any) -> str:
    """A plan value as one line of JSON text ("(sensitive)" for a secret marker)."""
    if isinstance(value, SecretRef):
        return MASK
    return json.dumps(_plain(value), ensure_ascii=False, separators=(", ", ": "))


def named(text: str, name: str | None) -> str:
    """A value with the name of what it identifies beside it: `12 (Managed Services)`."""
    return f"{text} ({name})" if name else text


def before_text(fc: FieldChange) -> str:
    return MASK if fc.sensitive else named(show(fc.before), fc.before_name)


def after_text(fc: FieldChange) -> str:
    return MASK if fc.sensitive else named(show(fc.after), fc.after_name)


def _comment(fc: FieldChange) -> str:
    return f"   # {fc.description}" if fc.description else ""


def field_lines(
    fc: FieldChange, symbol: str, depth: int, *, created: bool, pairs: bool = False
) -> list[Line]:
    """Lines of one field change: `name: before -> after`, or a header plus one line
    per list element. With `pairs` (Markdown `diff` blocks, where a `~` line is not
    coloured) an update is a `-` line with the value before and a `+` line with the
    value after, and a header over changed elements is a plain context line."""
    changed = " " if pairs and symbol == "~" else symbol
    if fc.elements and not fc.sensitive:
        out = [Line(changed, depth, f"{fc.field}{_comment(fc)}")]
        for ec in fc.elements:
            out.extend(element_lines(ec, depth + 1, pairs=pairs))
        return out
    if created:
        return [Line(symbol, depth, f"{fc.field}: {after_text(fc)}{_comment(fc)}")]
    if pairs and symbol == "~":
        return [
            Line("-", depth, f"{fc.field}: {before_text(fc)}{_comment(fc)}"),
            Line("+", depth, f"{fc.field}: {after_text(fc)}"),
        ]
    text = f"{fc.field}: {before_text(fc)} -> {after_text(fc)}{_comment(fc)}"
    return [Line(symbol, depth, text)]


def element_lines(ec: ElementChange, depth: int, *, pairs: bool = False) -> list[Line]:
    symbol = ELEMENT_SYMBOL[ec.op]
    if ec.op is ElementOp.CHANGE:
        out = [Line(" " if pairs else symbol, depth, named(ec.key, ec.name))]
        for fc in ec.changes:
            out.extend(field_lines(fc, "~", depth + 1, created=False, pairs=pairs))
        return out
    return [Line(symbol, depth, named(show(ec.value), ec.name))]


def record_lines(rc: ResourceChange, *, pairs: bool = False) -> list[Line]:
    """The detail lines of one record's change (empty for a deletion or no-op); `pairs`:
    see field_lines."""
    out: list[Line] = []
    created = rc.action is Action.CREATE
    for fc in rc.changes:
        out.extend(field_lines(fc, SYMBOL[rc.action], 0, created=created, pairs=pairs))
    if rc.write_only and rc.action is Action.UPDATE:
        names = ", ".join(w.field for w in rc.write_only)
        out.append(Line(" ", 0, f"(write-only, not compared, sent with --push-secrets: {names})"))
    return out


def heading(rc: ResourceChange) -> str:
    """`create xero/Acme NZ`, `destroy xero/Old (id 9)`."""
    text = f"{VERB[rc.action]} {rc.address}"
    if rc.id is not None and rc.action is not Action.CREATE:
        text += f" (id {rc.id})"
    return text


def delete_reason(rc: ResourceChange) -> str:
    """Why a record is deleted: pruned (no configuration record matches it) or absent."""
    return rc.why_deleted


def counts(plan: Plan) -> str:
    """`Plan: N to create, N to update, N to delete.`"""
    s = plan.summary
    return f"Plan: {s.create} to create, {s.update} to update, {s.delete} to delete."


def money_changes(plan: Plan) -> list[tuple[ResourceChange, FieldChange]]:
    """Field changes with impact "money", in plan order."""
    return [
        (rc, fc)
        for rc in plan.resource_changes
        if rc.action in (Action.CREATE, Action.UPDATE)
        for fc in rc.changes
        if fc.impact == "money"
    ]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
