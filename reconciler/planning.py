"""Configuration + HaloPSA -> Plan: the one pipeline plan, drift and apply share.

Reads the live records of the types the configuration (narrowed by --target) refers
to, one list GET per type, with whatever client the caller holds: a read-only one for
plan and drift, the writing one for apply, so apply needs a single token and a single
sandbox for its whole run. The configuration is loaded by the caller first, so an
invalid one fails before any request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reconciler.config.model import Configuration
from reconciler.halo import ReadOnlyClient
from reconciler.live import LiveSnapshot, read_live
from reconciler.plan import Instance, Plan, Selection, build_plan
from reconciler.plan.model import PlanWarning
from reconciler.registry import ORDER


def plan_against(
    config: Configuration,
    client: ReadOnlyClient,
    *,
    targets: Sequence[str] = (),
    allow_deletes: bool = False,
    max_workers: int = 4,
) -> Plan:
    """The plan that would make HaloPSA (as `client` reads it) match `config`."""
    selection = Selection.parse(targets)
    types = [t for t in config.types() if selection.touches(t)]
    live = read_live(client, types, max_workers=max_workers)
    where = client.instance
    plan = build_plan(
        config,
        live.records,
        instance=Instance(where.url, where.tenant),
        targets=targets,
        allow_deletes=allow_deletes,
    )
    return with_live_warnings(plan, live)


def with_live_warnings(plan: Plan, live: LiveSnapshot) -> Plan:
    """`plan` with the snapshot's reading warnings added to its own (health) warnings.

    Added before rendering and saving, so every format and the --out file show them; the
    digest covers resource_changes only, so it does not change.
    """
    if not live.warnings:
        return plan
    extra = [PlanWarning(w.address, w.message) for w in live.warnings]
    merged = sorted(
        [*plan.warnings, *extra],
        key=lambda w: (ORDER.get(w.address.split("/")[0], len(ORDER)), w.address),
    )
    return replace(plan, warnings=tuple(merged))
