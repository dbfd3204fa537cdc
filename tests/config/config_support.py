"""Shared by the configuration tests: where the fixtures are, how to run `validate`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path("tests/fixtures/configs")  # relative to ROOT: messages name files this way
CANARY = "CANARY-9f3b2a7c-secret"

# The environment of every bad-fixture run: values chosen to trip the checks.
BAD_ENV = {
    "XERO_CLIENT_SECRET": CANARY,
    "SYNC_SWITCH": "maybe",
    "TOP_LEVEL": "12abc",
    "MAPPINGS": "[]",
    "XERO_TENANT_NAME": "Acme NZ",
    "HUGE_NUMBER": "9" * 5000,
    "HALO_CLIENT_SECRET": CANARY,
}
# The variables the good fixtures refer to.
GOOD_ENV = {
    "XERO_CLIENT_ID": "0A1B2C3D4E5F",
    "XERO_CLIENT_SECRET": CANARY,
    "QBO_CLIENT_SECRET": CANARY,
    "AVALARA_PASSWORD": CANARY,
    "SYNC_SWITCH": "true",
    "TOP_LEVEL": "12",
    "EXTRA_ENTITY": "payments",
    "INSTANCE_HOST": "acme.halopsa.com",
}
UNSET = "RECONCILER_TEST_UNSET"


def environment(extra: dict[str, str]) -> dict[str, str]:
    """os.environ without anything the fixtures name, plus `extra`."""
    names = {*BAD_ENV, *GOOD_ENV, UNSET}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def validate(
    *args: str, env: dict[str, str], cwd: Path = ROOT, group: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`python -m reconciler [GROUP] validate ARGS` in a subprocess (cwd: the repository root)."""
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *group, "validate", *args],
        cwd=cwd,
        env=environment(env),
        capture_output=True,
        text=True,
        check=False,
    )
