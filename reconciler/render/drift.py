"""The drift report: one headline a scheduled job's log can show, then the plan.

Text and Markdown lead with the headline and render the plan as `plan` does; JSON is one
versioned document (drift yes/no, the drifted addresses, the summary, the whole plan).
Unmanaged records are not drift (they are listed, not acted on). Pure: writes to `out`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from reconciler.plan.model import Action, Plan
from reconciler.render import render_plan

DRIFT_FORMAT_VERSION = "1"


def drifted(plan: Plan) -> list[str]:
    """Addresses of the records that differ (any create, update or delete)."""
    return [rc.address for rc in plan.resource_changes if rc.action is not Action.NO_OP]


def headline(plan: Plan) -> str:
    """`Drift detected: 1 record differs from the configuration.` or `No drift: ...`."""
    found = drifted(plan)
    accepted = len(plan.acknowledged)
    also = ""
    if accepted:  # accepted differences are not drift, but the headline says they exist
        also = f"; {accepted} acknowledged difference{'' if accepted == 1 else 's'} accepted"
    if not found:
        checked = len(plan.resource_changes)
        noun = "record" if checked == 1 else "records"
        return f"No drift: HaloPSA matches the configuration ({checked} {noun} checked{also})."
    verb = "record differs" if len(found) == 1 else "records differ"
    return f"Drift detected: {len(found)} {verb} from the configuration{also}."


def drift_document(plan: Plan) -> dict[str, Any]:
    """The JSON report: drift yes/no, the drifted addresses, and the whole plan document."""
    document = plan.to_json()
    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "drift": plan.has_changes,
        "message": headline(plan),
        "drifted": drifted(plan),
        "summary": dict(document["summary"]),
        "plan": document,
    }


def render(plan: Plan, out: TextIO, *, format: str = "text", color: bool = False) -> None:
    """Write the drift report in `format`: the headline, then the plan (JSON: one document)."""
    if format == "json":
        out.write(json.dumps(drift_document(plan), indent=2, ensure_ascii=False) + "\n")
        return
    if format == "markdown":
        out.write(f"### {headline(plan)}\n\n")
    else:
        out.write(f"{headline(plan)}\n\n")
    render_plan(plan, out, format=format, color=color)
