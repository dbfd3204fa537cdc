"""Which live records a plan reads in detail (SPEC §11). Pure: no I/O.

A list row may be a summary: HaloPSA very likely fills the mapping arrays
(`client_mappings` …) only on `GET /X/{id}?includedetails=true`. So a record the
configuration matches is read again in detail when the configuration states one of its
mapping arrays, or a field whose key the list row lacks (see live.needs_detail). Every
other record is compared from the list alone: a plan of records without mapping arrays
still makes one list GET per type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.config.model import ConfigRecord, Configuration, Ensure
from reconciler.live import Details, needs_detail
from reconciler.plan.match import live_id, match_records
from reconciler.registry import spec


def config_details(config: Configuration) -> Details:
    """`details` for read_live: the matched rows that need a detail read to be compared."""
    present: dict[str, list[ConfigRecord]] = {}
    for record in config.records:
        if record.ensure is Ensure.PRESENT:
            present.setdefault(record.type, []).append(record)

    def wanted(key: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        records = present.get(key)
        if not records:
            return []
        # Matching problems (ambiguous, duplicated) are reported by the plan itself.
        matching = match_records(spec(key), records, rows)
        ids: list[int] = []
        for m in matching.matches:
            rid = live_id(m.live) if m.live is not None else None
            if (
                rid is not None
                and m.live is not None
                and needs_detail(key, m.record.fields, m.live)
            ):
                ids.append(rid)
        return sorted(set(ids))

    return wanted
