"""`status`: every accounting connection's health and expiry (SPEC §15).

model.py        ConnectionHealth, StatusReport and its JSON document
health.py       one connection judged (authorised, expiry, warning, errors); pure
sync_errors.py  HaloPSA's error log matched to connections, messages scrubbed; pure
hints.py        published credential rules per provider (hints, never findings)
read.py         read_status: the lists and the error log through a read-only client
render.py       text and Markdown (JSON is StatusReport.to_json)
"""

from __future__ import annotations

from reconciler.status.model import ConnectionHealth, StatusReport, SyncErrors
from reconciler.status.read import DEFAULT_WARN_DAYS, read_status

__all__ = ["DEFAULT_WARN_DAYS", "ConnectionHealth", "StatusReport", "SyncErrors", "read_status"]
