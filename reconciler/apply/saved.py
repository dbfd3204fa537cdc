"""A saved plan on the way in: finding it among apply's arguments, reading it, and the
checks before any write (digest reviewed, same instance, nothing moved since).

`apply PLANFILE` takes exactly the plan `plan --out` saved, so it must be sure that plan
still holds: made for this instance, and no record it touches changed, vanished or (for
a create) appeared since (staleness.py). `--expect-digest` applies to both routes: the
plan applied must be the plan reviewed. File I/O only in `find_plan_file` and
`read_plan_file`; no writes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from reconciler.apply.staleness import check_fresh, check_instance, detail_rereads
from reconciler.errors import PlanRefused
from reconciler.instance import Instance
from reconciler.live import Lister, read_live
from reconciler.plan.model import Action, Plan
from reconciler.plan.safety import check_freeze
from reconciler.saved import plan_from, read_json


def find_plan_file(paths: tuple[str, ...]) -> Path | None:
    """The saved plan among the arguments: a single file that is JSON, else None."""
    if len(paths) != 1:
        return None
    path = Path(paths[0])
    return path if is_plan_file(path) else None


def plan_file_among(paths: tuple[str, ...]) -> Path | None:
    """A saved plan given together with other paths (a usage error: it would be read as
    YAML configuration), else None."""
    if len(paths) < 2:
        return None
    return next((Path(p) for p in paths if is_plan_file(Path(p))), None)


def is_plan_file(path: Path) -> bool:
    """Is `path` a saved plan? A `.json` file is (a broken one is reported as such); any
    other file only if it starts with `{` (YAML configuration never does here: its top
    level is a mapping of type keys, written in block style)."""
    if not path.is_file():
        return False
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip()
    except OSError:
        return False
    return head.startswith(b"{")


def read_plan_file(path: Path) -> Plan:
    """The plan saved at `path`; PlanFileError when unreadable or malformed."""
    return plan_from(read_json(path), path)


def check_digest(plan: Plan, expected: str | None) -> None:
    """Raise PlanRefused when `expected` (--expect-digest) is given and is not the plan's."""
    if expected is not None and plan.digest != expected:
        raise PlanRefused(
            [
                f"the plan's digest is {plan.digest}, not {expected} (--expect-digest): "
                "the changes differ from the plan that was reviewed; review this plan"
            ]
        )


class SavedPlanReader(Lister, Protocol):
    """What checking a saved plan needs of a client: reads, and the instance it talks to."""

    @property
    def instance(self) -> Instance: ...


def check_saved(
    plan: Plan,
    client: SavedPlanReader,
    *,
    expect_digest: str | None = None,
    push_secrets: bool = False,
    override_freeze: str | None = None,
    max_workers: int = 4,
) -> None:
    """Refuse a saved plan that is not the one reviewed (`expect_digest`), may not be
    applied now (a freeze window it carries, without `override_freeze`; the engine checks
    again), was made for another instance or has gone stale (re-reads the types it
    touches)."""
    check_digest(plan, expect_digest)
    frozen = check_freeze(plan, datetime.now(UTC), override=override_freeze)
    if frozen:
        raise PlanRefused(frozen)
    where = client.instance
    check_instance(plan, where.url, where.tenant)
    touched = {
        rc.type
        for rc in plan.resource_changes
        if rc.action is not Action.NO_OP or (push_secrets and rc.write_only)
    }
    details = detail_rereads(plan, push_secrets=push_secrets)
    live = read_live(client, sorted(touched), max_workers=max_workers, details=details)
    check_fresh(plan, live.records, push_secrets=push_secrets)


def applying_line(plan: Plan, path: Path) -> str:
    """What apply says before it applies a saved plan."""
    s = plan.summary
    return (
        f"Applying the saved plan {path} (digest {plan.digest[:12]}): "
        f"{s.create} to create, {s.update} to update, {s.delete} to delete."
    )
