"""Secrets at send time: a plan's `${NAME}` markers resolved from the environment.

A plan never holds a secret, only where it comes from (`FieldChange.source`, a
`WriteOnlyField.source`, a `SecretRef` inside a list row). Apply resolves each marker here,
just before the first write, into a `Sensitive` whose value only the client's send
reveals. The rules are the configuration loader's: `${NAME}` is replaced, `$${` is a
literal `${`, and a value that is exactly one `${NAME}` takes the field's type when the
variable's text is a literal of it (true/false, an integer).

A missing or unusable variable is reported by name (never by value) and stops the run
before any request is sent. Pure: reads the mapping it is given, never os.environ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.config.interpolation import interpolate
from reconciler.plan.model import SecretRef
from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive

_INTEGER = re.compile(r"[-+]?[0-9]+")
_BOOLS = {"true": True, "false": False}


class SecretProblem(Exception):
    """A marker that cannot be resolved; the message names the variable, never a value."""


def resolve_marker(source: str, spec: FieldSpec | None, env: Mapping[str, str]) -> Sensitive:
    """The value `source` (e.g. "${XERO_CLIENT_SECRET}") stands for, as a Sensitive."""
    ip = interpolate(source, env)
    if ip is None:  # no `${` at all: a hand-edited plan; the text is the value
        return Sensitive(source, source)
    if ip.malformed:
        raise SecretProblem(f"the marker {source!r} is not a ${{NAME}} reference")
    if ip.missing:
        names = ", ".join(ip.missing)
        verb = "variables {} are" if len(ip.missing) > 1 else "variable {} is"
        raise SecretProblem(f"the environment {verb.format(names)} not set")
    kinds = spec.json_types if spec is not None else frozenset({"string"})
    if "string" in kinds or not ip.names:
        return Sensitive(ip.text, source)
    if ip.whole is not None:
        text = ip.text.strip().lower()
        if "boolean" in kinds and text in _BOOLS:
            return Sensitive(_BOOLS[text], source)
        if kinds & {"integer", "number"} and _INTEGER.fullmatch(ip.text.strip()):
            return Sensitive(int(ip.text), source)
    raise SecretProblem(f"the value of {source} is not of the field's type")


def resolve_value(value: Any, spec: FieldSpec | None, env: Mapping[str, str]) -> Any:
    """`value` (a plan value) with every SecretRef inside it resolved to a Sensitive."""
    if isinstance(value, SecretRef):
        return resolve_marker(value.source, spec, env)
    if isinstance(value, Mapping):
        fields = spec.element.fields if spec is not None and spec.element is not None else {}
        return {k: resolve_value(v, fields.get(k), env) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_value(v, spec, env) for v in value]
    return value


def revealed_texts(value: Any) -> set[str]:
    """The text of every secret inside `value`, so error messages can be scrubbed of them."""
    found: set[str] = set()
    if isinstance(value, Sensitive):
        raw = value.reveal()
        if isinstance(raw, str) and len(raw) >= 4:  # shorter "secrets" would blank messages
            found.add(raw)
    elif isinstance(value, Mapping):
        for v in value.values():
            found |= revealed_texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            found |= revealed_texts(v)
    return found


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every secret replaced by "(sensitive)" (HaloPSA may echo what it got)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "(sensitive)")
    return text
