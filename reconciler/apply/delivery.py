"""Delivery: one type's POST, settled record by record, even when the answer is lost.

The creates and updates of a type go out as one POST array. Three endings:
- accepted: every element is applied; ids of created records come from the answer when
  it has them (read-back finds the rest by identity).
- outcome unknown (the request went out, no answer came back): never sent blindly again.
  After a short wait (a slow commit may land late) the type is re-read and each element
  settled: a create whose identity is now live has landed, an update whose sent fields
  read back equal has landed. A create not found is NEVER sent again in this run (it may
  still land: sending it again could make two) but reported as outcome unknown; only
  updates, which cannot duplicate, are sent again. Bounded to MAX_ROUNDS POSTs.
- rejected (4xx): when several records went together, the type is re-read (in case part
  of the array was saved) and the rest are sent one by one, so one bad record does not
  block its neighbours and each failure carries HaloPSA's message about that record.
HaloPSA's messages are scrubbed of the batch's secrets before they reach the report.
Never raises for a HaloPSA failure: failures are outcomes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from reconciler.apply.batch import Write
from reconciler.apply.control import INTERRUPTED, RunControl
from reconciler.apply.landing import find_live, landing_details, update_landed
from reconciler.apply.report import RecordOutcome, Status
from reconciler.errors import HaloError, HaloRequestError, OutcomeUnknown
from reconciler.halo.timing import Timing
from reconciler.live import read_live
from reconciler.plan.match import live_id
from reconciler.plan.model import Action
from reconciler.registry import spec
from reconciler.scrubber import scrub

log = logging.getLogger(__name__)

MAX_ROUNDS = 5  # POSTs of one batch whose answers may be lost before giving up
_SPLIT = frozenset({400, 409, 422})  # a rejection that may be about one record only

Emit = Callable[[RecordOutcome], None]
_LOST = "answer lost; found by re-reading"
_SAVED = "saved although HaloPSA rejected the batch; found by re-reading"


class WriteClient(Protocol):
    """What apply needs of the HaloPSA client (reconciler.halo.Client provides it)."""

    def list(self, key: str, /) -> Sequence[Mapping[str, Any]]: ...

    def detail(self, key: str, id: int, /) -> Mapping[str, Any]: ...

    def post(
        self, key: str, records: Sequence[Mapping[str, Any]], /
    ) -> Sequence[Mapping[str, Any]]: ...

    def delete(self, key: str, record_id: int, /) -> None: ...

    @property
    def timing(self) -> Timing: ...


class Delivery:
    """Sends one type's writes and settles each as applied or failed (see module doc)."""

    def __init__(
        self,
        client: WriteClient,
        key: str,
        secrets: frozenset[str],
        emit: Emit,
        control: RunControl | None = None,
    ) -> None:
        self.client = client
        self.key = key
        self.secrets = set(secrets)
        self.emit = emit
        self.control = control if control is not None else RunControl()
        self.outcomes: dict[str, RecordOutcome] = {}
        # address -> id of a record this run created, known from the POST's own answer
        # (matched by identity): read-back may remove it if it turns out a duplicate.
        self.created: dict[str, int] = {}

    def run(self, writes: Sequence[Write]) -> dict[str, RecordOutcome]:
        """address -> outcome for every write."""
        self._send(list(writes), split=True)
        return self.outcomes

    def _send(self, pending: list[Write], *, split: bool) -> None:
        for _ in range(MAX_ROUNDS):
            if self.control.stopped:
                self._finish(pending, Status.SKIPPED, INTERRUPTED)
                return
            log.debug("%s: POST of %d record(s)", self.key, len(pending))
            try:
                # Secrets stay Sensitive: the client reveals them into the body and scrubs
                # them from its own error messages.
                saved = self.client.post(self.key, [dict(w.body) for w in pending])
            except OutcomeUnknown as exc:
                if self.control.stopped:  # interrupted: not even a re-read
                    self._finish(pending, Status.UNKNOWN, self._message(exc))
                    return
                log.debug("%s: answer lost (%s); re-reading", self.key, exc.status)
                pending = self._settle(pending, self._message(exc), _LOST, wait=True)
                if not pending:
                    return
                continue
            except HaloRequestError as exc:
                if split and len(pending) > 1 and exc.status in _SPLIT:
                    for write in self._settle(pending, self._message(exc), _SAVED):
                        self._send([write], split=False)
                    return
                self._finish(pending, Status.FAILED, self._message(exc))
                return
            except HaloError as exc:
                self._finish(pending, Status.FAILED, self._message(exc))
                return
            self._accepted(pending, saved)
            return
        self._finish(
            pending,
            Status.FAILED,
            f"the answer to POST /api{spec(self.key).path} was lost {MAX_ROUNDS} times; "
            "run apply again (it reads first and never creates a duplicate)",
        )

    def _message(self, exc: HaloError) -> str:
        return scrub(str(exc), self.secrets)

    def _record(self, write: Write, status: Status, rid: int | None, message: str) -> None:
        rc = write.change
        text = message or (write.note if status is Status.APPLIED else "")
        outcome = RecordOutcome(rc.address, rc.type, write.action, status, rid, text)
        self.outcomes[rc.address] = outcome
        self.emit(outcome)

    def _finish(self, writes: Sequence[Write], status: Status, message: str) -> None:
        for write in writes:
            self._record(write, status, write.change.id, message)

    def _accepted(self, writes: Sequence[Write], saved: Sequence[Mapping[str, Any]]) -> None:
        identity = spec(self.key).identity
        answered = [r for r in saved if isinstance(r, Mapping)]
        # The answer's order is not documented: match creates by identity, and fall back to
        # position only when the answer has exactly one record per element sent.
        positional = len(answered) == len(writes)
        for index, write in enumerate(writes):
            rid = write.change.id
            if write.action is Action.CREATE:
                match = next(
                    (r for r in answered if r.get(identity) == write.change.identity), None
                )
                if match is not None and (rid := live_id(match)) is not None:
                    self.created[write.change.address] = rid
                if match is None and positional:
                    match = answered[index]
                rid = live_id(match) if match is not None else None
            self._record(write, Status.APPLIED, rid, "")

    def _reread(self, pending: Sequence[Write], cause: str) -> Sequence[Mapping[str, Any]] | None:
        try:
            details = landing_details(pending, {})
            return read_live(self.client, [self.key], details=details).records[self.key]
        except HaloError as exc:
            self._finish(
                pending,
                Status.FAILED,
                f"{cause}; re-reading to see what landed failed too ({self._message(exc)}); "
                "nothing was sent again: run apply again (it reads first and never creates "
                "a duplicate)",
            )
            return None

    def _settle(
        self, pending: Sequence[Write], cause: str, found_by: str, *, wait: bool = False
    ) -> list[Write]:
        """Re-read the type after `cause`; settle what landed (saying `found_by` in the
        report), return what must be sent again.

        With `wait` (the answer was lost, so a create may still be committing), each
        re-read comes after one of the control's settle waits, and a create still not
        found after the last is reported as outcome unknown instead of being sent again.
        """
        waits = self.control.settle_waits if wait else (0.0,)
        live: Sequence[Mapping[str, Any]] = ()
        for pause in waits:
            if pause:
                self.control.sleep(pause)
            reread = self._reread(pending, cause)
            if reread is None:
                return []
            live = reread
            creates = [w for w in pending if w.action is Action.CREATE]
            if all(find_live(w, live, None) is not None for w in creates):
                break
        rest: list[Write] = []
        for write in pending:
            found = find_live(write, live, None)
            note = f"{write.note}; {found_by}" if write.note else found_by
            if write.action is Action.CREATE:
                if found is not None:
                    self._record(write, Status.APPLIED, live_id(found), note)
                elif wait:
                    self._record(write, Status.UNKNOWN, None, cause)
                else:
                    rest.append(write)
            elif found is None:
                gone = f"record #{write.change.id} no longer exists in HaloPSA"
                self._record(write, Status.FAILED, write.change.id, gone)
            elif update_landed(write, found):
                self._record(write, Status.APPLIED, write.change.id, note)
            else:
                rest.append(write)
        return rest
