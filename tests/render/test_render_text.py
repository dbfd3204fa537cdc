"""The text renderer: Terraform-like lines, the final Plan line, colour only when asked."""

from __future__ import annotations

import io

from render_sample import INSTANCE, sample_plan

from reconciler.plan import Action, FieldChange, Plan, ResourceChange
from reconciler.render import text


def _text(plan: Plan, color: bool = False) -> str:
    buf = io.StringIO()
    text.render(plan, buf, color=color)
    return buf.getvalue()


def test_ends_with_the_plan_line() -> None:
    assert _text(sample_plan()).endswith("\nPlan: 1 to create, 2 to update, 2 to delete.\n")


def test_money_block_comes_before_the_records() -> None:
    out = _text(sample_plan())
    assert out.index("Money-affecting changes") < out.index("  + create xero/Acme AU")


def test_no_changes() -> None:
    plan = Plan(INSTANCE, (ResourceChange("xero/A", "xero", "A", 1, Action.NO_OP),))
    assert _text(plan) == (
        "HaloPSA instance: https://acme.halopsa.com (tenant acme)\n"
        "\n"
        "No changes. HaloPSA matches the configuration.\n"
        "Plan: 0 to create, 0 to update, 0 to delete.\n"
    )


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in _text(sample_plan())
    coloured = _text(sample_plan(), color=True)
    assert "\x1b[32m+ create xero/Acme AU\x1b[0m" in coloured
    assert "\x1b[31m- destroy xero/Stray (id 9)\x1b[0m" in coloured
    assert coloured.endswith("\x1b[1mPlan: 1 to create, 2 to update, 2 to delete.\x1b[0m\n")


def test_targets_are_announced() -> None:
    plan = Plan(INSTANCE, targets=("xero/Acme NZ",))
    assert "Targets: xero/Acme NZ (only these records were planned)\n" in _text(plan)


def test_values_print_as_json_and_secret_markers_as_sensitive() -> None:
    change = FieldChange("client_mappings", None, [{"k": 'a"b'}], elements=())
    plan = Plan(INSTANCE, (ResourceChange("xero/A", "xero", "A", None, Action.CREATE, (change,)),))
    assert '      + client_mappings: [{"k": "a\\"b"}]\n' in _text(plan)
