"""Which HaloPSA a run talks to: its URL and tenant, and whether its host is loopback.

The client reports it, the plan records it, apply compares a saved plan's with the
client's; none of them owns it, so it lives here, below all three. Holds no credentials.
Pure.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Instance:
    """The HaloPSA instance a run talks to and a plan was computed against."""

    url: str
    tenant: str | None = None


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (the only hosts plain http:// may reach)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
