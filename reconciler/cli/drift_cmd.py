"""`halo-reconciler drift`: a plan made for schedules — exit 2 when HaloPSA moved.

A thin adapter: the plan's pipeline (planning.make_plan: config, read-only client, one
GET per type), rendered as a drift report (render/drift.py), and the answer as the exit
code: 0 when live matches the configuration, 2 when any record would be created,
updated or deleted, 1 on any error (via the group). Imports only click, typing and the
standard library at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from reconciler.cli.options import (
    connection_options,
    exclude_option,
    format_option,
    target_option,
)

if TYPE_CHECKING:
    from reconciler.connection import Connection


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
@exclude_option
@connection_options
def command(
    paths: tuple[str, ...],
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    connection: Connection,
) -> int:
    """Check whether HaloPSA still matches the configuration (for scheduled jobs).

    PATHS are YAML files or directories (default: the current directory). Reads the
    live records with GET only and compares them with the configuration, like plan.

    Exit codes: 0 no drift; 2 drift (a record would be created, updated or deleted);
    1 any error (invalid configuration, HaloPSA unreachable, ...). Differences that
    settings.acknowledge accepts (until their date) are listed, and are not drift.
    """
    import sys

    from reconciler.cli.output import use_color
    from reconciler.planning import make_plan
    from reconciler.render import drift

    plan = make_plan(paths, connection, targets=targets, excludes=excludes)
    color = fmt == "text" and use_color(sys.stdout)
    drift.render(plan, sys.stdout, format=fmt, color=color)
    return 2 if plan.has_changes else 0
