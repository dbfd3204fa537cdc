"""The one collector of secret texts, and the one scrubber of every form they are written in.

Every error path that may hold a secret goes through here: HaloPSA's error bodies, the
transport's failure text, apply's per-record messages. `secret_texts` collects what a
value hides (every `Sensitive` inside it, revealed; numbers as their text, booleans and
null never, since they would blank ordinary words); `Scrubber` replaces each secret,
however a server wrote it back, by "(sensitive)":

- as is;
- JSON-escaped: `\\"`, `\\\\`, `\\/`, `\\n`… and `\\uXXXX` for any character, in either case of
  hex digit (.NET's encoder writes `+` as `\\u002B`, `&` as `\\u0026`), surrogate pairs
  beyond the BMP;
- URL-encoded: `%XX` of each UTF-8 byte in either case, `+` for a space;
- HTML character references (`&#43;`, `&#x2b;`, `&amp;`).

Each character may take any of its forms independently, so a text mixing them (a
JSON-escaped `+` next to a plain letter) is caught too. Texts shorter than MIN_SECRET are
not scrubbed: they would mangle ordinary words and are never real secrets. Pure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from reconciler.sensitive import MASK, Sensitive

MIN_SECRET = 4

# JSON's two-character escapes, for the characters that have one.
_JSON_SHORT = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n",
               "\r": "\\r", "\t": "\\t"}  # fmt: skip


def secret_texts(value: object) -> set[str]:
    """The text of every secret inside `value` (Sensitive values, in dicts, lists, tuples)."""
    found: set[str] = set()
    _collect(value, found, inside=False)
    return found


def _collect(value: object, found: set[str], *, inside: bool) -> None:
    if isinstance(value, Sensitive):
        _collect(value.reveal(), found, inside=True)
    elif isinstance(value, Mapping):
        for v in value.values():
            _collect(v, found, inside=inside)
    elif isinstance(value, list | tuple):
        for v in value:
            _collect(v, found, inside=inside)
    elif inside and value is not None and not isinstance(value, bool):
        found.add(value if isinstance(value, str) else str(value))


class Scrubber:
    """Replaces every given secret, in each of its written forms, by "(sensitive)"."""

    __slots__ = ("_pattern",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole.
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=lambda s: (-len(s), s))
        self._pattern = re.compile("|".join(_pattern(s) for s in kept)) if kept else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def __repr__(self) -> str:
        return "Scrubber()" if self._pattern is None else "Scrubber(secrets)"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret in `secrets` scrubbed (a Scrubber used once)."""
    return Scrubber(secrets)(text)


@lru_cache(maxsize=256)
def _pattern(secret: str) -> str:
    """A regular expression matching `secret` with each character in any of its forms."""
    return "".join(_char(c) for c in secret)


@lru_cache(maxsize=1024)
def _char(c: str) -> str:
    code = ord(c)
    if code > 0xFFFF:  # JSON writes it as a surrogate pair
        high, low = divmod(code - 0x10000, 0x400)
        escaped = _u(0xD800 + high) + _u(0xDC00 + low)
    else:
        escaped = _u(code)
    forms = [escaped]
    if c in _JSON_SHORT:
        forms.append(re.escape(_JSON_SHORT[c]))
    forms.append("".join("%" + _hex(b, 2) for b in c.encode("utf-8")))
    if c == " ":
        forms.append(r"\+")
    forms.append(f"&#0*{code};")
    forms.append(f"&#[xX]0*{_hex(code, 0)};")
    named = html.escape(c)
    if named != c:
        forms.append(re.escape(named))
    # The character itself last: `\\` must be taken whole, not as `\` and a stray `\`.
    forms.append(re.escape(c))
    return "(?:" + "|".join(forms) + ")"


def _u(code: int) -> str:
    return r"\\[uU]" + _hex(code, 4)


def _hex(number: int, width: int) -> str:
    """`number` in hexadecimal, `width` digits at least, each letter in either case."""
    digits = f"{number:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)
