"""`halo-reconciler export`: write the live records as configuration (adopting an instance).

A thin adapter over reconciler.export: read the types asked for (default all nine) with a
read-only client, one GET per type (planning.read_instance), and write YAML that plans
with no changes against the same instance — to stdout as one document, or with --out one
`<key>.yaml` per type. Existing files are never overwritten without --force (and then
nothing is written). Notes on values that could not be exported go to stderr. Imports
only click, typing and the standard library at module level.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.cli.options import connection_options, type_option

if TYPE_CHECKING:
    from reconciler.connection import Connection


@click.command("export")
@type_option("Export")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write one file per type, DIR/<key>.yaml, instead of one document to stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist in --out DIR.")
@click.option(
    "--merge",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write the live value of every field that differs into the configuration in DIR, "
    "in place (comments, lifecycle, ${NAME} references and files kept): accepted drift "
    "into Git. Records to create or delete are reported, not merged.",
)
@click.option(
    "--names",
    is_flag=True,
    help="Write ids of top levels, item groups, clients, tax codes, accounts and items as "
    '{name: "..."} when the name is unique, so the files serve instances whose ids differ.',
)
@connection_options
def command(
    types: tuple[str, ...],
    out: Path | None,
    force: bool,
    merge: Path | None,
    names: bool,
    connection: Connection,
) -> None:
    """Write HaloPSA's live integration records as configuration YAML.

    Planning the exported files against the same instance shows no changes: commit
    them to adopt an existing instance. Fields are in schema order with the identity
    first; read-only fields, action triggers and empty values are left out; `id` is
    written only for a record whose identity is empty or shared. Write-only fields
    (secrets HaloPSA never returns) become commented ${VAR} placeholders, so the files
    validate and plan with no variable set.
    """
    from reconciler.export import Origin, export_document, export_files, write_files
    from reconciler.planning import read_instance
    from reconciler.registry import KEYS

    if merge is not None:
        if out is not None or types or names:
            raise click.UsageError("--merge takes no --out, --type or --names")
        _merge(merge, connection)
        return

    live, where = read_instance(connection, list(types) or list(KEYS), names=names)
    origin = Origin(where.url, where.tenant)
    notes = list(live.warnings)
    if out is None:
        exported = export_document(live.records, origin, types)
        click.echo(exported.text, nl=False)
        notes.extend(exported.notes)
    else:
        files, file_notes = export_files(live.records, origin, types)
        notes.extend(file_notes)
        written = write_files(out, files, force=force) if files else []
        for path in written:
            if path.suffix == ".json":
                click.echo(f"Wrote {path} (the configuration schema the files name).")
                continue
            count = len(live.records.get(path.stem, ()))
            click.echo(f"Wrote {path} ({count} record{'' if count == 1 else 's'}).")
        if not written:
            click.echo("HaloPSA has no records of these types: no file written.")
    for note in notes:
        click.echo(f"Warning: {note}", err=True)


def _merge(directory: Path, connection: Connection) -> None:
    """export --merge DIR: the files that changed on stdout, what was not merged on stderr."""
    from reconciler.export.merge import write_merged
    from reconciler.planning import merge_live

    merged = merge_live(str(directory), connection)
    for path in write_merged(merged):
        click.echo(f"Merged live values into {path}.")
    if not merged.texts:
        click.echo("Nothing to merge: the configuration's values match HaloPSA.")
    for note in merged.notes:
        click.echo(f"Note: {note}", err=True)
