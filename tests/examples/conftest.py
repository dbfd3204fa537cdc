"""Fixtures for the GitOps kit tests: the CLI as a user's shell sees it.

`shell_env` gives an environment whose PATH starts with a directory holding
`halo-reconciler` and `python` wrappers that run this checkout with the interpreter
running the tests, so CI scripts and README commands run unmodified. Nothing here
touches the network beyond the loopback sandbox.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from examples.actions_runner import Runner, make_runner

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def _wrapper(path: Path, command: str) -> None:
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" {command} "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture(scope="session")
def cli_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with `halo-reconciler` and `python` running this checkout."""
    bin_dir = tmp_path_factory.mktemp("bin")
    _wrapper(bin_dir / "halo-reconciler", "-m reconciler")
    _wrapper(bin_dir / "python", "")
    return bin_dir


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """A hosted runner's Python and RUNNER_TEMP, shared by the session: the action's
    install step builds and installs halo-reconciler into it once."""
    return make_runner(tmp_path_factory.mktemp("runner"))


@pytest.fixture
def shell_env(cli_bin: Path) -> dict[str, str]:
    """The test's environment (already free of HALO_*) with the wrappers first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{cli_bin}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["NO_COLOR"] = "1"
    return env
