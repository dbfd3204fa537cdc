"""Sensitive: a value that must never be printed.

A value that came from the environment (`${NAME}` in the configuration) or a write-only
field is wrapped as soon as it is read. str()/repr()/format() give "(sensitive)"; only
`reveal()` gives the value, and only code that sends a request calls it. `source` is the
configuration text it came from (e.g. "${XERO_CLIENT_SECRET}"): a plan file stores that
marker, never the value, and apply resolves it again at send time.
"""

from __future__ import annotations

from typing import Final

from reconciler.jsontypes import leaves, map_leaves

MASK: Final = "(sensitive)"


class Sensitive:
    """A secret value; prints as "(sensitive)" everywhere."""

    __slots__ = ("_value", "source")

    def __init__(self, value: object, source: str) -> None:
        self._value = value
        self.source = source

    def reveal(self) -> object:
        """The real value: call only where it is sent to HaloPSA or compared."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Sensitive({MASK}, source={self.source!r})"

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sensitive):
            return bool(self._value == other._value and self.source == other.source)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.source)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Sensitive values are not picklable")


def _revealed(value: object) -> object:
    return value.reveal() if isinstance(value, Sensitive) else value


def reveal(value: object) -> object:
    """`value` with every Sensitive inside it (dicts and lists too) revealed, for sending."""
    return map_leaves(value, _revealed)


def is_sensitive(value: object) -> bool:
    """True when `value` is or holds a Sensitive."""
    return any(isinstance(v, Sensitive) for v in leaves(value))


def env_variable(type_key: str, field: str) -> str:
    """A variable name to suggest for a secret: xero new_client_secret -> XERO_CLIENT_SECRET.

    Validation suggests it for a write-only literal; export writes it as the placeholder.
    """
    name = field.lstrip("_")
    if name.startswith("new_"):
        name = name[len("new_") :]
    return f"{type_key}_{name}".upper()
