"""A canary secret reaches no rendered format, no plan document and no repr."""

from __future__ import annotations

import io
import json

import pytest
from render_sample import CANARY, CANARY_ID, sample_plan

from reconciler.plan import Plan
from reconciler.render import FORMATS, render_plan


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("color", [False, True])
def test_canary_in_no_rendered_format(fmt: str, color: bool) -> None:
    buf = io.StringIO()
    render_plan(sample_plan(), buf, format=fmt, color=color)
    assert CANARY not in buf.getvalue()
    assert CANARY_ID not in buf.getvalue()
    assert "(sensitive)" in buf.getvalue() or fmt == "json"


def test_canary_in_no_plan_document_or_repr() -> None:
    plan = sample_plan()
    doc = json.dumps(plan.to_json(), ensure_ascii=False)
    for text in (doc, repr(plan), str(plan), repr(Plan.from_json(json.loads(doc)))):
        assert CANARY not in text
        assert CANARY_ID not in text
    assert "${XERO_CLIENT_SECRET}" in doc and "${XERO_CLIENT_ID}" in doc
