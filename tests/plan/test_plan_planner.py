"""build_plan: actions, prune/absent/unmanaged, targets, ordering, determinism."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from plan_factories import INSTANCE, cfg, plan_of, rec

from reconciler.config.model import Ensure
from reconciler.errors import PlanError
from reconciler.plan import Action, PlanWarning, Unmanaged, build_plan, fingerprint
from reconciler.sensitive import Sensitive


def _actions(plan: Any) -> list[tuple[str, str, int | None]]:
    return [(rc.address, rc.action.value, rc.id) for rc in plan.resource_changes]


def _live() -> dict[str, list[dict[str, Any]]]:
    return {
        "xero": [
            {"id": 1, "name": "Keep", "enablesync": True},
            {"id": 2, "name": "Change", "enablesync": False},
            {"id": 3, "name": "Gone", "enablesync": True},
            {"id": 4, "name": "Stray"},
        ],
        "quickbooks": [{"id": 8, "name": "Other"}],
    }


def _config(**kw: Any) -> Any:
    return cfg(
        rec("xero", "Keep", {"name": "Keep", "enablesync": True}),
        rec("xero", "Change", {"name": "Change", "enablesync": True}),
        rec("xero", "Gone", ensure=Ensure.ABSENT),
        rec("xero", "Never existed", ensure=Ensure.ABSENT),
        rec("xero", "New", {"name": "New", "enablesync": True}),
        rec("quickbooks", "Q", {"name": "Q"}),
        **kw,
    )


def test_every_action() -> None:
    plan = plan_of(_config(), _live())
    assert _actions(plan) == [
        ("xero/Change", "update", 2),
        ("xero/Gone", "delete", 3),
        ("xero/Keep", "no-op", 1),
        ("xero/Never existed", "no-op", None),
        ("xero/New", "create", None),
        ("quickbooks/Q", "create", None),
    ]
    assert plan.unmanaged == (
        Unmanaged("xero/Stray", "xero", "Stray", 4),
        Unmanaged("quickbooks/Other", "quickbooks", "Other", 8),
    )
    s = plan.summary
    assert (s.create, s.update, s.delete, s.no_op, s.unmanaged) == (2, 1, 1, 2, 2)
    assert plan.has_changes


def test_prune_deletes_live_records_nobody_configured() -> None:
    plan = plan_of(_config(prune=["xero"]), _live())
    stray = next(rc for rc in plan.resource_changes if rc.address == "xero/Stray")
    assert (stray.action, stray.id, stray.pruned) == (Action.DELETE, 4, True)
    assert plan.unmanaged == (Unmanaged("quickbooks/Other", "quickbooks", "Other", 8),)


def test_a_pruned_type_without_config_records_deletes_everything() -> None:
    plan = plan_of(cfg(prune=["quickbooks"]), _live())
    assert _actions(plan) == [("quickbooks/Other", "delete", 8)]
    expected = ["xero/Change", "xero/Gone", "xero/Keep", "xero/Stray"]
    assert [u.address for u in plan.unmanaged] == expected


def test_no_changes() -> None:
    plan = plan_of(cfg(rec("xero", "Keep", {"name": "Keep", "enablesync": True})), _live())
    assert not plan.has_changes
    assert _actions(plan) == [("xero/Keep", "no-op", 1)]


def test_type_target_plans_that_type_with_its_prune() -> None:
    plan = plan_of(_config(prune=["xero", "quickbooks"]), _live(), targets=["quickbooks"])
    assert _actions(plan) == [("quickbooks/Other", "delete", 8), ("quickbooks/Q", "create", None)]
    assert plan.targets == ("quickbooks",)


def test_address_target_plans_one_record_and_never_prunes_the_rest() -> None:
    plan = plan_of(_config(prune=["xero"]), _live(), targets=["xero/Change"])
    assert _actions(plan) == [("xero/Change", "update", 2)]
    assert plan.unmanaged == ()


def test_address_target_by_id_and_of_a_pruned_record() -> None:
    config = cfg(rec("xero", None, {"enablesync": True}, id=2), prune=["xero"])
    plan = plan_of(config, _live(), targets=["xero/#2", "xero/Stray"])
    assert _actions(plan) == [("xero/#2", "update", 2), ("xero/Stray", "delete", 4)]


def test_bad_targets_are_reported_together() -> None:
    with pytest.raises(PlanError) as caught:
        plan_of(_config(), _live(), targets=["xeroo", "xero/", "quickbooks/Q"])
    assert str(caught.value) == (
        "2 problems matching the configuration to HaloPSA\n"
        "  --target xeroo: unknown type 'xeroo' (types: xero, quickbooks, sage_business_cloud, "
        "myob, kashflow, fortnox, exact, business_central, avalara)\n"
        "  --target xero/: give an identity after the slash"
    )


def test_live_addresses_fall_back_to_id_when_names_clash_or_are_empty() -> None:
    live = {
        "xero": [
            {"id": 5, "name": "Dup"},
            {"id": 6, "name": "Dup"},
            {"id": 7, "name": ""},
            {"id": 8, "name": "Taken"},
            {"id": 9, "name": "Taken2"},
        ]
    }
    config = cfg(rec("xero", "Taken2", id=8))
    plan = plan_of(config, live)
    assert [u.address for u in plan.unmanaged] == ["xero/#5", "xero/#6", "xero/#7", "xero/#9"]


def test_order_is_registry_then_address_then_schema_field_order() -> None:
    config = cfg(
        rec("avalara", "Z", {"name": "Z"}),
        rec("xero", "b", {"sync_entities": "x", "enablesync": True, "name": "b", "tenant_id": "t"}),
        rec("xero", "a"),
    )
    plan = plan_of(config, {})
    assert [rc.address for rc in plan.resource_changes] == ["xero/a", "xero/b", "avalara/Z"]
    fields = [c.field for c in plan.resource_changes[1].changes]
    assert fields == ["name", "tenant_id", "enablesync", "sync_entities"]


def test_same_inputs_give_byte_identical_json() -> None:
    one = json.dumps(plan_of(_config(prune=["xero"]), _live()).to_json())
    two = json.dumps(plan_of(_config(prune=["xero"]), _live()).to_json())
    assert one == two


def test_fingerprints_for_records_apply_touches() -> None:
    live = _live()
    config = cfg(
        rec("xero", "Keep", {"name": "Keep", "new_client_secret": Sensitive("s", "${S}")}),
        rec("xero", "Change", {"name": "Change", "enablesync": True}),
        rec("xero", "Gone", ensure=Ensure.ABSENT),
        rec("quickbooks", "Other"),
        prune=["xero"],
    )
    plan = plan_of(config, live)
    assert plan.fingerprints == {
        "xero/Change": fingerprint(live["xero"][1], "xero"),
        "xero/Gone": fingerprint(live["xero"][2], "xero"),
        "xero/Keep": fingerprint(live["xero"][0], "xero"),
        "xero/Stray": fingerprint(live["xero"][3], "xero"),
    }
    assert plan.write_only_uncompared == 1


def test_missing_field_warning() -> None:
    config = cfg(rec("xero", "Keep", {"name": "Keep", "no_tax_code": "NONE"}))
    plan = plan_of(config, _live())
    assert plan.warnings == (
        PlanWarning(
            "xero/Keep",
            "HaloPSA does not return no_tax_code (an older HaloPSA version?): "
            "planned as a change on every run until it does",
        ),
    )


def test_live_data_for_an_unknown_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="live data for unknown types: nope"):
        plan_of(cfg(), {"nope": []})


def test_naive_now_is_read_as_utc() -> None:
    live = {
        "xero": [{"id": 1, "name": "A", "authorized": False, "token_expiry": "2024-01-01T00:00:00"}]
    }
    plan = build_plan(cfg(rec("xero", "A")), live, instance=INSTANCE, now=datetime(2024, 1, 2))
    assert [w.message for w in plan.warnings] == [
        "not authorized in HaloPSA",
        "token expired 2024-01-01 00:00 UTC (1 day ago)",
    ]
