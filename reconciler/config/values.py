"""Values: one located YAML value checked against its FieldSpec and turned into API form.

A direct checker over the registry's FieldSpec (type, nullable, maxLength, enum,
date-time, comma-separated lists) rather than jsonschema, so each message is built from
structured facts and names the variable, never the value, of anything that came from the
environment. `${NAME}` is resolved here; a value holding one becomes Sensitive.

Returns the converted value or INVALID after appending Issues; never raises for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, NamedTuple, cast

from reconciler.config.interpolation import UNRESOLVED, Interpolated, interpolate
from reconciler.config.model import Mark, NameRef
from reconciler.config.source import Node
from reconciler.config.wording import (
    YAML12_BOOLS,
    describe,
    expected,
    one_of,
    quote,
)
from reconciler.errors import Issue
from reconciler.jsontypes import fits
from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()  # a value that failed its checks (its issues are reported)

_INTEGER = re.compile(r"[-+]?[0-9]+")
# ISO 8601 as HaloPSA writes it: a date, optionally a time, fraction and offset.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
DATE_TIME_EXAMPLE = "2024-03-31T00:00:00Z"
_MALFORMED = (
    "malformed ${...}: write ${NAME} (letters, digits and _, not starting with a digit),"
    " or $${ for a literal ${"
)


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


def is_date_time(text: str) -> bool:
    """Is `text` an ISO 8601 date or date-time with a real calendar date and time?"""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return False
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return False
    return True


def expected_of(spec: FieldSpec) -> str:
    if spec.element is not None:
        return f"a list of {spec.element.name} mappings"
    if spec.comma_list:
        return "a list of strings or a comma-separated string"
    if spec.date_time:
        return f"a date-time such as {DATE_TIME_EXAMPLE}"
    return expected(spec.json_types)


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
    if kinds & {"integer", "number"} and isinstance(value, str) and _INTEGER.fullmatch(value):
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
    """A string holding `${...}`: resolved, typed when it is exactly one reference."""
    path, line, column = at
    if ip.malformed:
        ctx.report(line, column, path, _MALFORMED)
        return INVALID
    if ip.missing:
        for name in ip.missing:
            ctx.report(line, column, path, f"environment variable {name} is not set")
        return INVALID
    kinds = spec.json_types
    if not ip.names:  # only `$${` escapes: a literal
        return literal(spec, Node(ip.text, line, column, ip.text), at, ctx)
    if "string" in kinds:
        if ip.resolved:
            got = f"the value of {f'${{{ip.whole}}}' if ip.whole else quote(source)}"
            problem = _string_problem(spec, ip.text, lambda: got, secret=True)
            if problem:
                ctx.report(line, column, path, problem)
                return INVALID
        return Sensitive(ip.text if ip.resolved else UNRESOLVED, source)
    if ip.whole is None:
        message = (
            f"expected {expected_of(spec)}, got the string {quote(source)}:"
            " only a value that is exactly one ${NAME} takes the field's type"
        )
        ctx.report(line, column, path, message)
        return INVALID
    ref = f"${{{ip.whole}}}"
    scalar = kinds & {"boolean", "integer", "number"}
    if not scalar:
        message = (
            f"expected {expected_of(spec)}, got the value of {ref}:"
            " a variable gives a string, a boolean or an integer"
        )
        ctx.report(line, column, path, message)
        return INVALID
    if not ip.resolved:
        return Sensitive(UNRESOLVED, source)
    if "boolean" in kinds and ip.text in YAML12_BOOLS:
        return Sensitive(ip.text.lower() == "true", source)
    if scalar - {"boolean"} and _INTEGER.fullmatch(ip.text):
        return Sensitive(int(ip.text), source)
    wanted = "true or false" if "boolean" in scalar else "an integer"
    if "boolean" in scalar and len(scalar) > 1:
        wanted = "true, false or an integer"
    message = f"expected {expected_of(spec)}, got the value of {ref}, which is not {wanted}"
    ctx.report(line, column, path, message)
    return INVALID


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
        if ip.malformed or ip.missing:
            ok = False
            templated(_STRING, ip, item.value, At(ipath, item.line, item.column), ctx)
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


_STRING = FieldSpec(
    name="", json_types=frozenset({"string"}), nullable=False, description="", order=0
)


def plain(node: Node) -> object:
    """The plain Python value of a node (lists and mappings unwrapped)."""
    value = node.value
    if isinstance(value, list):
        return [plain(n) for n in value]
    if isinstance(value, dict):
        return {k: plain(e.node) for k, e in value.items()}
    return value
