"""Addresses: the one rule that names a record `type/identity` or `type/#id`.

An address keys a record everywhere at once: in the plan, its fingerprints, the apply
report and --target. Two records must never share one, so the rule is injective by
construction: `#` starts only the by-id form (`xero/#12`), and an identity that itself
starts with `#` or `\\` is escaped with a leading `\\` (a record named `#12` is
`xero/\\#12`, one named `\\x` is `xero/\\\\x`). Reading the part after the slash back
is therefore unambiguous: `#digits` is an id, a leading `\\` is dropped once, anything
else is the identity as written. Pure: no I/O.
"""

from __future__ import annotations

_ESCAPED = ("#", "\\")


def address_of(type_key: str, identity: str | None, record_id: int | None) -> str:
    """`type/identity`, or `type/#id` when `identity` is None (see the module doc)."""
    if identity is None:
        return f"{type_key}/#{record_id}"
    if identity.startswith(_ESCAPED):
        return f"{type_key}/\\{identity}"
    return f"{type_key}/{identity}"
