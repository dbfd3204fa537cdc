"""The wording of configuration issues: how values are quoted and described, what to suggest.

Messages are built from structured facts, never from a library's text. A value that came
from the environment is never described by its content, only as "the value of ${NAME}";
write-only values are not described at all. Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# YAML 1.1 words PyYAML reads as booleans; only these six are booleans in YAML 1.2 too.
YAML12_BOOLS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_SHOWN = 60  # characters of a string shown in a message


def quote(text: str, limit: int = _SHOWN) -> str:
    """`text` in double quotes, shortened, with unprintable characters escaped."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    out = []
    for char in short:
        if char == '"' or char == "\\":
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return '"' + "".join(out) + '"'


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """': did you mean "x"?' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f': did you mean "{close[0]}"?' if close else ""


def one_of(choices: Iterable[str]) -> str:
    """`a, b or c` for a message listing what is allowed."""
    items = list(choices)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def expected(kinds: Iterable[str]) -> str:
    """'a boolean', 'an integer or a string' for a set of JSON types (in a stable order)."""
    names = {
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "a boolean",
        "array": "a list",
        "object": "a mapping",
    }
    order = list(names)
    ranked = sorted(kinds, key=lambda k: order.index(k) if k in order else len(order))
    return one_of([names.get(k, k) for k in ranked])


def describe(value: object, text: str | None) -> str:
    """A literal config value as a message shows it: 'the string "yes"', 'the integer 12'.

    `text` is the scalar as written in the file (numbers are shown as written).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the integer {text if text is not None else value}"
    if isinstance(value, float):
        return f"the number {text if text is not None else value}"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return "a value of another kind"


def all_of(items: Iterable[str]) -> str:
    """`a, b and c`."""
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def a(word: str) -> str:
    """`word` with its indefinite article: "a xero", "an avalara"."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
