"""Validation as data: the configuration, or every issue of the run, without raising.

`validate --format github|json` reports issues in a machine format instead of the
group's `Error: ...` text; this is the one way to get them: `load` remains the one
implementation of every check.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reconciler.config.loader import load
from reconciler.config.model import Configuration
from reconciler.errors import ConfigError, Issue


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking a configuration: `config` when valid, else `issues`."""

    config: Configuration | None
    issues: tuple[Issue, ...]


def check(paths: Sequence[str | Path], *, env: Mapping[str, str] | None) -> Checked:
    """`load(paths, env=env)`, with a ConfigError turned into its issues (sorted)."""
    try:
        return Checked(load(paths, env=env), ())
    except ConfigError as exc:
        return Checked(None, exc.issues)


def from_workspace(issues: Sequence[Issue], cwd: str) -> tuple[Issue, ...]:
    """The issues with an absolute file under `cwd` named relative to it, `/`-separated.

    GitHub's annotations name files from the repository root, where a workflow runs;
    a path outside it, or already relative, is left as given.
    """
    named = []
    for issue in issues:
        if os.path.isabs(issue.file):
            relative = os.path.relpath(issue.file, cwd)
            if not relative.startswith(os.pardir):
                issue = replace(issue, file=relative.replace(os.sep, "/"))
        named.append(issue)
    return tuple(named)
