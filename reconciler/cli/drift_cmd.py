"""`halo-reconciler drift`: a plan made for schedules — exit 2 when HaloPSA moved.

Same pipeline as plan (make_plan: config, read-only client, one GET per type), but the
answer is the exit code: 0 when live matches the configuration, 2 when any record would
be created, updated or deleted (someone changed, added or removed it outside Git), 1 on
any error. Unmanaged records are not drift (they are listed, not acted on). The report
leads with one line a scheduled job's log or notification can show, then the plan.
Imports only click, typing and the standard library at module level.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

import click

from reconciler.cli.options import connection_options
from reconciler.cli.output import format_option
from reconciler.cli.plan_cmd import target_option

if TYPE_CHECKING:
    from reconciler.plan.model import Plan

DRIFT_FORMAT_VERSION = "1"


def drifted(plan: Plan) -> list[str]:
    """Addresses of the records that differ (any create, update or delete)."""
    from reconciler.plan.model import Action

    return [rc.address for rc in plan.resource_changes if rc.action is not Action.NO_OP]


def headline(plan: Plan) -> str:
    """`Drift detected: 1 record differs from the configuration.` or `No drift: ...`."""
    found = drifted(plan)
    if not found:
        checked = len(plan.resource_changes)
        noun = "record" if checked == 1 else "records"
        return f"No drift: HaloPSA matches the configuration ({checked} {noun} checked)."
    verb = "record differs" if len(found) == 1 else "records differ"
    return f"Drift detected: {len(found)} {verb} from the configuration."


def drift_document(plan: Plan) -> dict[str, Any]:
    """The JSON report: drift yes/no, the drifted addresses, and the whole plan document."""
    summary = plan.summary
    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "drift": plan.has_changes,
        "message": headline(plan),
        "drifted": drifted(plan),
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "delete": summary.delete,
            "no_op": summary.no_op,
            "unmanaged": summary.unmanaged,
        },
        "plan": plan.to_json(),
    }


def render_drift(plan: Plan, fmt: str, out: TextIO) -> None:
    """The drift report in `fmt`: the headline, then the plan (JSON: one document)."""
    from reconciler.cli.output import render

    if fmt == "json":
        out.write(json.dumps(drift_document(plan), indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "markdown":
        out.write(f"### {headline(plan)}\n\n")
    else:
        out.write(f"{headline(plan)}\n\n")
    render(plan, fmt, out)


@click.command("drift")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@format_option("drift report")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    hidden=True,
    help="Accepted for symmetry with plan: drift always exits 2 on drift.",
)
@target_option
@connection_options
def command(
    paths: tuple[str, ...],
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    url: str | None,
    tenant: str | None,
    sandbox: bool,
) -> None:
    """Check whether HaloPSA still matches the configuration (for scheduled jobs).

    PATHS are YAML files or directories (default: the current directory). Reads the
    live records with GET only and compares them with the configuration, like plan.

    Exit codes: 0 no drift; 2 drift (a record would be created, updated or deleted);
    1 any error (invalid configuration, HaloPSA unreachable, ...).
    """
    import sys

    from reconciler.cli.main import ChangesPresent
    from reconciler.cli.plan_cmd import make_plan

    plan = make_plan(paths, targets=targets, url=url, tenant=tenant, sandbox=sandbox)
    render_drift(plan, fmt, sys.stdout)
    if plan.has_changes:
        raise ChangesPresent()
