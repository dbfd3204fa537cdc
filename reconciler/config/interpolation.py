"""`${NAME}` references in configuration strings, resolved from the environment.

`${NAME}` is replaced by the variable NAME (letters, digits, `_`, not starting with a
digit); `$${` writes a literal `${`; any other `${` is malformed. A string holding a
reference becomes Sensitive where it is used (values.py), whose `source` is the text as
written, so plans can name the variable and never hold its value.

This is the one resolver: `validate`/`plan` (config/values.py) and apply, resolving a
saved plan's markers (apply/secrets.py), both call `field_value`, so a variable that one
accepts the other cannot refuse, nor read differently (`tRuE`, ` true`, `0x1F`).

`HALO_*` variables are the tool's own connection settings (HALO_CLIENT_SECRET above all):
a reference to one is refused and its value never read, so a configuration cannot copy
the API secret into a readable field.

With no environment (`validate --no-env`) nothing is resolved and a missing variable is
no error: the value is `UNRESOLVED`. Pure: reads the mapping it is given, never os.environ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from reconciler.config.wording import YAML12_BOOLS, expected, quote
from reconciler.registry import FieldSpec


class _Unresolved:
    """The value of a `${NAME}` reference read without an environment (--no-env)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Final = _Unresolved()

# `$${` (escape), `${NAME}` (reference, group 1), or a `${` that starts neither (malformed).
_TOKEN = re.compile(r"\$\$\{|\$\{(?:([A-Za-z_][A-Za-z0-9_]*)\})?")
INTEGER = re.compile(r"[-+]?[0-9]+")
RESERVED = "HALO_"  # the connection settings' prefix: never read into a configuration
MALFORMED = (
    "malformed ${...}: write ${NAME} (letters, digits and _, not starting with a digit),"
    " or $${ for a literal ${"
)
# An integer field without a format is a .NET long: far past any real id or setting.
_LONG = (-(2**63), 2**63 - 1)
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": _LONG}
# A field known only to take text (a comma-list item; a marker for no known field).
TEXT_FIELD: Final = FieldSpec(
    name="", json_types=frozenset({"string"}), nullable=False, description="", order=0
)


@dataclass(frozen=True, slots=True)
class Interpolated:
    """A string after `${...}` handling: its text, and what it referred to."""

    text: str  # resolved text; with no environment, the text with only `$${` undone
    names: tuple[str, ...]  # variables referred to, in order, repeats removed
    missing: tuple[str, ...]  # referred to but not set (always empty without environment)
    reserved: tuple[str, ...]  # HALO_* names referred to: refused, never looked up
    malformed: bool  # a `${` that is neither `$${` nor `${NAME}`
    whole: str | None  # the variable when the string is exactly one `${NAME}`
    resolved: bool  # False when read without an environment

    @property
    def sensitive(self) -> bool:
        """Did any part of the text come from the environment?"""
        return bool(self.names)


def interpolate(text: str, env: Mapping[str, str] | None) -> Interpolated | None:
    """`text` with its references resolved, or None when it holds no `${` at all."""
    if "${" not in text:
        return None
    out: list[str] = []
    names: list[str] = []
    missing: list[str] = []
    reserved: list[str] = []
    malformed = False
    refs = 0
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        name = match.group(1)
        if match.group(0) == "$${":
            out.append("${")
        elif name is None:
            malformed = True
            out.append(match.group(0))
        else:
            refs += 1
            if name not in names:
                names.append(name)
            if name.upper().startswith(RESERVED):
                reserved.append(name)
                out.append(match.group(0))
            elif env is None:
                out.append(match.group(0))
            elif name in env:
                out.append(env[name])
            else:
                missing.append(name)
    out.append(text[pos:])
    whole = names[0] if refs == 1 and _TOKEN.fullmatch(text) and not malformed else None
    return Interpolated(
        text="".join(out),
        names=tuple(names),
        missing=tuple(dict.fromkeys(missing)),
        reserved=tuple(dict.fromkeys(reserved)),
        malformed=malformed,
        whole=whole,
        resolved=env is not None,
    )


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a `${...}` value cannot be a field's value: messages that name variables, never
    their values (one per missing variable, so each can be reported)."""

    messages: tuple[str, ...]


def field_value(ip: Interpolated, spec: FieldSpec, source: str) -> object:
    """What the string `source` (interpolated as `ip`) gives the field `spec`, or Refused.

    A string field takes the text; any other field only a value that is exactly one
    `${NAME}` whose text is a literal of its type: `true`/`True`/`TRUE` (or false) for a
    boolean, decimal digits with an optional sign, within the field's range (int32, int64)
    for an integer. Without an environment a well-formed reference gives UNRESOLVED.
    The value is returned bare: the caller wraps it as Sensitive.
    """
    if ip.malformed:
        return Refused((MALFORMED,))
    if ip.reserved:
        return Refused(tuple(_reserved(name) for name in ip.reserved))
    if ip.missing:
        return Refused(tuple(f"environment variable {name} is not set" for name in ip.missing))
    kinds = spec.json_types
    if "string" in kinds or not ip.names:
        return ip.text if ip.resolved else UNRESOLVED
    want = expected_of(spec)
    if ip.whole is None:
        return Refused(
            (
                f"expected {want}, got the string {quote(source)}:"
                " only a value that is exactly one ${NAME} takes the field's type",
            )
        )
    ref = f"${{{ip.whole}}}"
    scalar = kinds & {"boolean", "integer", "number"}
    if not scalar:
        return Refused(
            (
                f"expected {want}, got the value of {ref}:"
                " a variable gives a string, a boolean or an integer",
            )
        )
    if not ip.resolved:
        return UNRESOLVED
    text = ip.text
    if "boolean" in scalar and text in YAML12_BOOLS:
        return text.lower() == "true"
    if scalar - {"boolean"} and INTEGER.fullmatch(text):
        low, high = int_range(spec)
        # Compared by length first: int() of thousands of digits is slow, then refused.
        if len(text.lstrip("+-").lstrip("0")) <= len(str(high)):
            number = int(text)
            if low <= number <= high:
                return number
        return Refused(
            (f"expected {want}, got the value of {ref}, which is not between {low} and {high}",)
        )
    wanted = "true or false" if "boolean" in scalar else "an integer"
    if "boolean" in scalar and len(scalar) > 1:
        wanted = "true, false or an integer"
    return Refused((f"expected {want}, got the value of {ref}, which is not {wanted}",))


def int_range(spec: FieldSpec) -> tuple[int, int]:
    """The values an integer field can hold: its schema format's range, else a long's."""
    return _RANGES.get(spec.int_format or "", _LONG)


def _reserved(name: str) -> str:
    return (
        f"${{{name}}}: {RESERVED}* variables are halo-reconciler's own connection settings"
        " and are never read into a configuration: use another variable name"
    )


def expected_of(spec: FieldSpec) -> str:
    """What a field takes, as a message says it: 'a boolean', 'a list of ... mappings'."""
    if spec.element is not None:
        return f"a list of {spec.element.name} mappings"
    if spec.comma_list:
        return "a list of strings or a comma-separated string"
    if spec.date_time:
        return f"a date-time such as {DATE_TIME_EXAMPLE}"
    return expected(spec.json_types)


DATE_TIME_EXAMPLE = "2024-03-31T00:00:00Z"
