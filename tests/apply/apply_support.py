"""Shared test material for apply: a nine-type configuration, the live records it is
planned against, a client on virtual time, and the checks every apply test repeats."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reconciler.apply import ApplyReport, apply_plan
from reconciler.config import load
from reconciler.halo import Client, ClientOptions, Timing, settings_from_env
from reconciler.live import read_live
from reconciler.plan import Instance, Plan, build_plan
from reconciler.plan.document import UNDIGESTED, canonical_json
from reconciler.registry import KEYS, spec
from reconciler.sandbox import SandboxHandle

CANARY = "CANARY-9f3b2a7c-secret"
ENV = {"XERO_CLIENT_SECRET": CANARY, "KASHFLOW_PASSWORD": "kashflow-pass-123"}

# What HaloPSA holds before the first apply: updates for xero, quickbooks, avalara; a
# deletion (ensure: absent) for xero and a pruned record for fortnox.
LIVE: dict[str, list[dict[str, Any]]] = {
    "xero": [
        {
            "name": "Acme NZ",
            "tenant_id": "t-nz",
            "enablesync": False,
            "sync_entities": "invoices",
            "default_item_code": "SERVICES",
        },
        {"name": "Old tenant", "tenant_id": "t-old", "enablesync": True},
    ],
    "quickbooks": [{"name": "Acme US", "company_id": "9130", "multi_currency": False}],
    "fortnox": [{"name": "Stray", "show_message": True}],
    "avalara": [{"name": "Acme US Tax", "syncentities": "invoices", "disablerecording": True}],
}

CONFIG = """\
xero:
  - name: Acme NZ
    enablesync: true
    sync_entities: [invoices, clients]
    new_client_secret: ${XERO_CLIENT_SECRET}
    default_item_code: SERVICES
  - name: Beta NZ
    tenant_id: t-beta
    enablesync: true
    new_client_secret: ${XERO_CLIENT_SECRET}
  - name: Old tenant
    ensure: absent
quickbooks:
  - name: Acme US
    company_id: "9130"
    multi_currency: true
sage_business_cloud:
  - name: Sage UK
    syncentities: [invoices]
    client_mappings:
      - {halo_id: 1, third_party_id: C-1}
      - {halo_id: 2, third_party_id: C-2}
myob:
  - company_id: M-100
    enablesync: true
    halo_integrator_import_list: [clients, items]
kashflow:
  - name: Kash
    username: kash-user
    new_password: ${KASHFLOW_PASSWORD}
fortnox:
  - name: Fort
    sync_entities: [invoices]
exact:
  - name: Exact NL
    division: 12
business_central:
  - name: BC
    tenant_id: bc-tenant
    enable_sync: false
avalara:
  - name: Acme US Tax
    syncentities: [invoices, clients]
    commitentities: [invoices]
settings:
  prune: [fortnox]
  allow_empty: [fortnox]  # the pruned record is fortnox's only one
"""


class VirtualTime:
    """A clock that sleep() advances instead of waiting: retries cost no wall time."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds
            self.slept.append(seconds)

    def timing(self) -> Timing:
        return Timing(clock=self.clock, sleep=self.sleep, wall=lambda: time.time() + self.offset)


def seed(handle: SandboxHandle, live: Mapping[str, list[dict[str, Any]]] = LIVE) -> None:
    for key, records in live.items():
        for record in records:
            handle.store.create(key, record)


def write_config(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def client_for(
    handle: SandboxHandle, *, retry_budget: float = 30.0, clock: VirtualTime | None = None
) -> Client:
    env = {
        "HALO_URL": handle.url,
        "HALO_CLIENT_ID": handle.client_id,
        "HALO_CLIENT_SECRET": handle.client_secret,
        "HALO_RETRY_BUDGET": str(retry_budget),
    }
    timing = (clock or VirtualTime()).timing()
    return Client(settings_from_env(env), ClientOptions(timing=timing, read_timeout=5.0))


def plan_for(client: Client, config_path: Path) -> Plan:
    """The same steps as `plan`: load, read the referenced types, build."""
    config = load([config_path], env=ENV)
    live = read_live(client, config.types())
    return build_plan(config, live.records, instance=Instance(client.instance.url))


def apply_config(client: Client, config_path: Path, **kwargs: Any) -> ApplyReport:
    plan = plan_for(client, config_path)
    return apply_plan(plan, client, env=ENV, **kwargs)


def duplicates(handle: SandboxHandle) -> list[str]:
    """`type/identity` held by more than one stored record (must always be empty)."""
    found = []
    for key in KEYS:
        field = spec(key).identity
        counts = Counter(r.get(field) for r in handle.store.list(key))
        found += [f"{key}/{name}" for name, n in counts.items() if n > 1]
    return found


def writes(handle: SandboxHandle) -> list[tuple[str, str]]:
    """(method, path) of every POST and DELETE the sandbox logged."""
    return [
        (e.method, e.path)
        for e in handle.log.entries()
        if e.method in ("POST", "DELETE") and e.path.startswith("/api/")
    ]


def stored(handle: SandboxHandle, key: str, rid: int) -> dict[str, Any]:
    """The record as the sandbox stores it, write-only values included (proof they were sent)."""
    raw = handle.store.raw(key, rid)
    assert raw is not None, f"{key} #{rid} is not stored"
    return raw


def redigest(doc: dict[str, Any]) -> None:
    """What a careful editor does after editing a plan file: recompute its digest."""
    covered = {k: v for k, v in doc.items() if k not in UNDIGESTED}
    doc["digest"] = hashlib.sha256(canonical_json(covered)).hexdigest()
