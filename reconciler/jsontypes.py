"""The one answer to "which JSON type is this value, and does it fit this field?".

Configuration, the sandbox, live reading and export all ask it, so it lives below all of
them (it was in registry.py, which every package imports for other reasons). A field is
anything with `json_types` and `nullable`, as registry.FieldSpec has: this module imports
nothing of ours. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

# A record as HaloPSA returns it (a JSON object as json.loads gives it): the one
# definition live reading, planning, apply and export share.
LiveRecord = Mapping[str, Any]

# JSON type -> the exact Python types json.loads gives for it (bool is not an int here).
PY_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}

# A field's JSON type as a message names it: "expected a string or an integer".
ARTICLED: Mapping[str, str] = {
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "an object",
}


class Typed(Protocol):
    """What `fits` needs of a field: its JSON types (without "null") and nullability."""

    @property
    def json_types(self) -> frozenset[str]: ...

    @property
    def nullable(self) -> bool: ...


_KINDS: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}


def json_kind(value: object) -> str:
    """The JSON type of a parsed value: "null", "boolean", "integer", "number", "string",
    "array" or "object"; for a value JSON has no type for (a YAML date), its Python type name.
    """
    exact = _KINDS.get(type(value))  # the common case: one lookup, no subclass checks
    if exact is not None:
        return exact
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def fits(value: object, field: Typed, *, integral_floats: bool = False) -> bool:
    """Is `value` of one of `field`'s JSON types? Null fits a nullable field; an integer
    fits a number field; with `integral_floats`, a float without a fraction (3.0) fits an
    integer field too. Only the type: maxLength, enum and date-time are the caller's.
    """
    kind = json_kind(value)
    kinds = field.json_types
    if kind in kinds:
        return True
    if kind == "null":
        return field.nullable
    if kind == "integer":
        return "number" in kinds
    return (
        integral_floats and "integer" in kinds and isinstance(value, float) and value.is_integer()
    )


_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def is_date_time(text: str) -> bool:
    """Is `text` an ISO 8601 date or date-time with a real calendar date and time?

    A field's `format: date-time`, checked by our own small checker: jsonschema's format
    extras would make importing jsonschema take ~760 ms.
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return False
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups())
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return False
    return True


def map_leaves(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """`value` rebuilt with `leaf` applied to everything in it that is not a mapping or a
    list: mappings become dicts (keys as text), lists and tuples become lists.

    The one walk over JSON-like values (config values, plan values, live records) that
    revealing secrets, writing plan values and masking markers share.
    """
    if isinstance(value, Mapping):
        return {str(k): map_leaves(v, leaf) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_leaves(v, leaf) for v in value]
    return leaf(value)


def leaves(value: Any) -> Iterator[Any]:
    """Everything in `value` that is not a mapping or a list, depth first, in order."""
    if isinstance(value, Mapping):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from leaves(v)
    else:
        yield value
