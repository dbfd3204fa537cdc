"""Read-back: after a type's writes, is HaloPSA really holding what was sent?

One list GET per written type. Every applied create or update is looked up (by id, or a
create by identity when the POST's answer carried no id) and each field it sent that
HaloPSA returns is compared the way `plan` compares; a deleted record must be gone. A
record that did not take is turned into a failure, "inconsistent result", naming each
field with the value sent and the value read (masked when sensitive), so the run exits 1.
Never raises for a HaloPSA failure: a read-back that cannot be made fails the records it
would have checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reconciler.apply.batch import TypeBatch
from reconciler.apply.delivery import Emit, WriteClient
from reconciler.apply.landing import describe, differences, find_live, landing_details
from reconciler.apply.report import RecordOutcome, Status
from reconciler.apply.secrets import scrub
from reconciler.errors import HaloError
from reconciler.live import read_live
from reconciler.plan.match import live_id


def _check(
    batch: TypeBatch, outcomes: Mapping[str, RecordOutcome], live: Sequence[Mapping[str, Any]]
) -> dict[str, RecordOutcome]:
    checked: dict[str, RecordOutcome] = {}
    for write in batch.writes:
        outcome = outcomes.get(write.change.address)
        if outcome is None or outcome.status is not Status.APPLIED:
            continue
        found = find_live(write, live, outcome.id)
        if found is None:
            checked[outcome.address] = replace(
                outcome,
                status=Status.FAILED,
                message="inconsistent result: the record was not found when read back",
            )
            continue
        if outcome.id is None:
            outcome = replace(outcome, id=live_id(found))
        changes, missing = differences(write, found)
        if changes:
            detail = "; ".join(describe(c, missing) for c in changes)
            outcome = replace(
                outcome, status=Status.FAILED, message=f"inconsistent result: {detail}"
            )
        checked[outcome.address] = outcome
    ids = {live_id(r) for r in live}
    for rc in batch.deletes:
        outcome = outcomes.get(rc.address)
        if outcome is None or outcome.status is not Status.APPLIED:
            continue
        if rc.id in ids:
            outcome = replace(
                outcome,
                status=Status.FAILED,
                message="inconsistent result: the record is still there after DELETE",
            )
        checked[outcome.address] = outcome
    return checked


def read_back(
    client: WriteClient, batch: TypeBatch, outcomes: Mapping[str, RecordOutcome], emit: Emit
) -> dict[str, RecordOutcome]:
    """`outcomes` with every applied record of `batch` verified against one fresh list GET."""
    applied = [o for o in outcomes.values() if o.status is Status.APPLIED]
    if not applied:
        return dict(outcomes)
    result = dict(outcomes)
    try:
        known = {o.address: o.id for o in applied}
        details = landing_details(batch.writes, known)
        live = read_live(client, [batch.key], details=details).records[batch.key]
    except HaloError as exc:
        note = scrub(str(exc), set(batch.secrets))
        for outcome in applied:
            failed = replace(
                outcome,
                status=Status.FAILED,
                message=f"written, but reading it back failed ({note}); run plan to check",
            )
            result[outcome.address] = failed
            emit(failed)
        return result
    for address, checked in _check(batch, outcomes, live).items():
        if checked.status is not outcomes[address].status:
            emit(checked)
        result[address] = checked
    return result
