"""What the shared options check when they are used: click callbacks, each raising
click.BadParameter with the option named by click. The registry and the selection rule
are imported inside the callbacks, so declaring the options stays cheap.
"""

from __future__ import annotations

import re
from pathlib import Path

import click


def check_targets(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Each --target/--exclude names a known type, optionally `/IDENTITY` (or `/#ID`)."""
    from reconciler.plan.selection import target_problem
    from reconciler.registry import KEYS

    for value in values:
        problem = target_problem(value)
        if problem == "type":
            key = value.partition("/")[0]
            raise click.BadParameter(
                f"unknown type {key!r} in {value!r} (types: {', '.join(KEYS)})"
            )
        if problem == "identity":
            raise click.BadParameter(f"{value!r}: give an identity after the slash")
    return values


def check_reason(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --override-freeze reason: some text."""
    if value is not None and not value.strip():
        raise click.BadParameter("give the reason for applying inside a freeze window")
    return value.strip() if value is not None else None


def check_digest(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A --expect-digest value: 64 hexadecimal characters, given back in lower case."""
    if value is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", value.strip()):
        raise click.BadParameter("expected a SHA-256 digest: 64 hexadecimal characters")
    return value.strip().lower() if value is not None else None


def saved_plan_given(
    paths: tuple[str, ...], targets: tuple[str, ...], excludes: tuple[str, ...]
) -> Path | None:
    """The saved plan apply was given, or None (configuration paths). A saved plan goes
    alone and is applied exactly as saved: other paths, --target and --exclude beside it
    are usage errors."""
    from reconciler.apply import saved

    if (mixed := saved.plan_file_among(paths)) is not None:  # else read as YAML
        raise click.UsageError(f"{mixed} is a saved plan: apply it alone, without other paths")
    path = saved.find_plan_file(paths)
    if path is not None and (targets or excludes):
        flag = "--target" if targets else "--exclude"
        raise click.UsageError(
            f"{flag} cannot be used with a saved plan: it is applied exactly as saved "
            f"(make the plan with {flag} instead)"
        )
    return path
