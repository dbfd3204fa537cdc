"""The doctor report as text (one line per check, then a summary, control characters
escaped) or JSON. Pure: writes only to the stream it is given."""

from __future__ import annotations

import json
from typing import TextIO

from reconciler.doctor import FAIL, WARN, DoctorReport
from reconciler.printable import printable


def render(report: DoctorReport, out: TextIO, *, format: str = "text") -> None:
    """The report as text (one line per check) or JSON (SPEC §12's document)."""
    if format == "json":
        json.dump(report.to_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    for c in report.checks:
        # HaloPSA's texts may hold control characters: escaped, never sent to a terminal.
        out.write(f"{c.status:<4}  {c.name}: {printable(c.detail)}\n")
    failed = sum(1 for c in report.checks if c.status == FAIL)
    warned = sum(1 for c in report.checks if c.status == WARN)
    out.write(f"\nDoctor: {failed} failed, {warned} warning{'s' if warned != 1 else ''}.\n")
