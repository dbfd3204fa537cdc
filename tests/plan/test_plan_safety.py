"""Refusals: prevent_destroy, protect, emptying prunes (fail plan), max_deletes (apply
time, a plan warning), freeze windows (apply time); re-derived from a saved plan's JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from plan_factories import NOW, cfg, plan_of, rec

from reconciler.config.model import ConfigRecord, Ensure
from reconciler.freeze import FreezeWindow
from reconciler.plan import Plan, check_refusals
from reconciler.plan.model import PlanWarning
from reconciler.plan.safety import check_freeze, hard_refusals


def _live(n: int) -> dict[str, list[dict[str, object]]]:
    return {"xero": [{"id": i, "name": f"R{i}"} for i in range(1, n + 1)]}


def _keep(n: int) -> ConfigRecord:
    """The record after the first `n` live ones, configured: the prune does not empty xero."""
    return rec("xero", f"R{n + 1}")


def test_deletions_over_max_deletes_are_an_apply_time_refusal_and_a_plan_warning() -> None:
    config = cfg(_keep(4), prune=["xero"], max_deletes=3)
    plan = plan_of(config, _live(5))
    assert plan.refusals == ()
    assert plan.warnings[0] == PlanWarning(
        "settings.max_deletes",
        "apply will refuse: 4 deletions exceed max_deletes=3; use --allow-deletes",
    )
    assert check_refusals(plan, allow_deletes=False) == [
        "4 deletions exceed max_deletes=3; use --allow-deletes"
    ]
    assert check_refusals(plan, allow_deletes=True) == []


def test_exactly_max_deletes_is_fine_and_one_over_zero_reads_well() -> None:
    config = cfg(_keep(3), prune=["xero"], max_deletes=3)
    assert check_refusals(plan_of(config, _live(4)), allow_deletes=False) == []
    config = cfg(_keep(1), prune=["xero"], max_deletes=0)
    assert check_refusals(plan_of(config, _live(2)), allow_deletes=False) == [
        "1 deletion exceeds max_deletes=0; use --allow-deletes"
    ]


def test_prevent_destroy_blocks_even_with_allow_deletes() -> None:
    config = cfg(rec("xero", "R1", ensure=Ensure.ABSENT, prevent_destroy=True))
    plan = plan_of(config, _live(1))
    expected = (
        "xero/R1: lifecycle.prevent_destroy is set, but the plan deletes it "
        "(remove prevent_destroy to allow the deletion)"
    )
    assert plan.refusals == (expected,)
    assert check_refusals(plan, allow_deletes=True) == [expected]


def test_prevent_destroy_without_a_deletion_is_fine() -> None:
    plan = plan_of(cfg(rec("xero", "R1", prevent_destroy=True)), _live(1))
    assert plan.refusals == ()


def test_a_prune_emptying_a_type_is_refused_unless_allow_empty() -> None:
    plan = plan_of(cfg(prune=["xero"]), _live(2))
    assert plan.refusals == (
        "xero: the plan deletes every live xero record (2 of 2); add xero to "
        "settings.allow_empty if the type is meant to be empty",
    )
    allowed = plan_of(cfg(prune=["xero"], allow_empty=frozenset({"xero"})), _live(2))
    assert allowed.refusals == ()
    assert allowed.summary.delete == 2


def test_not_emptying_when_a_record_stays_or_nothing_is_pruned() -> None:
    assert plan_of(cfg(rec("xero", "R1"), prune=["xero"]), _live(2)).refusals == ()
    absent = cfg(rec("xero", "R1", ensure=Ensure.ABSENT))  # no prune: ensure: absent only
    assert plan_of(absent, _live(1)).refusals == ()
    assert plan_of(cfg(prune=["xero"]), {"xero": []}).refusals == ()


def test_a_narrowed_plan_does_not_empty_the_type() -> None:
    plan = plan_of(cfg(prune=["xero"]), _live(2), targets=["xero/R1"])
    assert plan.summary.delete == 1
    assert plan.refusals == ()


def test_protect_by_type_identity_and_id_refuses_deletions() -> None:
    live = _live(4)
    for protect, address in (
        ("xero", "xero/R1"),
        ("xero/R2", "xero/R2"),
        ("xero/#3", "xero/R3"),
    ):
        config = cfg(rec("xero", "R4"), prune=["xero"], protect=(protect,), max_deletes=5)
        plan = plan_of(config, live)
        assert (
            f"{address}: protected by settings.protect, but the plan deletes it (not in the "
            "configuration; xero is pruned); remove it from settings.protect to allow the "
            "deletion"
        ) in plan.refusals, protect
    config = cfg(rec("xero", "R1", ensure=Ensure.ABSENT), protect=("xero/R1",))
    assert plan_of(config, live).refusals == (
        "xero/R1: protected by settings.protect, but the plan deletes it (ensure: absent); "
        "remove it from settings.protect to allow the deletion",
    )


def test_protected_records_are_flagged_whatever_their_action() -> None:
    plan = plan_of(cfg(rec("xero", "R1"), protect=("xero/R1",)), _live(1))
    (rc,) = plan.resource_changes
    assert rc.protected
    assert plan.refusals == ()


def test_a_saved_plan_is_checked_again_from_its_facts_not_its_stored_refusals() -> None:
    config = cfg(prune=["xero"], protect=("xero/R1",), max_deletes=1)
    plan = plan_of(config, _live(2))
    loaded = Plan.from_json(plan.to_json())
    expected = [*list(plan.refusals), "2 deletions exceed max_deletes=1; use --allow-deletes"]
    assert len(plan.refusals) == 2  # protect and the emptied type
    # a hand-edited file that drops its refusals is refused all the same
    emptied = replace(loaded, refusals=())
    assert check_refusals(emptied, allow_deletes=False) == expected
    assert hard_refusals(replace(loaded, allow_empty=("xero",)))[1:] == []


def test_freeze_refuses_apply_inside_a_window_unless_overridden() -> None:
    window = FreezeWindow(
        "year-end close", start=NOW - timedelta(hours=1), end=NOW + timedelta(days=1)
    )
    plan = plan_of(cfg(rec("xero", "R1"), freeze=(window,)), _live(1))
    loaded = Plan.from_json(plan.to_json())
    end = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%MZ")
    start = (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%MZ")
    assert check_freeze(loaded, NOW, override=None) == [
        f'freeze window {start} to {end} (reason: "year-end close") is active now, until '
        f"{end} (settings.freeze): apply is refused inside it; to apply anyway, give "
        '--override-freeze "REASON"'
    ]
    assert check_freeze(loaded, NOW, override="hotfix, approved by CFO") == []
    assert check_freeze(loaded, NOW + timedelta(days=2), override=None) == []


def test_month_end_days_freeze_across_the_month_boundary() -> None:
    window = FreezeWindow("month-end close", days_of_month=(-2, -1, 1, 2, 3))
    plan = plan_of(cfg(rec("xero", "R1"), freeze=(window,)), _live(1))
    for moment, frozen in (
        (datetime(2024, 6, 29, 0, 0, tzinfo=UTC), True),
        (datetime(2024, 7, 3, 23, 59, tzinfo=UTC), True),
        (datetime(2024, 7, 4, 0, 0, tzinfo=UTC), False),
        (datetime(2024, 6, 28, 23, 59, tzinfo=UTC), False),
        (datetime(2024, 2, 28, 12, 0, tzinfo=UTC), True),  # leap year: 28 and 29 Feb
        (datetime(2023, 2, 26, 12, 0, tzinfo=UTC), False),
    ):
        assert bool(check_freeze(plan, moment, override=None)) is frozen, moment
