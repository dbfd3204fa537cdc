"""Shell completion (click's): commands, options, and the types --target and --type take.

Run as a shell runs it: the completion variable set, the words in COMP_WORDS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _complete(words: str, shell: str = "bash") -> list[str]:
    env = dict(
        os.environ,
        _HALO_RECONCILER_COMPLETE=f"{shell}_complete",
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - 1),
    )
    done = subprocess.run(
        [sys.executable, "-m", "reconciler"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines()]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("halo-reconciler sh", ["show"]),
        ("halo-reconciler pl", ["plan"]),
        ("halo-reconciler plan --det", ["--detailed-exitcode"]),
        ("halo-reconciler drift --target qu", ["quickbooks"]),
        ("halo-reconciler export --type b", ["business_central"]),
        ("halo-reconciler validate --format g", ["github"]),
    ],
)
def test_completes_commands_options_and_types(words: str, expected: list[str]) -> None:
    assert _complete(words) == expected


def test_the_script_for_a_shell_is_printed() -> None:
    env = dict(os.environ, _HALO_RECONCILER_COMPLETE="bash_source")
    done = subprocess.run(
        [sys.executable, "-m", "reconciler"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "_halo_reconciler_completion()" in done.stdout
