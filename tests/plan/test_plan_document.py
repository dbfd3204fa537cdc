"""The plan document: JSON round trip, digest, errors reading a plan file, fingerprints."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from plan_factories import cfg, plan_of, rec

from reconciler.errors import PlanFileError
from reconciler.plan import Instance, Plan, PlanWarning, SecretRef, fingerprint
from reconciler.plan.document import UNDIGESTED, canonical_json
from reconciler.sensitive import Sensitive


def _plan() -> Plan:
    secret = Sensitive("CANARY-doc", "${SUB_KEY}")
    config = cfg(
        rec("xero", "A", {"name": "A", "enablesync": True, "sync_entities": "a,b"}),
        rec("xero", "B", {"name": "B", "new_client_secret": Sensitive("CANARY-doc", "${S}")}),
        rec(
            "sage_business_cloud",
            "S",
            {
                "name": "S",
                "client_mappings": [
                    {"halo_id": 1, "third_party_id": "A", "new_subscription_key": secret}
                ],
            },
        ),
        prune=["quickbooks"],
    )
    live = {
        "xero": [{"id": 1, "name": "A", "enablesync": False, "sync_entities": "b,c"}],
        "quickbooks": [{"id": 2, "name": "Q"}],
    }
    return plan_of(config, live)


def test_round_trip_is_equal_and_keeps_the_digest() -> None:
    plan = _plan()
    doc = json.loads(json.dumps(plan.to_json()))
    loaded = Plan.from_json(doc)
    assert loaded == plan
    assert loaded.digest == plan.digest == doc["digest"]
    assert "CANARY" not in json.dumps(doc)


def test_secret_in_a_row_round_trips_as_a_marker() -> None:
    doc = _plan().to_json()
    rows = doc["resource_changes"][3]["changes"][1]["after"]
    assert rows == [
        {
            "halo_id": 1,
            "third_party_id": "A",
            "new_subscription_key": {"sensitive": True, "source": "${SUB_KEY}"},
        }
    ]
    loaded = Plan.from_json(doc)
    after = loaded.resource_changes[3].changes[1].after
    assert after[0]["new_subscription_key"] == SecretRef("${SUB_KEY}")


def test_digest_is_sha256_of_the_canonical_document_but_what_only_people_read() -> None:
    plan = _plan()
    doc = plan.to_json()
    for key in ("digest", "summary", "refusals", "warnings", "unmanaged", "write_only_uncompared"):
        doc.pop(key)
    assert set(doc) == {
        "format_version",
        "instance",
        "targets",
        "resource_changes",
        "fingerprints",
        "max_deletes",
        # SPEC §14: what was accepted, left out, and the rules apply re-checks
        "acknowledged",
        "excludes",
        "allow_empty",
        "live_counts",
        "freeze",
    }
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert plan.digest == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_digest_ignores_warnings_and_time_but_covers_what_apply_acts_on() -> None:
    plan = _plan()
    assert replace(plan, warnings=(PlanWarning("xero/A", "x"),)).digest == plan.digest
    assert replace(plan, refusals=("stored verdicts are re-derived",)).digest == plan.digest
    assert plan_of(cfg(), {}, now=datetime(2030, 1, 1, tzinfo=UTC)).digest == (
        plan_of(cfg(), {}).digest
    )
    edits = [
        replace(plan, resource_changes=plan.resource_changes[1:]),
        replace(plan, instance=Instance("https://other.example", None)),
        replace(plan, instance=Instance(plan.instance.url, "another-tenant")),
        replace(plan, fingerprints={}),
        replace(plan, max_deletes=plan.max_deletes + 10),
        replace(
            plan,
            resource_changes=tuple(
                replace(rc, prevent_destroy=not rc.prevent_destroy) for rc in plan.resource_changes
            ),
        ),
    ]
    assert len({plan.digest, *(e.digest for e in edits)}) == len(edits) + 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.update(max_deletes=100, refusals=[]),
        lambda d: d["instance"].update(url="https://other.example"),
        lambda d: d["fingerprints"].update({"quickbooks/Q": "0" * 64}),
        lambda d: d["resource_changes"][0].update(prevent_destroy=True),
    ],
)
def test_editing_what_apply_acts_on_breaks_the_digest(edit: Any) -> None:
    assert _broken(edit) == (
        "plan file: $.digest does not match what the plan says (its changes, instance, "
        "fingerprints or safety rules: the file was edited or damaged; run plan again)"
    )


def test_a_plan_file_with_one_address_twice_is_refused() -> None:
    doc = copy.deepcopy(_plan().to_json())
    doc["resource_changes"][1]["address"] = doc["resource_changes"][0]["address"]
    # The digest recomputed, as a careful editor would.
    covered = {k: v for k, v in doc.items() if k not in UNDIGESTED}
    doc["digest"] = hashlib.sha256(canonical_json(covered)).hexdigest()
    with pytest.raises(PlanFileError) as caught:
        Plan.from_json(doc)
    assert str(caught.value) == (
        "plan file: $.resource_changes: address xero/A is given twice "
        "(the file was edited or damaged; run plan again)"
    )


def test_document_top_level_key_order() -> None:
    assert list(_plan().to_json()) == [
        "format_version",
        "instance",
        "targets",
        "summary",
        "digest",
        "refusals",
        "warnings",
        "resource_changes",
        "unmanaged",
        "fingerprints",
        "write_only_uncompared",
        "max_deletes",
        "acknowledged",
        "excludes",
        "allow_empty",
        "live_counts",
        "freeze",
    ]


def _broken(edit: Any) -> str:
    doc = copy.deepcopy(_plan().to_json())
    edit(doc)
    with pytest.raises(PlanFileError) as caught:
        Plan.from_json(doc)
    return str(caught.value)


def test_bad_plan_files_name_the_problem() -> None:
    with pytest.raises(PlanFileError, match=r"^plan file: \$: expected an object$"):
        Plan.from_json([1])
    assert _broken(lambda d: d.update(format_version="2")) == (
        "plan file: format_version '2' is not supported; this version of halo-reconciler "
        "reads format_version '1' (run plan again)"
    )
    assert _broken(lambda d: d.pop("max_deletes")) == "plan file: $.max_deletes: missing"
    assert _broken(lambda d: d.update(max_deletes=True)) == (
        "plan file: $.max_deletes: expected an integer"
    )
    assert _broken(lambda d: d["resource_changes"][0].update(action="replace")) == (
        "plan file: $.resource_changes[0].action: expected one of create, update, delete, no-op"
    )
    assert _broken(lambda d: d["resource_changes"][0]["changes"][0].update(sensitive="no")) == (
        "plan file: $.resource_changes[0].changes[0].sensitive: expected true or false"
    )
    assert _broken(lambda d: d["resource_changes"][0]["changes"][0].update(after="X")) == (
        "plan file: $.digest does not match what the plan says (its changes, instance, "
        "fingerprints or safety rules: the file was edited or damaged; run plan again)"
    )
    assert _broken(lambda d: d["summary"].update(create=9)) == (
        "plan file: $.summary does not match its resource_changes"
    )
    assert _broken(lambda d: d.update(fingerprints={"xero/A": 1})) == (
        "plan file: $.fingerprints: expected strings"
    )


LIVE: dict[str, Any] = {
    "id": 3,
    "name": "Acme",
    "enablesync": True,
    "token_expiry": "2024-01-01T00:00:00",
    "authorized": True,
    "_warning": None,
    "new_client_secret": None,
    "brand_new_field": 1,
}


def test_fingerprint_covers_id_and_configurable_fields_only() -> None:
    base = fingerprint(LIVE, "xero")
    assert len(base) == 64
    moved = {**LIVE, "token_expiry": "2025-01-01", "authorized": False, "brand_new_field": 2}
    assert fingerprint(moved, "xero") == base
    assert fingerprint(dict(reversed(list(LIVE.items()))), "xero") == base
    assert fingerprint({**LIVE, "enablesync": False}, "xero") != base
    assert fingerprint({**LIVE, "id": 4}, "xero") != base


def test_fingerprint_of_rows_ignores_read_only_row_fields() -> None:
    row = {"id": 1, "halo_id": 1, "third_party_id": "A", "date_updated": "2024-01-01"}
    live = {"id": 5, "name": "S", "client_mappings": [row]}
    base = fingerprint(live, "sage_business_cloud")
    touched = {**live, "client_mappings": [{**row, "date_updated": "2024-02-02", "revisions": 3}]}
    assert fingerprint(touched, "sage_business_cloud") == base
    changed = {**live, "client_mappings": [{**row, "third_party_id": "B"}]}
    assert fingerprint(changed, "sage_business_cloud") != base


def test_the_schema_refuses_a_saved_plan_naming_the_json_path() -> None:
    """Acceptance: wrong type, unknown action, missing key — each named by its JSON path,
    in words from the schema (plan_schema.py), never from jsonschema's text."""
    assert _broken(lambda d: d["resource_changes"][1].update(id="7")) == (
        "plan file: $.resource_changes[1].id: expected an integer or null"
    )
    assert _broken(lambda d: d["resource_changes"][2].update(action="upsert")) == (
        "plan file: $.resource_changes[2].action: expected one of create, update, delete, no-op"
    )
    assert _broken(lambda d: d["resource_changes"][0]["changes"][0].pop("before")) == (
        "plan file: $.resource_changes[0].changes[0].before: missing"
    )
    assert _broken(lambda d: d["instance"].update(url=None, tenant=5)) == (
        "plan file: $.instance.url: expected a string; $.instance.tenant: expected a string or null"
    )
    assert _broken(lambda d: d.update(extra=1)).startswith(
        "plan file: $: has a key the plan format does not know (the keys are format_version, "
    )


def test_schema_messages_never_echo_the_value_found(canary: str) -> None:
    edits = [
        lambda d: d["resource_changes"][0].update(id=canary),
        lambda d: d["resource_changes"][0].update(action=canary),
        lambda d: d["resource_changes"][0]["changes"][0].update(impact=canary),
        lambda d: d.update(fingerprints={f"xero/{canary}": canary}),
        lambda d: d.update(fingerprints={canary: "0" * 64}),
        lambda d: d["instance"].update({canary: canary}),
        lambda d: d.update(digest=canary),
    ]
    for edit in edits:
        message = _broken(edit)
        assert message.startswith("plan file: $"), message
        assert canary not in message


def test_a_warning_about_a_whole_type_round_trips() -> None:
    """Live reading warns about a type (`xero`: fields it does not know): no slash."""
    plan = replace(_plan(), warnings=(PlanWarning("xero", "HaloPSA returned fields ..."),))
    assert Plan.from_json(json.loads(json.dumps(plan.to_json()))) == plan


def test_the_validator_is_built_once_and_only_when_a_plan_is_read() -> None:
    from reconciler.plan import plan_schema

    Plan.from_json(_plan().to_json())
    Plan.from_json(_plan().to_json())
    assert plan_schema._validator.cache_info().misses == 1
    probe = (
        "import sys, reconciler.planning, reconciler.plan, reconciler.render;"
        "assert 'jsonschema' not in sys.modules, 'jsonschema imported'"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
