"""apply_plan against the sandbox: convergence over nine types, the request bodies it
sends, failures that stay in their type, read-back, safety and secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import (
    CANARY,
    CONFIG,
    ENV,
    apply_config,
    client_for,
    duplicates,
    plan_for,
    seed,
    stored,
    write_config,
    writes,
)

from reconciler.apply import Status, apply_plan
from reconciler.errors import PlanRefused
from reconciler.halo import Client
from reconciler.plan import Action, FieldChange, Instance, Plan, ResourceChange
from reconciler.registry import KEYS, spec
from reconciler.sandbox import LogEntry, SandboxHandle, start_in_thread


@pytest.fixture
def client(sandbox: SandboxHandle) -> Iterator[Client]:
    with client_for(sandbox) as c:
        yield c


def lines(report: Any) -> list[str]:
    return [o.line() for o in report.outcomes]


def test_plan_apply_plan_converges_over_nine_types(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    config = write_config(tmp_path)
    plan = plan_for(client, config)
    assert {rc.type for rc in plan.resource_changes} == set(KEYS)
    seen: list[str] = []
    report = apply_plan(
        plan, client, env=ENV, allow_deletes=True, progress=lambda o: seen.append(o.line())
    )
    assert lines(report) == [
        "xero/Acme NZ: updated (id 1)",
        "xero/Beta NZ: created (id 3)",
        "xero/Old tenant: deleted (id 2)",
        "quickbooks/Acme US: updated (id 1)",
        "sage_business_cloud/Sage UK: created (id 1)",
        "myob/M-100: created (id 1)",
        "kashflow/Kash: created (id 1)",
        "fortnox/Fort: created (id 2)",
        "fortnox/Stray: deleted (id 1)",
        "exact/Exact NL: created (id 1)",
        "business_central/BC: created (id 1)",
        "avalara/Acme US Tax: updated (id 1)",
    ]
    assert sorted(seen) == sorted(lines(report))  # progress said the same, as it happened
    assert report.summary == "Apply complete: 12 applied, 0 failed, 0 skipped."
    assert report.ok
    again = plan_for(client, config)
    assert not again.has_changes
    assert duplicates(sandbox) == []


def test_request_count_is_one_post_per_type_and_one_delete_each(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    plan = plan_for(client, write_config(tmp_path))
    before = len(sandbox.log.entries())
    apply_plan(plan, client, env=ENV, allow_deletes=True)
    sent = [(e.method, e.path) for e in sandbox.log.entries()[before:]]
    posts = [p for m, p in sent if m == "POST"]
    assert sorted(posts) == sorted(f"/api{spec(k).path}" for k in KEYS)
    assert sorted(p for m, p in sent if m == "DELETE") == [
        "/api/FortnoxDetails/1",
        "/api/XeroDetails/2",
    ]
    # one re-read list GET per type with creates (7) just before its POST, one read-back
    # list GET per written type, and a detail GET (includedetails=true) of the one record
    # that sent a mapping array (SPEC §11), nothing else
    gets = sorted(p for m, p in sent if m == "GET")
    detail = "/api/SageBusinessCloudDetails/1"
    creating = [k for k in KEYS if k not in ("quickbooks", "avalara")]
    reread = [f"/api{spec(k).path}" for k in creating]
    assert gets == sorted([f"/api{spec(k).path}" for k in KEYS] + reread + [detail])
    assert len(sent) == 9 + 2 + 17


def _api_posts(handle: SandboxHandle) -> list[LogEntry]:
    return [e for e in handle.log.entries() if e.method == "POST" and e.path.startswith("/api/")]


def test_update_sends_id_and_changed_fields_only(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    apply_config(client, write_config(tmp_path), allow_deletes=True)
    bodies = {e.path: e.body for e in _api_posts(sandbox)}
    # Acme NZ: id + the two changed fields; the write-only secret is not pushed on update,
    # and default_item_code (unchanged) is not sent.
    assert bodies["/api/XeroDetails"][0] == {
        "id": 1,
        "enablesync": True,
        "sync_entities": "invoices,clients",
    }
    # A create sends every stated field, the write-only one included (masked in the log).
    assert bodies["/api/XeroDetails"][1] == {
        "name": "Beta NZ",
        "tenant_id": "t-beta",
        "enablesync": True,
        "new_client_secret": "***",
    }
    assert bodies["/api/QuickBooksDetails"] == [{"id": 1, "multi_currency": True}]
    # A changed csv field goes whole, as HaloPSA's joined string.
    assert bodies["/api/AvalaraDetails"] == [
        {"id": 1, "syncentities": "invoices,clients", "commitentities": "invoices"}
    ]
    assert stored(sandbox, "xero", 3)["new_client_secret"] == CANARY  # it was sent


def test_no_read_only_field_or_trigger_is_ever_sent(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    apply_config(client, write_config(tmp_path), allow_deletes=True, push_secrets=True)
    posts = _api_posts(sandbox)
    assert len(posts) == 9
    for entry in posts:
        key = next(k for k in KEYS if entry.path == f"/api{spec(k).path}")
        fields = spec(key).fields
        for element in entry.body:
            for name in element:
                assert name == "id" or fields[name].configurable, (entry.path, name)


def test_push_secrets_sends_write_only_fields_on_update(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    config = write_config(tmp_path)
    apply_config(client, config, allow_deletes=True)
    assert "new_client_secret" not in stored(sandbox, "xero", 1)
    before = len(_api_posts(sandbox))
    # Nothing else differs now: --push-secrets alone makes the no-op records updates.
    report = apply_config(client, config, push_secrets=True)
    assert lines(report) == [
        "xero/Acme NZ: updated (id 1) (write-only fields sent)",
        "xero/Beta NZ: updated (id 3) (write-only fields sent)",
        "kashflow/Kash: updated (id 1) (write-only fields sent)",
    ]
    posts = _api_posts(sandbox)[before:]
    assert sorted((e.path, str(e.body)) for e in posts) == [
        ("/api/KashflowDetails", "[{'id': 1, 'new_password': '***'}]"),
        (
            "/api/XeroDetails",
            "[{'id': 1, 'new_client_secret': '***'}, {'id': 3, 'new_client_secret': '***'}]",
        ),
    ]
    assert stored(sandbox, "xero", 1)["new_client_secret"] == CANARY


def test_one_type_failing_leaves_the_others_applied(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    plan = plan_for(client, write_config(tmp_path))
    # parallelism 1 runs types in registry order: xero's POST is the first one. Its two
    # records are rejected together, then sent one by one: Acme NZ is rejected again.
    sandbox.faults.script("400", "400", methods=["POST"], paths="api")
    report = apply_plan(plan, client, env=ENV, allow_deletes=True, parallelism=1)
    assert lines(report)[:3] == [
        "xero/Acme NZ: update failed: POST /api/XeroDetails: HTTP 400: "
        "Simulated HTTP 400 (sandbox fault injection).",
        "xero/Beta NZ: created (id 3)",
        "xero/Old tenant: delete skipped: not deleted because a create or update of this "
        "type failed; run apply again",
    ]
    assert all(o.status is Status.APPLIED for o in report.outcomes[3:])
    assert report.summary == "Apply complete: 10 applied, 1 failed, 1 skipped."
    assert not report.ok
    assert sandbox.store.get("xero", 2) is not None  # the skipped deletion did not happen
    # Running apply again converges.
    assert apply_config(client, write_config(tmp_path), allow_deletes=True).ok
    assert not plan_for(client, write_config(tmp_path)).has_changes


def _create(address: str, key: str, **fields: Any) -> ResourceChange:
    changes = tuple(FieldChange(name, None, value) for name, value in fields.items())
    identity = address.split("/", 1)[1]
    return ResourceChange(address, key, identity, None, Action.CREATE, changes)


def test_a_rejected_record_does_not_block_its_neighbours(
    sandbox: SandboxHandle, client: Client
) -> None:
    plan = Plan(
        instance=Instance(sandbox.url),
        resource_changes=(
            _create("kashflow/Bad", "kashflow", name="Bad", client_top_level="not a number"),
            _create("kashflow/Good", "kashflow", name="Good", enablesync=True),
        ),
    )
    report = apply_plan(plan, client, env=ENV)
    assert lines(report) == [
        "kashflow/Bad: create failed: POST /api/KashflowDetails: HTTP 400: "
        "[0].client_top_level: expected an integer or null, got a string",
        "kashflow/Good: created (id 1)",
    ]
    assert [r["name"] for r in sandbox.store.list("kashflow")] == ["Good"]


def test_post_committed_then_dropped_is_settled_by_rereading(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    plan = plan_for(client, write_config(tmp_path))
    sandbox.faults.script("commit-drop", methods=["POST"], paths="api")
    report = apply_plan(plan, client, env=ENV, allow_deletes=True, parallelism=1)
    assert report.ok, lines(report)
    assert lines(report)[:2] == [
        "xero/Acme NZ: updated (id 1) (answer lost; found by re-reading)",
        "xero/Beta NZ: created (id 3) (answer lost; found by re-reading)",
    ]
    xero = [(m, p) for m, p in writes(sandbox) if "Xero" in p]
    assert xero == [("POST", "/api/XeroDetails"), ("DELETE", "/api/XeroDetails/2")]
    assert duplicates(sandbox) == []


def test_lost_answer_resends_an_update_that_did_not_land(
    sandbox: SandboxHandle, client: Client
) -> None:
    rid = sandbox.store.create("kashflow", {"name": "A", "enablesync": False})["id"]
    change = FieldChange("enablesync", False, True)
    update = ResourceChange("kashflow/A", "kashflow", "A", rid, Action.UPDATE, (change,))
    plan = Plan(instance=Instance(sandbox.url), resource_changes=(update,))
    # The first POST is dropped before HaloPSA processed it: the update did not land, and an
    # update cannot make a duplicate, so it is sent again after a re-read; it lands.
    sandbox.faults.script("drop", methods=["POST"], paths="api")
    report = apply_plan(plan, client, env=ENV)
    assert lines(report) == [f"kashflow/A: updated (id {rid})"]
    kinds = [(e.method, e.fault) for e in sandbox.log.entries() if e.path.startswith("/api/")]
    assert kinds == [("POST", "script:drop"), ("GET", None), ("POST", None), ("GET", None)]


def test_inconsistent_result_is_reported(tmp_path: Path) -> None:
    def ignore_enablesync(entry: LogEntry) -> None:
        # HaloPSA accepting a value and not keeping it: undo it behind the API's back.
        if entry.method == "POST" and entry.path == "/api/XeroDetails" and entry.status == 200:
            handle.store.update("xero", 1, {"enablesync": False})

    with start_in_thread(on_request=ignore_enablesync) as handle:
        seed(handle)
        with client_for(handle) as client:
            report = apply_config(client, write_config(tmp_path), allow_deletes=True)
    assert lines(report)[0] == (
        "xero/Acme NZ: update failed: inconsistent result: enablesync: sent true, read back false"
    )
    assert report.summary == "Apply complete: 11 applied, 1 failed, 0 skipped."


def test_deleting_a_record_already_gone_is_applied(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    plan = plan_for(client, write_config(tmp_path))
    sandbox.store.delete("xero", 2)
    report = apply_plan(plan, client, env=ENV, allow_deletes=True)
    assert lines(report)[2] == "xero/Old tenant: deleted (id 2) (already absent)"
    assert report.ok


def test_engine_enforces_max_deletes_and_prevent_destroy(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    text = CONFIG.replace("  prune: [fortnox]", "  prune: [fortnox]\n  max_deletes: 1")
    plan = plan_for(client, write_config(tmp_path, text))
    assert plan.refusals == ()
    with pytest.raises(PlanRefused) as info:
        apply_plan(plan, client, env=ENV)  # this run did not say --allow-deletes
    assert info.value.reasons == ("2 deletions exceed max_deletes=1; use --allow-deletes",)
    text = CONFIG.replace(
        "  - name: Old tenant\n    ensure: absent",
        "  - name: Old tenant\n    ensure: absent\n    lifecycle: {prevent_destroy: true}",
    )
    plan = plan_for(client, write_config(tmp_path, text))
    with pytest.raises(PlanRefused) as info:
        apply_plan(plan, client, env=ENV, allow_deletes=True)
    assert info.value.reasons == (
        "xero/Old tenant: lifecycle.prevent_destroy is set, but the plan deletes it "
        "(remove prevent_destroy to allow the deletion)",
    )
    assert writes(sandbox) == []


def test_missing_secret_stops_before_any_write(
    sandbox: SandboxHandle, client: Client, tmp_path: Path
) -> None:
    seed(sandbox)
    plan = plan_for(client, write_config(tmp_path))
    with pytest.raises(PlanRefused) as info:
        apply_plan(plan, client, env={"KASHFLOW_PASSWORD": "x"}, allow_deletes=True)
    assert str(info.value) == (
        "apply refused:\n"
        "  xero/Beta NZ: new_client_secret: environment variable XERO_CLIENT_SECRET is not set"
    )
    assert writes(sandbox) == []


def test_canary_secret_reaches_the_store_and_nothing_else(
    sandbox: SandboxHandle, client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seed(sandbox)
    # A rejected POST carrying the secret too: its message and the report hold none.
    sandbox.faults.script("400", methods=["POST"], paths="api")
    report = apply_config(
        client, write_config(tmp_path), allow_deletes=True, push_secrets=True, parallelism=1
    )
    report2 = apply_config(client, write_config(tmp_path), allow_deletes=True, push_secrets=True)
    text = "\n".join(lines(report) + lines(report2)) + caplog.text
    assert CANARY not in text
    assert stored(sandbox, "xero", 1)["new_client_secret"] == CANARY
    assert all(CANARY not in repr(e) for e in sandbox.log.entries())
