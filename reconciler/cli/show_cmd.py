"""`halo-reconciler show`: render a saved plan (or drift report) again, without HaloPSA.

A thin adapter over reconciler.saved: read PLANFILE (as `plan --out` saved it, or as
`drift --format json` printed it) and render it in the format asked for, byte for byte as
the command that made it: no connection, no configuration, no secrets needed. Exit 0;
an unreadable or malformed file is a PlanFileError (exit 1, via the group).
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.options import format_option


@click.command("show")
@click.argument("planfile", type=click.Path(dir_okay=False, path_type=Path))
@format_option("plan")
def command(planfile: Path, fmt: str) -> None:
    """Show a saved plan without contacting HaloPSA.

    PLANFILE is a plan saved with `plan --out FILE`, or a drift report printed by
    `drift --format json`. The output is exactly what plan (or drift) printed for it in
    that format; the Markdown names PLANFILE as where the full plan is if it had to be
    cut. Needs no HaloPSA settings and no secrets.
    """
    import sys

    from reconciler.cli.output import use_color
    from reconciler.saved import read_saved, render_saved

    saved = read_saved(planfile)
    render_saved(saved, sys.stdout, format=fmt, color=fmt == "text" and use_color(sys.stdout))
