"""Reading lookup lists: each at most once per run, and only when asked for.

`LookupReader.table(lookup)` reads the lookup's list the first time it is asked (paged,
through the client's one rate budget) and remembers the answer, good or bad, so a run
makes one read per source whatever number of fields and records name it. A source that
cannot be read (HaloPSA answers an error, or a shape we do not know) gives None and one
warning for the run; never an error here: what a missing table means (a name left null,
a reference not checked, a `{name: ...}` that cannot be resolved) is the caller's call.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from reconciler.errors import HaloError
from reconciler.names.tables import NameTable
from reconciler.plan.model import PlanWarning
from reconciler.registry import Lookup

_ODD = "answered a shape this version does not know (not a list of objects with id and name)"


class RowReader(Protocol):
    """What reading a lookup needs from a client: the rows of any list, paged."""

    def rows(self, path: str, params: Mapping[str, str] | None = None) -> Sequence[Any]: ...


class LookupReader:
    """The lookup lists of one run, read on first use."""

    def __init__(self, client: RowReader) -> None:
        self._client = client
        self._tables: dict[tuple[str, tuple[tuple[str, str], ...]], NameTable | None] = {}
        self._warnings: list[PlanWarning] = []
        self._lock = threading.Lock()

    def table(self, lookup: Lookup) -> NameTable | None:
        """The list `lookup` names, or None when it cannot be read (warned once)."""
        with self._lock:
            if lookup.key in self._tables:
                return self._tables[lookup.key]
            table = self._read(lookup)
            self._tables[lookup.key] = table
            return table

    def read_all(self, lookups: Sequence[Lookup]) -> None:
        """Read every list in `lookups` not read yet (in the order given)."""
        for lookup in lookups:
            self.table(lookup)

    @property
    def warnings(self) -> tuple[PlanWarning, ...]:
        """One per source that could not be read, in the order they were tried."""
        return tuple(self._warnings)

    def _read(self, lookup: Lookup) -> NameTable | None:
        try:
            rows = self._client.rows(lookup.source, dict(lookup.query) or None)
        except HaloError as exc:
            if exc.status == 200:  # answered, but not with a list
                return self._unreadable(lookup, _ODD)
            why = f"HTTP {exc.status}" if exc.status is not None else "no answer"
            return self._unreadable(lookup, f"could not be read ({why})")
        table = NameTable.from_rows(lookup.label, rows)
        if table is None:
            return self._unreadable(lookup, _ODD)
        return table

    def _unreadable(self, lookup: Lookup, why: str) -> NameTable | None:
        self._warnings.append(
            PlanWarning(
                lookup.label,
                f"{why}: names from it are left empty and ids in it are not checked",
            )
        )
        return None
