"""README.md documents every command the CLI has, with the names SPEC pins."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli.main import COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_in_readme(name: str) -> None:
    assert f"halo-reconciler {name}" in README


def test_newcomer_commands_in_readme() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    test_command = ci.strip().splitlines()[-1].strip()
    assert test_command in README
    assert "--sandbox" in README


@pytest.mark.parametrize(
    "variable",
    [
        "HALO_URL",
        "HALO_AUTH_URL",
        "HALO_CLIENT_ID",
        "HALO_CLIENT_SECRET",
        "HALO_TENANT",
        "HALO_RATE_LIMIT",
        "HALO_RETRY_BUDGET",
        "HALO_SCOPE",
        "HALO_SANDBOX_DIR",
    ],
)
def test_environment_variables_documented(variable: str) -> None:
    assert variable in README
