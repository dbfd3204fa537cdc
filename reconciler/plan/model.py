"""The Plan model: what would change, record by record and field by field.

The parts (ResourceChange, FieldChange, ...) are in changes.py and re-exported here. The
JSON form is document.py's (to_json, the digest) and reading.py's (from_json); both know
the parts but not this class, so the imports run one way: changes <- document, reading
<- model. Pure data: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.freeze import FreezeWindow
from reconciler.instance import Instance
from reconciler.plan import document, reading
from reconciler.plan.changes import (
    FORMAT_VERSION,
    Acknowledged,
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    PlanWarning,
    ResourceChange,
    SecretRef,
    Summary,
    Unmanaged,
    WriteOnlyField,
)

__all__ = [
    "FORMAT_VERSION",
    "Acknowledged",
    "Action",
    "ElementChange",
    "ElementOp",
    "FieldChange",
    "Instance",
    "Plan",
    "PlanWarning",
    "ResourceChange",
    "SecretRef",
    "Summary",
    "Unmanaged",
    "WriteOnlyField",
]


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
        return document.digest_of(self)

    def to_json(self) -> dict[str, Any]:
        """The plan as the JSON document schemas/plan.schema.json describes."""
        return document.plan_to_json(self)

    @classmethod
    def from_json(cls, doc: object) -> Plan:
        """A plan from its JSON document, checked against schemas/plan.schema.json (then its
        digest, summary and addresses against the rest); PlanFileError on anything wrong."""
        plan = cls(**reading.plan_fields(doc))
        reading.check_consistent(plan, doc)
        return plan
