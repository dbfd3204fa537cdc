"""`halo-reconciler plan`: show what apply would change, without changing anything.

A thin adapter over planning.make_plan (load the configuration, read the referenced types
with a read-only client, one GET per type, build the plan): render it to stdout, save it
as JSON with --out. Exit 0, or 2 with --detailed-exitcode when there are changes; errors
exit 1 via the group. Imports only click, typing and the standard library at module
level, so --help stays fast.
"""

from __future__ import annotations

from pathlib import Path
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


@click.command("plan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    metavar="FILE",
    help="Also save the plan as JSON (whatever --format says), for `apply FILE`.",
)
@format_option("plan")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when the plan has changes, 0 when it has none (1 is always an error).",
)
@target_option
@exclude_option
@connection_options
def command(
    paths: tuple[str, ...],
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    connection: Connection,
) -> int:
    """Show what apply would change in HaloPSA to match the configuration.

    PATHS are YAML files or directories (default: the current directory). Reads the
    live records with GET only (one request per type) and prints every record to
    create, update or delete, field by field, money-affecting changes first. Unmanaged
    live records are listed, not touched. Nothing is written to HaloPSA.

    A plan that deletes a record under prevent_destroy or settings.protect, or
    empties a type without settings.allow_empty, is printed with its refusals, not
    saved, and exits 1.

    Exit codes: 0 success; 1 any error or a refused plan; with --detailed-exitcode, 2
    when there are changes.
    """
    import sys

    from reconciler.cli.output import render, save_plan
    from reconciler.config.loader import config_file_at
    from reconciler.errors import PlanRefused
    from reconciler.planning import make_plan

    if out is not None and (given := config_file_at(out, paths or (".",))) is not None:
        raise click.UsageError(f"--out {out} is the configuration file {given}: choose another")
    plan = make_plan(paths, connection, targets=targets, excludes=excludes)
    if out is not None and not plan.refusals:
        save_plan(plan, out)
    render(plan, fmt, sys.stdout, full_plan_hint=str(out) if out is not None else None)
    if plan.refusals:  # after the plan is shown, so the reviewer sees what is refused
        raise PlanRefused(plan.refusals)
    if out is not None and fmt == "text":
        click.echo(f"\nSaved the plan to {out}; apply it with: halo-reconciler apply {out}")
    return 2 if detailed_exitcode and plan.has_changes else 0
