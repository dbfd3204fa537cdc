"""`halo-reconciler sandbox`: serve the HaloPSA simulator until interrupted.

Thin adapter: parse flags, start the sandbox, print the three dotenv lines, wait for
SIGINT/SIGTERM, stop, exit 0. Imports only click and the stdlib at module level.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from reconciler.cli.sandbox_options import fault_options


def _loopback(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from reconciler.instance import is_loopback

    if not is_loopback(value):
        raise click.BadParameter(
            f"{value!r} is not a loopback address: the sandbox has fixed credentials, so it "
            "only listens on 127.0.0.1, ::1 or localhost"
        )
    return value


@click.command(name="sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, callback=_loopback,
              help="Loopback address to listen on.")  # fmt: skip
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port; 0 picks a free one.")  # fmt: skip
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file the records persist in (created from the seed when new). "
              "Default: in memory only.")  # fmt: skip
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Seed YAML for a new store. Default: the bundled seed.")  # fmt: skip
@click.option("--empty", is_flag=True, help="Start a new store with no records (no seed).")
@fault_options
@click.option("--tenant", help="Require this tenant on token requests (default: any).")
@click.option("--quiet", "-q", is_flag=True, help="Do not log requests to stderr.")
def command(**opts: Any) -> None:
    """Serve a HaloPSA simulator on loopback until interrupted (Ctrl-C or SIGTERM).

    The first three lines on stdout are HALO_URL=..., HALO_CLIENT_ID=... and
    HALO_CLIENT_SECRET=... (dotenv form). The credentials are HALO_SANDBOX_CLIENT_ID and
    HALO_SANDBOX_CLIENT_SECRET from the environment when set (never HALO_CLIENT_*, which
    may be a real instance's), else sandbox-client /
    sandbox-secret. Flags override the HALO_SANDBOX_* variables.
    """
    from reconciler.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, start_in_thread
    from reconciler.sandbox.faults import ENV_VARS, Faults
    from reconciler.sandbox.log import LogEntry
    from reconciler.sandbox.server import wait_for_stop

    if opts["empty"] and opts["seed"] is not None:
        raise click.UsageError("--empty and --seed exclude each other")
    flags = {name: opts["random_seed" if name == "seed" else name] for name in ENV_VARS.values()}
    faults = Faults.from_env(overrides=flags)

    def show(entry: LogEntry) -> None:
        with contextlib.suppress(OSError):  # a closed stderr must not fail requests
            click.echo(entry.line(), err=True)

    handle = start_in_thread(
        data=opts["data"],
        seed=None if opts["empty"] else (opts["seed"] or "bundled"),
        host=opts["host"],
        port=opts["port"],
        faults=faults,
        # Never HALO_CLIENT_*: a shell may hold a real instance's, which would be printed.
        client_id=os.environ.get("HALO_SANDBOX_CLIENT_ID") or DEFAULT_CLIENT_ID,
        client_secret=os.environ.get("HALO_SANDBOX_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
        tenant=opts["tenant"],
        on_request=None if opts["quiet"] else show,
    )
    try:
        # The banner goes out before the URL: nobody can send a request (whose log line
        # would then race the banner on stderr) before reading HALO_URL.
        where = str(handle.data_path) if handle.data_path else "in memory only"
        total = sum(handle.store.counts().values())
        click.echo(f"sandbox: {total} records ({where}); stop with Ctrl-C", err=True)
        sys.stderr.flush()
        click.echo(f"HALO_URL={handle.url}")
        click.echo(f"HALO_CLIENT_ID={handle.client_id}")
        click.echo(f"HALO_CLIENT_SECRET={handle.client_secret}")
        sys.stdout.flush()
        wait_for_stop()
    finally:
        handle.stop()
    click.echo("sandbox: stopped", err=True)
