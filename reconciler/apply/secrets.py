"""Secrets at send time: a plan's `${NAME}` markers resolved from the environment.

A plan never holds a secret, only where it comes from (`FieldChange.source`, a
`WriteOnlyField.source`, a `SecretRef` inside a list row). Apply resolves each marker here,
just before the first write, into a `Sensitive` whose value only the client's send
reveals, by the configuration loader's own rule (`interpolation.field_value`): what
`validate` refuses, apply refuses, whatever the environment of the job that applies.

A missing or unusable variable is reported by name (never by value) and stops the run
before any request is sent. Pure: reads the mapping it is given, never os.environ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.config.interpolation import TEXT_FIELD, Refused, field_value, interpolate
from reconciler.plan.model import SecretRef
from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive


class SecretProblem(Exception):
    """A marker that cannot be resolved; the message names the variable, never a value."""


def resolve_marker(source: str, spec: FieldSpec | None, env: Mapping[str, str]) -> Sensitive:
    """The value `source` (e.g. "${XERO_CLIENT_SECRET}") stands for, as a Sensitive."""
    ip = interpolate(source, env)
    if ip is None:  # no `${` at all: a hand-edited plan; the text is the value
        return Sensitive(source, source)
    value = field_value(ip, spec or TEXT_FIELD, source)
    if isinstance(value, Refused):
        raise SecretProblem("; ".join(value.messages))
    return Sensitive(value, source)


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
