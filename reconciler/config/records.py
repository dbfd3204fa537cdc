"""One record of a configuration file -> a ConfigRecord: identity, id, ensure, lifecycle, fields.

A record must state its type's identity field (`name`; MYOB `company_id`) or an `id`.
The identity names the record in every plan, so it is a literal: it may not come from
the environment. Field values are checked by values.py. Reports issues, never raises.
"""

from __future__ import annotations

from reconciler import registry
from reconciler.config.fields import Owner, convert_fields
from reconciler.config.model import ConfigRecord, Ensure
from reconciler.config.source import Entry, Node
from reconciler.config.values import Context
from reconciler.config.wording import a, describe, did_you_mean, quote
from reconciler.sensitive import Sensitive

KEYWORDS = ("id", "ensure", "lifecycle")  # record keys that are ours, not HaloPSA fields
LIFECYCLE = ("prevent_destroy", "ignore_changes")


def build_record(type_key: str, node: Node, path: str, ctx: Context) -> ConfigRecord | None:
    """The record `node` of type `type_key`, or None when it cannot be identified."""
    if not isinstance(node.value, dict):
        got = describe(node.value, node.text)
        message = f"expected {a(type_key)} record (a mapping of fields), got {got}"
        ctx.report(node.line, node.column, path, message)
        return None
    spec = registry.spec(type_key)
    entries: dict[str, Entry] = node.value
    managed = {k: e for k, e in entries.items() if k not in KEYWORDS}
    owner = Owner(type_key, type_key, KEYWORDS)
    first_mark = len(ctx.lookup_marks)
    values = convert_fields(spec.fields, managed, path, owner, ctx)
    cut = len(path) + 1
    marks = {p[cut:]: m for p, m in ctx.lookup_marks[first_mark:]}
    record_id = _id(entries.get("id"), path, ctx)
    ensure = _ensure(entries.get("ensure"), path, ctx)
    prevent_destroy, ignore_changes = _lifecycle(type_key, entries.get("lifecycle"), path, ctx)

    identity: str | None = None
    field = spec.identity
    if field in entries:
        entry = entries[field]
        value = values.get(field)
        where = (entry.line, entry.column, f"{path}.{field}")
        if isinstance(value, Sensitive):
            ctx.report(
                *where,
                f'"{field}" identifies the record in every plan: write it out, '
                "it cannot come from the environment",
            )
            values.pop(field)
        elif field in values and value in (None, ""):
            ctx.report(*where, f'"{field}" identifies the record: it cannot be empty')
        elif isinstance(value, str):
            identity = value
    elif "id" not in entries:
        message = f'{a(type_key)} record must state its identity field "{field}" or an "id"'
        ctx.report(node.line, node.column, path, message)
        return None
    if identity is None and record_id is None:
        return None
    return ConfigRecord(
        type=type_key,
        identity=identity,
        id=record_id,
        fields=values,
        mark=ctx.mark(node.line, node.column),
        ensure=ensure,
        prevent_destroy=prevent_destroy,
        ignore_changes=ignore_changes,
        marks=marks,
    )


def _id(entry: Entry | None, path: str, ctx: Context) -> int | None:
    if entry is None:
        return None
    value = entry.node.value
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    hint = " — remove the quotes" if isinstance(value, str) and value.isdigit() else ""
    got = describe(value, entry.node.text)
    message = f"expected the HaloPSA record id (a positive integer), got {got}{hint}"
    ctx.report(entry.line, entry.column, f"{path}.id", message)
    return None


def _ensure(entry: Entry | None, path: str, ctx: Context) -> Ensure:
    if entry is None:
        return Ensure.PRESENT
    value = entry.node.value
    if value in ("present", "absent"):
        return Ensure(value)
    got = describe(value, entry.node.text)
    ctx.report(
        entry.line, entry.column, f"{path}.ensure", f'expected "present" or "absent", got {got}'
    )
    return Ensure.PRESENT


def _lifecycle(
    type_key: str, entry: Entry | None, path: str, ctx: Context
) -> tuple[bool, frozenset[str]]:
    prevent_destroy = False
    ignore: set[str] = set()
    if entry is None or entry.node.value is None:
        return prevent_destroy, frozenset()
    lpath = f"{path}.lifecycle"
    if not isinstance(entry.node.value, dict):
        got = describe(entry.node.value, entry.node.text)
        message = f"expected a mapping of prevent_destroy and ignore_changes, got {got}"
        ctx.report(entry.line, entry.column, lpath, message)
        return prevent_destroy, frozenset()
    for key, item in entry.node.value.items():
        kpath = f"{lpath}.{key}"
        value = item.node.value
        if key == "prevent_destroy":
            if isinstance(value, bool):
                prevent_destroy = value
            else:
                got = describe(value, item.node.text)
                hint = " — use true/false" if isinstance(value, str | int) else ""
                ctx.report(item.line, item.column, kpath, f"expected a boolean, got {got}{hint}")
        elif key == "ignore_changes":
            ignore.update(_ignore_changes(type_key, item, kpath, ctx))
        else:
            hint = (
                did_you_mean(key, LIFECYCLE) or ": lifecycle has prevent_destroy and ignore_changes"
            )
            ctx.report(item.line, item.column, kpath, f"unknown key {quote(key)}{hint}")
    return prevent_destroy, frozenset(ignore)


def _ignore_changes(type_key: str, entry: Entry, path: str, ctx: Context) -> list[str]:
    """The field names listed; each must be a configurable field of the type."""
    node = entry.node
    if node.value is None:
        return []
    if not isinstance(node.value, list):
        got = describe(node.value, node.text)
        ctx.report(entry.line, entry.column, path, f"expected a list of field names, got {got}")
        return []
    fields = registry.spec(type_key).fields
    names: list[str] = []
    for i, item in enumerate(node.value):
        ipath = f"{path}[{i}]"
        name = item.value
        spec = fields.get(name) if isinstance(name, str) else None
        if not isinstance(name, str):
            got = describe(name, item.text)
            ctx.report(item.line, item.column, ipath, f"expected a field name, got {got}")
        elif name == "id":
            message = '"id" is the record key, not a managed field'
            ctx.report(item.line, item.column, ipath, message)
        elif spec is None:
            choices = [n for n, s in fields.items() if s.configurable]
            hint = did_you_mean(name, choices) or f": {type_key} has no such field"
            ctx.report(item.line, item.column, ipath, f"unknown field {quote(name)}{hint}")
        elif not spec.configurable:
            why = "is computed by HaloPSA (readOnly)" if spec.read_only else "is an action"
            message = f"{quote(name)} {why}: it is never managed, so there is nothing to ignore"
            ctx.report(item.line, item.column, ipath, message)
        else:
            names.append(name)
    return names
