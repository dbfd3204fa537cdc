"""The Markdown plan as GitHub shows it: rendered with a GitHub-flavoured renderer
(markdown-it-py with tables and raw HTML), not only read as text.

Checked on the sample plan, a plan too long for one comment and a plan whose deletions
hide among 1,500 creates: every <details> block opens and closes in order, every table
renders with as many cells per row as it has columns, every deletion is named in the
first screen (the first 40 lines, before any table or detail), update lines in `diff`
blocks are `-`/`+` pairs (GitHub leaves a `~` line uncoloured), nothing depends on
GitHub's `> [!CAUTION]` alert, and "no changes" is said once.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from render_sample import INSTANCE, huge_plan, sample_plan

from reconciler.plan import Action, FieldChange, Plan, ResourceChange
from reconciler.render import drift, markdown

markdown_it = pytest.importorskip("markdown_it")

FIRST_SCREEN = 40  # lines of a pull-request comment visible without scrolling


def _md(plan: Plan) -> str:
    buf = io.StringIO()
    markdown.render(plan, buf, full_plan_hint="the plan-json artifact")
    return buf.getvalue()


def _html(text: str) -> str:
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(
        ["table", "strikethrough"]
    )
    html: str = renderer.render(text)
    return html


class _Structure(HTMLParser):
    """Open/close order of <details>, and the cells of each table row."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.balanced = True
        self.details = 0
        self.tables: list[list[int]] = []  # per table: cells per row
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self.depth += 1
            self.details += 1
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            self._cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.depth -= 1
            self.balanced = self.balanced and self.depth >= 0
        elif tag == "tr":
            self.tables[-1].append(self._cells)


def _structure(text: str) -> _Structure:
    parser = _Structure()
    parser.feed(_html(text))
    parser.close()
    return parser


def _many_creates_and_three_deletions() -> Plan:
    creates = [
        ResourceChange(
            f"xero/New {i:04}",
            "xero",
            f"New {i:04}",
            None,
            Action.CREATE,
            (FieldChange("name", None, f"New {i:04}"), FieldChange("enablesync", None, True)),
        )
        for i in range(1500)
    ]
    deletions = [
        ResourceChange(f"xero/Gone {i}", "xero", f"Gone {i}", 100 + i, Action.DELETE)
        for i in range(3)
    ]
    return Plan(INSTANCE, (*creates, *deletions))


PLANS = {
    "sample": sample_plan,
    "deletions among many creates": _many_creates_and_three_deletions,
    "too long for one comment": huge_plan,
}


@pytest.mark.parametrize("name", list(PLANS))
def test_details_are_balanced_and_tables_render(name: str) -> None:
    text = _md(PLANS[name]())
    assert len(text) <= markdown.LIMIT
    found = _structure(text)
    assert found.balanced and found.depth == 0, name
    assert found.details == text.count("<details>")
    assert found.tables, "no table rendered"
    for rows in found.tables:
        assert len(rows) >= 2  # a header and at least one row
        assert set(rows) == {rows[0]}, rows  # every row has the header's columns
    # every table in the source rendered as one (a broken one renders as a paragraph)
    assert len(found.tables) == len(re.findall(r"^\| --- \|", text, re.M))


@pytest.mark.parametrize("name", list(PLANS))
def test_every_deletion_is_named_in_the_first_screen(name: str) -> None:
    plan = PLANS[name]()
    text = _md(plan)
    first = "\n".join(text.splitlines()[:FIRST_SCREEN])
    deleted = [rc.address for rc in plan.resource_changes if rc.action is Action.DELETE]
    for address in deleted:
        assert f"`{address}`" in first, address
    if deleted:
        assert _html(first).count("<code>") >= len(deleted)


def test_update_lines_are_coloured_and_nothing_needs_the_caution_alert() -> None:
    text = _md(sample_plan())
    blocks = re.findall(r"```diff\n(.*?)\n```", text, re.S)
    assert blocks
    for block in blocks:
        for line in block.splitlines():
            assert line[:1] in ("+", "-", " "), line  # `~` would render uncoloured
    assert "- enablesync: false   # sync switched on\n+ enablesync: true\n" in text
    assert "[!CAUTION]" not in text
    html = _html(text)
    assert "<blockquote>\n<p>⛔ <strong>Apply will refuse this plan:</strong></p>" in html


def test_no_changes_is_said_once() -> None:
    plan = Plan(INSTANCE, (ResourceChange("xero/A", "xero", "A", 1, Action.NO_OP),))
    text = _md(plan)
    buf = io.StringIO()
    drift.render(plan, buf, format="markdown")
    for shown in (text, buf.getvalue()):
        assert shown.lower().count("no changes") == 1, shown
        assert "0 to create" not in shown
