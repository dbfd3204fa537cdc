"""`halo-reconciler status`: every accounting connection's health (SPEC §15).

A thin adapter: no configuration; read_status reads every record of the nine types (or
--type) with a read-only client, plus HaloPSA's error log, and judges each connection;
render/status.py prints it. Exit 0; with --detailed-exitcode 2 when a connection needs
attention; 1 on any error (via the group). Imports only click, typing and the standard
library at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from reconciler.cli.options import connection_options, format_option, type_option

if TYPE_CHECKING:
    from reconciler.connection import Connection


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
@type_option("Report")
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
    connection: Connection,
) -> int:
    """Report every accounting connection's health, for a scheduled job.

    Per connection: authorized or not, token expiry and days left, HaloPSA's warning,
    the Halo Integrator's last sync and last error, and sync errors of the last 7 days
    from HaloPSA's error log. Reads with GET only; needs no configuration.

    Exit codes: 0 report made; 2 with --detailed-exitcode when a connection needs
    attention; 1 any error (HaloPSA unreachable, credentials refused, ...).
    """
    import sys
    from datetime import UTC, datetime

    from reconciler.connection import open_client
    from reconciler.render.status import render_status
    from reconciler.status import read_status

    with open_client(connection, write=False) as client:
        report = read_status(client, now=datetime.now(UTC), types=types, warn_days=warn_days)
    render_status(report, sys.stdout, format=fmt)
    return 2 if detailed_exitcode and report.needs_attention else 0
