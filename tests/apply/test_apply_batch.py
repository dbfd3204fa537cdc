"""Request bodies built from a plan (no server): what an update, a create and a push send,
and what is refused before any request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.apply.batch import build_batches
from reconciler.apply.secrets import resolve_marker
from reconciler.apply.staleness import check_fresh, stale_addresses
from reconciler.config import load
from reconciler.errors import PlanRefused, StalePlanError
from reconciler.plan import Action, FieldChange, Instance, Plan, ResourceChange, build_plan
from reconciler.registry import spec
from reconciler.scrubber import scrub
from reconciler.sensitive import Sensitive, reveal

CANARY = "CANARY-9f3b2a7c-secret"
ENV = {"XERO_SECRET": CANARY, "FLAG": "true", "COUNT": "7"}
CONFIG = """\
xero:
  - name: Acme NZ
    tenant_id: t-1
    enablesync: true
    sync_entities: [invoices, clients]
    new_client_secret: ${XERO_SECRET}
    default_item_code: ITEM
    lifecycle:
      ignore_changes: [default_item_code]
  - name: New one
    tenant_id: t-2
    default_item_code: NEW
    new_client_secret: ${XERO_SECRET}
  - name: Old
    ensure: absent
"""
LIVE: dict[str, list[dict[str, Any]]] = {
    "xero": [
        {
            "id": 3,
            "name": "Acme NZ",
            "tenant_id": "t-0",
            "enablesync": True,
            "sync_entities": "clients",
            "default_item_code": "X",
        },
        {"id": 4, "name": "Old", "tenant_id": "t-9"},
    ]
}


def make_plan(tmp_path: Path, text: str = CONFIG, live: Any = None) -> Plan:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    config = load([path], env=ENV)
    return build_plan(config, LIVE if live is None else live, instance=Instance("http://x"))


def bodies(plan: Plan, **kwargs: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for batch in build_batches(plan, env=ENV, **kwargs):
        for w in batch.writes:
            out[w.change.address] = dict(w.body)
    return out


def test_update_sends_id_and_changed_fields_only(tmp_path: Path) -> None:
    body = bodies(make_plan(tmp_path))["xero/Acme NZ"]
    assert body == {"id": 3, "tenant_id": "t-1", "sync_entities": "invoices,clients"}


def test_create_sends_everything_stated_with_secret_as_sensitive(tmp_path: Path) -> None:
    body = bodies(make_plan(tmp_path))["xero/New one"]
    secret = body.pop("new_client_secret")
    assert isinstance(secret, Sensitive)
    assert secret.reveal() == CANARY
    assert body == {"name": "New one", "tenant_id": "t-2", "default_item_code": "NEW"}
    assert CANARY not in repr(body) + repr(secret)


def test_push_secrets_adds_write_only_fields_to_updates(tmp_path: Path) -> None:
    body = bodies(make_plan(tmp_path), push_secrets=True)["xero/Acme NZ"]
    assert reveal(body) == {
        "id": 3,
        "tenant_id": "t-1",
        "sync_entities": "invoices,clients",
        "new_client_secret": CANARY,
    }


def test_push_secrets_turns_a_no_op_with_secrets_into_an_update(tmp_path: Path) -> None:
    live = {"xero": [{"id": 3, "name": "Acme NZ", "tenant_id": "t-1"}]}
    text = "xero:\n  - name: Acme NZ\n    tenant_id: t-1\n    new_client_secret: ${XERO_SECRET}\n"
    plan = make_plan(tmp_path, text, live)
    assert [rc.action for rc in plan.resource_changes] == [Action.NO_OP]
    assert bodies(plan) == {}
    batch = build_batches(plan, env=ENV, push_secrets=True)[0]
    (write,) = batch.writes
    assert write.action is Action.UPDATE
    assert write.note == "write-only fields sent"
    assert reveal(dict(write.body)) == {"id": 3, "new_client_secret": CANARY}
    assert batch.secrets == frozenset({CANARY})


def test_deletions_are_batched_after_writes(tmp_path: Path) -> None:
    (batch,) = build_batches(make_plan(tmp_path), env=ENV)
    assert [rc.address for rc in batch.deletes] == ["xero/Old"]
    assert [w.change.address for w in batch.writes] == ["xero/Acme NZ", "xero/New one"]


def test_missing_secret_refuses_before_any_write(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    with pytest.raises(PlanRefused) as info:
        build_batches(plan, env={})
    assert str(info.value) == (
        "apply refused:\n"
        "  xero/New one: new_client_secret: environment variable XERO_SECRET is not set"
    )


def _hand_edited(field: str, after: Any = True) -> Plan:
    change = FieldChange(field=field, before=None, after=after)
    rc = ResourceChange("xero/A", "xero", "A", 5, Action.UPDATE, changes=(change,))
    return Plan(instance=Instance("http://x"), resource_changes=(rc,))


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("_disconnect", "is an action trigger"),
        ("authorized", "is computed by HaloPSA (readOnly)"),
        ("no_such_field", "is not a field of this type"),
        ("id", "is the record key"),
    ],
)
def test_hand_edited_plan_never_sends_triggers_or_read_only(field: str, reason: str) -> None:
    with pytest.raises(PlanRefused) as info:
        build_batches(_hand_edited(field), env=ENV)
    assert info.value.reasons == (f"xero/A: {field} {reason}; apply never sends it",)


def test_write_only_literal_in_a_plan_is_refused() -> None:
    with pytest.raises(PlanRefused) as info:
        build_batches(_hand_edited("new_client_secret", "literal"), env=ENV)
    assert info.value.reasons == (
        "xero/A: new_client_secret is write-only: its value must come from the environment",
    )


def test_resolve_marker_types_whole_references() -> None:
    fields = spec("xero").fields
    assert resolve_marker("${FLAG}", fields["enablesync"], ENV).reveal() is True
    assert resolve_marker("${COUNT}", fields["client_top_level"], ENV).reveal() == 7
    assert resolve_marker("a-${FLAG}-$${X}", fields["tenant_id"], ENV).reveal() == "a-true-${X}"


def test_scrub_replaces_secrets() -> None:
    text = f"HTTP 400: new_client_secret {CANARY} is too long"
    assert scrub(text, {CANARY}) == "HTTP 400: new_client_secret (sensitive) is too long"


def test_staleness(tmp_path: Path) -> None:
    plan = make_plan(tmp_path)
    assert stale_addresses(plan, LIVE) == []
    moved = {"xero": [dict(LIVE["xero"][0], tenant_id="t-5"), LIVE["xero"][1]]}
    assert stale_addresses(plan, moved) == ["xero/Acme NZ"]
    # Read-only status fields move on their own; they do not make a plan stale.
    synced = {"xero": [dict(LIVE["xero"][0], authorized=True), LIVE["xero"][1]]}
    assert stale_addresses(plan, synced) == []
    gone_and_created = {"xero": [LIVE["xero"][0], {"id": 8, "name": "New one"}]}
    with pytest.raises(StalePlanError) as info:
        check_fresh(plan, gone_and_created)
    assert info.value.changed == ("xero/New one", "xero/Old")
