"""Renderers: a Plan -> text, Markdown or JSON, written to a stream. Pure: no other I/O.

    text.py      Terraform-style, for terminals and logs (colour when asked)
    markdown.py  for a pull-request comment or CI step summary, capped under 65,000 chars
    json.py      the plan document (schemas/plan.schema.json), as `plan --out` saves it
    lines.py     what text and Markdown share: value text and per-record detail lines
    status.py    the `status` report (a StatusReport, not a Plan) in the same three formats

`render_plan(plan, out, format=..., color=..., full_plan_hint=...)` picks one by name.
The renderers are imported when used, so FORMATS is cheap to import (a command's --help
names them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from reconciler.plan.model import Plan

FORMATS: tuple[str, ...] = ("text", "json", "markdown")


def render_plan(
    plan: Plan,
    out: TextIO,
    *,
    format: str = "text",
    color: bool = False,
    full_plan_hint: str | None = None,
) -> None:
    """Write `plan` to `out` in `format` (one of FORMATS; ValueError otherwise).
    `color` matters for text only, `full_plan_hint` for Markdown only."""
    from reconciler.render import json, markdown, text

    if format == "text":
        text.render(plan, out, color=color)
    elif format == "json":
        json.render(plan, out)
    elif format == "markdown":
        markdown.render(plan, out, full_plan_hint=full_plan_hint)
    else:
        raise ValueError(f"unknown plan format {format!r}; use one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render_plan"]
