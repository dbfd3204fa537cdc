"""Shared click options: the connection, --target, --exclude, --type, --format.

Only click, typing and the standard library (and our light `connection` module) are
imported at module level: --help must not pay for httpx or the registry. Values are
checked against the registry when an option is used, not when it is declared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from reconciler.connection import Connection
from reconciler.render import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --url, --tenant and --sandbox, passed to `f` as one `connection: Connection`.

    --sandbox with --url or --tenant is a usage error, refused before anything starts.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, url: str | None, tenant: str | None, sandbox: bool, **kw: Any) -> Any:
        if sandbox and (url or tenant):
            raise click.UsageError("--sandbox cannot be combined with --url or --tenant")
        from reconciler.cli import progress

        timing = progress.client_timing()  # long waits reported on stderr
        return f(*args, connection=Connection(url, tenant, sandbox, timing), **kw)

    url = "HaloPSA instance, e.g. https://acme.halopsa.com (overrides HALO_URL)."
    tenant = "Tenant name of a hosted instance (overrides HALO_TENANT)."
    sandbox = (
        "Run against the bundled HaloPSA simulator (data in .halo-sandbox/, "
        "or HALO_SANDBOX_DIR) instead of HALO_URL."
    )
    wrapper = click.option("--sandbox", is_flag=True, help=sandbox)(wrapper)
    wrapper = click.option("--tenant", metavar="NAME", default=None, help=tenant)(wrapper)
    return click.option("--url", metavar="URL", default=None, help=url)(wrapper)


def _check_targets(
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


def _complete_targets(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of --target: the type keys (identities live in HaloPSA, not here)."""
    from reconciler.registry import KEYS

    return [key for key in KEYS if key.startswith(incomplete)] if "/" not in incomplete else []


def target_option(f: F) -> F:
    """`--target TYPE[/IDENTITY]`, repeatable (passed as `targets`)."""
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="TYPE[/IDENTITY]",
        callback=_check_targets,
        shell_complete=_complete_targets,
        help="Plan only this type, or one record of it (e.g. xero/Acme NZ, xero/#12). "
        "Repeatable. Matching still sees every record of the type.",
    )(f)


def exclude_option(f: F) -> F:
    """`--exclude TYPE[/IDENTITY]`, repeatable (passed as `excludes`)."""
    return click.option(
        "--exclude",
        "excludes",
        multiple=True,
        metavar="TYPE[/IDENTITY]",
        callback=_check_targets,
        help="Leave this type, or one record of it (e.g. xero/Acme NZ, xero/#12), out of "
        "the plan: matched but never planned, so never pruned. Repeatable.",
    )(f)


def _check_reason(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("give the reason for applying inside a freeze window")
    return value.strip() if value is not None else None


def override_freeze_option(f: F) -> F:
    """`--override-freeze REASON` (passed as `override_freeze`): apply inside a window."""
    return click.option(
        "--override-freeze",
        metavar="REASON",
        default=None,
        callback=_check_reason,
        help="Apply inside a settings.freeze window; REASON is printed in the apply report.",
    )(f)


class TypeKey(click.Choice[str]):
    """A type's config key: a choice of registry.KEYS, read when the option is used."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]  # click.Choice stores a tuple; ours is read late
    def choices(self) -> Sequence[str]:
        from reconciler.registry import KEYS

        return KEYS

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        """click.Choice.__init__ sets the choices; the registry's are used instead."""


class _KeysHelp(click.Option):
    """An option whose help ends with the type keys, looked up when help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from reconciler.registry import KEYS

        record = super().get_help_record(ctx)
        return None if record is None else (record[0], f"{record[1]} One of: {', '.join(KEYS)}.")


def type_option(what: str) -> Callable[[F], F]:
    """`--type KEY`, repeatable (passed as `types`), for a command that does `what`."""
    return click.option(
        "--type",
        "types",
        multiple=True,
        type=TypeKey(),
        cls=_KeysHelp,
        metavar="KEY",
        help=f"{what} only this type (repeatable; default: all).",
    )


def format_option(what: str) -> Callable[[F], F]:
    """`--format text|json|markdown` (default text) for a command printing `what`."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help=f"Output format of the {what}: text for terminals and logs, json for "
        "scripts, markdown for a pull-request comment or CI step summary.",
    )
