"""The Markdown renderer: summary first, escaping, collapsible details, the size cap."""

from __future__ import annotations

import io

from render_sample import INSTANCE, huge_plan, sample_plan

from reconciler.plan import Action, ElementChange, ElementOp, FieldChange, Plan, ResourceChange
from reconciler.render import markdown


def _md(plan: Plan, hint: str | None = None) -> str:
    buf = io.StringIO()
    markdown.render(plan, buf, full_plan_hint=hint)
    return buf.getvalue()


def test_summary_line_first_then_refusals_money_table_details() -> None:
    out = _md(sample_plan())
    assert out.startswith("**Plan:** 1 to create, 2 to update, 2 to delete · 1 unmanaged\n")
    order = [
        "> ⛔ **Apply will refuse this plan:**",
        "### Money-affecting changes",
        "### Changes",
        "### Warnings",
        "<details>",
    ]
    positions = [out.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert out.count("<details>") == out.count("</details>") == 4


def test_values_are_escaped_in_tables_and_code() -> None:
    change = FieldChange("default_item_code", "a|b", "`x`", impact="money")
    rc = ResourceChange("xero/A|B <i>", "xero", "A|B <i>", 1, Action.UPDATE, (change,))
    out = _md(Plan(INSTANCE, (rc,)))
    assert '| `xero/A\\|B <i>` | `default_item_code` | `"a\\|b"` | `` "`x`" `` |' in out
    assert "<code>xero/A|B &lt;i&gt;</code>" in out


def test_code_fence_outgrows_backticks_in_values() -> None:
    change = FieldChange("name", None, "```", description="")
    rc = ResourceChange("xero/A", "xero", "A", None, Action.CREATE, (change,))
    assert '````diff\n+ name: "```"\n````\n' in _md(Plan(INSTANCE, (rc,)))


def test_no_changes() -> None:
    plan = Plan(INSTANCE, (ResourceChange("xero/A", "xero", "A", 1, Action.NO_OP),))
    assert _md(plan) == (
        "**Plan:** no changes\n\n"
        f"HaloPSA `https://acme.halopsa.com` (tenant `acme`) · digest `{plan.digest}`\n"
    )


def test_huge_plan_is_cut_under_the_limit_and_says_where_the_rest_is() -> None:
    out = _md(huge_plan(), hint="the plan-json artifact")
    assert len(out) <= markdown.LIMIT
    assert out.startswith("**Plan:** 0 to create, 400 to update, 0 to delete\n")
    last = out.rstrip("\n").splitlines()[-1]
    assert last.startswith("**This plan is too long for one comment:** left out ")
    assert last.endswith("The full plan is in the plan-json artifact.")
    assert "### Money-affecting changes" in out
    assert out.count("<details>") == out.count("</details>")


def test_one_enormous_record_is_cut_inside_its_details() -> None:
    rows = tuple(
        ElementChange(ElementOp.REMOVE, f"halo_id={j}", {"halo_id": j, "third_party_id": f"C-{j}"})
        for j in range(10_000)
    )
    field = FieldChange("client_mappings", [], [], elements=rows)
    rc = ResourceChange(
        "sage_business_cloud/S", "sage_business_cloud", "S", 1, Action.UPDATE, (field,)
    )
    out = _md(Plan(INSTANCE, (rc,)))
    assert len(out) <= markdown.LIMIT
    assert "more lines\n```\n\n</details>" in out
    assert "The full plan is in the output of `halo-reconciler plan`." in out
