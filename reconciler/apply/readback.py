"""Read-back: after a type's writes, is HaloPSA really holding what was sent?

One list GET per written type. Every applied create or update is looked up (by id, or a
create by identity when the POST's answer carried no id) and each field it sent that
HaloPSA returns is compared the way `plan` compares; a deleted record must be gone. A
record that did not take is turned into a failure, "inconsistent result", naming each
field with the value sent and the value read (masked when sensitive), so the run exits 1.
So is a written record whose identity more than one live record has: a duplicate (two
applies at once, or a slow commit). When this run made the newer copy — its id came in
the POST's own answer, and an older record has the same identity — that copy is deleted
at once, so two runs racing leave one record, never two; the oldest is never touched.
Never raises for a HaloPSA failure: a read-back that cannot be made fails the records it
would have checked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from reconciler.apply.batch import TypeBatch
from reconciler.apply.delivery import Emit, WriteClient
from reconciler.apply.landing import describe, differences, find_live, landing_details
from reconciler.apply.report import RecordOutcome, Status
from reconciler.errors import HaloError, RecordNotFound
from reconciler.live import read_live
from reconciler.plan.match import live_id
from reconciler.registry import spec
from reconciler.scrubber import scrub


class _Duplicates:
    """Finds written records whose identity several live records share, and removes the
    copy this run created when it is the newer one."""

    def __init__(
        self,
        client: WriteClient,
        batch: TypeBatch,
        live: Sequence[Mapping[str, Any]],
        created: Mapping[str, int],
    ) -> None:
        self.client = client
        self.batch = batch
        self.field = spec(batch.key).identity
        self.created = created
        self.by_identity: dict[Any, list[int]] = {}
        for record in live:
            rid = live_id(record)
            if rid is not None:
                self.by_identity.setdefault(record.get(self.field), []).append(rid)

    def check(self, outcome: RecordOutcome, identity: str | None) -> RecordOutcome:
        ids = sorted(self.by_identity.get(identity, ())) if identity is not None else []
        if len(ids) < 2:
            return outcome
        listed = ", ".join(f"#{i}" for i in ids)
        text = (
            f"inconsistent result: {len(ids)} live records have {self.field} "
            f"{json.dumps(identity, ensure_ascii=False)} ({listed}), a duplicate"
        )
        mine = self.created.get(outcome.address)
        if mine is not None and mine in ids and mine != ids[0]:
            text += self._remove(mine)
        return replace(outcome, status=Status.FAILED, message=f"{text}; run plan to check")

    def _remove(self, mine: int) -> str:
        try:
            self.client.delete(self.batch.key, mine)
        except RecordNotFound:
            return f"; #{mine}, the copy this run created, is already gone"
        except HaloError as exc:
            note = scrub(str(exc), set(self.batch.secrets))
            return f"; deleting #{mine}, the copy this run created, failed ({note}): delete it"
        return f"; #{mine}, the copy this run created, was deleted"


def _check(
    batch: TypeBatch,
    outcomes: Mapping[str, RecordOutcome],
    live: Sequence[Mapping[str, Any]],
    duplicates: _Duplicates,
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
        else:
            outcome = duplicates.check(outcome, write.change.identity)
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
    client: WriteClient,
    batch: TypeBatch,
    outcomes: Mapping[str, RecordOutcome],
    emit: Emit,
    created: Mapping[str, int] | None = None,
) -> dict[str, RecordOutcome]:
    """`outcomes` with every applied record of `batch` verified against one fresh list GET.

    `created`: address -> id of the records this run created, as the POST answered.
    """
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
    duplicates = _Duplicates(client, batch, live, created or {})
    for address, checked in _check(batch, outcomes, live, duplicates).items():
        if checked.status is not outcomes[address].status:
            emit(checked)
        result[address] = checked
    return result
