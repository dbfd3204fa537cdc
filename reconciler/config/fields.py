"""Fields of a record or of a mapping-array row: which may be set, and their values.

An unknown field gets a "did you mean"; a readOnly field is computed by HaloPSA; an
action trigger is not configuration; a writeOnly field must come from the environment
and its literal value is never described. Rows of a mapping array (client_mappings …)
are checked field by field, and no two rows of one list may share an identity.
Values themselves are values.py's job. Reports issues, never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, cast

from reconciler.config.interpolation import expected_of, interpolate
from reconciler.config.model import NameRef
from reconciler.config.source import Entry, Node
from reconciler.config.values import (
    INVALID,
    At,
    Context,
    comma_list,
    literal,
    name_ref,
    templated,
)
from reconciler.config.wording import all_of, describe, did_you_mean, quote
from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive, env_variable

_SECRET = (
    "{name} is a secret (writeOnly): its value must come from the environment, e.g. ${{{var}}};"
    " secrets do not belong in Git (the value is not shown)"
)


class Owner(NamedTuple):
    """Whose fields these are: the type, how messages name it, other keys it accepts."""

    type_key: str  # "xero"
    what: str  # "xero", "a client_mappings row"
    extra: tuple[str, ...] = ()  # keys handled elsewhere (id, ensure, lifecycle)


def convert_fields(
    specs: Mapping[str, FieldSpec],
    entries: Mapping[str, Entry],
    path: str,
    owner: Owner,
    ctx: Context,
) -> dict[str, object]:
    """The valid fields of `entries` in API form."""
    values: dict[str, object] = {}
    for name, entry in entries.items():
        at = At(f"{path}.{name}", entry.line, entry.column)
        spec = specs.get(name)
        if spec is None:
            choices = [*(n for n, s in specs.items() if s.configurable), *owner.extra]
            hint = did_you_mean(name, choices) or f": {owner.what} has no such field"
            ctx.flag(at, f"unknown field {quote(name)}{hint}")
        elif spec.read_only:
            ctx.flag(at, f"{quote(name)} is computed by HaloPSA (readOnly): remove it")
        elif spec.trigger:
            ctx.flag(
                at,
                f"{quote(name)} is an action HaloPSA performs when sent, "
                "not configuration: remove it",
            )
        else:
            value = convert(spec, entry.node, at, owner.type_key, ctx)
            if value is not INVALID:
                values[name] = value
    return values


def convert(spec: FieldSpec, node: Node, at: At, type_key: str, ctx: Context) -> object:
    """One field's value in API form (Sensitive when it holds a `${NAME}`), or INVALID."""
    value = node.value
    if spec.lookup is not None:
        ctx.lookup_marks.append((at.path, ctx.mark(at.line, at.column)))
        if isinstance(value, dict):
            return name_ref(node, at, ctx)
    elif isinstance(value, dict) and "name" in value:
        message = (
            f"expected {expected_of(spec)}, got a mapping: {{name: ...}} is for fields that "
            "hold the id of something named (top levels, item groups, clients, tax codes ...)"
        )
        ctx.flag(at, message)
        return INVALID
    ip = interpolate(value, ctx.env) if isinstance(value, str) else None
    if spec.write_only and (ip is None or not (ip.names or ip.malformed)):
        # Never describe the value: it is a secret that should not be in the file at all.
        var = env_variable(type_key, spec.name)
        ctx.flag(at, _SECRET.format(name=quote(spec.name), var=var))
        return INVALID
    if ip is not None:
        return templated(spec, ip, cast(str, value), at, ctx)
    if isinstance(value, list):
        if spec.element is not None:
            return _rows(spec, node, at.path, type_key, ctx)
        if spec.comma_list:
            return comma_list(node, at.path, ctx)
    return literal(spec, node, at, ctx)


def _rows(spec: FieldSpec, node: Node, path: str, type_key: str, ctx: Context) -> object:
    """Rows of a mapping array (e.g. client_mappings); no two may share an identity."""
    element = spec.element
    assert element is not None
    owner = Owner(type_key, f"a {spec.name} row")
    rows: list[dict[str, object]] = []
    seen: dict[tuple[object, ...], tuple[int, int]] = {}
    ok = True
    for i, item in enumerate(cast(list[Node], node.value)):
        at = At(f"{path}[{i}]", item.line, item.column)
        if not isinstance(item.value, dict):
            got = describe(item.value, item.text)
            ctx.flag(at, f"expected a mapping of {element.name} fields, got {got}")
            ok = False
            continue
        before = len(ctx.issues)
        row = convert_fields(element.fields, item.value, at.path, owner, ctx)
        ok = ok and len(ctx.issues) == before
        rows.append(row)
        key = tuple(_identity_part(row.get(n)) for n in element.identity)
        if any(k is INVALID for k in key):
            continue
        prior = seen.setdefault(key, (i, item.line))
        if prior[0] != i:
            same = all_of(element.identity)
            ctx.flag(
                at, f"duplicate row: the same {same} as {spec.name}[{prior[0]}] on line {prior[1]}"
            )
            ok = False
    return rows if ok else INVALID


def _identity_part(value: object) -> object:
    """A row identity value that can be compared; a secret by its source, never its value."""
    if isinstance(value, Sensitive):
        return ("${}", value.source)
    if isinstance(value, NameRef):
        return ("{name}", value.name)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return INVALID
