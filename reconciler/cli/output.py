"""What the commands share on the way out: the colour decision, rendering, saving a plan.

Colour only on a terminal, and never when NO_COLOR is set to anything non-empty
(no-color.org) or TERM is "dumb". Imports only click and the standard library at module
level, so a command's --help stays fast; the renderers are imported when used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from reconciler.plan.model import Plan


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only for a terminal; NO_COLOR (any non-empty value) and TERM=dumb turn it off."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(plan: Plan, fmt: str, out: TextIO, *, full_plan_hint: str | None = None) -> None:
    """Write `plan` to `out` in `fmt`; colour decided from `out` itself."""
    from reconciler.render import render_plan

    render_plan(
        plan, out, format=fmt, color=fmt == "text" and use_color(out), full_plan_hint=full_plan_hint
    )


def save_plan(plan: Plan, path: Path) -> None:
    """Write the JSON plan to `path` (always JSON, whatever --format says)."""
    from reconciler.render.json import dumps

    try:
        path.write_text(dumps(plan), encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror or "cannot write") from None
