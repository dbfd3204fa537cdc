"""The Plan model: what would change, record by record and field by field.

Values here are JSON values (str, int, float, bool, None, lists, dicts) so a plan survives
a round trip through its JSON file unchanged. A secret is never held: a sensitive field
change keeps `before`/`after` as None and names where the value comes from in `source`
(e.g. "${XERO_CLIENT_SECRET}"); a sensitive value inside a list row is a `SecretRef`.
Apply resolves those markers from the environment at send time.
Pure data: no I/O. JSON (de)serialisation lives in document.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from reconciler.freeze import FreezeWindow
from reconciler.instance import Instance
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


@dataclass(frozen=True, slots=True)
class Plan:
    """A computed plan: ordered by registry order, then address, then schema field order.

    `refusals` say why it may not be applied (prevent_destroy, protect, a prune emptying a
    type without allow_empty): `plan` fails on them, and apply derives them again with its
    own flags, adding max_deletes (safety.check_refusals). `fingerprints` map the address
    of every record apply would touch to fingerprint() of the live record seen.
    """

    instance: Instance
    resource_changes: tuple[ResourceChange, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    refusals: tuple[str, ...] = ()
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    write_only_uncompared: int = 0
    max_deletes: int = 3
    targets: tuple[str, ...] = ()
    format_version: str = FORMAT_VERSION
    # Governance (SPEC §14): what the configuration accepted, --exclude, and what apply
    # re-checks from the plan alone: allow_empty against live_counts (type -> live
    # records read when planning), freeze windows against the time of the apply.
    acknowledged: tuple[Acknowledged, ...] = ()
    excludes: tuple[str, ...] = ()
    allow_empty: tuple[str, ...] = ()
    live_counts: Mapping[str, int] = field(default_factory=dict)
    freeze: tuple[FreezeWindow, ...] = ()

    @property
    def summary(self) -> Summary:
        counts = dict.fromkeys(Action, 0)
        for rc in self.resource_changes:
            counts[rc.action] += 1
        return Summary(
            create=counts[Action.CREATE],
            update=counts[Action.UPDATE],
            delete=counts[Action.DELETE],
            no_op=counts[Action.NO_OP],
            unmanaged=len(self.unmanaged),
        )

    @property
    def has_changes(self) -> bool:
        """True when apply would create, update or delete anything."""
        return any(rc.action is not Action.NO_OP for rc in self.resource_changes)

    @property
    def deletions(self) -> tuple[ResourceChange, ...]:
        return tuple(rc for rc in self.resource_changes if rc.action is Action.DELETE)

    @property
    def digest(self) -> str:
        """SHA-256 hex of `resource_changes` as JSON: equal changes, equal digest."""
        from reconciler.plan.document import digest_of

        return digest_of(self)

    def to_json(self) -> dict[str, Any]:
        """The plan as the JSON document schemas/plan.schema.json describes."""
        from reconciler.plan.document import plan_to_json

        return plan_to_json(self)

    @classmethod
    def from_json(cls, doc: object) -> Plan:
        """A plan from its JSON document; PlanFileError on anything malformed."""
        from reconciler.plan.reading import plan_from_json

        return plan_from_json(doc)
