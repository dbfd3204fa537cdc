"""Values: one located YAML value checked against its FieldSpec and turned into API form.

A direct checker over the registry's FieldSpec (type, nullable, maxLength, enum,
date-time, comma-separated lists) rather than jsonschema, so each message is built from
structured facts and names the variable, never the value, of anything that came from the
environment. `${NAME}` is resolved here; a value holding one becomes Sensitive.

Returns the converted value or INVALID after appending Issues; never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, cast

from reconciler.config.interpolation import (
    DATE_TIME_EXAMPLE,
    INTEGER,
    TEXT_FIELD,
    UNRESOLVED,
    Interpolated,
    Refused,
    expected_of,
    field_value,
    int_range,
    interpolate,
)
from reconciler.config.model import Mark, NameRef
from reconciler.config.source import Node
from reconciler.config.wording import (
    YAML12_BOOLS,
    describe,
    one_of,
    quote,
)
from reconciler.errors import Issue
from reconciler.jsontypes import fits, is_date_time
from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()  # a value that failed its checks (its issues are reported)


class At(NamedTuple):
    """Where an issue about a value is reported: its path and the line/column of its key."""

    path: str
    line: int
    column: int


@dataclass(slots=True)
class Context:
    """What checking one file needs: where issues go and the environment (None: --no-env)."""

    file: str
    env: Mapping[str, str] | None
    issues: list[Issue] = field(default_factory=list)
    # (path, mark) of every lookup field's value, in file order: records take theirs.
    lookup_marks: list[tuple[str, Mark]] = field(default_factory=list)

    def report(self, line: int, column: int, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, line, column, path, message))

    def flag(self, at: At, message: str) -> None:
        self.issues.append(Issue(self.file, at.line, at.column, at.path, message))

    def mark(self, line: int, column: int) -> Mark:
        return Mark(self.file, line, column)


def literal(spec: FieldSpec, node: Node, at: At, ctx: Context) -> object:
    """A value as YAML typed it, checked against `spec`."""
    path, line, column = at
    value = node.value
    if value is None:
        if spec.nullable:
            return None
        ctx.report(line, column, path, f"expected {expected_of(spec)}, got null")
        return INVALID
    if fits(value, spec):
        if isinstance(value, str):
            problem = _string_problem(spec, value, lambda: describe(value, node.text))
            if problem:
                ctx.report(line, column, path, problem)
                return INVALID
        elif spec.enum is not None and value not in spec.enum:
            got = describe(value, node.text)
            ctx.report(line, column, path, f"expected one of {_enum(spec)}, got {got}")
            return INVALID
        elif type(value) is int:
            low, high = int_range(spec)
            if not low <= value <= high:
                got = describe(value, node.text)
                message = f"expected an integer between {low} and {high}, got {got}"
                ctx.report(line, column, path, message)
                return INVALID
        return plain(node)
    message = f"expected {expected_of(spec)}, got {describe(value, node.text)}"
    ctx.report(line, column, path, message + _hint(spec.json_types, node))
    return INVALID


def _hint(kinds: frozenset[str], node: Node) -> str:
    """How to fix a wrong type, from what the YAML said (YAML 1.1 `no` is false)."""
    value, text = node.value, node.text
    if "string" in kinds and node.plain and text is not None and not isinstance(value, str):
        if isinstance(value, bool) and text not in YAML12_BOOLS:
            return f" (YAML 1.1 reads an unquoted {text} as a boolean) — quote it: {quote(text)}"
        return f" — quote it: {quote(text)}"
    if "boolean" in kinds and (isinstance(value, str) or value in (0, 1)):
        return " — use true/false"
    if kinds & {"integer", "number"} and isinstance(value, str) and INTEGER.fullmatch(value):
        return " — remove the quotes"
    return ""


def _enum(spec: FieldSpec) -> str:
    return one_of([quote(v) if isinstance(v, str) else str(v) for v in spec.enum or ()])


def _string_problem(
    spec: FieldSpec, text: str, got: Callable[[], str], *, secret: bool = False
) -> str | None:
    """What is wrong with the string `text` (described by `got()`) for `spec`, or None.

    `secret`: `text` came from the environment, so not even its length is told."""
    if spec.max_length is not None and len(text) > spec.max_length:
        size = "" if secret else f" ({len(text)} characters)"
        return f"expected at most {spec.max_length} characters, got {got()}{size}"
    if spec.date_time and not is_date_time(text):
        return f"expected a date-time such as {DATE_TIME_EXAMPLE}, got {got()}"
    if spec.enum is not None and text not in spec.enum:
        return f"expected one of {_enum(spec)}, got {got()}"
    return None


def templated(spec: FieldSpec, ip: Interpolated, source: str, at: At, ctx: Context) -> object:
    """A string holding `${...}`: resolved (interpolation.field_value, the rule apply
    shares), then checked as a string when the field takes one."""
    path, line, column = at
    if not ip.names and not (ip.malformed or ip.reserved):  # only `$${` escapes: a literal
        return literal(spec, Node(ip.text, line, column, ip.text), at, ctx)
    value = field_value(ip, spec, source)
    if isinstance(value, Refused):
        for message in value.messages:
            ctx.report(line, column, path, message)
        return INVALID
    if isinstance(value, str):
        got = f"the value of {f'${{{ip.whole}}}' if ip.whole else quote(source)}"
        problem = _string_problem(spec, value, lambda: got, secret=True)
        if problem:
            ctx.report(line, column, path, problem)
            return INVALID
    return Sensitive(value, source)


def name_ref(node: Node, at: At, ctx: Context) -> object:
    """`{name: "..."}` in place of an id: a NameRef, or INVALID with the reason."""
    entries = cast(dict[str, Any], node.value)
    extra = [k for k in entries if k != "name"]
    if extra or "name" not in entries:
        keys = ", ".join(quote(k) for k in extra) if extra else "no name"
        message = f'expected an id or {{name: "..."}}, got a mapping with {keys}'
        ctx.flag(at, message)
        return INVALID
    entry = entries["name"]
    value = entry.node.value
    if not isinstance(value, str) or not value.strip():
        got = describe(value, entry.node.text)
        ctx.report(entry.line, entry.column, f"{at.path}.name", f"expected a name, got {got}")
        return INVALID
    if interpolate(value, ctx.env) is not None:
        message = "a name is written out: it cannot come from the environment"
        ctx.report(entry.line, entry.column, f"{at.path}.name", message)
        return INVALID
    return NameRef(value, ctx.mark(at.line, at.column))


def comma_list(node: Node, path: str, ctx: Context) -> object:
    """A comma-separated field written as a YAML list: joined into HaloPSA's "a,b"."""
    parts: list[str] = []
    sources: list[str] = []
    ok = True
    sensitive = unresolved = False
    for i, item in enumerate(cast(list[Node], node.value)):
        ipath = f"{path}[{i}]"
        if not isinstance(item.value, str):
            hint = _hint(frozenset({"string"}), item)
            got = describe(item.value, item.text)
            ctx.report(item.line, item.column, ipath, f"expected a string, got {got}{hint}")
            ok = False
            continue
        sources.append(item.value)
        ip = interpolate(item.value, ctx.env)
        if ip is None:
            parts.append(item.value)
            continue
        if ip.malformed or ip.missing or ip.reserved:
            ok = False
            templated(TEXT_FIELD, ip, item.value, At(ipath, item.line, item.column), ctx)
            continue
        parts.append(ip.text)
        sensitive = sensitive or bool(ip.names)
        unresolved = unresolved or (bool(ip.names) and not ip.resolved)
    if not ok:
        return INVALID
    joined = ",".join(parts)
    if sensitive:
        return Sensitive(UNRESOLVED if unresolved else joined, ",".join(sources))
    return joined


def plain(node: Node) -> object:
    """The plain Python value of a node (lists and mappings unwrapped)."""
    value = node.value
    if isinstance(value, list):
        return [plain(n) for n in value]
    if isinstance(value, dict):
        return {k: plain(e.node) for k, e in value.items()}
    return value
