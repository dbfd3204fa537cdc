"""`halo-reconciler validate`: check configuration files offline (no request is made).

A thin adapter: parse the arguments, call `reconciler.config.load`, print a summary.
An invalid configuration raises ConfigError, which the group prints (every issue) and
turns into exit 1. Imports only click at module level, so `--help` stays fast.
"""

from __future__ import annotations

import click


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--no-env",
    is_flag=True,
    help="Do not resolve ${NAME} references and do not require the variables to be set "
    "(for a pre-commit hook on a machine without the secrets).",
)
def command(paths: tuple[str, ...], no_env: bool) -> None:
    """Check configuration files without contacting HaloPSA.

    PATHS are YAML files or directories (read recursively, *.yaml and *.yml, hidden
    entries skipped); the default is the current directory. Checks YAML syntax, keys,
    fields and types against the schemas, ${NAME} references, lifecycle and settings,
    and duplicate records. Every error is reported, with file:line:column; exit 1.
    """
    import os

    from reconciler.config import load

    config = load(paths or (".",), env=None if no_env else os.environ)
    types = {r.type for r in config.records}
    click.echo(
        f"Configuration valid: {_count(len(config.records), 'record')} of "
        f"{_count(len(types), 'type')} in {_count(len(config.files), 'file')}."
    )
