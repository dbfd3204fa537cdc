"""README's "GitOps in 10 minutes" runs as written, with the exit codes it promises.

The walkthrough is the fenced block opened with ```sh walkthrough in README.md: one
shell command per line, comment lines skipped, and the exit code each command must give
in a trailing `# exit N` comment (0 when absent). Each line runs with /bin/sh in order,
in one temporary directory, with HALO_SANDBOX_DIR in it, so state passes between
commands only through files, as in a reader's terminal.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```sh walkthrough\n(.*?)^```$", re.S | re.M)
EXIT = re.compile(r"#\s*exit (\d+)\b")


def walkthrough(text: str) -> list[tuple[str, int]]:
    """The (command, expected exit code) pairs of the first walkthrough block."""
    found = BLOCK.search(text)
    if found is None:
        return []
    steps = []
    for line in found.group(1).splitlines():
        command = line.strip()
        if command and not command.startswith("#"):
            expected = EXIT.search(command)
            steps.append((command, int(expected.group(1)) if expected else 0))
    return steps


def run_walkthrough(steps: list[tuple[str, int]], workdir: Path, env: dict[str, str]) -> None:
    env = dict(env, HALO_SANDBOX_DIR=str(workdir / ".halo-sandbox"))
    for number, (command, expected) in enumerate(steps, 1):
        result = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == expected, (
            f"step {number}: {command}\nexpected exit {expected}, got {result.returncode}\n"
            f"{result.stdout}{result.stderr}"
        )


def test_walkthrough_parser() -> None:
    text = "x\n```sh walkthrough\n# a comment\nhalo-reconciler plan  # exit 2: changes\n\nls\n```\n"
    assert walkthrough(text) == [("halo-reconciler plan  # exit 2: changes", 2), ("ls", 0)]
    assert walkthrough("```sh\nls\n```\n") == []


def test_readme_walkthrough_runs_as_written(tmp_path: Path, shell_env: dict[str, str]) -> None:
    steps = walkthrough(README.read_text(encoding="utf-8"))
    if not steps:
        pytest.skip(
            "README.md has no ```sh walkthrough block yet (from /tmp/readme-parts/gitops.md)"
        )
    commands = " ".join(command for command, _ in steps)
    for needed in ("validate", "plan", "--out plan.json", "apply plan.json", "drift", "export"):
        assert needed in commands
    assert {code for _, code in steps} == {0, 2}
    run_walkthrough(steps, tmp_path, shell_env)
