"""The example configurations: valid, editor-ready, and meaningful against the seed.

Each example directory validates with `validate --no-env` (what pre-commit runs),
each file names the editor schema by a relative path that exists and passes it
(check-jsonschema, as the YAML language server would), and each plans cleanly against
a sandbox holding the bundled seed: the first plan shows changes, apply converges, and
a second plan is empty. The secrets the examples name are set to the canary, which
must never reach any output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.sandbox import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

# example directory -> what `validate --no-env` says about it
VALID: dict[str, str] = {
    "all-nine": "Configuration valid: 10 records of 9 types in 1 file.",
    "quickbooks-avalara": "Configuration valid: 2 records of 2 types in 1 file.",
    "xero-multi-tenant": "Configuration valid: 4 records of 1 type in 4 files.",
    "xero-single": "Configuration valid: 1 record of 1 type in 1 file.",
}

# example directory -> the last line of its first plan against the bundled seed
FIRST_PLAN: dict[str, str] = {
    "all-nine": "Plan: 4 to create, 5 to update, 0 to delete.",
    "quickbooks-avalara": "Plan: 0 to create, 2 to update, 0 to delete.",
    "xero-multi-tenant": "Plan: 1 to create, 2 to update, 1 to delete.",
    "xero-single": "Plan: 0 to create, 1 to update, 0 to delete.",
}


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def _files(name: str) -> list[Path]:
    return sorted((EXAMPLES / name).rglob("*.yaml"))


def test_every_example_directory_is_listed() -> None:
    found = {p.parent.name for p in EXAMPLES.glob("*/*.yaml")}
    assert found == set(VALID) == set(FIRST_PLAN)


@pytest.mark.parametrize("name", sorted(VALID))
def test_example_validates_without_env(name: str) -> None:
    result = _cli("validate", "--no-env", f"examples/{name}")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == VALID[name]


@pytest.mark.parametrize("name", sorted(VALID))
def test_example_files_name_the_editor_schema_and_say_what_they_show(name: str) -> None:
    for path in _files(name):
        lines = path.read_text(encoding="utf-8").splitlines()
        found = SCHEMA_LINE.match(lines[0])
        assert found, f"{path}: first line must be the yaml-language-server $schema line"
        assert (path.parent / found.group(1)).resolve() == ROOT / "schemas" / "config.schema.json"
        header = [line for line in lines[1:] if line.startswith("#") and line.strip("# ")]
        assert len(header) >= 2, f"{path}: a comment header says what the example shows"


@pytest.mark.parametrize("name", sorted(VALID))
def test_example_files_pass_the_editor_schema(name: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(ROOT / "schemas" / "config.schema.json"),
            *map(str, _files(name)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _env_for(name: str, handle: SandboxHandle, canary: str) -> dict[str, str]:
    """The HALO_* variables for the sandbox plus every ${NAME} the example uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALO_")}
    env.update(
        HALO_URL=handle.url,
        HALO_CLIENT_ID=handle.client_id,
        HALO_CLIENT_SECRET=handle.client_secret,
        NO_COLOR="1",
    )
    for path in _files(name):
        for variable in VARIABLE.findall(path.read_text(encoding="utf-8")):
            env[variable] = canary
    return env


@pytest.mark.parametrize("name", sorted(FIRST_PLAN))
def test_example_plans_applies_and_converges_against_the_seed(
    name: str, sandbox_seeded: SandboxHandle, canary: str
) -> None:
    env = _env_for(name, sandbox_seeded, canary)
    path = f"examples/{name}"

    first = _cli("plan", path, "--detailed-exitcode", env=env)
    assert first.returncode == 2, first.stdout + first.stderr
    assert first.stdout.rstrip().splitlines()[-1] == FIRST_PLAN[name]

    # More deletions than max_deletes are refused without --allow-deletes; the examples
    # stay within their limits, so apply needs no override.
    applied = _cli("apply", path, "--auto-approve", env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr

    again = _cli("plan", path, "--detailed-exitcode", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.rstrip().splitlines()[-1] == "Plan: 0 to create, 0 to update, 0 to delete."

    for result in (first, applied, again):
        assert canary not in result.stdout + result.stderr


def test_all_nine_plans_with_sandbox_flag_and_no_environment(
    sandbox_dir: Path, tmp_path: Path
) -> None:
    """The README's quick start: no account, no variables, a fresh --sandbox directory."""
    result = subprocess.run(
        [sys.executable, "-m", "reconciler", "plan", str(EXAMPLES / "all-nine"), "--sandbox"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == FIRST_PLAN["all-nine"]
    assert "unmanaged" in result.stdout
