"""Scale sanity (not timed: speed is measured in benchmarks/): big inputs plan correctly."""

from __future__ import annotations

from typing import Any

from plan_factories import cfg, plan_of, rec

from reconciler.plan import Action, ElementOp


def _rows(n: int, kind: str) -> list[dict[str, Any]]:
    return [{"halo_id": i, "third_party_id": f"C-{i}", "third_party_type": kind} for i in range(n)]


def test_one_record_with_ten_thousand_mapping_rows() -> None:
    desired = _rows(10_000, "customer")
    live_rows = [{"id": 50_000 + r["halo_id"], **r} for r in reversed(_rows(10_000, "customer"))]
    for row in live_rows[:100]:
        row["third_party_type"] = "supplier"
    live_rows[-1]["third_party_id"] = "OTHER"  # one row removed, one added
    config = cfg(rec("sage_business_cloud", "S", {"name": "S", "client_mappings": desired}))
    live = {"sage_business_cloud": [{"id": 1, "name": "S", "client_mappings": live_rows}]}
    (rc,) = plan_of(config, live).resource_changes
    assert rc.action is Action.UPDATE
    (change,) = rc.changes
    ops = [e.op for e in change.elements]
    assert ops.count(ElementOp.CHANGE) == 100
    assert ops.count(ElementOp.ADD) == 1
    assert ops.count(ElementOp.REMOVE) == 1


def test_a_thousand_records() -> None:
    records = [
        rec("xero", f"T{i:04}", {"name": f"T{i:04}", "enablesync": True}) for i in range(1000)
    ]
    live = {"xero": [{"id": i, "name": f"T{i:04}", "enablesync": i % 2 == 0} for i in range(1000)]}
    live["xero"] += [{"id": 5000 + i, "name": f"U{i}"} for i in range(500)]
    plan = plan_of(cfg(*records, prune=["xero"]), live)
    s = plan.summary
    assert (s.create, s.update, s.delete, s.no_op) == (0, 500, 500, 500)
    assert len(plan.fingerprints) == 1000
    assert plan.refusals == ()
