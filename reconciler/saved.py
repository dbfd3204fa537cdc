"""Saved plans and drift reports, read back from their JSON files without HaloPSA.

`plan --out FILE` saves the plan document; `drift --format json` prints a drift report,
which holds the plan document under "plan". `read_saved` takes either, and `render_saved`
renders it again exactly as the command that made it did (`show`), so a CI job can keep
one JSON file and derive the text for its log and the Markdown for its comment. File
reads only; no network, no secrets needed (a plan never holds a secret value).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reconciler.errors import PlanFileError
from reconciler.plan.model import Plan

DRIFT_FORMAT_VERSIONS = ("1",)


@dataclass(frozen=True, slots=True)
class Saved:
    """A plan read back; `drift` when the file was a drift report."""

    plan: Plan
    path: Path
    drift: bool = False


def read_json(path: Path) -> Any:
    """The JSON document in `path`; PlanFileError when unreadable or not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PlanFileError(f"plan file {path}: cannot read it ({reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"plan file {path}: not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None


def plan_from(doc: Any, path: Path) -> Plan:
    """The plan document `doc` read from `path`; its PlanFileError names `path`."""
    try:
        return Plan.from_json(doc)
    except PlanFileError as exc:
        message = str(exc)
        if message.startswith("plan file: "):
            message = f"plan file {path}: " + message.removeprefix("plan file: ")
        raise PlanFileError(message) from None


def read_saved(path: Path) -> Saved:
    """A saved plan, or a drift report, from `path` (PlanFileError when malformed)."""
    doc = read_json(path)
    if isinstance(doc, dict) and "drift" in doc and "plan" in doc:
        version = doc.get("format_version")
        if version not in DRIFT_FORMAT_VERSIONS:
            raise PlanFileError(
                f"plan file {path}: a drift report of format_version {version!r}; this "
                f"halo-reconciler reads format_version {', '.join(DRIFT_FORMAT_VERSIONS)}"
            )
        return Saved(plan_from(doc["plan"], path), path, drift=True)
    return Saved(plan_from(doc, path), path)


def render_saved(saved: Saved, out: TextIO, *, format: str, color: bool) -> None:
    """Render as the command that saved it: `plan --out PATH` (the Markdown names PATH as
    where the full plan is when it is cut) or `drift`."""
    from reconciler.render import drift, render_plan

    if saved.drift:
        drift.render(saved.plan, out, format=format, color=color)
    else:
        render_plan(saved.plan, out, format=format, color=color, full_plan_hint=str(saved.path))
