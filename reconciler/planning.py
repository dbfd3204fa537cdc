"""The pipeline: load, connect, read, plan — the one place plan, drift, apply and export
(and any new command) assemble it, so a command only adapts it.

    make_plan(paths, connection, targets=...)   plan and drift: config, read-only client
    plan_against(config, client, ...)           any plan, with the client the caller holds
    plan_to_apply(paths, client, ...)           apply CONFIG: the plan, shown, then checked
    read_instance(connection, types)            export: the live records and where they are
    merge_live(directory, connection)           export --merge: drift written into the files

Reads the live records of the types the configuration (narrowed by --target) refers
to, one list GET per type (per page when HaloPSA pages) plus a detail GET for each
matched record that needs one (plan/details.py), with whatever client the caller
holds: a read-only one for plan and drift, the writing one for apply, so apply needs a
single token and a single sandbox for its whole run. The configuration is loaded before
any connection, so an invalid one fails before any request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from reconciler.apply.saved import check_digest
from reconciler.config import load
from reconciler.config.model import Configuration
from reconciler.connection import Connection, open_client
from reconciler.errors import ConfigError, PlanRefused
from reconciler.export.merge import Merged
from reconciler.halo import ReadOnlyClient
from reconciler.instance import Instance
from reconciler.live import LiveSnapshot, LiveWarning, every_mapped_record, read_live
from reconciler.names.annotate import annotate
from reconciler.names.portable import wanted, with_names
from reconciler.names.reading import LookupReader
from reconciler.names.resolve import resolve_names
from reconciler.plan import Plan, Selection, build_plan
from reconciler.plan.details import config_details
from reconciler.plan.model import PlanWarning
from reconciler.plan.safety import check_freeze, check_refusals
from reconciler.registry import ORDER
from reconciler.scrubber import Scrubber


def load_config(paths: Sequence[str]) -> Configuration:
    """The configuration at `paths` (default: the current directory), ${NAME} resolved
    from the environment; ConfigError (every issue) before any request."""
    return load(paths or (".",), env=os.environ)


def make_plan(
    paths: Sequence[str],
    connection: Connection,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
) -> Plan:
    """Configuration + live records -> the plan, with reading warnings merged in.

    Read-only: the client it opens has no way to write.
    """
    config = load_config(paths)
    with open_client(connection, write=False) as client:
        return plan_against(config, client, targets=targets, excludes=excludes)


def plan_against(
    config: Configuration,
    client: ReadOnlyClient,
    *,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    max_workers: int = 4,
) -> Plan:
    """The plan that would make HaloPSA (as `client` reads it) match `config`."""
    selection = Selection.parse(targets, excludes)
    types = [t for t in config.types() if selection.touches(t)]
    live = read_live(client, types, max_workers=max_workers, details=config_details(config))
    # Lookup lists are read on first need, once: for `{name: ...}` values before the diff,
    # then for the names and reference checks of the fields the plan changes.
    lookups = LookupReader(client)
    config = resolve_names(config, lookups.table)
    plan = build_plan(
        config,
        live.records,
        instance=client.instance,
        targets=targets,
        excludes=excludes,
    )
    plan, found = annotate(plan, config, live.records, lookups.table)
    if found.issues:
        raise ConfigError(found.issues)
    extra = [*lookups.warnings, *found.warnings]
    plan = with_live_warnings(plan, live, extra)
    # HaloPSA's own texts (a record's _warning, its last sync error) may echo the client
    # secret: scrubbed from every warning, as status scrubs them. The digest is unchanged.
    scrub = Scrubber([str(client.settings.client_secret.reveal())])
    warnings = tuple(PlanWarning(w.address, scrub(w.message)) for w in plan.warnings)
    return replace(plan, warnings=warnings)


def plan_to_apply(
    paths: Sequence[str],
    client: ReadOnlyClient,
    *,
    show: Callable[[Plan, str | None], None],
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
    allow_deletes: bool = False,
    push_secrets: bool = False,
    expect_digest: str | None = None,
    override_freeze: str | None = None,
    max_workers: int = 4,
) -> Plan:
    """apply CONFIG's plan: built as `plan` builds it, shown (`show(plan, note)`, the note
    saying what --push-secrets adds), then refused if it is not the plan reviewed
    (`expect_digest`), has refusals, or now is inside a freeze window (without
    `override_freeze`). Showing comes first, so a refused plan is seen; refusing comes
    before the question, so a refused plan is never asked about."""
    config = load_config(paths)
    plan = plan_against(config, client, targets=targets, excludes=excludes, max_workers=max_workers)
    pushed = [rc for rc in plan.resource_changes if rc.write_only] if push_secrets else []
    fields = sum(len(rc.write_only) for rc in pushed)
    note = (
        f"--push-secrets: {fields} write-only field(s) of {len(pushed)} existing "
        "record(s) will be sent too."
    )
    show(plan, note if fields else None)
    check_digest(plan, expect_digest)
    reasons = check_freeze(plan, datetime.now(UTC), override=override_freeze)
    reasons += check_refusals(plan, allow_deletes=allow_deletes)
    if reasons:
        raise PlanRefused(reasons)
    return plan


def read_instance(
    connection: Connection, types: Sequence[str], *, names: bool = False
) -> tuple[LiveSnapshot, Instance]:
    """The live records of `types` (read-only) and the instance read: every record of a
    type with mapping arrays is read in detail, since export writes those arrays.

    `names` (export --names): lookup ids with a unique name become Named, reading each
    lookup list the records need once; a list that cannot be read leaves its ids alone.
    """
    with open_client(connection, write=False) as client:
        live = read_live(client, types, details=every_mapped_record)
        if not names:
            return live, client.instance
        lookups = LookupReader(client)
        lookups.read_all(wanted(live.records))
        named = with_names(live.records, lookups.table)
        notes = [LiveWarning(w.address, w.message) for w in lookups.warnings]
        return replace(live, records=named, warnings=(*live.warnings, *notes)), client.instance


def merge_live(directory: str, connection: Connection) -> Merged:
    """export --merge: the plan of the files in `directory` against HaloPSA, with the live
    value of every field it would change written into those files, in place (not saved
    yet: export/merge.write_merged does that)."""
    from reconciler.config.loader import find_files
    from reconciler.export.merge import merge_drift

    plan = make_plan([directory], connection)
    return merge_drift(plan, find_files([directory], []))


def with_live_warnings(plan: Plan, live: LiveSnapshot, more: Sequence[PlanWarning] = ()) -> Plan:
    """`plan` with the snapshot's reading warnings (and `more`) added to its own (health)
    warnings.

    Added before rendering and saving, so every format and the --out file show them; the
    digest covers resource_changes only, so it does not change.
    """
    if not live.warnings and not more:
        return plan
    extra = [PlanWarning(w.address, w.message) for w in live.warnings] + list(more)
    merged = sorted(
        [*plan.warnings, *extra],
        # plan-wide warnings (settings.freeze, settings.max_deletes) first, as build_plan
        key=lambda w: (ORDER.get(w.address.split("/")[0], -1), w.address),
    )
    return replace(plan, warnings=tuple(merged))
