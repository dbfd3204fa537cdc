"""The guard-rail block text and Markdown show at the top, next to the money block.

What a reviewer must not miss, whatever the length of the plan: refusals, every deletion
(named, with why: a Markdown plan cut to fit a pull-request comment still names them all),
the protected records the plan sees, and the differences settings.acknowledge accepts.
Both renderers take these lines and only format them. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.plan.model import Acknowledged, Plan, ResourceChange
from reconciler.render.lines import show
from reconciler.sensitive import MASK

PROTECTED_SHOWN = 20  # protected records named before "and N more"


@dataclass(frozen=True, slots=True)
class Guards:
    """The guard-rail facts of one plan, in plan order."""

    refusals: tuple[str, ...]
    deletions: tuple[ResourceChange, ...]
    protected: tuple[tuple[str, str], ...]  # (address, why: settings.protect / prevent_destroy)
    acknowledged: tuple[Acknowledged, ...]

    @property
    def empty(self) -> bool:
        return not (self.refusals or self.deletions or self.protected or self.acknowledged)


def guards(plan: Plan) -> Guards:
    protected = []
    for rc in plan.resource_changes:
        why = [
            w
            for w, on in (
                ("settings.protect", rc.protected),
                ("lifecycle.prevent_destroy", rc.prevent_destroy),
            )
            if on
        ]
        if why:
            protected.append((rc.address, " and ".join(why)))
    return Guards(plan.refusals, plan.deletions, tuple(protected), plan.acknowledged)


def deletion_text(rc: ResourceChange) -> str:
    """`xero/Old (id 9)`."""
    return rc.address + (f" (id {rc.id})" if rc.id is not None else "")


def acknowledged_value(a: Acknowledged) -> str:
    """`true -> false` (`(sensitive) -> (sensitive)` for a secret)."""
    if a.sensitive:
        return f"{MASK} -> {MASK}"
    return f"{show(a.before)} -> {show(a.after)}"


def acknowledged_note(a: Acknowledged) -> str:
    """`until 2026-12-31: tenant migration`."""
    return f"until {a.until}: {a.reason}"


def protected_text(g: Guards) -> str:
    """`xero/Acme NZ (settings.protect), ...`, the first PROTECTED_SHOWN of them."""
    shown = [f"{address} ({why})" for address, why in g.protected[:PROTECTED_SHOWN]]
    rest = len(g.protected) - PROTECTED_SHOWN
    return ", ".join(shown) + (f" and {rest} more" if rest > 0 else "")
