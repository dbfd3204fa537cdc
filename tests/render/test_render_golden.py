"""Golden renders of a representative plan. Regenerate with UPDATE_GOLDEN=1 (then review
the diff); without it a mismatch fails."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from render_sample import sample_plan

from reconciler.render import render_plan

GOLDEN = Path(__file__).parent / "golden"
CASES = [("text", "plan.txt"), ("markdown", "plan.md"), ("json", "plan.json")]


@pytest.mark.parametrize(("fmt", "name"), CASES)
def test_golden(fmt: str, name: str) -> None:
    buf = io.StringIO()
    render_plan(sample_plan(), buf, format=fmt, full_plan_hint="the plan-json artifact")
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8")
    assert buf.getvalue() == expected, f"{name} differs; rerun with UPDATE_GOLDEN=1 and review"
