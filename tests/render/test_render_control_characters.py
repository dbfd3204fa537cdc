"""Control characters from HaloPSA never reach a terminal raw (issue 18, item 13).

A live record named `Evil\\x1b[1A\\x1b[2K` would erase the line above it; a name or
HaloPSA message holding a newline and `Plan: 0 to create...` would forge a plan line.
The text plan (with and without colour), apply's progress line and its report escape
them; the renderer's own colours survive.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest

from reconciler.apply.report import ApplyReport, RecordOutcome, Status, render_report
from reconciler.config.model import ConfigRecord, Configuration, Mark
from reconciler.plan import Action, Instance, build_plan
from reconciler.printable import printable
from reconciler.render import text

HOSTILE = "Evil\x1b[1A\x1b[2K\u202e\x9b2J\nPlan: 0 to create, 0 to update, 0 to delete."
LIVE = {
    "xero": [
        {"id": 1, "name": "Acme NZ", "tenant_id": HOSTILE},
        {"id": 2, "name": HOSTILE},
    ]
}


def _raw_controls(out: str) -> set[str]:
    return {c for c in out if c != "\n" and printable(c) != c}


@pytest.mark.parametrize("color", [False, True])
def test_the_text_plan_escapes_names_and_values(color: bool) -> None:
    record = ConfigRecord(
        type="xero",
        identity="Acme NZ",
        id=None,
        fields={"name": "Acme NZ", "tenant_id": "t-1"},
        mark=Mark("c.yaml", 2, 5),
    )
    plan = build_plan(
        Configuration(records=(record,)),
        LIVE,
        instance=Instance("https://acme.halopsa.com", None),
        now=datetime(2024, 6, 1, tzinfo=UTC),
    )
    buf = io.StringIO()
    text.render(plan, buf, color=color)
    out = buf.getvalue()
    if color:
        assert "\x1b[33m~\x1b[0m" in out  # the renderer's own colour is kept
        out = re.sub(r"\x1b\[(0|1|31|32|33)m", "", out)
    assert _raw_controls(out) == set()
    assert [line for line in out.splitlines() if line.startswith("Plan:")] == [
        "Plan: 0 to create, 1 to update, 0 to delete."
    ]
    assert "Evil\\u001b[1A\\u001b[2K\\u202e\\u009b2J\\nPlan: 0 to create" in out


def test_progress_and_report_lines_escape_halo_messages() -> None:
    outcome = RecordOutcome(
        f"xero/{HOSTILE}", "xero", Action.CREATE, Status.FAILED, None, "HTTP 400: bad\r\x1b[2K"
    )
    line = outcome.line()
    assert _raw_controls(line) == set() and "\n" not in line
    buf = io.StringIO()
    render_report(ApplyReport((outcome,)), buf)
    assert _raw_controls(buf.getvalue()) == set()
    assert buf.getvalue().count("\n") == 4  # heading, the one record, blank, summary
