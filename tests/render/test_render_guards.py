"""The guard-rail block at the top of text and Markdown plans: refusals, every deletion,
protected records, acknowledged differences — never cut from a truncated Markdown plan."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from reconciler.config.model import Acknowledgement, ConfigRecord, Configuration, Mark, Settings
from reconciler.instance import Instance
from reconciler.plan import Plan, build_plan
from reconciler.render import render_plan
from reconciler.render.markdown import LIMIT

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _record(name: str, line: int, **fields: object) -> ConfigRecord:
    return ConfigRecord("xero", name, None, {"name": name, **fields}, Mark("c.yaml", line, 3))


def _big_plan() -> Plan:
    """1,500 creates with long values, and 3 pruned deletions."""
    records = tuple(
        _record(f"New {i:04}", i + 1, default_item_code="X" * 60, tenant_id=f"t-{i}")
        for i in range(1500)
    )
    live = {"xero": [{"id": 9000 + i, "name": f"Gone {i}"} for i in range(3)]}
    config = Configuration(records, Settings(prune=frozenset({"xero"})))
    return build_plan(config, live, instance=Instance("https://acme.halopsa.com"), now=NOW)


def _render(plan: Plan, fmt: str) -> str:
    out = io.StringIO()
    render_plan(plan, out, format=fmt, full_plan_hint="the plan-json artifact")
    return out.getvalue()


def test_a_truncated_markdown_plan_still_names_every_deletion() -> None:
    plan = _big_plan()
    text = _render(plan, "markdown")
    assert len(text) <= LIMIT
    assert "**This plan is too long for one comment:**" in text
    head = text[: text.index("### Money-affecting changes")]
    assert head.count("_not in the configuration; xero is pruned_") == 3
    for i in range(3):
        assert (
            f"- `xero/Gone {i}` (id {9000 + i}): _not in the configuration; xero is pruned_\n"
            in head
        )
    assert head.index("**Deletions (3):**") < head.index("- `xero/Gone 0`")


def test_text_lists_deletions_before_the_money_block() -> None:
    text = _render(_big_plan(), "text")
    deletions = text.index("Deletions (3):\n  - xero/Gone 0 (id 9000)   # not in the configuration")
    assert deletions < text.index("Money-affecting changes")


def test_acknowledged_sensitive_values_stay_masked() -> None:
    from reconciler.sensitive import Sensitive

    secret = "CANARY-guard-rails"
    record = ConfigRecord(
        "xero",
        "A",
        None,
        {"name": "A", "client_id": Sensitive(secret, "${XERO_ID}")},
        Mark("c.yaml", 1, 3),
    )
    ack = Acknowledgement("xero/A", ("client_id",), "rotating", date(2024, 6, 30))
    config = Configuration((record,), Settings(acknowledge=(ack,)))
    live = {"xero": [{"id": 1, "name": "A", "client_id": "old"}]}
    plan = build_plan(config, live, instance=Instance("https://h"), now=NOW)
    assert plan.resource_changes[0].changes == ()
    for fmt in ("text", "markdown", "json"):
        out = _render(plan, fmt)
        assert secret not in out and '"old"' not in out
    assert "= xero/A: client_id: (sensitive) -> (sensitive)   # until 2024-06-30: rotating" in (
        _render(plan, "text")
    )


def test_thousands_of_deletions_still_fit_in_one_comment() -> None:
    live = {"xero": [{"id": i, "name": f"Gone {i:05} " + "x" * 40} for i in range(5000)]}
    config = Configuration((), Settings(prune=frozenset({"xero"}), allow_empty=frozenset({"xero"})))
    plan = build_plan(config, live, instance=Instance("https://acme.halopsa.com"), now=NOW)
    text = _render(plan, "markdown")
    assert len(text) <= LIMIT
    assert "**Deletions (5000):**" in text
    kept = text.count("_not in the configuration; xero is pruned_\n")
    assert 0 < kept < 5000
    assert f"- … and {5000 - kept} more deletions\n" in text
