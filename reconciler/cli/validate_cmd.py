"""`halo-reconciler validate`: check configuration files offline (no request is made).

A thin adapter: parse the arguments, check the configuration, print a summary. In the
text format an invalid configuration raises ConfigError, which the group prints (every
issue) and turns into exit 1; `--format github|json` prints the issues on stdout in that
form instead and exits 1. Imports only click at module level, so `--help` stays fast.
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "github", "json")),
    default="text",
    show_default=True,
    help="text: errors on stderr; github: one ::error annotation per error on stdout, "
    "shown on the pull request's diff; json: {valid, errors} on stdout.",
)
def command(paths: tuple[str, ...], no_env: bool, fmt: str) -> None:
    """Check configuration files without contacting HaloPSA.

    PATHS are YAML files or directories (read recursively, *.yaml and *.yml, hidden
    entries skipped); the default is the current directory. Checks YAML syntax, keys,
    fields and types against the schemas, ${NAME} references, lifecycle and settings,
    and duplicate records. Every error is reported, with file:line:column; exit 1.
    """
    import os
    import sys

    from reconciler.config.check import check, from_workspace
    from reconciler.config.loader import load
    from reconciler.render import issues

    env = None if no_env else os.environ
    if fmt == "text":
        config = load(paths or (".",), env=env)  # ConfigError: printed by the group
    else:
        checked = check(paths or (".",), env=env)
        if fmt == "json":
            issues.render_json(checked.issues, sys.stdout)
        elif checked.issues:
            issues.render_github(from_workspace(checked.issues, os.getcwd()), sys.stdout)
        if checked.config is None:
            raise click.exceptions.Exit(1)
        if fmt == "json":
            return
        config = checked.config
    types = {r.type for r in config.records}
    click.echo(
        f"Configuration valid: {_count(len(config.records), 'record')} of "
        f"{_count(len(types), 'type')} in {_count(len(config.files), 'file')}."
    )
