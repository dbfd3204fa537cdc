"""Rewrite tests/fixtures/configs/bad-formats/ from what `validate --format github|json`
prints for each bad fixture (run from the repository root after a message changed, then
review the diff): `python tests/config/validate_goldens.py`."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from config_support import BAD_ENV, FIXTURES, GOOD_ENV, ROOT, UNSET  # noqa: E402

from reconciler.cli.main import main  # noqa: E402


def regenerate() -> int:
    os.chdir(ROOT)
    for name in (*GOOD_ENV, UNSET):
        os.environ.pop(name, None)
    os.environ.update(BAD_ENV)
    written = 0
    for fixture in sorted((ROOT / FIXTURES / "bad").iterdir()):
        if fixture.suffix == ".expected":
            continue
        for fmt in ("github", "json"):
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
                main(["validate", "--format", fmt, str(FIXTURES / "bad" / fixture.name)])
            golden = ROOT / FIXTURES / "bad-formats" / f"{fixture.stem}.{fmt}"
            golden.write_text(out.getvalue(), encoding="utf-8")
            written += 1
    return written


if __name__ == "__main__":
    print(f"wrote {regenerate()} goldens")
