"""The apply report: one outcome per record (applied, failed, skipped, outcome unknown),
and how it reads.

Per-record failures are data here, not exceptions: one type failing never stops another,
and the report says what happened to every record the run meant to touch. The text form
is one line per record in plan order (registry order, then address), then the summary
line `Apply complete: N applied, N failed, N skipped.` (`, N outcome unknown` before the
period when a lost answer left a create unsettled). Progress lines use the same
wording as the report, so what scrolled by on stderr matches the final report on stdout.
Messages hold no secret: the engine scrubs HaloPSA's text before it gets here.
Pure: writes only to the stream it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TextIO

from reconciler.plan.model import Action
from reconciler.printable import printable


class Status(Enum):
    """What became of one record."""

    APPLIED = "applied"
    FAILED = "failed"
    SKIPPED = "skipped"
    # A create whose POST answer was lost and that re-reading did not find: it may still
    # land. Never sent again in the same run (it could land twice).
    UNKNOWN = "unknown"


_DONE = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}
UNKNOWN_TEXT = "outcome unknown, not re-sent; run apply again to check"


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """The result for one record: its address, the action tried, and how it ended.

    `action` is UPDATE for a no-op record whose write-only fields --push-secrets sent.
    `message` is HaloPSA's message (failed), the reason (skipped), or a note (applied).
    """

    address: str
    type: str
    action: Action
    status: Status
    id: int | None = None
    message: str = ""

    def line(self) -> str:
        """`xero/Acme NZ: created (id 12)`, `xero/B: update failed: HTTP 400: ...`: one
        line (progress and report print it), control characters from HaloPSA escaped."""
        return printable(self._text())

    def _text(self) -> str:
        verb = self.action.value
        if self.status is Status.UNKNOWN:
            text = f"{self.address}: {verb} {UNKNOWN_TEXT}"
            return f"{text} ({self.message})" if self.message else text
        if self.status is Status.APPLIED:
            text = _DONE.get(self.action, verb)
            if self.id is not None:
                text += f" (id {self.id})"
        else:
            text = f"{verb} {self.status.value}"
        if self.message:
            text += (
                f": {self.message}" if self.status is not Status.APPLIED else f" ({self.message})"
            )
        return f"{self.address}: {text}"


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """Every record's outcome, in plan order. `ok` is False when anything failed or was skipped."""

    outcomes: tuple[RecordOutcome, ...] = ()
    # Freeze windows apply wrote in, with the --override-freeze reason (safety.py).
    overrides: tuple[str, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status is status)

    @property
    def ok(self) -> bool:
        return all(o.status is Status.APPLIED for o in self.outcomes)

    @property
    def summary(self) -> str:
        applied, failed, skipped, unknown = (self.count(s) for s in Status)
        text = f"Apply complete: {applied} applied, {failed} failed, {skipped} skipped"
        return text + (f", {unknown} outcome unknown." if unknown else ".")


def render_report(report: ApplyReport, out: TextIO) -> None:
    """The final report: freeze overrides, a heading, one line per record, a blank line,
    the summary line."""
    for line in report.overrides:
        out.write(f"Freeze override: {printable(line)}\n")  # reasons are typed text
    if report.overrides:
        out.write("\n")
    if report.outcomes:
        out.write("Apply results:\n")
    for outcome in report.outcomes:
        out.write(f"  {outcome.line()}\n")
    if report.outcomes:
        out.write("\n")
    out.write(report.summary + "\n")
