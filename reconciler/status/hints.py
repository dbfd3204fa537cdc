"""Provider notes: how each accounting package's credentials die, where the rule is public.

These are hints about a kind of connection, never findings about this one: HaloPSA does
not report when a refresh token was last used or when an app's client secret expires,
so a hint says what to check and never counts as attention. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping

PROVIDER_HINTS: Mapping[str, tuple[str, ...]] = {
    "xero": (
        "Xero: a refresh token unused for 60 days stops working; a connection that has not "
        "synced for that long must be reconnected in HaloPSA.",
    ),
    "fortnox": (
        "Fortnox: a refresh token unused for 45 days stops working; a connection that has "
        "not synced for that long must be reconnected in HaloPSA.",
    ),
    "quickbooks": (
        "QuickBooks: Intuit ends every connection 5 years after it was authorised, used or "
        "not; reconnect in HaloPSA before then.",
    ),
    "business_central": (
        "Business Central: the app's client secret expires on the date set in its Microsoft "
        "Entra app registration, which HaloPSA does not report; check it there.",
    ),
    "exact": (
        "Exact: the app's client secret expires as set in its Exact Online app registration, "
        "which HaloPSA does not report; check it there.",
    ),
}


def provider_hints(key: str) -> tuple[str, ...]:
    """The published credential rules for a type (empty when none is known)."""
    return PROVIDER_HINTS.get(key, ())
