"""`${NAME}` references in configuration strings, resolved from the environment.

`${NAME}` is replaced by the variable NAME (letters, digits, `_`, not starting with a
digit); `$${` writes a literal `${`; any other `${` is malformed. A string holding a
reference becomes Sensitive where it is used (values.py), whose `source` is the text as
written, so plans can name the variable and never hold its value.

With no environment (`validate --no-env`) nothing is resolved and a missing variable is
no error: the value is `UNRESOLVED`. Pure: reads the mapping it is given, never os.environ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final


class _Unresolved:
    """The value of a `${NAME}` reference read without an environment (--no-env)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Final = _Unresolved()

# `$${` (escape), `${NAME}` (reference, group 1), or a `${` that starts neither (malformed).
_TOKEN = re.compile(r"\$\$\{|\$\{(?:([A-Za-z_][A-Za-z0-9_]*)\})?")


@dataclass(frozen=True, slots=True)
class Interpolated:
    """A string after `${...}` handling: its text, and what it referred to."""

    text: str  # resolved text; with no environment, the text with only `$${` undone
    names: tuple[str, ...]  # variables referred to, in order, repeats removed
    missing: tuple[str, ...]  # referred to but not set (always empty without environment)
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
            if env is None:
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
        malformed=malformed,
        whole=whole,
        resolved=env is not None,
    )
