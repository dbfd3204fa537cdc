"""Refusals: prevent_destroy and max_deletes, computed into the plan and re-checkable."""

from __future__ import annotations

from dataclasses import replace

from plan_factories import cfg, plan_of, rec

from reconciler.config.model import Ensure
from reconciler.plan import Plan, check_refusals


def _live(n: int) -> dict[str, list[dict[str, object]]]:
    return {"xero": [{"id": i, "name": f"R{i}"} for i in range(1, n + 1)]}


def test_deletions_over_max_deletes_are_refused() -> None:
    plan = plan_of(cfg(prune=["xero"], max_deletes=3), _live(4))
    assert plan.refusals == ("4 deletions exceed max_deletes=3; use --allow-deletes",)
    assert check_refusals(plan, allow_deletes=True) == []


def test_allow_deletes_at_plan_time() -> None:
    plan = plan_of(cfg(prune=["xero"], max_deletes=3), _live(4), allow_deletes=True)
    assert plan.refusals == ()
    assert check_refusals(plan, allow_deletes=False) == [
        "4 deletions exceed max_deletes=3; use --allow-deletes"
    ]


def test_exactly_max_deletes_is_fine_and_one_over_zero_reads_well() -> None:
    assert plan_of(cfg(prune=["xero"], max_deletes=3), _live(3)).refusals == ()
    plan = plan_of(cfg(prune=["xero"], max_deletes=0), _live(1))
    assert plan.refusals == ("1 deletion exceeds max_deletes=0; use --allow-deletes",)


def test_prevent_destroy_blocks_even_with_allow_deletes() -> None:
    config = cfg(rec("xero", "R1", ensure=Ensure.ABSENT, prevent_destroy=True))
    plan = plan_of(config, _live(1), allow_deletes=True)
    assert plan.refusals == (
        "xero/R1: lifecycle.prevent_destroy is set, but the plan deletes it "
        "(remove prevent_destroy to allow the deletion)",
    )


def test_prevent_destroy_without_a_deletion_is_fine() -> None:
    plan = plan_of(cfg(rec("xero", "R1", prevent_destroy=True)), _live(1))
    assert plan.refusals == ()


def test_a_saved_plan_is_checked_again_from_its_json() -> None:
    plan = plan_of(cfg(prune=["xero"], max_deletes=1), _live(2), allow_deletes=True)
    loaded = Plan.from_json(plan.to_json())
    assert check_refusals(loaded, allow_deletes=False) == [
        "2 deletions exceed max_deletes=1; use --allow-deletes"
    ]
    assert check_refusals(replace(loaded, max_deletes=5), allow_deletes=False) == []
