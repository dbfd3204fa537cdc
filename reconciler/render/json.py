"""The JSON plan: the document schemas/plan.schema.json describes, as `--out` saves it.

Keys in the plan document's fixed order (plan/document.py), indented two spaces, UTF-8
text (no \\u escapes), one trailing newline: the same plan gives the same bytes.
Pure: writes only to `out`.
"""

from __future__ import annotations

import json
from typing import TextIO

from reconciler.plan.model import Plan


def dumps(plan: Plan) -> str:
    """The plan document as text."""
    return json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"


def render(plan: Plan, out: TextIO, *, color: bool = False) -> None:
    """Write the plan document to `out`. `color` is accepted and ignored."""
    out.write(dumps(plan))
