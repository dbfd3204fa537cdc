"""`halo-reconciler apply`: make HaloPSA match the configuration, or a saved plan.

Two ways in, one engine (reconciler.apply.apply_plan):
- PATHS (configuration, default "."): the plan's own pipeline (load, one GET per type,
  build_plan), printed as `plan` prints it, then, unless --auto-approve, a question on
  the terminal that only `yes` answers. Without a terminal --auto-approve is required.
  --expect-digest refuses a plan whose digest differs from the one reviewed.
- PLANFILE (one JSON file, as `plan --out` saves it): no question. The plan's types are
  re-read first, and a stale plan (a record it touches changed, vanished, or a record it
  creates now exists) is refused with the addresses; so is a plan made for another
  instance.
Nothing is written when the run is refused or cancelled. Progress goes to stderr, one
line per record as it happens; the report to stdout; exit 0 when every record applied,
1 otherwise. Imports only click, typing and the standard library at module level.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.cli.options import connection_options
from reconciler.cli.plan_cmd import target_option

if TYPE_CHECKING:
    from reconciler.apply import RecordOutcome
    from reconciler.halo import Client
    from reconciler.plan.model import Plan

PROMPT = "Do you want to perform these actions? Only 'yes' will be accepted: "
_HEX = re.compile(r"[0-9a-fA-F]{64}")


def plan_file(paths: tuple[str, ...]) -> Path | None:
    """The saved plan among the arguments: a single file that is JSON, else None.

    A `.json` file is a plan file (a broken one is reported as such); any other single
    file is a plan file only if it starts with `{` (YAML configuration never does here:
    its top level is a mapping of type keys, written in block style).
    """
    if len(paths) != 1:
        return None
    path = Path(paths[0])
    if not path.is_file():
        return None
    if path.suffix.lower() == ".json":
        return path
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip()
    except OSError:
        return None
    return path if head.startswith(b"{") else None


def read_plan(path: Path) -> Plan:
    """The plan saved at `path`; PlanFileError when unreadable or malformed."""
    from reconciler.errors import PlanFileError
    from reconciler.plan.model import Plan

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PlanFileError(f"plan file {path}: cannot read it ({reason})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"plan file {path}: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None
    return Plan.from_json(doc)


def _check_digest(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _HEX.fullmatch(value.strip()):
        raise click.BadParameter("expected a SHA-256 digest: 64 hexadecimal characters")
    return value.strip().lower() if value is not None else None


def _refuse_digest(plan: Plan, expected: str | None) -> None:
    from reconciler.errors import PlanRefused

    if expected is not None and plan.digest != expected:
        raise PlanRefused(
            [
                f"the plan's digest is {plan.digest}, not {expected} (--expect-digest): "
                "the changes differ from the plan that was reviewed; review this plan"
            ]
        )


class _Progress:
    """One stderr line per record as it happens, after a blank line that sets them apart."""

    def __init__(self) -> None:
        self.started = False

    def __call__(self, outcome: RecordOutcome) -> None:
        if not self.started:
            self.started = True
            click.echo("", err=True)
        click.echo(outcome.line(), err=True)


def _confirm() -> bool:
    """Ask on the terminal; True only for `yes`."""
    click.echo()
    click.echo(PROMPT, nl=False)
    answer = sys.stdin.readline()
    return answer.strip() == "yes"


def _from_config(
    client: Client,
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    allow_deletes: bool,
    push_secrets: bool,
    parallelism: int,
) -> Plan:
    """The same steps as `plan` (load, read the referenced types, build), shown on stdout."""
    from reconciler.cli.output import render
    from reconciler.config import load
    from reconciler.planning import plan_against

    config = load(paths or (".",), env=os.environ)
    plan = plan_against(
        config, client, targets=targets, allow_deletes=allow_deletes, max_workers=parallelism
    )
    render(plan, "text", sys.stdout)
    if push_secrets:
        pushed = [rc for rc in plan.resource_changes if rc.write_only]
        fields = sum(len(rc.write_only) for rc in pushed)
        if fields:
            click.echo(
                f"\n--push-secrets: {fields} write-only field(s) of {len(pushed)} existing "
                "record(s) will be sent too."
            )
    return plan


def _from_file(
    client: Client, path: Path, push_secrets: bool, plan: Plan, parallelism: int
) -> None:
    """Refuse a saved plan made elsewhere or gone stale; say what will be applied."""
    from reconciler.apply import check_fresh
    from reconciler.apply.staleness import check_instance
    from reconciler.live import read_live
    from reconciler.plan.model import Action

    where = client.instance
    check_instance(plan, where.url, where.tenant)
    touched = {
        rc.type
        for rc in plan.resource_changes
        if rc.action is not Action.NO_OP or (push_secrets and rc.write_only)
    }
    live = read_live(client, sorted(touched), max_workers=parallelism)
    check_fresh(plan, live.records, push_secrets=push_secrets)
    s = plan.summary
    click.echo(
        f"Applying the saved plan {path} (digest {plan.digest[:12]}): "
        f"{s.create} to create, {s.update} to update, {s.delete} to delete."
    )


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
@click.option(
    "--expect-digest",
    metavar="HEX",
    default=None,
    callback=_check_digest,
    help="Apply only if the plan's digest is HEX (the plan reviewed on the pull "
    "request); otherwise show the new plan and exit 1.",
)
@connection_options
def command(
    paths: tuple[str, ...],
    auto_approve: bool,
    push_secrets: bool,
    allow_deletes: bool,
    parallelism: int,
    targets: tuple[str, ...],
    expect_digest: str | None,
    url: str | None,
    tenant: str | None,
    sandbox: bool,
) -> int:
    """Make HaloPSA match the configuration (PATHS) or a saved plan (PLANFILE).

    With PATHS (YAML files or directories, default: the current directory) the plan is
    computed and shown, then applied after you answer `yes` (or with --auto-approve).
    With PLANFILE (saved by `plan --out`) exactly that plan is applied, without a
    question, after checking that no record it touches changed since.

    Per type, creates and updates go in one POST and deletions follow; a failure in one
    type does not stop the others. Progress goes to stderr, the report to stdout.
    Exit codes: 0 every record applied; 1 anything failed, was skipped or refused.
    """
    from reconciler.apply import apply_plan, pending_writes, render_report
    from reconciler.cli.options import open_client
    from reconciler.errors import PlanRefused

    saved = plan_file(paths)
    if saved is not None and targets:
        raise click.UsageError(
            "--target cannot be used with a saved plan: it is applied exactly as saved "
            "(make the plan with --target instead)"
        )
    plan = read_plan(saved) if saved is not None else None
    with open_client(url=url, tenant=tenant, sandbox=sandbox, write=True) as client:
        if plan is not None and saved is not None:
            _refuse_digest(plan, expect_digest)
            _from_file(client, saved, push_secrets, plan, parallelism)
        else:
            plan = _from_config(client, paths, targets, allow_deletes, push_secrets, parallelism)
            _refuse_digest(plan, expect_digest)
            if plan.refusals:
                raise PlanRefused(plan.refusals)
        if pending_writes(plan, push_secrets=push_secrets) == 0:
            if saved is not None:  # the config route's plan already said "No changes."
                click.echo("Nothing to apply: the saved plan has no changes.")
            return 0
        if saved is None and not auto_approve:
            if not sys.stdin.isatty():
                raise click.ClickException(
                    "stdin is not a terminal, so apply cannot ask for approval: "
                    "pass --auto-approve (nothing was changed)"
                )
            if not _confirm():
                click.echo("Apply cancelled.", err=True)
                return 1
        report = apply_plan(
            plan,
            client,
            push_secrets=push_secrets,
            allow_deletes=allow_deletes,
            parallelism=parallelism,
            env=os.environ,
            progress=_Progress(),
        )
    click.echo()
    render_report(report, sys.stdout)
    return 0 if report.ok else 1
