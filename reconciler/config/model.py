"""The configuration model: what the YAML says, validated, with where each part was said.

Values are in API form: a comma-separated list field written as a YAML list is joined
into HaloPSA's "a,b" string; a value that came from the environment is a `Sensitive`
whose `source` is the original text (e.g. "${XERO_CLIENT_SECRET}"). Pure data, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from reconciler.address import address_of
from reconciler.freeze import FreezeWindow
from reconciler.registry import ORDER


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """A place in a configuration file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class NameRef:
    """`{name: "Managed Services"}` where a lookup field takes an id (SPEC §13).

    Resolved by plan against the instance it reads (plan/names.py), so the same files
    serve instances whose ids differ; nothing downstream of resolution ever sees one.
    """

    name: str
    mark: Mark

    def __str__(self) -> str:
        return f"{{name: {self.name!r}}}"


class Ensure(Enum):
    PRESENT = "present"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class ConfigRecord:
    """One record of one resource type, as the configuration states it."""

    type: str  # config key, e.g. "xero"
    identity: str | None  # value of the type's identity field (name / company_id)
    id: int | None  # HaloPSA id, when the record states one
    # Managed fields only, identity field included; never `id`, `ensure`, `lifecycle`.
    fields: Mapping[str, object]
    mark: Mark  # where the record starts
    ensure: Ensure = Ensure.PRESENT
    prevent_destroy: bool = False
    ignore_changes: frozenset[str] = frozenset()
    # Where each lookup field's value was written, by path within the record
    # (`client_top_level`, `client_mappings[3].halo_id`): reference checks name it.
    marks: Mapping[str, Mark] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """`type/identity` (e.g. `xero/Acme NZ`), or `type/#id` without an identity."""
        return address_of(self.type, self.identity, self.id)

    @property
    def where(self) -> str:
        """`file:line:col: type/identity`: how a problem with the record names it."""
        return f"{self.mark}: {self.address}"


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """`settings.acknowledge` entry: known differences of some fields of one record,
    accepted until a date (inclusive, UTC) for a reason."""

    address: str  # as written: `type/identity` or `type/#id`
    fields: tuple[str, ...]
    reason: str
    until: date
    # Where it is written, for issues found once every record is read (loader.py).
    mark: Mark | None = field(default=None, compare=False)
    where: str = field(default="", compare=False)  # settings.acknowledge[i]
    field_marks: tuple[Mark, ...] = field(default=(), compare=False)

    def active(self, today: date) -> bool:
        return today <= self.until


@dataclass(frozen=True, slots=True)
class Settings:
    """The `settings:` mapping (at most one across the configuration)."""

    prune: frozenset[str] = frozenset()
    max_deletes: int = 3
    mark: Mark | None = None
    # settings.protect: `TYPE` or `TYPE/IDENTITY` (`TYPE/#ID`): never deleted.
    protect: tuple[str, ...] = ()
    # settings.allow_empty: types a prune may empty.
    allow_empty: frozenset[str] = frozenset()
    acknowledge: tuple[Acknowledgement, ...] = ()
    freeze: tuple[FreezeWindow, ...] = ()


@dataclass(frozen=True, slots=True)
class Configuration:
    """A whole configuration: every record of every file, and the settings."""

    records: tuple[ConfigRecord, ...] = ()
    settings: Settings = Settings()
    files: tuple[str, ...] = ()

    def types(self) -> tuple[str, ...]:
        """Types the configuration refers to (records or prune), in registry order."""
        keys = {r.type for r in self.records} | set(self.settings.prune)
        return tuple(sorted(keys, key=ORDER.__getitem__))
