"""The apply engine: the one path by which a Plan reaches HaloPSA.

`apply CONFIG` (a plan just computed) and `apply PLANFILE` (a saved plan, checked for
staleness first) both end in apply_plan. Before any request it works out the plan's
refusals again from the rules the plan carries, with this run's flags (prevent_destroy,
protect, allow_empty, max_deletes vs --allow-deletes; never the verdict a plan file
stores), checks the freeze windows the plan carries against the time of the apply
(--override-freeze lifts them), and builds
every request body, resolving secrets from the environment; either problem refuses the
whole run (PlanRefused) with nothing sent.

Then per type, concurrently up to `parallelism` (every thread draws on the client's one
rate budget): when the type has creates, one list GET first, refusing a create whose
identity appeared since the plan (two applies at once); one POST with the type's creates
and updates (delivery.py), then one DELETE per deletion, then one list GET to read the
results back (readback.py), which catches the race the first GET cannot. A failure in one
type never stops another. After `control.interrupt()` (the first Ctrl-C) no request is
started: what was not begun is skipped, written records are reported without read-back,
requests in flight end normally, and the report still covers every record. Deletions of
a type whose creates or updates did not all apply are skipped: a deletion is often the
second half of a replacement, and removing the old record when the new one did not land
would leave neither. Running apply again converges.
Never prints: progress goes to the `progress` callback (from worker threads, serialised
here), the report is returned.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from reconciler.apply.batch import TypeBatch, Write, build_batches
from reconciler.apply.control import INTERRUPTED, RunControl
from reconciler.apply.delivery import Delivery, Emit, WriteClient
from reconciler.apply.readback import read_back
from reconciler.apply.report import ApplyReport, RecordOutcome, Status
from reconciler.errors import HaloError, PlanRefused, RecordNotFound
from reconciler.live import read_live
from reconciler.plan.match import live_id
from reconciler.plan.model import Action, Plan
from reconciler.plan.safety import check_freeze, check_refusals, freeze_overrides
from reconciler.registry import spec
from reconciler.scrubber import scrub

log = logging.getLogger(__name__)

DEFAULT_PARALLELISM = 4
_SKIPPED = "not deleted because a create or update of this type failed; run apply again"
_UNREAD = "not read back: apply was interrupted (Ctrl-C)"


def pending_writes(plan: Plan, *, push_secrets: bool) -> int:
    """How many records apply_plan would write (0: nothing to do, send nothing)."""
    return sum(
        1
        for rc in plan.resource_changes
        if rc.action is not Action.NO_OP or (push_secrets and rc.write_only)
    )


def _recheck_creates(
    client: WriteClient, batch: TypeBatch, emit: Emit
) -> tuple[tuple[Write, ...], list[RecordOutcome]]:
    """Re-read the type just before its POST: the writes still to send, and a failure for
    every create whose identity a live record now has (another apply, or a person, made
    it since the plan) or that cannot be checked because the re-read failed."""
    creates = [w for w in batch.writes if w.action is Action.CREATE]
    if not creates:
        return batch.writes, []
    field = spec(batch.key).identity
    refused: dict[str, str] = {}
    try:
        live = read_live(client, [batch.key]).records[batch.key]
    except HaloError as exc:
        note = scrub(str(exc), set(batch.secrets))
        reason = f"not created: re-reading {batch.key} before creating failed ({note}); "
        refused = {w.change.address: reason + "run apply again" for w in creates}
    else:
        for write in creates:
            found = next((r for r in live if r.get(field) == write.change.identity), None)
            if found is not None:
                refused[write.change.address] = (
                    f"not created: a record with {field} "
                    f"{json.dumps(write.change.identity, ensure_ascii=False)} appeared in "
                    f"HaloPSA since the plan (#{live_id(found)}); run plan again"
                )
    failures = []
    for write in creates:
        if write.change.address in refused:
            rc = write.change
            message = refused[rc.address]
            failures.append(
                RecordOutcome(rc.address, rc.type, Action.CREATE, Status.FAILED, None, message)
            )
            emit(failures[-1])
    rest = tuple(w for w in batch.writes if w.change.address not in refused)
    return rest, failures


def _deletes(
    client: WriteClient, batch: TypeBatch, skip: bool, emit: Emit, control: RunControl
) -> list[RecordOutcome]:
    outcomes = []
    for rc in batch.deletes:
        if skip or control.stopped:
            why = INTERRUPTED if control.stopped else _SKIPPED
            outcome = RecordOutcome(rc.address, rc.type, Action.DELETE, Status.SKIPPED, rc.id, why)
        else:
            assert rc.id is not None  # build_batches refuses a deletion without an id
            try:
                client.delete(rc.type, rc.id)
                outcome = RecordOutcome(rc.address, rc.type, Action.DELETE, Status.APPLIED, rc.id)
            except RecordNotFound:
                # Already gone (a retried DELETE that had landed, or someone else): the goal.
                outcome = RecordOutcome(
                    rc.address, rc.type, Action.DELETE, Status.APPLIED, rc.id, "already absent"
                )
            except HaloError as exc:
                message = scrub(str(exc), set(batch.secrets))
                outcome = RecordOutcome(
                    rc.address, rc.type, Action.DELETE, Status.FAILED, rc.id, message
                )
        emit(outcome)
        outcomes.append(outcome)
    return outcomes


def _skip_writes(writes: tuple[Write, ...], emit: Emit) -> dict[str, RecordOutcome]:
    outcomes = {}
    for w in writes:
        rc = w.change
        outcome = RecordOutcome(rc.address, rc.type, w.action, Status.SKIPPED, rc.id, INTERRUPTED)
        emit(outcome)
        outcomes[rc.address] = outcome
    return outcomes


def _apply_type(
    client: WriteClient, batch: TypeBatch, emit: Emit, control: RunControl
) -> dict[str, RecordOutcome]:
    """One type, start to finish: re-read, POST, DELETEs, read-back. Never raises for HaloPSA."""
    outcomes: dict[str, RecordOutcome] = {}
    created: dict[str, int] = {}
    writes = batch.writes
    if control.stopped:
        outcomes.update(_skip_writes(writes, emit))
        writes = ()
    if writes:
        writes, refused = _recheck_creates(client, batch, emit)
        outcomes.update((o.address, o) for o in refused)
    if writes:
        delivery = Delivery(client, batch.key, batch.secrets, emit, control)
        outcomes.update(delivery.run(writes))
        created = delivery.created
    skip = any(o.status is not Status.APPLIED for o in outcomes.values())
    for outcome in _deletes(client, batch, skip, emit, control):
        outcomes[outcome.address] = outcome
    if control.stopped:  # start nothing new, not even the read-back
        return {
            a: replace(o, message=o.message or _UNREAD) if o.status is Status.APPLIED else o
            for a, o in outcomes.items()
        }
    return read_back(client, batch, outcomes, emit, created)


def apply_plan(
    plan: Plan,
    client: WriteClient,
    *,
    push_secrets: bool = False,
    allow_deletes: bool = False,
    parallelism: int = DEFAULT_PARALLELISM,
    env: Mapping[str, str] | None = None,
    progress: Callable[[RecordOutcome], None] | None = None,
    control: RunControl | None = None,
    override_freeze: str | None = None,
    now: datetime | None = None,
) -> ApplyReport:
    """Make HaloPSA match `plan`; every record's outcome, in plan order.

    Raises PlanRefused, before any request, when the plan may not be applied (refusals,
    or `now`, default the current time, inside a freeze window without `override_freeze`)
    or a secret it needs is not in `env` (default: os.environ). `control` (see
    control.py) paces the re-reads after a lost answer (default: on the client's clock)
    and stops the run from outside (Ctrl-C).
    """
    ctl = control if control is not None else RunControl(sleep=client.timing.sleep)
    moment = now if now is not None else datetime.now(UTC)
    reasons = check_freeze(plan, moment, override=override_freeze)
    reasons += check_refusals(plan, allow_deletes=allow_deletes)
    if reasons:
        raise PlanRefused(reasons)
    overridden = freeze_overrides(plan, moment, override_freeze)
    batches = build_batches(plan, env=os.environ if env is None else env, push_secrets=push_secrets)
    lock = threading.Lock()
    abandoned = threading.Event()  # the caller stopped waiting: report nothing more

    def emit(outcome: RecordOutcome) -> None:
        if progress is not None and not abandoned.is_set():
            with lock:
                progress(outcome)

    results: dict[str, RecordOutcome] = {}
    if batches:
        workers = max(1, min(parallelism, len(batches)))
        log.debug("applying %d type(s), %d at a time", len(batches), workers)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply")
        finished = False
        try:
            futures = [pool.submit(_apply_type, client, b, emit, ctl) for b in batches]
            for future in futures:
                results.update(future.result())
            finished = True
        finally:
            # On an exception here (a second Ctrl-C), do not wait for requests in flight:
            # stop now; the workers start nothing new (the control is set).
            if not finished:
                ctl.interrupt()
                abandoned.set()
            pool.shutdown(wait=finished, cancel_futures=not finished)
    ordered = [results[rc.address] for rc in plan.resource_changes if rc.address in results]
    return ApplyReport(tuple(ordered), overridden)
