"""Writing config files for plan/drift/export tests (the CLI runner is in cli_runner.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write(directory: Path, name: str, text: str) -> Path:
    """Write a dedented YAML file into `directory`; returns its path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def unreachable_url() -> str:
    """The URL of a sandbox that has stopped: nothing listens there any more."""
    from reconciler.sandbox import start_in_thread

    with start_in_thread() as h:
        url = h.url
    return url
