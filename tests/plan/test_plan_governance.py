"""Governance in the planner without a server: acknowledgements, --exclude, selections
that match nothing, and freeze windows (SPEC §14). The time is injected (NOW)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from plan_factories import NOW, cfg, plan_of, rec

from reconciler.config.model import Acknowledgement, ConfigRecord
from reconciler.errors import PlanError
from reconciler.freeze import FreezeWindow, freeze_states, frozen_day
from reconciler.plan import Action, Selection
from reconciler.plan.model import PlanWarning

TODAY = NOW.date()
LIVE = {"xero": [{"id": 4, "name": "A", "enablesync": False, "default_item_code": "OLD"}]}


def _ack(
    address: str, *fields: str, until: date = TODAY, reason: str = "migration"
) -> Acknowledgement:
    return Acknowledgement(address, fields, reason, until)


def _record() -> ConfigRecord:
    return rec("xero", "A", {"name": "A", "enablesync": True, "default_item_code": "NEW"})


def test_an_acknowledged_field_is_not_a_change_through_its_last_day() -> None:
    config = cfg(_record(), acknowledge=(_ack("xero/A", "enablesync"),))
    plan = plan_of(config, LIVE)
    (rc,) = plan.resource_changes
    assert [fc.field for fc in rc.changes] == ["default_item_code"]
    (a,) = plan.acknowledged
    assert (a.address, a.field, a.before, a.after, a.until) == (
        "xero/A", "enablesync", False, True, TODAY.isoformat(),
    )  # fmt: skip
    both = cfg(_record(), acknowledge=(_ack("xero/#4", "enablesync", "default_item_code"),))
    plan = plan_of(both, LIVE)  # the id the plan prints names the record too
    assert plan.resource_changes[0].action is Action.NO_OP
    assert not plan.has_changes
    assert plan.fingerprints == {}


def test_an_expired_acknowledgement_is_a_change_again_with_a_warning() -> None:
    yesterday = TODAY - timedelta(days=1)
    config = cfg(_record(), acknowledge=(_ack("xero/A", "enablesync", until=yesterday),))
    plan = plan_of(config, LIVE)
    assert [fc.field for fc in plan.resource_changes[0].changes] == [
        "enablesync",
        "default_item_code",
    ]
    assert plan.acknowledged == ()
    assert (
        PlanWarning(
            "xero/A",
            f'the acknowledgement of enablesync ("migration", until {yesterday}) expired: the '
            "difference is planned as a change again",
        )
        in plan.warnings
    )
    agreed = {"xero": [{"id": 4, "name": "A", "enablesync": True, "default_item_code": "NEW"}]}
    assert plan_of(config, agreed).warnings == (
        PlanWarning(
            "xero/A",
            f'the acknowledgement of enablesync ("migration", until {yesterday}) expired; '
            "remove it from settings.acknowledge",
        ),
    )


def test_an_acknowledgement_does_not_hide_a_create() -> None:
    config = cfg(_record(), acknowledge=(_ack("xero/A", "enablesync"),))
    plan = plan_of(config, {"xero": []})
    assert plan.resource_changes[0].action is Action.CREATE
    assert "enablesync" in [fc.field for fc in plan.resource_changes[0].changes]
    assert plan.acknowledged == ()


def test_exclude_matches_but_never_plans_and_never_prunes() -> None:
    live = {"xero": [{"id": 1, "name": "A"}, {"id": 2, "name": "Stray"}, {"id": 3, "name": "B"}]}
    config = cfg(rec("xero", "A"), prune=["xero"])
    plan = plan_of(config, live, excludes=["xero/Stray", "xero/#3"])
    assert [(rc.address, rc.action) for rc in plan.resource_changes] == [("xero/A", Action.NO_OP)]
    assert plan.excludes == ("xero/Stray", "xero/#3")
    assert plan_of(config, live, excludes=["xero"]).resource_changes == ()
    assert not Selection.parse((), ["xero"]).touches("xero")  # an excluded type is not read


def test_selections_that_match_nothing_name_the_closest_addresses() -> None:
    live = {"xero": [{"id": 1, "name": "Acme NZ"}, {"id": 2, "name": "Acme AU"}]}
    config = cfg(rec("xero", "Acme NZ"))
    with pytest.raises(PlanError) as info:
        plan_of(config, live, targets=["xero/Acme UK", "quickbooks"], excludes=["xero/#7"])
    assert info.value.problems == (
        "--target xero/Acme UK matches no record in the configuration or HaloPSA; closest: "
        "xero/Acme AU, xero/Acme NZ",
        "--target quickbooks matches no record of that type in the configuration or "
        "HaloPSA; closest: xero",
        "--exclude xero/#7 matches no record in the configuration or HaloPSA; closest: "
        "xero/#2, xero/#1",
    )
    with pytest.raises(PlanError, match="--exclude xero/: give an identity"):
        Selection.parse((), ["xero/"])


def test_freeze_warnings_active_and_coming_within_seven_days() -> None:
    coming = FreezeWindow("audit", start=NOW + timedelta(days=6), end=NOW + timedelta(days=8))
    later = FreezeWindow("later", start=NOW + timedelta(days=8), end=NOW + timedelta(days=9))
    month_end = FreezeWindow("month-end close", days_of_month=(-1, 1))  # 31 May, 1 June
    config = cfg(rec("xero", "A"), freeze=(coming, later, month_end))
    messages = [w.message for w in plan_of(config, {"xero": []}).warnings]
    assert messages == [
        'freeze window 2024-06-07T12:00Z to 2024-06-09T12:00Z (reason: "audit") starts '
        "2024-06-07T12:00Z: apply will be refused when it starts unless --override-freeze "
        "is given",
        'freeze window days of month -1, 1 (UTC) (reason: "month-end close") is active now, '
        "until 2024-06-02T00:00Z: apply will be refused inside it unless --override-freeze "
        "is given",
    ]


def test_days_of_month_resolve_per_month_and_merge_across_its_end() -> None:
    assert frozen_day(-1, 2024, 2) == date(2024, 2, 29)
    assert frozen_day(-2, 2023, 2) == date(2023, 2, 27)
    assert frozen_day(31, 2024, 4) is None
    window = FreezeWindow("close", days_of_month=(-2, -1, 1, 2, 3))
    (state,) = freeze_states((window,), datetime(2024, 12, 31, 8, 0, tzinfo=UTC))
    assert (state.active, state.start, state.end) == (
        True,
        datetime(2024, 12, 30, tzinfo=UTC),
        datetime(2025, 1, 4, tzinfo=UTC),
    )
    (coming,) = freeze_states((window,), datetime(2024, 12, 25, tzinfo=UTC))
    assert (coming.active, coming.start) == (False, datetime(2024, 12, 30, tzinfo=UTC))
    assert freeze_states((window,), datetime(2024, 12, 15, tzinfo=UTC)) == []


def test_a_selection_differing_only_in_case_is_named_first() -> None:
    seen = ["xero/Acme NZ", "xero/Acme AU", "xero/Old tenant"]
    [problem] = Selection.parse((), ["xero/acme au"]).unmatched(["xero"], seen)
    assert "; closest: xero/Acme AU, " in problem
