"""Shared click options: the connection, --target, --exclude, --type, --format,
--override-freeze, --expect-digest. Only click and light modules are imported at module
level (--help must not pay for httpx or the registry); values are checked when an option
is used (cli/checks.py), not when it is declared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from reconciler.cli.checks import check_digest, check_reason, check_targets
from reconciler.cli.keys import KeysHelp, TypeKey, complete_type_keys
from reconciler.render import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Add --url, --tenant and --sandbox, passed to `f` as one `connection: Connection`.

    --sandbox with --url or --tenant is a usage error, refused before anything starts.
    """

    @functools.wraps(f)
    def wrapper(*args: Any, url: str | None, tenant: str | None, sandbox: bool, **kw: Any) -> Any:
        from reconciler.connection import Connection  # here: --help does not need it

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


def target_option(f: F) -> F:
    """`--target TYPE[/IDENTITY]`, repeatable (passed as `targets`)."""
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="TYPE[/IDENTITY]",
        callback=check_targets,
        shell_complete=complete_type_keys,
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
        callback=check_targets,
        help="Leave this type, or one record of it (e.g. xero/Acme NZ, xero/#12), out of "
        "the plan: matched but never planned, so never pruned. Repeatable.",
    )(f)


def override_freeze_option(f: F) -> F:
    """`--override-freeze REASON` (passed as `override_freeze`): apply inside a window."""
    return click.option(
        "--override-freeze",
        metavar="REASON",
        default=None,
        callback=check_reason,
        help="Apply inside a settings.freeze window; REASON is printed in the apply report.",
    )(f)


def type_option(what: str) -> Callable[[F], F]:
    """`--type KEY`, repeatable (passed as `types`), for a command that does `what`."""
    return click.option(
        "--type",
        "types",
        multiple=True,
        type=TypeKey(),
        cls=KeysHelp,
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


def digest_option(f: F) -> F:
    """`--expect-digest HEX` (passed as `expect_digest`, lower case)."""
    return click.option(
        "--expect-digest",
        metavar="HEX",
        default=None,
        callback=check_digest,
        help="Apply only if the plan's digest is HEX (the plan reviewed on the pull "
        "request); otherwise show the new plan and exit 1.",
    )(f)
