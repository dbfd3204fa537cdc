"""The pure parts of status: day counting, judging a record, matching and scrubbing errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reconciler.errors import HaloError
from reconciler.scrubber import Scrubber
from reconciler.status.health import connection_health, whole_days
from reconciler.status.model import SyncErrors
from reconciler.status.read import _not_answered
from reconciler.status.sync_errors import MESSAGE_LIMIT, SyncError, attribute, parse_rows, shorten

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
SECRET = "s3cr3t-value-123"
scrub = Scrubber([SECRET])


@pytest.mark.parametrize(
    ("delta", "days"),
    [
        (timedelta(days=5, hours=23), 5),
        (timedelta(hours=3), 0),
        (timedelta(hours=-3), 0),
        (timedelta(days=-2, hours=-12), -2),
    ],
)
def test_whole_days_round_toward_zero(delta: timedelta, days: int) -> None:
    assert whole_days(delta) == days


def _judge(key: str, record: dict[str, object], **kw: object) -> list[str]:
    health = connection_health(
        key,
        record,
        now=NOW,
        warn_days=kw.get("warn_days", 14),  # type: ignore[arg-type]
        sync_errors=kw.get("sync"),  # type: ignore[arg-type]
        scrub=scrub,
    )
    return list(health.attention)


def test_expiry_within_warn_days_is_inclusive_of_the_last_moment() -> None:
    at = (NOW + timedelta(days=14)).isoformat()
    assert _judge("xero", {"id": 1, "name": "A", "token_expiry": at}) == [
        "token expires in 14 days (2026-12-18 12:00 UTC)"
    ]
    later = (NOW + timedelta(days=14, seconds=1)).isoformat()
    assert _judge("xero", {"id": 1, "name": "A", "token_expiry": later}) == []


def test_an_expiry_less_than_a_day_away_or_past() -> None:
    soon = (NOW + timedelta(hours=2)).isoformat()
    assert _judge("xero", {"id": 1, "token_expiry": soon}) == [
        "token expires in less than a day (2026-12-04 14:00 UTC)"
    ]
    just = (NOW - timedelta(hours=2)).isoformat()
    assert _judge("xero", {"id": 1, "token_expiry": just}) == [
        "token expired less than a day ago (2026-12-04 10:00 UTC)"
    ]


def test_signals_a_type_lacks_are_never_judged() -> None:
    # Kashflow has no authorised flag and no expiry; Avalara has no expiry.
    assert _judge("kashflow", {"id": 1, "authorized": False, "token_expiry": "2000-01-01"}) == []
    assert _judge("avalara", {"id": 1, "authorized": None}) == []


def test_warning_and_last_error_are_scrubbed_and_folded() -> None:
    lines = _judge(
        "myob",
        {"id": 1, "_warning": f"  bad\n key {SECRET} ", "halointegrator_lasterror": "   "},
    )
    assert lines == ["HaloPSA warning: bad key (sensitive)"]


def test_hints_never_count_as_attention() -> None:
    health = connection_health(
        "xero", {"id": 1, "name": "A"}, now=NOW, warn_days=14, sync_errors=None, scrub=scrub
    )
    assert health.attention == ()
    assert health.hints and health.hints[0].startswith("Xero: a refresh token unused for 60 days")


def test_sync_errors_line_names_the_other_records_sharing_the_id() -> None:
    sync = SyncErrors(1, NOW - timedelta(days=2), "boom", ("quickbooks/B",))
    assert _judge("xero", {"id": 1, "name": "A"}, sync=sync) == [
        "1 sync error in the last 7 days, newest 2026-12-02 12:00 UTC (2 days ago): boom "
        "[details id shared with quickbooks/B]"
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"failed with {SECRET}",
        "Authorization: Bearer abc.def-ghi",
        "POST refresh_token=r-123&client_id=x",
        '{"access_token": "tok-999", "x": 1}',
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here",
        "password: hunter22",
    ],
)
def test_shorten_removes_known_secrets_and_credential_shapes(text: str) -> None:
    out = shorten(text, scrub)
    assert "(sensitive)" in out
    for leak in (SECRET, "abc.def-ghi", "r-123", "tok-999", "c2lnbmF0dXJl", "hunter22"):
        assert leak not in out


def test_shorten_cuts_after_scrubbing() -> None:
    text = "x" * (MESSAGE_LIMIT - 5) + SECRET
    out = shorten(text, scrub)
    assert len(out) <= MESSAGE_LIMIT
    assert SECRET[:4] not in out
    assert shorten(None, scrub) == ""


def test_attribute_counts_the_window_and_shares_ambiguous_ids() -> None:
    rows = parse_rows(
        [
            {"detail_id": 1, "error": "newest", "date": "2026-12-04T08:00:00"},
            {"detail_id": "1", "error": "older", "date": "2026-12-01T08:00:00"},
            {"detail_id": 1, "error": "too old", "date": "2026-11-26T08:00:00"},
            {"detail_id": 1, "error": "no date"},
            {"detail_id": 9, "error": "elsewhere", "date": "2026-12-03T08:00:00"},
            {"error": "nobody", "date": "2026-12-03T08:00:00"},
        ],
        scrub,
    )
    found = attribute(rows, [("xero/A", 1), ("quickbooks/B", 1), ("fortnox/C", 2)], now=NOW)
    xero, quickbooks, fortnox = found.per_connection
    assert xero == SyncErrors(2, datetime(2026, 12, 4, 8, tzinfo=UTC), "newest", ("quickbooks/B",))
    assert quickbooks.also == ("xero/A",)
    assert fortnox == SyncErrors(0)
    assert found.notes == (
        "2 sync errors of the last 7 days match no connection read here (details id 9): "
        "other integrations, or types not read",
        "1 sync error without a readable date was not counted",
    )


def test_records_sharing_an_address_keep_their_own_errors() -> None:
    rows = parse_rows([{"detail_id": 7, "error": "x", "date": "2026-12-04T08:00:00"}], scrub)
    found = attribute(rows, [("xero/Same", 6), ("xero/Same", 7)], now=NOW)
    assert [s.count for s in found.per_connection] == [0, 1]


def test_parse_rows_prefixes_the_entity() -> None:
    (row,) = parse_rows([{"entity_type": "invoice", "entity_name": 42, "error": "bad"}], scrub)
    assert row == SyncError(None, None, "invoice 42: bad")


def test_an_error_log_that_cannot_be_read_is_one_note_naming_why() -> None:
    unreadable = HaloError("GET", "/api/IntegrationError", 200, "expected a list of records")
    assert _not_answered(unreadable, scrub) == (
        "HaloPSA's answer to GET /api/IntegrationError could not be read "
        "(expected a list of records): sync errors were not checked"
    )
    refused = HaloError("GET", "/api/IntegrationError", 403, f"no permission {SECRET}")
    assert _not_answered(refused, scrub) == (
        "HaloPSA did not answer GET /api/IntegrationError (HTTP 403: no permission "
        "(sensitive)): sync errors were not checked"
    )
    assert "(no answer: timed out)" in _not_answered(
        HaloError("GET", "/x", None, "timed out"), scrub
    )
