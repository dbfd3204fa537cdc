"""The apply engine: the one path by which a Plan reaches HaloPSA.

`apply CONFIG` (a plan just computed) and `apply PLANFILE` (a saved plan, checked for
staleness first) both end in apply_plan. Before any request it checks the plan's safety
again with this run's flags (prevent_destroy, max_deletes vs --allow-deletes) and builds
every request body, resolving secrets from the environment; either problem refuses the
whole run (PlanRefused) with nothing sent.

Then per type, concurrently up to `parallelism` (every thread draws on the client's one
rate budget): one POST with the type's creates and updates (delivery.py), then one DELETE
per deletion, then one list GET to read the results back (readback.py). A failure in one
type never stops another. Deletions of a type whose creates or updates did not all apply
are skipped: a deletion is often the second half of a replacement, and removing the old
record when the new one did not land would leave neither. Running apply again converges.
Never prints: progress goes to the `progress` callback (from worker threads, serialised
here), the report is returned.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from reconciler.apply.batch import TypeBatch, build_batches
from reconciler.apply.delivery import Delivery, Emit, WriteClient
from reconciler.apply.readback import read_back
from reconciler.apply.report import ApplyReport, RecordOutcome, Status
from reconciler.apply.secrets import scrub
from reconciler.errors import HaloError, PlanRefused, RecordNotFound
from reconciler.plan.model import Action, Plan
from reconciler.plan.safety import check_refusals

log = logging.getLogger(__name__)

DEFAULT_PARALLELISM = 4
_SKIPPED = "not deleted because a create or update of this type failed; run apply again"


def pending_writes(plan: Plan, *, push_secrets: bool) -> int:
    """How many records apply_plan would write (0: nothing to do, send nothing)."""
    return sum(
        1
        for rc in plan.resource_changes
        if rc.action is not Action.NO_OP or (push_secrets and rc.write_only)
    )


def _deletes(client: WriteClient, batch: TypeBatch, skip: bool, emit: Emit) -> list[RecordOutcome]:
    outcomes = []
    for rc in batch.deletes:
        if skip:
            outcome = RecordOutcome(
                rc.address, rc.type, Action.DELETE, Status.SKIPPED, rc.id, _SKIPPED
            )
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


def _apply_type(client: WriteClient, batch: TypeBatch, emit: Emit) -> dict[str, RecordOutcome]:
    """One type, start to finish: POST, DELETEs, read-back. Never raises for HaloPSA."""
    outcomes: dict[str, RecordOutcome] = {}
    if batch.writes:
        outcomes.update(Delivery(client, batch.key, batch.secrets, emit).run(batch.writes))
    skip = any(o.status is not Status.APPLIED for o in outcomes.values())
    for outcome in _deletes(client, batch, skip, emit):
        outcomes[outcome.address] = outcome
    return read_back(client, batch, outcomes, emit)


def apply_plan(
    plan: Plan,
    client: WriteClient,
    *,
    push_secrets: bool = False,
    allow_deletes: bool = False,
    parallelism: int = DEFAULT_PARALLELISM,
    env: Mapping[str, str] | None = None,
    progress: Callable[[RecordOutcome], None] | None = None,
) -> ApplyReport:
    """Make HaloPSA match `plan`; every record's outcome, in plan order.

    Raises PlanRefused, before any request, when the plan may not be applied or a secret
    it needs is not in `env` (default: os.environ).
    """
    reasons = check_refusals(plan, allow_deletes=allow_deletes)
    if reasons:
        raise PlanRefused(reasons)
    batches = build_batches(plan, env=os.environ if env is None else env, push_secrets=push_secrets)
    lock = threading.Lock()

    def emit(outcome: RecordOutcome) -> None:
        if progress is not None:
            with lock:
                progress(outcome)

    results: dict[str, RecordOutcome] = {}
    if batches:
        workers = max(1, min(parallelism, len(batches)))
        log.debug("applying %d type(s), %d at a time", len(batches), workers)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apply") as pool:
            futures = [pool.submit(_apply_type, client, b, emit) for b in batches]
            for future in futures:
                results.update(future.result())
    ordered = [results[rc.address] for rc in plan.resource_changes if rc.address in results]
    return ApplyReport(tuple(ordered))
