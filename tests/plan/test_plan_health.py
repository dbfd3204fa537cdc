"""Health warnings from live status fields, with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from plan_factories import NOW, cfg, plan_of, rec

from reconciler.plan import PlanWarning
from reconciler.plan.health import health_warnings
from reconciler.registry import spec
from reconciler.sensitive import Sensitive


def _warn(key: str, live: dict[str, Any], write_only: tuple[str, ...] = ()) -> list[str]:
    return health_warnings(spec(key), live, now=NOW, write_only=write_only)


def test_healthy_record_has_no_warnings() -> None:
    live = {"authorized": True, "token_expiry": "2024-06-02T00:00:00Z", "_warning": ""}
    assert _warn("xero", live) == []


def test_not_authorized_with_and_without_credential_hint() -> None:
    assert _warn("xero", {"authorized": False}) == ["not authorized in HaloPSA"]
    assert _warn("sage_business_cloud", {"isauthorized": False}, ("new_client_secret",)) == [
        "not authorized in HaloPSA; if the credential changed, apply with --push-secrets "
        "(new_client_secret is write-only and not compared)"
    ]
    assert _warn("avalara", {"authorized": False}, ("new_password", "x")) == [
        "not authorized in HaloPSA; if the credential changed, apply with --push-secrets "
        "(new_password, x are write-only and not compared)"
    ]


def test_unknown_authorisation_is_not_a_warning() -> None:
    assert _warn("xero", {"authorized": None}) == []


def test_recently_expired_token_of_an_authorised_record_is_normal() -> None:
    assert _warn("xero", {"authorized": True, "token_expiry": "2024-05-20T00:00:00"}) == []


def test_long_expired_token_warns_even_when_authorised() -> None:
    live = {"authorized": True, "token_expiry": "2024-04-01T00:00:00"}
    assert _warn("xero", live, ("new_client_secret",)) == [
        "token expired 2024-04-01 00:00 UTC (61 days ago); if the credential changed, apply "
        "with --push-secrets (new_client_secret is write-only and not compared)"
    ]


def test_expired_token_of_an_unauthorised_record() -> None:
    live = {"isauthorized": False, "tokenexpiry": "2024-06-01T11:00:00+00:00"}
    assert _warn("exact", live) == [
        "not authorized in HaloPSA",
        "token expired 2024-06-01 11:00 UTC (0 days ago)",
    ]


def test_unparseable_expiry_is_ignored() -> None:
    assert _warn("xero", {"authorized": False, "token_expiry": "never"}) == [
        "not authorized in HaloPSA"
    ]


def test_halo_warning_and_last_sync_error() -> None:
    live = {"_warning": "  Token refresh failed ", "halointegrator_lasterror": "Timeout"}
    assert _warn("myob", live) == [
        "HaloPSA warning: Token refresh failed",
        "last sync error: Timeout",
    ]
    assert _warn("kashflow", {"_warning": "x", "enabled": False}) == ["HaloPSA warning: x"]


def test_plan_warns_for_matched_and_unmanaged_records_but_not_created_or_deleted() -> None:
    live = {
        "xero": [
            {"id": 1, "name": "Matched", "authorized": False},
            {"id": 2, "name": "Unmanaged", "_warning": "check me"},
        ],
        "quickbooks": [{"id": 3, "name": "Pruned", "authorized": False}],
    }
    config = cfg(
        rec("xero", "Matched", {"name": "Matched", "new_client_secret": Sensitive("s", "${S}")}),
        rec("xero", "Created"),
        prune=["quickbooks"],
    )
    plan = plan_of(config, live, now=datetime(2024, 6, 1, tzinfo=UTC))
    assert plan.warnings == (
        PlanWarning(
            "xero/Matched",
            "not authorized in HaloPSA; if the credential changed, apply with --push-secrets "
            "(new_client_secret is write-only and not compared)",
        ),
        PlanWarning("xero/Unmanaged", "HaloPSA warning: check me"),
    )
