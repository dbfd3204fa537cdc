"""Addresses are unique by construction: a record named `#1` and the record with id 1
never share `xero/#1`, so no outcome is lost and no fingerprint is overwritten."""

from __future__ import annotations

from plan_factories import cfg, plan_of, rec

from reconciler.address import address_of
from reconciler.plan.model import Action


def test_a_name_that_looks_like_an_id_gets_its_own_address() -> None:
    live = {"xero": [{"id": 1, "name": "Other", "enablesync": False}, {"id": 2, "name": "#1"}]}
    config = cfg(
        rec("xero", "#1", {"name": "#1", "enablesync": True}),
        rec("xero", None, {"enablesync": True}, id=1),
    )
    plan = plan_of(config, live)
    addresses = [rc.address for rc in plan.resource_changes]
    assert addresses == ["xero/#1", "xero/\\#1"]
    assert [rc.action for rc in plan.resource_changes] == [Action.UPDATE, Action.UPDATE]
    assert len(plan.fingerprints) == 2  # one per touched record, none overwritten


def test_live_records_named_like_ids_do_not_collide_with_id_addresses() -> None:
    live = {"xero": [{"id": 5, "name": ""}, {"id": 6, "name": "#5"}, {"id": 7, "name": "\\#5"}]}
    plan = plan_of(cfg(prune=["xero"]), live)
    addresses = [rc.address for rc in plan.resource_changes]
    assert sorted(addresses) == sorted(["xero/#5", "xero/\\#5", "xero/\\\\#5"])
    assert len(plan.fingerprints) == 3


def test_the_rule_is_injective() -> None:
    identities = ["#1", "\\#1", "\\\\#1", "1", "#", "\\", "", "a/#1", " #1", "#1 "]
    addresses = [address_of("xero", i, None) for i in identities]
    addresses += [address_of("xero", None, n) for n in (1, 12)]
    assert len(set(addresses)) == len(addresses)
