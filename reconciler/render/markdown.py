"""The Markdown plan, for a pull-request comment or a CI step summary.

Order, most important first: the summary line; the instance and digest; the guard rails
(refusals, every deletion, protected records, acknowledged differences: guards.py), which
are never cut; the money-affecting block; a table of changes (action, record, fields
changed, impact); warnings; one collapsible <details> per record with its field changes as a
`diff` code block; unmanaged records; write-only fields not compared. GitHub refuses comments over
65,536 characters, so the output stays under LIMIT: what does not fit is cut, from the
end, and a note says how much was left out and where the full plan is
(`full_plan_hint`, e.g. "the plan-json artifact"). Values are escaped for Markdown,
tables and HTML. Pure: writes only to `out`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TextIO

from reconciler.plan.model import Action, Plan
from reconciler.printable import printable
from reconciler.render.guards import (
    acknowledged_value,
    deletion_text,
    guards,
    protected_text,
)
from reconciler.render.lines import (
    SYMBOL,
    after_text,
    before_text,
    delete_reason,
    heading,
    money_changes,
    plural,
    record_lines,
)

LIMIT = 65_000
_RESERVE = 1_000  # room for the truncation note
# The guard rails are never cut, but must still fit in a comment with the summary.
_DELETIONS_ROOM = 40_000
_ACKNOWLEDGED_ROOM = 10_000
_IMPACT_ORDER = ("money", "flow", "customer", "routing")
# Characters that can start markup mid-line (emphasis, code, links, HTML, tables, math,
# strikethrough, entities). Backslash-escaping ASCII punctuation is always valid CommonMark.
_ESCAPE = {c: "\\" + c for c in "\\`*_[]<>|#~&$!{}"}
_BACKTICKS = re.compile(r"`+")


def esc(text: str) -> str:
    """Plain text safe in Markdown (and in a table cell): markup characters
    backslash-escaped, newlines folded, other control characters escaped."""
    return "".join(_ESCAPE.get(c, c) for c in printable(" ".join(text.splitlines())))


def code(text: str, *, table: bool = False) -> str:
    """Inline code that survives backticks in `text` (and pipes, in a table cell); control
    characters escaped."""
    text = printable(" ".join(text.splitlines()))
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or longest:
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def _fence(lines: list[str]) -> str:
    longest = max((len(m) for line in lines for m in _BACKTICKS.findall(line)), default=0)
    return "`" * max(3, longest + 1)


@dataclass(slots=True)
class _Item:
    """A piece of output; a long body may be cut to its first lines."""

    prefix: str
    body: list[str] = field(default_factory=list)
    suffix: str = ""

    def full(self) -> str:
        return self.prefix + "".join(f"{b}\n" for b in self.body) + self.suffix

    def cut(self, room: int) -> str | None:
        """The longest version with a "… more lines" note that fits `room`, if any."""
        used = len(self.prefix) + len(self.suffix) + 80
        kept = 0
        for b in self.body:
            if used + len(b) + 1 > room:
                break
            used += len(b) + 1
            kept += 1
        if kept == 0:
            return None
        rest = len(self.body) - kept
        body = "".join(f"{b}\n" for b in self.body[:kept]) + f"… {plural(rest, 'more line')}\n"
        return self.prefix + body + self.suffix


@dataclass(slots=True)
class _Section:
    header: str
    items: list[_Item]
    footer: str = ""
    what: str = "entry"  # singular noun for the truncation note


def _impacts(values: set[str | None]) -> str:
    found = [i for i in _IMPACT_ORDER if i in values]
    return ", ".join(found) or "—"


def _sections(plan: Plan) -> list[_Section]:
    out: list[_Section] = []
    money = money_changes(plan)
    if money:
        header = (
            "### Money-affecting changes\n\n| record | field | before | after |\n"
            "| --- | --- | --- | --- |\n"
        )
        rows = []
        for rc, fc in money:
            before = "—" if rc.action is Action.CREATE else code(before_text(fc), table=True)
            after = code(after_text(fc), table=True)
            row = f"| {code(rc.address, table=True)} | {code(fc.field, table=True)} | "
            rows.append(_Item(f"{row}{before} | {after} |\n"))
        out.append(_Section(header, rows, "\n", "money-affecting change"))

    changed = [rc for rc in plan.resource_changes if rc.action is not Action.NO_OP]
    if changed:
        header = (
            "### Changes\n\n| action | record | fields changed | impact |\n"
            "| --- | --- | --- | --- |\n"
        )
        rows = []
        for rc in changed:
            if rc.action is Action.DELETE:
                fields, impact = f"_{esc(delete_reason(rc))}_", "—"
            else:
                names = [fc.field for fc in rc.changes]
                shown = ", ".join(esc(n) for n in names[:12])
                fields = shown + (f" \\+{len(names) - 12} more" if len(names) > 12 else "")
                impact = _impacts({fc.impact for fc in rc.changes})
            ident = f" (id {rc.id})" if rc.id is not None and rc.action is not Action.CREATE else ""
            action = f"{SYMBOL[rc.action]} {heading(rc).split(' ', 1)[0]}"
            record = f"{code(rc.address, table=True)}{ident}"
            rows.append(_Item(f"| {esc(action)} | {record} | {fields} | {impact} |\n"))
        out.append(_Section(header, rows, "\n", "table row"))

    if plan.warnings:
        items = [_Item(f"- {code(w.address)}: {esc(w.message)}\n") for w in plan.warnings]
        out.append(_Section("### Warnings\n\n", items, "\n", "warning"))

    details = []
    for rc in changed:
        # `-`/`+` pairs, not `~`: GitHub colours only those in a diff block.
        lines = [
            f"{ln.symbol} {'    ' * ln.depth}{ln.text}".rstrip()
            for ln in record_lines(rc, pairs=True)
        ]
        if not lines:
            continue
        fence = _fence(lines)
        summary = html.escape(heading(rc).split(" ", 1)[0])
        title = f"{SYMBOL[rc.action]} {summary} <code>{html.escape(rc.address)}</code>"
        if rc.id is not None and rc.action is not Action.CREATE:
            title += f" (id {rc.id})"
        title += f": {plural(len(rc.changes), 'field')}"
        prefix = f"<details><summary>{title}</summary>\n\n{fence}diff\n"
        details.append(_Item(prefix, lines, f"{fence}\n\n</details>\n\n"))
    if details:
        out.append(_Section("### Details\n\n", details, "", "record detail"))

    if plan.unmanaged:
        count = plural(len(plan.unmanaged), "unmanaged record")
        title = f"{count} (not in configuration, left alone)"
        items = [
            _Item(f"- {code(u.address)}" + (f" (id {u.id})" if u.id is not None else "") + "\n")
            for u in plan.unmanaged
        ]
        out.append(
            _Section(
                f"<details><summary>{title}</summary>\n\n",
                items,
                "\n</details>\n\n",
                "unmanaged record",
            )
        )
    return out


def _guards(plan: Plan) -> str:
    """Refusals, every deletion, protected records, acknowledged differences (guards.py):
    in the head, which is never cut."""
    g = guards(plan)
    parts = []
    if g.refusals:
        # A plain quote, not GitHub's `> [!CAUTION]` alert: GitLab, Gitea and older GitHub
        # Enterprise servers would print the marker as text.
        parts.append("> ⛔ **Apply will refuse this plan:**\n")
        parts.extend(f"> - {esc(r)}\n" for r in g.refusals)
        parts.append("\n")
    if g.deletions:
        parts.append(f"**Deletions ({len(g.deletions)}):**\n\n")
        rows = [
            f"- {code(rc.address)}{deletion_text(rc)[len(rc.address) :]}: _{esc(rc.why_deleted)}_\n"
            for rc in g.deletions
        ]
        parts.extend(_capped(rows, _DELETIONS_ROOM, "- … and {} more deletions\n"))
        parts.append("\n")
    if g.protected:
        parts.append(f"**Protected** (never deleted): {esc(protected_text(g))}\n\n")
    if g.acknowledged:
        parts.append(
            "**Acknowledged differences** (not changed, not drift):\n\n"
            "| record | field | live -> configured | until | reason |\n"
            "| --- | --- | --- | --- | --- |\n"
        )
        rows = [
            f"| {code(a.address, table=True)} | {code(a.field, table=True)} | "
            f"{code(acknowledged_value(a), table=True)} | {a.until} | {esc(a.reason)} |\n"
            for a in g.acknowledged
        ]
        parts.extend(_capped(rows, _ACKNOWLEDGED_ROOM, "| … and {} more | | | | |\n"))
        parts.append("\n")
    return "".join(parts)


def _capped(rows: list[str], room: int, more: str) -> list[str]:
    """`rows` while they fit in `room` characters, then a `more` line with the count left.

    Only a plan of thousands of deletions or acknowledgements reaches the cap; below it the
    guard rails are never cut."""
    used = 0
    for kept, row in enumerate(rows):
        used += len(row)
        if used > room:
            return [*rows[:kept], more.format(len(rows) - kept)]
    return rows


def _head(plan: Plan) -> str:
    s = plan.summary
    if plan.has_changes:
        line = f"**Plan:** {s.create} to create, {s.update} to update, {s.delete} to delete"
    else:  # said once, not as three zeros and then again in words
        line = "**Plan:** no changes"
    if s.unmanaged:
        line += f" · {s.unmanaged} unmanaged"
    parts = [line + "\n\n"]
    tenant = f" (tenant {code(plan.instance.tenant)})" if plan.instance.tenant else ""
    parts.append(f"HaloPSA {code(plan.instance.url)}{tenant} · digest {code(plan.digest)}\n\n")
    if plan.targets:
        targets = ", ".join(code(t) for t in plan.targets)
        parts.append(f"Targets: {targets} (only these records were planned)\n\n")
    if plan.excludes:
        excluded = ", ".join(code(t) for t in plan.excludes)
        parts.append(f"Excluded: {excluded} (matched, not planned)\n\n")
    parts.append(_guards(plan))
    if plan.write_only_uncompared:
        parts.append(
            f"Write-only fields not compared: {plan.write_only_uncompared} (HaloPSA never "
            "returns them; `apply --push-secrets` sends them).\n\n"
        )
    return "".join(parts)


def render(
    plan: Plan, out: TextIO, *, color: bool = False, full_plan_hint: str | None = None
) -> None:
    """Write the plan as Markdown to `out`, never more than LIMIT characters.
    `color` is accepted for a uniform signature and ignored."""
    text = _head(plan)
    budget = LIMIT - _RESERVE
    left_out: list[str] = []
    for section in _sections(plan):
        if left_out:  # an earlier section was cut: everything after it is left out
            left_out.append(plural(len(section.items), section.what))
            continue
        piece = section.header
        for done, item in enumerate(section.items):
            full = item.full()
            if len(text) + len(piece) + len(full) + len(section.footer) <= budget:
                piece += full
                continue
            partial = item.cut(budget - len(text) - len(piece) - len(section.footer))
            if partial is not None:
                piece += partial
                done += 1
            left_out.append(plural(len(section.items) - done, section.what))
            break
        if piece != section.header:
            text += piece + section.footer
    if left_out:
        where = full_plan_hint[:300] if full_plan_hint else "the output of `halo-reconciler plan`"
        text += (
            f"**This plan is too long for one comment:** left out {', '.join(left_out)}. "
            f"The full plan is in {esc(where) if full_plan_hint else where}.\n"
        )
    out.write(text.rstrip("\n") + "\n")
