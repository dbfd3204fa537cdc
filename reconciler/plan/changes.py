"""The parts of a Plan: actions, record changes, field changes, element changes, warnings.

Values here are JSON values (str, int, float, bool, None, lists, dicts) so a plan survives
a round trip through its JSON file unchanged. A secret is never held: a sensitive field
change keeps `before`/`after` as None and names where the value comes from in `source`
(e.g. "${XERO_CLIENT_SECRET}"); a sensitive value inside a list row is a `SecretRef`.
Apply resolves those markers from the environment at send time.
Pure data, below model.py (the Plan), document.py (its JSON form) and reading.py (the
form read back), so none of them imports another inside a function.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from reconciler.sensitive import MASK

FORMAT_VERSION = "1"


class Action(Enum):
    """What apply does to one record."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NO_OP = "no-op"


class ElementOp(Enum):
    """What happens to one element of a list field."""

    ADD = "add"
    REMOVE = "remove"
    CHANGE = "change"


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A sensitive value inside a list row: only where it comes from, never the value."""

    source: str

    def __str__(self) -> str:
        return MASK


@dataclass(frozen=True, slots=True)
class ElementChange:
    """One element of a list field that is added, removed or changed.

    `key` labels the element: the item of a comma-separated list, or the row's identity
    (`halo_id=12, third_party_id="C-1"`). `value` is the added row as configured or the
    removed row as live (None for CHANGE); `changes` are a changed row's field changes.
    """

    op: ElementOp
    key: str
    value: Any = None
    changes: tuple[FieldChange, ...] = ()
    name: str | None = None  # a mapping row: the name of the Halo record its halo_id holds


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field whose live value differs from the configured one (or is set on create).

    `before` is the live value, `after` the configured value in API form (for a list
    field the whole list, as apply sends it). Both are None when `sensitive`; `source`
    then says where apply finds the value. `elements` details a list field's change.
    """

    field: str
    before: Any
    after: Any
    sensitive: bool = False
    impact: str | None = None
    description: str = ""
    source: str | None = None
    elements: tuple[ElementChange, ...] = ()
    # A field holding an id of something named (x-halo-lookup): the names of both values.
    before_name: str | None = None
    after_name: str | None = None


@dataclass(frozen=True, slots=True)
class WriteOnlyField:
    """A write-only field a record states but that cannot be compared (HaloPSA never returns it).

    Apply sends it to an existing record only with --push-secrets.
    """

    field: str
    source: str | None


@dataclass(frozen=True, slots=True)
class ResourceChange:
    """The planned action on one record, addressed `type/identity` (or `type/#id`)."""

    address: str
    type: str
    identity: str | None
    id: int | None
    action: Action
    changes: tuple[FieldChange, ...] = ()
    # Write-only fields of an existing record (update or no-op): not compared, and sent
    # only with --push-secrets. On create they are in `changes` instead.
    write_only: tuple[WriteOnlyField, ...] = ()
    prevent_destroy: bool = False
    # A deletion of a live record no configuration record matches (settings.prune),
    # as opposed to one the configuration asks for with `ensure: absent`.
    pruned: bool = False
    # Named by settings.protect: never deleted (a deletion of it refuses the plan).
    protected: bool = False

    @property
    def why_deleted(self) -> str:
        """Why a record is deleted: pruned (no configuration record matches it) or absent."""
        if self.pruned:
            return f"not in the configuration; {self.type} is pruned"
        return "ensure: absent"


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A difference settings.acknowledge accepts until `until` (YYYY-MM-DD, inclusive):
    not a change, not drift, not sent. Values as in FieldChange (None when sensitive)."""

    address: str
    field: str
    before: Any
    after: Any
    reason: str
    until: str
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Unmanaged:
    """A live record no configuration record matches, in a type that is not pruned."""

    address: str
    type: str
    identity: str | None
    id: int | None


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """A health signal of a live record (not a change): unauthorised, expired, sync error."""

    address: str
    message: str


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts of the plan's actions, as the summary line and the JSON `summary` show them."""

    create: int = 0
    update: int = 0
    delete: int = 0
    no_op: int = 0
    unmanaged: int = 0
