"""How the sandbox shapes its answers, for each way a real HaloPSA may answer (SPEC §11).

`list_answer` wraps and pages a list as `Faults.list_shape` says; `shown_record` turns a
stored record into a summary row (no mapping arrays) and/or adds fields the schemas do not
know. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.registry import mapping_arrays
from reconciler.sandbox.records import model_name

DEFAULT_PAGE = 50  # rows HaloPSA answers for an API agent when paging is not asked for
EXTRA_FIELD = "sandbox_newer_field"  # a field "a newer HaloPSA" returns
EXTRA_ROW_FIELD = "sandbox_newer_row_field"


def wrapper_key(key: str) -> str:
    """The key a wrapped list holds its rows under (e.g. `xerodetails`)."""
    return model_name(key).lower()


def shown_record(key: str, record: Mapping[str, Any], *, summary: bool, extra: bool) -> Any:
    shown = dict(record)
    if summary:
        for name in mapping_arrays(key):
            shown.pop(name, None)
    if extra:
        shown[EXTRA_FIELD] = True
        for name in mapping_arrays(key):
            rows = shown.get(name)
            if isinstance(rows, list):
                shown[name] = [
                    {**r, EXTRA_ROW_FIELD: 1} if isinstance(r, Mapping) else r for r in rows
                ]
    return shown


def _int(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.isdigit() and int(text) > 0 else default


def list_answer(key: str, rows: Sequence[Any], shape: str, query: Mapping[str, str]) -> Any:
    """The list answer in `shape`; `query` has lower-cased names and no empty values."""
    if shape == "array":
        return list(rows)
    name = wrapper_key(key)
    if shape == "wrapper":
        return {"record_count": len(rows), name: list(rows)}
    return paged(rows, query, name)


def paged(rows: Sequence[Any], query: Mapping[str, str], name: str) -> dict[str, Any]:
    """HaloPSA's paged wrapper under `name`: the page asked for, or a short default page.

    `query` has lower-cased names (also for /IntegrationError, error_log.py)."""
    if query.get("pageinate", "").lower() == "true":
        size = _int(query.get("page_size"), DEFAULT_PAGE)
        number = _int(query.get("page_no"), 1)
        page = list(rows[(number - 1) * size : number * size])
        return {"page_no": number, "page_size": size, "record_count": len(rows), name: page}
    # Not asked for pages: a short default page, counted on its own.
    page = list(rows[:DEFAULT_PAGE])
    return {"record_count": len(page), name: page}
