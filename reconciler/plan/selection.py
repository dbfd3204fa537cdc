"""What --target and --exclude select: whole types, and single records by address.

`TYPE`, `TYPE/IDENTITY`, or `TYPE/#ID` for a record known by its HaloPSA id (the id the
plan prints as `(id 4)` names a record even when the configuration names it by identity).
--target narrows what is planned, --exclude takes records out of it; neither narrows
what is matched, so a record left out is never mistaken for one nobody configured (and
pruned). Every entry must select something: `unmatched` names the ones that did not,
with the closest addresses the plan saw. Pure: no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reconciler.errors import PlanError
from reconciler.registry import BY_KEY, KEYS


def target_problem(value: str) -> Literal["type", "identity"] | None:
    """What is wrong with one --target/--exclude value: an unknown type, or a slash with
    no identity after it; None when nothing is. The one rule both the command line (at
    parse time, in its own words) and Selection.parse apply."""
    key, slash, rest = value.partition("/")
    if key not in BY_KEY:
        return "type"
    return "identity" if slash and not rest else None


def _parse(values: Sequence[str], flag: str, problems: list[str]) -> tuple[set[str], set[str]]:
    types: set[str] = set()
    addresses: set[str] = set()
    for value in values:
        key, slash, _ = value.partition("/")
        problem = target_problem(value)
        if problem == "type":
            problems.append(f"{flag} {value}: unknown type {key!r} (types: {', '.join(KEYS)})")
        elif problem == "identity":
            problems.append(f"{flag} {value}: give an identity after the slash")
        elif slash:
            addresses.add(value)
        else:
            types.add(key)
    return types, addresses


@dataclass(frozen=True, slots=True)
class Selection:
    """The records a plan covers: what --target names (everything when none), minus
    what --exclude names."""

    types: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
    excluded_types: frozenset[str] = frozenset()
    excluded_addresses: frozenset[str] = frozenset()
    targets: tuple[str, ...] = field(default=(), compare=False)
    excludes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def parse(cls, targets: Sequence[str], excludes: Sequence[str] = ()) -> Selection:
        """PlanError naming every malformed entry."""
        problems: list[str] = []
        types, addresses = _parse(targets, "--target", problems)
        ex_types, ex_addresses = _parse(excludes, "--exclude", problems)
        if problems:
            raise PlanError(problems)
        return cls(
            frozenset(types),
            frozenset(addresses),
            frozenset(ex_types),
            frozenset(ex_addresses),
            tuple(targets),
            tuple(excludes),
        )

    @property
    def everything(self) -> bool:
        return not self.types and not self.addresses

    def touches(self, key: str) -> bool:
        """Whether the type is read at all (an excluded type is not)."""
        if key in self.excluded_types:
            return False
        return (
            self.everything
            or key in self.types
            or any(a.startswith(f"{key}/") for a in self.addresses)
        )

    def selects(self, key: str, *addresses: str) -> bool:
        """Whether a record known by `addresses` (its address, `type/#id`) is planned."""
        if key in self.excluded_types or any(a in self.excluded_addresses for a in addresses):
            return False
        return self.everything or key in self.types or any(a in self.addresses for a in addresses)

    def unmatched(self, types: Iterable[str], addresses: Iterable[str]) -> list[str]:
        """A problem per --target/--exclude that names nothing among `types` (types the
        configuration or HaloPSA has) and `addresses` (every address the plan saw)."""
        seen_types = set(types)
        seen = sorted(set(addresses))
        problems = []
        for flag, values in (("--target", self.targets), ("--exclude", self.excludes)):
            for value in values:
                key, slash, _ = value.partition("/")
                if (value in seen) if slash else (key in seen_types):
                    continue
                # suggest id forms for an id, names for a name
                by_id = [a for a in seen if "/#" in a]
                named = [a for a in seen if "/#" not in a]
                pool = (by_id if "/#" in value else named) if slash else sorted(seen_types)
                close = difflib.get_close_matches(value, pool, n=3, cutoff=0.5)
                # A difference of case only is the likeliest slip: named first.
                same = [a for a in pool if a.casefold() == value.casefold()]
                close = (same + [a for a in close if a not in same])[:3]
                if not close:  # the type's own records, or the types there are
                    close = [a for a in pool if a.startswith(f"{key}/")][:3] if slash else pool[:3]
                hint = f"; closest: {', '.join(close)}" if close else ""
                what = "record" if slash else "record of that type"
                problems.append(
                    f"{flag} {value} matches no {what} in the configuration or HaloPSA{hint}"
                )
        return problems
