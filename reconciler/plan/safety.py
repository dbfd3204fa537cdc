"""Safety: the reasons a plan may not be applied, derived from the plan alone.

Two levels (SPEC §6, §14):
- refusals that fail `plan` too (hard_refusals): a deletion of a record under
  lifecycle.prevent_destroy or settings.protect, and a prune that would delete every live
  record of a type not in settings.allow_empty;
- max_deletes, an apply-time check (--allow-deletes lifts it) that plan shows as a warning.
Computed into the plan by build_plan, so `plan` shows them, and derived again by the apply
engine from the plan's own facts (per-record flags, allow_empty, live_counts), never from
a stored verdict. Freeze windows are checked against the time of the apply (check_freeze).
Pure: no I/O; the time is passed in.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from reconciler.freeze import active_windows
from reconciler.plan.model import Plan


def hard_refusals(plan: Plan) -> list[str]:
    """Refusals no flag lifts, in plan order: prevent_destroy, protect, then emptied types."""
    reasons: list[str] = []
    deletions = plan.deletions
    for rc in deletions:
        if rc.prevent_destroy:
            reasons.append(
                f"{rc.address}: lifecycle.prevent_destroy is set, but the plan deletes it "
                "(remove prevent_destroy to allow the deletion)"
            )
        if rc.protected:
            reasons.append(
                f"{rc.address}: protected by settings.protect, but the plan deletes it "
                f"({rc.why_deleted}); remove it from settings.protect to allow the deletion"
            )
    deleted = Counter(rc.type for rc in deletions)
    pruned = {rc.type for rc in deletions if rc.pruned}
    for key, count in deleted.items():
        live = plan.live_counts.get(key, 0)
        if key in pruned and key not in plan.allow_empty and live > 0 and count >= live:
            reasons.append(
                f"{key}: the plan deletes every live {key} record ({count} of {live}); "
                f"add {key} to settings.allow_empty if the type is meant to be empty"
            )
    return reasons


def max_deletes_excess(plan: Plan) -> str | None:
    """Why the plan needs --allow-deletes (more deletions than max_deletes), or None."""
    count = len(plan.deletions)
    if count <= plan.max_deletes:
        return None
    noun = "deletion exceeds" if count == 1 else "deletions exceed"
    return f"{count} {noun} max_deletes={plan.max_deletes}; use --allow-deletes"


def check_refusals(plan: Plan, *, allow_deletes: bool) -> list[str]:
    """Every reason to refuse `plan`, in plan order; empty when it may be applied."""
    reasons = hard_refusals(plan)
    excess = max_deletes_excess(plan)
    if excess is not None and not allow_deletes:
        reasons.append(excess)
    return reasons


def check_freeze(plan: Plan, now: datetime, *, override: str | None) -> list[str]:
    """Why apply may not write at `now`: the freeze windows it is inside (none with an
    override reason, which the report then names)."""
    if override is not None:
        return []
    return [
        f"{state.describe()} (settings.freeze): apply is refused inside it; "
        'to apply anyway, give --override-freeze "REASON"'
        for state in active_windows(plan.freeze, now)
    ]


def freeze_overrides(plan: Plan, now: datetime, override: str | None) -> tuple[str, ...]:
    """What the apply report says about windows --override-freeze let it write in."""
    if override is None:
        return ()
    return tuple(
        f'{state.describe()}: overridden with --override-freeze "{override}"'
        for state in active_windows(plan.freeze, now)
    )
