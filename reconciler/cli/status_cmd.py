"""`halo-reconciler status`: every accounting connection's health (SPEC §15).

No configuration: reads every record of the nine types (or --type) with a read-only
client, plus HaloPSA's error log, and reports what needs attention. Exit 0; with
--detailed-exitcode 2 when a connection needs attention; 1 on any error.
Imports only click, the registry and the standard library at module level.
"""

from __future__ import annotations

import click

from reconciler.cli.options import connection_options, open_client
from reconciler.cli.output import format_option
from reconciler.registry import KEYS


@click.command("status")
@format_option("status report")
@click.option(
    "--warn-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    metavar="N",
    help="A token expiring within N days needs attention.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    type=click.Choice(KEYS),
    help="Report only this type (repeatable; default: all nine).",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when any connection needs attention (0 when none does).",
)
@connection_options
def command(
    fmt: str,
    warn_days: int,
    types: tuple[str, ...],
    detailed_exitcode: bool,
    url: str | None,
    tenant: str | None,
    sandbox: bool,
) -> None:
    """Report every accounting connection's health, for a scheduled job.

    Per connection: authorized or not, token expiry and days left, HaloPSA's warning,
    the Halo Integrator's last sync and last error, and sync errors of the last 7 days
    from HaloPSA's error log. Reads with GET only; needs no configuration.

    Exit codes: 0 report made; 2 with --detailed-exitcode when a connection needs
    attention; 1 any error (HaloPSA unreachable, credentials refused, ...).
    """
    import sys
    from datetime import UTC, datetime

    from reconciler.cli.main import ChangesPresent
    from reconciler.status import read_status
    from reconciler.status.render import render_status

    with open_client(url=url, tenant=tenant, sandbox=sandbox, write=False) as client:
        report = read_status(client, now=datetime.now(UTC), types=types, warn_days=warn_days)
    render_status(report, sys.stdout, format=fmt)
    if detailed_exitcode and report.needs_attention:
        raise ChangesPresent()
