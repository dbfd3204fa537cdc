"""A saved plan checked against schemas/plan.schema.json: the one truth for its format.

The validator is built once, on first use, so only the commands that read a saved plan
(`apply PLANFILE`, `show`) pay for importing jsonschema (~64 ms) and compiling the
schema. Messages are built from each error's place in the document and its schema
keyword and schema value (the type, enum, pattern or keys the schema expects), never
from jsonschema's own text, which embeds the value found (repr(instance)): a
hand-edited plan file could hold a secret. A key of a free-form mapping (the addresses
of `fingerprints`) is data, not a name of the format, so a path stops before it. One
value is named: an unknown resource type, cut to 40 characters (a type key is a name).
The only module that imports jsonschema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from reconciler.errors import PlanFileError
from reconciler.registry import KEYS, load_schema

# A JSON type as a message names it, one value and several (a free-form mapping's values).
_ONE = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}
_MANY = {
    "string": "strings",
    "integer": "integers",
    "number": "numbers",
    "boolean": "true or false values",
    "array": "lists",
    "object": "objects",
    "null": "nulls",
}
# Schema keywords followed by an index into the schema (no step into the document).
_INDEXED = {"anyOf", "allOf", "oneOf", "prefixItems"}
_MORE = 4  # problems listed before "and N more"


@cache
def _validator() -> Any:
    """The plan schema's validator, built on first use (jsonschema imported only here)."""
    import jsonschema  # untyped (pyproject: ignore_missing_imports); fenced in this module

    schema = load_schema("plan")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _place(schema_path: Sequence[object], doc_path: Sequence[object]) -> tuple[str, bool]:
    """The JSON path of an error, and whether it stopped before a free-form key."""
    path = "$"
    steps = list(doc_path)
    keywords = list(schema_path)
    while keywords and steps:
        keyword = keywords.pop(0)
        if keyword == "additionalProperties":
            return path, True
        if keyword == "properties":
            keywords.pop(0)
            path += f".{steps.pop(0)}"
        elif keyword == "items":
            path += f"[{steps.pop(0)}]"
        elif keyword in _INDEXED:
            keywords.pop(0)
    return path, False


def _names(kinds: object, table: Mapping[str, str]) -> str:
    listed = kinds if isinstance(kinds, list) else [kinds]
    return " or ".join(table.get(str(k), str(k)) for k in listed)


def _literal(value: object) -> str:
    """A schema's enum value as a message lists it: money, null, true."""
    return value if isinstance(value, str) else json.dumps(value)


def _problems(error: Any) -> Iterator[str]:
    """What is wrong where, in words built from the schema's side of `error` only."""
    where, free = _place(list(error.absolute_schema_path), list(error.absolute_path))
    keyword, expected = error.validator, error.validator_value
    if "propertyNames" in error.absolute_schema_path:
        yield f"{where}: has a key that is not an address (type/identity or type/#id)"
        return
    if keyword == "required":
        present = error.instance if isinstance(error.instance, Mapping) else {}
        for key in expected:
            if key not in present:
                yield f"{where}.{key}: missing"
        return
    if keyword == "type":
        what = f"expected {_names(expected, _MANY if free else _ONE)}"
    elif keyword == "enum" and tuple(expected) == KEYS and isinstance(error.instance, str):
        # A type key: apply and staleness look every type up, so name what was found
        # (cut short: a key is a name, not a secret, but an edited one may be anything).
        what = f"unknown resource type {error.instance[:40]!r}: expected one of {', '.join(KEYS)}"
    elif keyword == "enum":
        what = f"expected one of {', '.join(_literal(v) for v in expected)}"
    elif keyword == "const":
        what = f"expected {json.dumps(expected)}"
    elif keyword == "additionalProperties":
        allowed = ", ".join(error.schema.get("properties", {}))
        what = f"has a key the plan format does not know (the keys are {allowed})"
    elif keyword == "pattern":
        what = f"expected {'strings' if free else 'a string'} matching {expected}"
    elif keyword == "minimum":
        what = f"expected at least {expected}"
    elif keyword == "maximum":
        what = f"expected at most {expected}"
    elif keyword in ("oneOf", "anyOf"):
        what = "matches none of the forms the plan format allows here"
    else:
        what = f"does not satisfy the schema's {keyword!r}"
    yield f"{where}: {what}"


def check_plan_document(doc: object) -> None:
    """PlanFileError listing what in `doc` the plan schema does not allow, by JSON path."""
    found = list(dict.fromkeys(p for e in _validator().iter_errors(doc) for p in _problems(e)))
    if not found:
        return
    shown = "; ".join(found[:_MORE])
    more = f" (and {len(found) - _MORE} more)" if len(found) > _MORE else ""
    raise PlanFileError(f"plan file: {shown}{more}")
