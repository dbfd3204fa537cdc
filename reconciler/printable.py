"""Text from HaloPSA made safe to print on a terminal: control characters escaped.

A live record's name or value, or HaloPSA's message, may hold terminal control
characters: `\\x1b[1A\\x1b[2K` moves the cursor up and erases the line above, a newline
followed by `Plan: 0 to create...` forges a line of the plan. Every line the text
renderers, apply's progress and its report print goes through `printable`, which writes
each such character as an escape (`\\n`, `\\t`, `\\r`, `\\u001b`), as JSON would: C0 and
C1 controls, DEL, the Unicode line and paragraph separators and the bidirectional
overrides that reorder what a reader sees. Markdown and JSON escape on their own. Pure.
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_UNSAFE}]")
# The colour codes the text renderer itself writes (render/text.py), kept when asked.
_OWN_COLOUR = re.compile(f"(\x1b\\[(?:0|1|31|32|33)m)|[{_UNSAFE}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    return _SHORT.get(char) or f"\\u{ord(char):04x}"


def printable(text: str, *, colour: bool = False) -> str:
    """`text` with every control character escaped; with `colour`, the renderer's own
    colour codes kept (a name may then colour itself, never move the cursor or hide)."""
    if colour:
        return _OWN_COLOUR.sub(lambda m: m.group(1) or _escape(m.group()), text)
    return _CONTROL.sub(lambda m: _escape(m.group()), text)
