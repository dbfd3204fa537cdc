"""status against the sandbox over real HTTP: attention lines, requests, the error log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from status_support import EXPECTED_ATTENTION, seed_health

from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.registry import KEYS
from reconciler.sandbox import SandboxHandle, start_in_thread
from reconciler.status import StatusReport, read_status

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "status.schema.json").read_text("utf-8")
)


@pytest.fixture
def h() -> Iterator[SandboxHandle]:
    with start_in_thread() as handle:
        seed_health(handle, NOW)
        yield handle


def _read(h: SandboxHandle, **kw: object) -> StatusReport:
    env = {"HALO_URL": h.url, "HALO_CLIENT_ID": h.client_id, "HALO_CLIENT_SECRET": h.client_secret}
    with ReadOnlyClient(settings_from_env(env)) as client:
        return read_status(client, now=NOW, **kw)  # type: ignore[arg-type]


def test_each_connection_gets_exactly_its_attention_lines(h: SandboxHandle) -> None:
    report = _read(h)
    assert {c.address: list(c.attention) for c in report.connections} == EXPECTED_ATTENTION
    assert report.needs_attention
    assert report.headline() == "8 connections, 6 need attention."
    assert report.notes == ()


def test_json_validates_against_the_shipped_schema(h: SandboxHandle) -> None:
    doc = _read(h).to_json()
    Draft202012Validator.check_schema(SCHEMA)
    Draft202012Validator(SCHEMA).validate(doc)
    assert doc["summary"] == {"connections": 8, "attention": 6}
    (expiring,) = (c for c in doc["connections"] if c["address"] == "xero/Expiring")
    assert expiring["token_expiry"] == "2026-12-09T13:00:00Z"
    assert expiring["days_left"] == 5
    (expired,) = (c for c in doc["connections"] if c["address"] == "quickbooks/Expired")
    assert expired["days_left"] == -3
    (plain,) = (c for c in doc["connections"] if c["address"] == "kashflow/Plain")
    assert plain["authorized"] is None and plain["token_expiry"] is None


def test_requests_are_one_token_one_list_per_type_and_the_error_log_pages(
    h: SandboxHandle,
) -> None:
    rows = [{"detail_id": 900, "error": "elsewhere", "date": "2026-12-04T08:00:00"}] * 247
    h.store.set_integration_errors(rows)
    h.log.clear()
    report = _read(h)
    seen = [(e.method, e.path, e.query.get("page_no")) for e in h.log.entries()]
    assert seen[0] == ("POST", "/auth/token", None)
    lists = sorted(p for m, p, _ in seen[1:] if p != "/api/IntegrationError")
    assert len(lists) == len(KEYS) == len(set(lists))
    # Pages after the first are read ahead concurrently: each exactly once, in any order.
    pages = [str(n) for _, p, n in seen if p == "/api/IntegrationError"]
    assert sorted(pages) == ["1", "2", "3"]
    assert len(seen) == 1 + len(KEYS) + 3
    assert report.notes == (
        "247 sync errors of the last 7 days match no connection read here (details id 900): "
        "other integrations, or types not read",
    )


def test_type_filter_reads_only_those_types(h: SandboxHandle) -> None:
    h.log.clear()
    report = _read(h, types=("fortnox", "xero"))
    assert [c.address for c in report.connections] == [
        "xero/Expiring",
        "xero/Healthy",
        "fortnox/Unauthorised",
    ]
    paths = [e.path for e in h.log.entries()]
    assert paths[0] == "/auth/token"
    assert sorted(paths[1:]) == ["/api/FortnoxDetails", "/api/IntegrationError", "/api/XeroDetails"]
    # Sage's errors (details id 4) match nothing read here: said once, not attributed.
    assert report.notes == (
        "2 sync errors of the last 7 days match no connection read here (details id 4): "
        "other integrations, or types not read",
    )


def test_an_error_log_that_answers_404_gives_the_report_with_one_note(h: SandboxHandle) -> None:
    h.store.set_integration_errors(None)
    report = _read(h)
    assert report.notes == (
        "HaloPSA did not answer GET /api/IntegrationError (HTTP 404): sync errors were not checked",
    )
    assert all(c.sync_errors is None for c in report.connections)
    expected = dict(EXPECTED_ATTENTION, **{"sage_business_cloud/Erroring": []})
    assert {c.address: list(c.attention) for c in report.connections} == expected
    Draft202012Validator(SCHEMA).validate(report.to_json())


def test_warn_days_moves_the_expiry_threshold(h: SandboxHandle) -> None:
    report = _read(h, types=("xero",), warn_days=3)
    assert all(not c.attention for c in report.connections)
    report = _read(h, types=("xero",), warn_days=90)
    assert [len(c.attention) for c in report.connections] == [1, 1]
