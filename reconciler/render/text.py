"""The text plan, for a terminal or a log: reads like Terraform's.

Layout: the instance; the guard rails (refusals, every deletion, protected records,
acknowledged differences: guards.py); money-affecting changes, in a block of their own; one block
per record (`  + create`, `  ~ update`, `  - destroy`) with its changed fields as
`~ field: before -> after   # description` and list elements one per line;
warnings; unmanaged records; the count of write-only fields not compared; and always,
last, `Plan: N to create, N to update, N to delete.` (preceded by "No changes. HaloPSA
matches the configuration." when there are none). ANSI colour only when `color` is True
(the CLI decides: a terminal and NO_COLOR unset). Pure: writes only to `out`.
"""

from __future__ import annotations

from typing import TextIO

from reconciler.plan.model import Action, Plan
from reconciler.printable import printable
from reconciler.render.guards import (
    acknowledged_note,
    acknowledged_value,
    deletion_text,
    guards,
    protected_text,
)
from reconciler.render.lines import (
    SYMBOL,
    Line,
    after_text,
    before_text,
    counts,
    delete_reason,
    heading,
    money_changes,
    plural,
    record_lines,
)

_COLOURS = {"+": "32", "-": "31", "~": "33", "!": "31", "?": "33", "b": "1"}


class _Out:
    def __init__(self, out: TextIO, color: bool) -> None:
        self.out = out
        self.color = color

    def paint(self, text: str, kind: str) -> str:
        code = _COLOURS.get(kind)
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and code else text

    def line(self, text: str = "") -> None:
        # Names and values come from HaloPSA: no control character reaches the terminal.
        self.out.write(printable(text, colour=self.color) + "\n")


def _detail(o: _Out, line: Line) -> None:
    indent = "      " + "    " * line.depth
    o.line(f"{indent}{o.paint(line.symbol, line.symbol)} {line.text}".rstrip())


def _guards(o: _Out, plan: Plan) -> None:
    """Refusals, every deletion, protected records, acknowledged differences (guards.py)."""
    g = guards(plan)
    if g.refusals:
        o.line(o.paint("Refused: apply will not run this plan:", "!"))
        for reason in g.refusals:
            o.line(f"  {o.paint('!', '!')} {reason}")
        o.line()
    if g.deletions:
        o.line(o.paint(f"Deletions ({len(g.deletions)}):", "b"))
        for rc in g.deletions:
            o.line(f"  {o.paint('-', '-')} {deletion_text(rc)}   # {rc.why_deleted}")
        o.line()
    if g.protected:
        o.line(f"Protected (never deleted): {protected_text(g)}")
        o.line()
    if g.acknowledged:
        o.line("Acknowledged differences (not changed, not drift):")
        for a in g.acknowledged:
            value = acknowledged_value(a)
            o.line(f"  = {a.address}: {a.field}: {value}   # {acknowledged_note(a)}")
        o.line()


def render(plan: Plan, out: TextIO, *, color: bool = False) -> None:
    """Write the plan as text to `out`."""
    o = _Out(out, color)
    tenant = f" (tenant {plan.instance.tenant})" if plan.instance.tenant else ""
    o.line(f"HaloPSA instance: {plan.instance.url}{tenant}")
    if plan.targets:
        o.line(f"Targets: {', '.join(plan.targets)} (only these records were planned)")
    if plan.excludes:
        o.line(f"Excluded: {', '.join(plan.excludes)} (matched, not planned)")
    o.line()

    _guards(o, plan)
    money = money_changes(plan)
    if money:
        o.line(o.paint("Money-affecting changes (review these first):", "b"))
        for rc, fc in money:
            sym = o.paint(SYMBOL[rc.action], SYMBOL[rc.action])
            if rc.action is Action.CREATE:
                o.line(f"  {sym} {rc.address}: {fc.field} = {after_text(fc)}")
            else:
                o.line(f"  {sym} {rc.address}: {fc.field}: {before_text(fc)} -> {after_text(fc)}")
        o.line()

    changed = [rc for rc in plan.resource_changes if rc.action is not Action.NO_OP]
    if changed:
        o.line("Resource actions: + create, ~ update in place, - destroy")
        o.line()
    for rc in changed:
        sym = SYMBOL[rc.action]
        head = f"  {o.paint(sym + ' ' + heading(rc), sym)}"
        if rc.action is Action.DELETE:
            head += f"   # {delete_reason(rc)}"
        o.line(head)
        for line in record_lines(rc):
            _detail(o, line)
        o.line()

    if plan.warnings:
        o.line(o.paint("Warnings:", "?"))
        for w in plan.warnings:
            o.line(f"  {o.paint('!', '?')} {w.address}: {w.message}")
        o.line()
    if plan.unmanaged:
        o.line(
            f"{plural(len(plan.unmanaged), 'unmanaged record')} (not in configuration, left alone):"
        )
        for u in plan.unmanaged:
            o.line(f"    {u.address}" + (f" (id {u.id})" if u.id is not None else ""))
        o.line()
    if plan.write_only_uncompared:
        o.line(
            f"write-only fields not compared: {plan.write_only_uncompared} "
            "(HaloPSA never returns them; apply --push-secrets sends them)"
        )
        o.line()
    if not plan.has_changes:
        o.line("No changes. HaloPSA matches the configuration.")
    o.line(o.paint(counts(plan), "b"))
