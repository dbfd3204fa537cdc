"""Apply: make HaloPSA match a plan (engine.py), check a saved plan is fresh (staleness.py),
and report every record's outcome (report.py)."""

from reconciler.apply.engine import apply_plan, pending_writes
from reconciler.apply.report import ApplyReport, RecordOutcome, Status, render_report
from reconciler.apply.staleness import check_fresh, stale_addresses

__all__ = [
    "ApplyReport",
    "RecordOutcome",
    "Status",
    "apply_plan",
    "check_fresh",
    "pending_writes",
    "render_report",
    "stale_addresses",
]
