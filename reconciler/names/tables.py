"""One lookup list as read from HaloPSA: ids and the names they stand for.

A lookup list (`/TopLevel`, `/Client`, `/IntegrationData/Get/Xero?datatype=tax_code` …)
is usable when it is a list of objects each with an `id` and a string `name`; anything
else is a shape we do not know, and the caller reports the source as unreadable rather
than guess. Ids are compared by their text, so 200 and "200" are the same id (the
package's ids are strings in some packages, integers in others). Finding a name is an
exact match first, then a unique case-insensitive one (SPEC §13). Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reconciler.printable import printable


def id_text(value: object) -> str | None:
    """An id as the text it is compared by; None for "no id" (null, "", 0 or a bool)."""
    if value is None or isinstance(value, bool) or value in ("", 0):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int | str | float) else None


@dataclass(frozen=True, slots=True)
class NameTable:
    """The rows of one lookup list: id text -> name, and the id as HaloPSA wrote it."""

    label: str  # how messages name the list, e.g. "/TopLevel"
    names: Mapping[str, str]
    ids: Mapping[str, Any]
    _exact: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)
    _folded: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_rows(cls, label: str, rows: Sequence[Any]) -> NameTable | None:
        """The table of `rows`, or None when they are not objects with an id and a name."""
        names: dict[str, str] = {}
        ids: dict[str, Any] = {}
        for row in rows:
            if not isinstance(row, Mapping):
                return None
            key, name = id_text(row.get("id")), row.get("name")
            if key is None or not isinstance(name, str):
                return None
            names.setdefault(key, name)
            ids.setdefault(key, row["id"])
        table = cls(label, names, ids)
        for key, name in names.items():
            table._exact.setdefault(name, []).append(key)
            table._folded.setdefault(name.casefold(), []).append(key)
        return table

    def has(self, value: object) -> bool:
        key = id_text(value)
        return key is not None and key in self.names

    def name_of(self, value: object) -> str | None:
        key = id_text(value)
        return self.names.get(key) if key is not None else None

    def find(self, name: str) -> list[str]:
        """Ids (as text) named `name`: the exact matches, else the case-insensitive ones."""
        return list(self._exact.get(name) or self._folded.get(name.casefold(), []))

    def entry(self, key: str) -> str:
        """`"Managed Services" (12)`: how a candidate is shown in a message (HaloPSA's text,
        so its control characters are escaped: an error line reaches a terminal)."""
        return printable(f'"{self.names[key]}" ({key})')

    def closest(self, text: str, count: int = 3) -> list[str]:
        """Up to `count` entries whose name (or id) is most like `text`, best first."""
        by_name = difflib.get_close_matches(text, list(self._exact), n=count, cutoff=0.5)
        keys = [k for n in by_name for k in self._exact[n]]
        if text in self.names and text not in keys:
            keys.insert(0, text)
        if not keys:  # nothing alike: the first few, so the reader sees what the list holds
            keys = list(self.names)[:count]
        return [self.entry(k) for k in keys[:count]]
