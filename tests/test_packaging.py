"""A non-editable install must find the schemas and the bundled sandbox seed.

Builds the wheel offline (no build isolation: hatchling comes from the test extra) and
checks what it ships, rather than trusting the editable install the suite runs from.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_schemas_and_seed(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("halo_reconciler-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    schemas = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    for name in schemas:
        assert f"reconciler/schemas/{name}" in names
    assert "reconciler/sandbox/bundled-seed.yaml" in names
    assert not any(n.startswith("tests/") for n in names)
