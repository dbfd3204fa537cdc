"""apply's side of the terminal: the plan shown, the one question, progress lines, Ctrl-C.

The question is asked only on a terminal and only `yes` answers it; without a terminal
apply needs --auto-approve (a usage error otherwise, nothing changed). Progress goes to
stderr, one line per record as it happens. While records are written, the first Ctrl-C
starts nothing new (in-flight requests end, the report is printed, exit 130) and the
second stops at once. Imports only click and the standard library at module level.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reconciler.apply import RecordOutcome
    from reconciler.apply.control import RunControl
    from reconciler.plan.model import Plan

PROMPT = "Do you want to perform these actions? Only 'yes' will be accepted: "


def show_plan(plan: Plan, note: str | None) -> None:
    """The plan as `plan` prints it, then what --push-secrets adds."""
    from reconciler.cli.output import render

    render(plan, "text", sys.stdout)
    if note:
        click.echo(f"\n{note}")


def approved() -> bool:
    """Ask on the terminal; True only for `yes`. Without a terminal, a usage error."""
    if not sys.stdin.isatty():
        raise click.ClickException(
            "stdin is not a terminal, so apply cannot ask for approval: "
            "pass --auto-approve (nothing was changed)"
        )
    click.echo()
    click.echo(PROMPT, nl=False)
    return sys.stdin.readline().strip() == "yes"


class Progress:
    """One stderr line per record as it happens, after a blank line that sets them apart."""

    def __init__(self) -> None:
        self.started = False

    def __call__(self, outcome: RecordOutcome) -> None:
        if not self.started:
            self.started = True
            click.echo("", err=True)
        click.echo(outcome.line(), err=True)


INTERRUPTED = 130  # exit code of a run ended by Ctrl-C (SIGINT), as shells report it
INTERRUPT_NOTICE = (
    "Interrupted: starting nothing new; waiting for the requests in flight, then the "
    "report (Ctrl-C again to stop at once)."
)


@contextmanager
def interruptible(sleep: Callable[[float], None]) -> Iterator[RunControl]:
    """A RunControl (waiting with `sleep`) for one apply run. While inside: the first
    SIGINT calls its `interrupt()` and says so on stderr; the second raises
    KeyboardInterrupt as usual (the run stops, exit 130).

    Signals reach only the main thread; elsewhere (a test calling main() from a thread)
    SIGINT is left as it is.
    """
    from reconciler.apply.control import RunControl

    control = RunControl(sleep=sleep)
    if threading.current_thread() is not threading.main_thread():
        yield control
        return
    seen = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal seen
        seen += 1
        if seen > 1:
            raise KeyboardInterrupt
        control.interrupt()
        click.echo(f"\n{INTERRUPT_NOTICE}", err=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield control
    finally:
        signal.signal(signal.SIGINT, previous)
