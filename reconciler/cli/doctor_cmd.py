"""`halo-reconciler doctor`: how this HaloPSA instance answers, probed read-only.

A thin adapter: options, doctor.run_doctor (the library does every check with a
read-only client), render/doctor.py, and the exit code: 0 when nothing failed (warnings
allowed), 1 when a check failed. Imports only click and the standard library at module
level.
"""

from __future__ import annotations

import click

from reconciler.cli.options import connection_options
from reconciler.connection import Connection


@click.command("doctor")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per check; json: {instance, checks: [{name, status, detail}]}.",
)
@connection_options
def command(fmt: str, connection: Connection) -> int:
    """Check the connection and how HaloPSA answers, read-only (run it first).

    One line per check, each ok, warn or fail: the connection settings, the token, for
    each of the nine endpoints its record count, list shape, the fields list rows lack
    compared with a detail read and the fields HaloPSA returned that the schema lacks,
    the server's clock, and the instance's version. At most 1 token request + 2 requests
    per type + 1 other. Never prints a secret or a token.

    Exit codes: 0 nothing failed (warnings allowed); 1 a check failed.
    """
    import sys

    from reconciler.doctor import run_doctor
    from reconciler.render.doctor import render

    report = run_doctor(connection)
    render(report, sys.stdout, format=fmt)
    return 1 if report.failed else 0
