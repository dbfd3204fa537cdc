"""The sandbox's `/api/IntegrationError`: HaloPSA's log of sync errors, paged.

A seed (or a test, through the store) gives rows in HaloPSA's shape (api/README §9a):

    integration_errors:
      - detail_id: 2              # the connection's record id (e.g. XeroDetails 2)
        module_id: 1              # optional; HaloPSA's integration module number
        entity_type: invoice      # optional
        entity_name: INV-0042     # optional
        endpoint: /Invoices       # optional
        error: "Account code '400' is not a valid code"
        date: "2026-12-03T10:15:00"   # or age_days: 2 (that long before each answer)

`integration_errors: null` makes the endpoint answer 404, as on an instance without it.
Answers are HaloPSA's paged wrapper (answers.paged), `{page_no, page_size,
record_count, integration_errors}`; without `pageinate=true` a short default page. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.sandbox.answers import paged
from reconciler.sandbox.records import timestamp

FIELDS = ("module_id", "detail_id", "entity_type", "entity_name", "endpoint", "error", "date")
_INTS = ("module_id", "detail_id")
_TEXTS = ("entity_type", "entity_name", "endpoint", "error", "date")
ROWS_KEY = "integration_errors"


def check_rows(raw: Any, where: str) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """A seed's rows checked (None for null: no endpoint), with every problem found."""
    if raw is None:
        return None, []
    if not isinstance(raw, list | tuple):
        return [], [f"{where}: expected a list of error rows, or null"]
    rows: list[dict[str, Any]] = []
    issues: list[str] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            issues.append(f"{at}: expected a mapping")
            continue
        unknown = sorted(set(item) - {*FIELDS, "id", "age_days"})
        if unknown:
            issues.append(f'{at}: unknown field "{unknown[0]}" (expected {", ".join(FIELDS)})')
        for name in (*_INTS, "id"):
            value = item.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                issues.append(f"{at}.{name}: expected an integer")
        for name in _TEXTS:
            if item.get(name) is not None and not isinstance(item.get(name), str):
                issues.append(f"{at}.{name}: expected a string")
        age = item.get("age_days")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int | float)):
            issues.append(f"{at}.age_days: expected a number of days")
        if "date" in item and "age_days" in item:
            issues.append(f"{at}: give date or age_days, not both")
        rows.append(dict(item))
    return rows, issues


def numbered(rows: Sequence[Mapping[str, Any]], first: int) -> list[dict[str, Any]]:
    """Rows with an `id` each (kept when given; else counting up from `first`)."""
    out: list[dict[str, Any]] = []
    next_id = max([first, *(r["id"] + 1 for r in rows if isinstance(r.get("id"), int))])
    for row in rows:
        if isinstance(row.get("id"), int):
            out.append(dict(row))
        else:
            out.append({"id": next_id, **row})
            next_id += 1
    return out


def render_row(row: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A stored row as GET returns it: every field, `age_days` turned into a date."""
    out: dict[str, Any] = {"id": row.get("id")}
    out.update({name: row.get(name) for name in FIELDS})
    if isinstance(row.get("age_days"), int | float):
        out["date"] = timestamp(now - float(row["age_days"]) * 86400)
    return out


def page(rows: Sequence[Mapping[str, Any]], query: Mapping[str, str], now: float) -> Any:
    """One answer of the log: the page asked for, or HaloPSA's short default page."""
    q = {k.lower(): v for k, v in query.items()}
    doc = paged(rows, q, ROWS_KEY)
    doc[ROWS_KEY] = [render_row(r, now) for r in doc[ROWS_KEY]]  # only the page sent
    return doc
