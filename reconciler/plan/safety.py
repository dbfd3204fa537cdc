"""Safety: the reasons apply must refuse a plan (prevent_destroy, max_deletes).

Computed into the plan by build_plan, so `plan` shows them, and checked again by the
apply engine with its own --allow-deletes (a saved plan carries prevent_destroy per
record and max_deletes). Pure: no I/O.
"""

from __future__ import annotations

from reconciler.plan.model import Plan


def check_refusals(plan: Plan, *, allow_deletes: bool) -> list[str]:
    """Every reason to refuse `plan`, in plan order; empty when it may be applied."""
    reasons: list[str] = []
    deletions = plan.deletions
    for rc in deletions:
        if rc.prevent_destroy:
            reasons.append(
                f"{rc.address}: lifecycle.prevent_destroy is set, but the plan deletes it "
                "(remove prevent_destroy to allow the deletion)"
            )
    count = len(deletions)
    if count > plan.max_deletes and not allow_deletes:
        noun = "deletion exceeds" if count == 1 else "deletions exceed"
        reasons.append(f"{count} {noun} max_deletes={plan.max_deletes}; use --allow-deletes")
    return reasons
