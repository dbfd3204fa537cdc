"""A sandbox holding one connection of each health state, dated relative to `now`.

xero/Healthy            authorised, token 90 days ahead                -> ok
xero/Expiring           authorised, token 5 days ahead                 -> expires
quickbooks/Expired      authorised, token expired 3 days ago           -> expired
fortnox/Unauthorised    not authorised                                 -> not authorized
sage_business_cloud/Erroring  2 sync errors this week (1 older)       -> sync errors
myob/c-1                Integrator last error                          -> last error
business_central/Warned HaloPSA warning                                -> warning
kashflow/Plain          no signals at all                              -> ok
"""

from __future__ import annotations

from datetime import datetime, timedelta

from reconciler.sandbox import SandboxHandle

EXPECTED_ATTENTION: dict[str, list[str]] = {
    "xero/Healthy": [],
    "xero/Expiring": ["token expires in 5 days (2026-12-09 13:00 UTC)"],
    "quickbooks/Expired": ["token expired 3 days ago (2026-12-01 10:00 UTC)"],
    "fortnox/Unauthorised": ["not authorized in HaloPSA"],
    "sage_business_cloud/Erroring": [
        "2 sync errors in the last 7 days, newest 2026-12-03 09:15 UTC (1 day ago): "
        "invoice INV-0042: Account code '400' is not a valid code"
    ],
    "myob/c-1": ["Halo Integrator last error: Invoice 17 could not be posted: period closed"],
    "business_central/Warned": ["HaloPSA warning: Company CRONUS not found in environment"],
    "kashflow/Plain": [],
}


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def seed_health(h: SandboxHandle, now: datetime, *, secret_in_error: str = "") -> None:
    """Fill `h` with the eight connections above and their sync errors."""
    day = timedelta(days=1)
    s = h.store
    s.create(
        "xero",
        {"id": 1, "name": "Healthy", "authorized": True, "token_expiry": _at(now + 90 * day)},
    )
    s.create(
        "xero",
        {
            "id": 2,
            "name": "Expiring",
            "authorized": True,
            "token_expiry": _at(now + 5 * day + timedelta(hours=1)),
        },
    )
    s.create(
        "quickbooks",
        {
            "id": 1,
            "name": "Expired",
            "authorized": True,
            "token_expiry": _at(now - 3 * day + timedelta(hours=-2)),
        },
    )
    s.create(
        "fortnox",
        {
            "id": 1,
            "name": "Unauthorised",
            "isauthorized": False,
            "token_expiry": _at(now + 30 * day),
        },
    )
    s.create(
        "sage_business_cloud",
        {"id": 4, "name": "Erroring", "isauthorized": True, "tokenexpiry": _at(now + 60 * day)},
    )
    s.create(
        "myob",
        {
            "id": 1,
            "company_id": "c-1",
            "authorized": True,
            "halointegrator_lastsync": _at(now - timedelta(hours=6)),
            "halointegrator_lasterror": "Invoice 17 could not be posted: period closed",
        },
    )
    s.create(
        "business_central",
        {
            "id": 1,
            "name": "Warned",
            "authorized": True,
            "token_expiry": _at(now + 200 * day),
            "_warning": "Company CRONUS not found in environment",
        },
    )
    s.create("kashflow", {"id": 1, "name": "Plain"})
    tail = f" (client_secret {secret_in_error})" if secret_in_error else ""
    s.set_integration_errors(
        [
            {
                "detail_id": 4,
                "module_id": 31,
                "entity_type": "invoice",
                "entity_name": "INV-0041",
                "error": "Rate limited",
                "date": _at(now - 2 * day),
            },
            {
                "detail_id": 4,
                "module_id": 31,
                "entity_type": "invoice",
                "entity_name": "INV-0042",
                "error": "Account code '400' is not a valid code" + tail,
                "date": _at(now - day - timedelta(hours=2, minutes=45)),
            },
            {"detail_id": 4, "module_id": 31, "error": "old news", "date": _at(now - 10 * day)},
        ]
    )
