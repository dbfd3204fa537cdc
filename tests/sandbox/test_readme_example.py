"""README's sandbox example (the ```sh sandbox-example block) runs as written and ends
well: a reader who pastes it gets a plan, not an error (issue 18, item 19)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh sandbox-example\n(.*?)^```$", re.S | re.M)


def test_the_sandbox_example_runs_as_written(tmp_path: Path) -> None:
    found = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found is not None
    shutil.copytree(ROOT / "examples" / "xero-single", tmp_path / "examples" / "xero-single")
    # `halo-reconciler` as a reader has it: this checkout, run by this interpreter.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "halo-reconciler"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m reconciler "$@"\n')
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALO_", "XERO_"))}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        ["bash", "-e", "-c", found.group(1)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Plan: 1 to create" in result.stdout or "to update" in result.stdout, result.stdout
