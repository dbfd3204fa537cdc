"""A small YAML emitter for exported configuration: block style, comments where we want them.

PyYAML's dumper cannot write comments, and export needs them (write-only placeholders at
their schema position, a header). The shapes exported are few: a record is a mapping of
scalars, flow lists of scalars (comma-separated fields) and lists of row mappings (which
may nest once more). So this writes them directly, one line per key.

Scalars are written so that PyYAML's YAML 1.1 loader (what `config.load` uses) reads back
exactly the value written: a string is left plain only when it is made of unremarkable
characters *and* PyYAML's own resolver types it as a string; otherwise it is written
double-quoted with JSON escapes (a JSON string is a valid YAML double-quoted scalar). So
"yes", "0012", "1:30", "2024-01-01", "null" and "~" stay strings. Every `${` in a string
becomes `$${`, the configuration's escape for a literal `${`, so no live text is ever
read as a variable reference. Pure: no I/O.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import yaml

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
# Characters that never need quoting in a block scalar; the first may not be an indicator.
_PLAIN_BLOCK = re.compile(r"[\w./(][\w ./()@&+=:#'?%,~$\-]*")
# Flow context (inside `[...]`) also gives `,[]{}` a meaning: keep flow items simpler.
_PLAIN_FLOW = re.compile(r"[\w./(][\w ./()@&+=\-]*")
# Characters PyYAML's reader refuses even inside quotes, and line breaks YAML 1.1 knows.
# (\u2028, \u2029 and \x85 are YAML 1.1 line breaks, \ufeff a byte order mark: escape them.)
_UNSAFE_RAW = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]"
)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment line written in a mapping at a field's position (e.g. a placeholder)."""

    text: str


@dataclass(frozen=True, slots=True)
class FlowList:
    """A list of scalars written on one line: `[invoices, clients]`."""

    items: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Named:
    """An id written as the name it stands for: `{name: "Managed Services"}` (--names)."""

    name: str


@dataclass(frozen=True, slots=True)
class Rows:
    """A list of mappings written in block style (rows of a mapping list)."""

    rows: tuple[Pairs, ...]


# An ordered mapping to write: (key, value) where value is a scalar, FlowList or Rows;
# (None, Comment) puts a comment line among the keys.
Pairs = tuple[tuple[str | None, object], ...]


def escape_references(text: str) -> str:
    """`text` with every `${` written as `$${`, so loading gives back `text` itself."""
    return text.replace("${", "$${")


@lru_cache(maxsize=65536)
def _plain_ok(text: str, flow: bool) -> bool:
    pattern = _PLAIN_FLOW if flow else _PLAIN_BLOCK
    if not pattern.fullmatch(text) or text.endswith((" ", ":")):
        return False
    if ": " in text or " #" in text:
        return False
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == _STR_TAG


def scalar(value: object, *, flow: bool = False) -> str:
    """One scalar as YAML text that loads back as the same value."""
    kind = type(value)
    if kind is str:
        text = str(value)
        if "${" not in text and _plain_ok(text, flow):
            return text
    elif value is None:
        return "null"
    elif kind is bool:
        return "true" if value else "false"
    elif kind is int:
        return str(value)
    elif isinstance(value, float):
        return _float(value)
    text = escape_references(str(value))
    if _plain_ok(text, flow):
        return text
    return quote(text)


def quote(text: str) -> str:
    """`text` double-quoted with JSON escapes, safe in a YAML scalar or a comment line."""
    quoted = json.dumps(text, ensure_ascii=False)
    # JSON leaves some characters raw that YAML would fold or refuse: \u-escape those
    # (all in the Basic Multilingual Plane, so no surrogate pairs are ever written).
    return _UNSAFE_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 needs a dot in a float ("1e+20" would load as a string).
    if "." not in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0" + (f"e{exponent}" if exponent else "")
    return text


def _flow(items: Sequence[object]) -> str:
    return "[" + ", ".join(scalar(i, flow=True) for i in items) + "]"


def write_mapping(lines: list[str], pairs: Pairs, indent: int, first_prefix: str = "") -> None:
    """Append `pairs` as a block mapping at `indent` spaces.

    `first_prefix` replaces the indentation of the first line: "- " for a list item.
    """
    pad = " " * indent
    lead = " " * (indent - len(first_prefix)) + first_prefix
    empty = True
    for key, value in pairs:
        kind = type(value)
        if key is None:
            assert isinstance(value, Comment)
            # A comment cannot carry the "- " of a list item: that goes on the next key.
            lines.append(f"{pad}# {value.text}")
            continue
        if kind is FlowList:
            lines.append(f"{lead}{key}: {_flow(value.items)}")  # type: ignore[attr-defined]
        elif kind is Named:
            name = scalar(value.name, flow=True)  # type: ignore[attr-defined]
            lines.append(f"{lead}{key}: {{name: {name}}}")
        elif kind is Rows:
            rows: tuple[Pairs, ...] = value.rows  # type: ignore[attr-defined]
            if rows:
                lines.append(f"{lead}{key}:")
                write_rows(lines, rows, indent + 2)
            else:
                lines.append(f"{lead}{key}: []")
        else:
            lines.append(f"{lead}{key}: {scalar(value)}")
        lead, empty = pad, False
    if empty:  # nothing but comments (or nothing): an empty mapping
        lines.append(f"{lead}{{}}")


def write_rows(lines: list[str], rows: Sequence[Pairs], indent: int) -> None:
    """Append `rows` as a block list of mappings whose dashes sit at `indent` spaces."""
    for row in rows:
        write_mapping(lines, row, indent + 2, "- ")
