"""A HaloPSA simulator over real HTTP, with fault injection (SPEC §9).

    from reconciler.sandbox import start_in_thread, Faults
    with start_in_thread(seed="bundled", faults=Faults(rate_limit="5/1")) as h:
        ...  # h.url, h.client_id, h.client_secret, h.store, h.log, h.faults

Modules: app (request -> reply, pure), records and lookups (the record model), store (the
JSON data file), seed, faults, log, server (the only one with sockets), local (--sandbox).
"""

from __future__ import annotations

from reconciler.sandbox.faults import Faults
from reconciler.sandbox.log import LogEntry
from reconciler.sandbox.server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SandboxHandle,
    start_in_thread,
)

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "Faults",
    "LogEntry",
    "SandboxHandle",
    "start_in_thread",
]
