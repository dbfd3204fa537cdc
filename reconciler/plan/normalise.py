"""Normalisation: the comparable form of a field value, so equal settings compare equal.

Rules (documented for users in README "What is compared"):
- empty: None, "" and a missing key are one value; [] and {} are empty too. 0 and false
  are values, not empty.
- comma-separated list fields (FieldSpec.comma_list) become a frozenset of items: split
  on ",", trim spaces, drop empty items. Case is kept (HaloPSA's rules are unknown).
- date-times (FieldSpec.date_time) become aware UTC datetimes, parsed leniently: ISO 8601
  with "T" or " ", with or without seconds, fraction (any digits) or offset/"Z"; a value
  without a zone is UTC. Text that does not parse is compared as text.
- numbers compare as numbers (1 == 1.0); a boolean never equals a number; text is never
  read as a number ("1" != 1): values follow the schema's types.
- lists compare order-insensitively (a `Bag`); a mapping object becomes a `Row` of its
  non-empty fields. (Rows of an element list are matched by identity and compared only on
  the fields the configuration states: that projection is diff.py's job.)
normalise() is idempotent: normalise(normalise(v, f), f) == normalise(v, f).
Pure: no I/O; never stores or returns a secret (Sensitive is revealed only to compare).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from reconciler.registry import FieldSpec
from reconciler.sensitive import Sensitive

_FRACTION = re.compile(r"(\.\d{1,6})\d+")


class Row(tuple[tuple[str, Any], ...]):
    """A normalised mapping: (key, value) pairs sorted by key, empty values dropped."""

    __slots__ = ()


class Bag(tuple[Any, ...]):
    """A normalised list: items sorted by their canonical text, so order does not count."""

    __slots__ = ()


def is_empty(value: object) -> bool:
    """HaloPSA's "unset": None, "", [], {} (but not 0 or false)."""
    if isinstance(value, Sensitive):
        return is_empty(value.reveal())
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def csv_items(value: object) -> frozenset[str]:
    """The items of a comma-separated list value ("a, b,,c" -> {"a", "b", "c"})."""
    if isinstance(value, Sensitive):
        value = value.reveal()
    if value is None:
        return frozenset()
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, list | tuple | set | frozenset):
        parts = list(value)
    else:
        parts = [value]
    return frozenset(s for s in (str(p).strip() for p in parts) if s)


def parse_instant(value: object) -> datetime | None:
    """An aware UTC datetime from a HaloPSA date-time, or None when it does not parse."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = _FRACTION.sub(r"\1", value.strip())  # .NET writes 7 fractional digits
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        # HaloPSA's zone for offset-less values is unknown; UTC is our documented reading.
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _number(value: int | float) -> int | float:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_text(value: Any) -> str:
    """A stable text for a normalised value, used to sort Bags (never shown to users)."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, Row):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _generic(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every compared value
        return value if value else None
    if kind is bool or kind is int or value is None:
        return value
    if isinstance(value, Row | Bag | frozenset):
        return value  # already normal
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, datetime | date):
        return parse_instant(value)
    if isinstance(value, Mapping):
        return normalise_row(value, None)
    if isinstance(value, list | tuple):
        return Bag(sorted((_generic(v) for v in value), key=canonical_text))
    return value


def normalise_row(row: Mapping[str, Any], fields: Mapping[str, FieldSpec] | None) -> Row | None:
    """A mapping as a Row, each value normalised by its field spec; None when empty."""
    pairs = []
    for key in sorted(row):
        spec = fields.get(key) if fields is not None else None
        value = normalise(row[key], spec)
        if value is not None and value != frozenset():
            pairs.append((key, value))
    return Row(pairs) if pairs else None


def normalise(value: Any, spec: FieldSpec | None = None) -> Any:
    """The comparable form of `value` for a field described by `spec` (None: generic)."""
    if isinstance(value, Sensitive):
        value = value.reveal()
    if spec is not None and (spec.comma_list or spec.date_time or spec.element is not None):
        if spec.comma_list:
            return value if isinstance(value, frozenset) else csv_items(value)
        if spec.date_time and not is_empty(value):
            moment = parse_instant(value)
            return moment if moment is not None else value
        if spec.element is not None and isinstance(value, list | tuple) and value:
            if isinstance(value, Bag):
                return value
            rows = (
                normalise_row(v, spec.element.fields) if isinstance(v, Mapping) else _generic(v)
                for v in value
            )
            return Bag(sorted(rows, key=canonical_text))
    return _generic(value)


def same(a: Any, b: Any) -> bool:
    """Equality of two normalised values, with booleans strict (True is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, tuple) and isinstance(b, tuple):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        return all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, int | float) or isinstance(b, int | float):
        return False  # a number never equals text
    return bool(a == b)
