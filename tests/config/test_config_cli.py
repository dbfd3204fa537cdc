"""`validate` as a command: what it imports, its help, and the pre-commit hook it backs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from config_support import FIXTURES, GOOD_ENV, ROOT, environment, validate
from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]  # no stubs

HEAVY = ("httpx", "deepdiff", "jsonschema")


def _imported(*args: str) -> set[str]:
    """Top-level module names `python -X importtime -m reconciler ARGS` imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reconciler", *args],
        cwd=ROOT,
        env=environment(GOOD_ENV),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", result.stderr, re.M)
    return {name.split(".")[0] for name in names}


def test_validate_imports_neither_httpx_deepdiff_nor_jsonschema() -> None:
    modules = _imported("validate", str(FIXTURES / "good"))
    assert "yaml" in modules
    assert not modules & set(HEAVY)


def test_validate_help_imports_no_yaml() -> None:
    modules = _imported("validate", "--help")
    assert not modules & {"yaml", *HEAVY}


def test_help_text() -> None:
    result = validate("--help", env={})
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: halo-reconciler validate [OPTIONS] [PATHS]...")
    assert "--no-env" in result.stdout


def test_pre_commit_hook_manifest() -> None:
    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "halo-reconciler-validate"
    assert hook["entry"] == "halo-reconciler validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    exclude = re.compile(hook["exclude"])

    def selected(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    assert selected("halo/xero.yaml") and selected("x.yml")
    assert not selected("README.md")
    assert not selected(".github/workflows/plan.yml")
    assert not selected(".pre-commit-config.yaml")


@pytest.mark.parametrize("extra", [[], ["--no-env"]])
def test_hook_style_run_on_changed_files(extra: list[str]) -> None:
    # pre-commit passes the changed files by name, several at once
    good = FIXTURES / "good"
    names = [str(good / "spec-example.yaml"), str(good / "multi" / "quickbooks.yml")]
    result = validate(*extra, *names, env=GOOD_ENV if not extra else {})
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Configuration valid: 3 records of 2 types in 2 files.\n"
