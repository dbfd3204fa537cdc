"""The plan: configuration + live records -> a Plan of changes. Pure: no I/O anywhere here.

    normalise.py    comparable forms of values (csv as sets, date-times as instants, ...)
    match.py        config record <-> live record, by id or exact identity; one-to-one
    diff.py         field changes of one record (list fields keyed by element identity)
    health.py       warnings from live status fields (authorised, token, sync errors)
    safety.py       refusals: prevent_destroy, protect, allow_empty, max_deletes, freeze
    governance.py   protect flags, acknowledged differences, freeze warnings
    selection.py    --target / --exclude
    fingerprint.py  hash of a live record, for staleness checks of a saved plan
    model.py        Plan, ResourceChange, FieldChange, ... (JSON values only, no secrets)
    document.py     the plan as JSON (schemas/plan.schema.json) and its digest
    reading.py      a plan document read back (checked field by field)
    planner.py      build_plan

Usage:
    plan = build_plan(config, live, instance=Instance(url, tenant), targets=(), now=None)
    plan.to_json(); Plan.from_json(doc); plan.digest; check_refusals(plan, allow_deletes=...)
    fingerprint(live_record, type_key)   # apply: staleness of a saved plan
    same_value(field_spec, sent, read_back)   # apply: did HaloPSA take the value?
"""

from reconciler.instance import Instance
from reconciler.plan.diff import RecordDiff, diff_fields, diff_record, same_value
from reconciler.plan.fingerprint import fingerprint
from reconciler.plan.match import Matching, match_records
from reconciler.plan.model import (
    FORMAT_VERSION,
    Action,
    ElementChange,
    ElementOp,
    FieldChange,
    Plan,
    PlanWarning,
    ResourceChange,
    SecretRef,
    Summary,
    Unmanaged,
    WriteOnlyField,
)
from reconciler.plan.normalise import normalise
from reconciler.plan.planner import build_plan
from reconciler.plan.safety import check_refusals
from reconciler.plan.selection import Selection

__all__ = [
    "FORMAT_VERSION",
    "Action",
    "ElementChange",
    "ElementOp",
    "FieldChange",
    "Instance",
    "Matching",
    "Plan",
    "PlanWarning",
    "RecordDiff",
    "ResourceChange",
    "SecretRef",
    "Selection",
    "Summary",
    "Unmanaged",
    "WriteOnlyField",
    "build_plan",
    "check_refusals",
    "diff_fields",
    "diff_record",
    "fingerprint",
    "match_records",
    "normalise",
    "same_value",
]
