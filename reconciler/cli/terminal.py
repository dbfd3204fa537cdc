"""apply's side of the terminal: the plan shown, the one question, progress lines.

The question is asked only on a terminal and only `yes` answers it; without a terminal
apply needs --auto-approve (a usage error otherwise, nothing changed). Progress goes to
stderr, one line per record as it happens. Imports only click and the standard library
at module level.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reconciler.apply import RecordOutcome
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
