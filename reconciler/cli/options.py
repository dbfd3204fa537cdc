"""Shared click option bundles, and opening the HaloPSA client a command asked for.

`connection_options` adds --url, --tenant and --sandbox to plan, apply, export and drift;
`open_client` turns them into a read-only or writing client. Only click, typing and the
standard library are imported at module level: --help must not pay for httpx.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import click

if TYPE_CHECKING:
    from reconciler.halo import Client, ReadOnlyClient

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(f: F) -> F:
    """Add --url, --tenant and --sandbox (passed as `url`, `tenant`, `sandbox`)."""
    f = click.option(
        "--sandbox",
        is_flag=True,
        help="Run against the bundled HaloPSA simulator (data in .halo-sandbox/, "
        "or HALO_SANDBOX_DIR) instead of HALO_URL.",
    )(f)
    f = click.option(
        "--tenant",
        metavar="NAME",
        default=None,
        help="Tenant name of a hosted instance (overrides HALO_TENANT).",
    )(f)
    f = click.option(
        "--url",
        metavar="URL",
        default=None,
        help="HaloPSA instance, e.g. https://acme.halopsa.com (overrides HALO_URL).",
    )(f)
    return f


@overload
def open_client(
    *, url: str | None, tenant: str | None, sandbox: bool, write: Literal[False]
) -> ReadOnlyClient: ...


@overload
def open_client(
    *, url: str | None, tenant: str | None, sandbox: bool, write: Literal[True]
) -> Client: ...


@overload
def open_client(
    *, url: str | None, tenant: str | None, sandbox: bool, write: bool
) -> ReadOnlyClient | Client: ...


def open_client(
    *, url: str | None, tenant: str | None, sandbox: bool, write: bool
) -> ReadOnlyClient | Client:
    """A client for the instance the flags and HALO_* variables name.

    With `sandbox`, the bundled simulator is started (data under .halo-sandbox/) and
    stopped when the client closes: use the client as a context manager. `write=False`
    gives a ReadOnlyClient, which has no way to POST or DELETE.
    """
    from reconciler.halo import Client, ReadOnlyClient, settings_from_env

    kind = Client if write else ReadOnlyClient
    if not sandbox:
        return kind(settings_from_env(os.environ, url=url, tenant=tenant))
    if url or tenant:
        raise click.UsageError("--sandbox cannot be combined with --url or --tenant")
    from reconciler.sandbox.local import open_local
    from reconciler.sensitive import reveal

    handle = open_local()
    try:
        env = {
            "HALO_URL": handle.url,
            "HALO_CLIENT_ID": handle.client_id,
            "HALO_CLIENT_SECRET": str(reveal(handle.client_secret)),
        }
        # The budget and retry settings still apply (a sandbox may rate-limit too).
        for name in ("HALO_RATE_LIMIT", "HALO_RETRY_BUDGET"):
            if name in os.environ:
                env[name] = os.environ[name]
        return kind(settings_from_env(env), on_close=handle.stop)
    except BaseException:
        handle.stop()
        raise
