"""Matching: which live record each configuration record is about.

A record that states an `id` matches the live record with that id; otherwise it matches
the live record whose identity field (registry.spec(key).identity: `name`, MYOB
`company_id`) holds exactly the same text — case, spaces and all. Matching must be
one-to-one, so these are problems, every one reported (PlanError), each naming both sides:
two config records with the same identity or id; a config record whose identity two live
records share; two config records that land on one live record; an `id` no live record
has (unless the record is `ensure: absent`). Both sides are indexed once: linear time.
Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.config.model import ConfigRecord, Ensure
from reconciler.jsontypes import LiveRecord
from reconciler.registry import TypeSpec


@dataclass(frozen=True, slots=True)
class Match:
    """A configuration record and the live record it is about (None: none exists)."""

    record: ConfigRecord
    live: LiveRecord | None


@dataclass(frozen=True, slots=True)
class Matching:
    """The matching of one type: a Match per config record (config order), the live
    records nobody matched (live order), and every problem found."""

    matches: tuple[Match, ...]
    unmatched: tuple[LiveRecord, ...]
    problems: tuple[str, ...]


def live_id(record: LiveRecord) -> int | None:
    """The live record's HaloPSA id, or None when it has no integer id."""
    value = record.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(records: Sequence[LiveRecord]) -> str:
    labels = [f"#{live_id(r)}" for r in records]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}"


def match_records(
    spec: TypeSpec, records: Sequence[ConfigRecord], live: Sequence[LiveRecord]
) -> Matching:
    """Match `records` (all config records of one type) to that type's live records."""
    problems: list[str] = []
    by_id: dict[int, LiveRecord] = {}
    by_identity: dict[str, list[LiveRecord]] = {}
    for rec in live:
        rid = live_id(rec)
        if rid is not None:
            if rid in by_id:
                problems.append(f"{spec.key}: HaloPSA returned two records with id {rid}")
            by_id[rid] = rec
        ident = rec.get(spec.identity)
        if isinstance(ident, str):
            by_identity.setdefault(ident, []).append(rec)

    seen_identity: dict[str, ConfigRecord] = {}
    seen_id: dict[int, ConfigRecord] = {}
    claimed: dict[int, ConfigRecord] = {}  # Python id() of the live record -> claimant
    matches: list[Match] = []
    for cfg in records:
        if cfg.identity is not None:
            first = seen_identity.setdefault(cfg.identity, cfg)
            if first is not cfg:
                problems.append(
                    f"{cfg.where}: configured twice ({spec.identity} {json.dumps(cfg.identity)}"
                    f" also at {first.mark})"
                )
        if cfg.id is not None:
            first = seen_id.setdefault(cfg.id, cfg)
            if first is not cfg:
                problems.append(
                    f"{cfg.where}: id {cfg.id} is configured twice "
                    f"(also by {first.address} at {first.mark})"
                )
        found: LiveRecord | None = None
        if cfg.id is not None:
            found = by_id.get(cfg.id)
            if found is None and cfg.ensure is Ensure.PRESENT:
                problems.append(
                    f"{cfg.where}: no live {spec.key} record has id {cfg.id} "
                    "(HaloPSA assigns ids: remove `id` to create the record)"
                )
        elif cfg.identity is not None:
            candidates = by_identity.get(cfg.identity, [])
            if len(candidates) > 1:
                problems.append(
                    f"{cfg.where}: ambiguous: {cfg.address} matches live records "
                    f"{_ids(candidates)} (all have {spec.identity} "
                    f"{json.dumps(cfg.identity)}); state `id` to pick one"
                )
            elif candidates:
                found = candidates[0]
        else:
            problems.append(f"{cfg.where}: states neither {spec.identity} nor id")
        if found is not None:
            other = claimed.setdefault(id(found), cfg)
            if other is not cfg:
                problems.append(
                    f"{cfg.where}: matches live record #{live_id(found)}, which "
                    f"{other.address} ({other.mark}) also matches"
                )
        matches.append(Match(cfg, found))

    unmatched = tuple(rec for rec in live if id(rec) not in claimed)
    return Matching(tuple(matches), unmatched, tuple(problems))
