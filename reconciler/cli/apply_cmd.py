"""`halo-reconciler apply`: PATHS go through planning.plan_to_apply (shown, then asked:
cli/terminal.py), PLANFILE through apply/saved.py (checked, not asked); one engine
(apply.apply_plan) for both. Exit 0 when every record applied, 1 otherwise, 130 after
Ctrl-C (with the report of what was done). Only click and the stdlib at module level.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from reconciler.cli.options import (
    connection_options,
    digest_option,
    exclude_option,
    override_freeze_option,
    target_option,
)

if TYPE_CHECKING:
    from reconciler.connection import Connection


@click.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str), metavar="[PATHS...|PLANFILE]")
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply without asking. Required when stdin is not a terminal (CI).",
)
@click.option(
    "--push-secrets",
    is_flag=True,
    help="Also send write-only fields (secrets) to existing records. HaloPSA never "
    "returns them, so they cannot be compared; without this flag they are sent only "
    "when a record is created.",
)
@click.option(
    "--allow-deletes",
    is_flag=True,
    help="Allow more deletions than settings.max_deletes (default 3).",
)
@click.option(
    "--parallelism",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    metavar="N",
    help="Types applied at the same time (all share the HALO_RATE_LIMIT budget).",
)
@target_option
@exclude_option
@override_freeze_option
@digest_option
@connection_options
def command(
    paths: tuple[str, ...],
    auto_approve: bool,
    push_secrets: bool,
    allow_deletes: bool,
    parallelism: int,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    override_freeze: str | None,
    expect_digest: str | None,
    connection: Connection,
) -> int:
    """Make HaloPSA match the configuration (PATHS) or a saved plan (PLANFILE).

    With PATHS (YAML files or directories, default: the current directory) the plan is
    computed and shown, then applied after you answer `yes` (or with --auto-approve).
    With PLANFILE (saved by `plan --out`) exactly that plan is applied, without a
    question, after checking that no record it touches changed since.

    Per type, creates and updates go in one POST and deletions follow; a failure in one
    type does not stop the others. Progress goes to stderr, the report to stdout.
    Exit codes: 0 every record applied; 1 anything failed, was skipped or refused;
    130 interrupted. The first Ctrl-C starts nothing new, lets requests in flight end and
    prints the report of what was done; a second Ctrl-C stops at once.
    """
    import os

    from reconciler.apply import apply_plan, pending_writes, render_report, saved
    from reconciler.cli import terminal as term
    from reconciler.cli.checks import saved_plan_given
    from reconciler.connection import open_client
    from reconciler.planning import plan_to_apply

    path = saved_plan_given(paths, targets, excludes)
    plan = saved.read_plan_file(path) if path is not None else None
    with open_client(connection, write=True) as client:
        if plan is not None and path is not None:
            saved.check_saved(plan, client, expect_digest=expect_digest, push_secrets=push_secrets,
                              override_freeze=override_freeze, max_workers=parallelism)  # fmt: skip
            click.echo(saved.applying_line(plan, path))
        else:
            plan = plan_to_apply(
                paths, client, show=term.show_plan, targets=targets, excludes=excludes,
                allow_deletes=allow_deletes, push_secrets=push_secrets, max_workers=parallelism,
                expect_digest=expect_digest, override_freeze=override_freeze,
            )  # fmt: skip
        if pending_writes(plan, push_secrets=push_secrets) == 0:
            if path is not None:  # the config route's plan already said "No changes."
                click.echo("Nothing to apply: the saved plan has no changes.")
            return 0
        if path is None and not auto_approve and not term.approved():
            click.echo("Apply cancelled.", err=True)
            return 1
        with term.interruptible(client.timing.sleep) as control:
            report = apply_plan(
                plan, client, push_secrets=push_secrets, allow_deletes=allow_deletes,
                parallelism=parallelism, env=os.environ, progress=term.Progress(),
                override_freeze=override_freeze, control=control,
            )  # fmt: skip
    click.echo()
    render_report(report, sys.stdout)
    return term.INTERRUPTED if control.stopped else 0 if report.ok else 1
