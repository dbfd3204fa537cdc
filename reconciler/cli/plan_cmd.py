"""`halo-reconciler plan`: show what apply would change, without changing anything.

A thin adapter: load the configuration (an invalid one fails before any request), read
the live records of the referenced types with a read-only client (one GET per type),
build the plan, render it to stdout, and save it as JSON with --out. Exit 0, or 2 with
--detailed-exitcode when there are changes (ChangesPresent); errors exit 1 via the group.
`make_plan` is the pipeline drift shares. Imports only click, typing and the standard
library at module level, so --help stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reconciler.cli.options import connection_options
from reconciler.cli.output import format_option

if TYPE_CHECKING:
    from reconciler.plan.model import Plan

F = TypeVar("F", bound=Callable[..., Any])


def _check_targets(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Each --target names a known type, optionally `/IDENTITY` (or `/#ID`)."""
    from reconciler.registry import KEYS

    for value in values:
        key, slash, rest = value.partition("/")
        if key not in KEYS:
            raise click.BadParameter(
                f"unknown type {key!r} in {value!r} (types: {', '.join(KEYS)})"
            )
        if slash and not rest:
            raise click.BadParameter(f"{value!r}: give an identity after the slash")
    return values


def target_option(f: F) -> F:
    """`--target TYPE[/IDENTITY]`, repeatable (passed as `targets`)."""
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="TYPE[/IDENTITY]",
        callback=_check_targets,
        help="Plan only this type, or one record of it (e.g. xero/Acme NZ, xero/#12). "
        "Repeatable. Matching still sees every record of the type.",
    )(f)


def make_plan(
    paths: Sequence[str],
    *,
    targets: Sequence[str] = (),
    url: str | None = None,
    tenant: str | None = None,
    sandbox: bool = False,
) -> Plan:
    """Configuration + live records -> the plan, with reading warnings merged in.

    Read-only: the client it opens has no way to write.
    """
    from reconciler.cli.options import open_client
    from reconciler.config import load
    from reconciler.planning import plan_against

    config = load(paths or (".",), env=os.environ)  # ConfigError: before any request
    with open_client(url=url, tenant=tenant, sandbox=sandbox, write=False) as client:
        return plan_against(config, client, targets=targets)


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
@connection_options
def command(
    paths: tuple[str, ...],
    out: Path | None,
    fmt: str,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    url: str | None,
    tenant: str | None,
    sandbox: bool,
) -> None:
    """Show what apply would change in HaloPSA to match the configuration.

    PATHS are YAML files or directories (default: the current directory). Reads the
    live records with GET only (one request per type) and prints every record to
    create, update or delete, field by field, money-affecting changes first. Unmanaged
    live records are listed, not touched. Nothing is written to HaloPSA.

    Exit codes: 0 success; 1 any error; with --detailed-exitcode, 2 when there are
    changes.
    """
    import sys

    from reconciler.cli.main import ChangesPresent
    from reconciler.cli.output import render, save_plan

    plan = make_plan(paths, targets=targets, url=url, tenant=tenant, sandbox=sandbox)
    if out is not None:
        save_plan(plan, out)
    render(plan, fmt, sys.stdout, full_plan_hint=str(out) if out is not None else None)
    if out is not None and fmt == "text":
        click.echo(f"\nSaved the plan to {out}; apply it with: halo-reconciler apply {out}")
    if detailed_exitcode and plan.has_changes:
        raise ChangesPresent()
