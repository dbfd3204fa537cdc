"""Reading a list endpoint whichever way HaloPSA answers it (SPEC §11): pure, no I/O.

A list GET asks for pages explicitly (`pageinate=true&page_size=100&page_no=N`, 1-based)
because HaloPSA answers a short default page when it is not asked. The answer may be:

- a bare array: the whole list — unless it holds exactly one page of rows, when the next
  page is asked for too (a server that pages a bare array would otherwise lose rows);
- a wrapper object holding the rows in one array-valued key, usually with `record_count`:
  followed page by page until a page comes back short or empty.

A page repeating the first page (a server that ignores `page_no`) ends the list. Every
`record_count` must agree with the rows: either the total read or its own page's rows
(some HaloPSA endpoints count only the page). An empty body, `null`, a count that
disagrees, or pages that never end (`max_pages`) are errors, never "no records": reading
an empty answer as an empty list makes a plan create duplicates of everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.errors import HaloError

PAGE_SIZE = 100
MAX_PAGES = 1000  # 100,000 records: far past any accounting integration list


@dataclass(frozen=True, slots=True)
class Page:
    """One list answer: its rows, the key holding them (None: a bare array), its count."""

    rows: list[Mapping[str, Any]]
    wrapper: str | None
    record_count: int | None


@dataclass(frozen=True, slots=True)
class ListRead:
    """A whole list as read: its rows, its shape and how many pages it took."""

    rows: list[Mapping[str, Any]]
    wrapper: str | None  # the key holding the rows; None for a bare array
    record_count: int | None  # the first page's record_count
    pages: int

    @property
    def shape(self) -> str:
        """`array`, or `wrapper (key)`: what `doctor` reports."""
        return "array" if self.wrapper is None else f"wrapper ({self.wrapper})"


def page_params(page_no: int, page_size: int = PAGE_SIZE) -> dict[str, str]:
    """The query parameters asking for one page (HaloPSA's spelling, `pageinate`)."""
    return {"pageinate": "true", "page_size": str(page_size), "page_no": str(page_no)}


def _error(path: str, text: str) -> HaloError:
    return HaloError("GET", f"/api{path}", 200, text)


def parse_page(path: str, data: Any) -> Page:
    """The rows of one list answer; HaloError when it is not a list of records."""
    if data is None:
        raise _error(
            path,
            "HaloPSA answered with an empty body or null instead of a list; not read as "
            "'no records' (that would plan to create every record again) — run again, and "
            "run `halo-reconciler doctor` if it persists",
        )
    wrapper: str | None = None
    count: int | None = None
    if isinstance(data, dict):
        arrays = [(k, v) for k, v in data.items() if isinstance(v, list)]
        # The rows are the array of objects; an empty array when the list is empty.
        filled = [(k, v) for k, v in arrays if any(isinstance(x, dict) for x in v)]
        if len(filled) > 1:
            names = ", ".join(k for k, _ in filled)
            raise _error(path, f"the answer holds several lists of records ({names})")
        chosen = filled[0] if filled else next(((k, v) for k, v in arrays if not v), None)
        raw_count = data.get("record_count")
        if raw_count is not None:
            if isinstance(raw_count, bool) or not isinstance(raw_count, int) or raw_count < 0:
                raise _error(path, "the answer's record_count is not a count")
            count = raw_count
        if chosen is not None:
            wrapper, data = chosen
        elif "id" in data and count is None:
            data = [data]  # a lone record: a list of one
        elif count == 0 and not arrays:
            wrapper, data = "", []
        else:
            raise _error(path, "expected a list of records, got an object holding none")
    if not isinstance(data, list):
        raise _error(path, "expected a list of records")
    if not all(isinstance(r, dict) for r in data):
        raise _error(path, "expected a list of records (JSON objects)")
    return Page(data, wrapper, count)


def _ids(rows: list[Mapping[str, Any]]) -> list[object]:
    return [r.get("id") for r in rows]


def read_pages(
    fetch: Callable[[int], Any],
    path: str,
    *,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> ListRead:
    """Every row of a list, `fetch(page_no)` giving each page's parsed JSON answer."""
    first = parse_page(path, fetch(1))
    rows = list(first.rows)
    pages = [first]
    page = first
    while len(page.rows) == page_size:
        # A full page may not be the last: ask for the next one whatever record_count
        # says, since HaloPSA may count only the page it sent.
        if len(pages) >= max_pages:
            raise _error(
                path,
                f"HaloPSA kept sending full pages: stopped after {len(pages)} pages "
                f"({len(rows)} records)"
                + (f", record_count {page.record_count}" if page.record_count is not None else "")
                + " — the list does not end; run `halo-reconciler doctor`",
            )
        page = parse_page(path, fetch(len(pages) + 1))
        if (page.wrapper is None) != (first.wrapper is None):
            raise _error(path, f"page {len(pages) + 1} has another shape than page 1")
        if page.rows and _ids(page.rows) == _ids(first.rows):
            break  # the server ignores page_no: page 1 was the whole list
        pages.append(page)
        rows.extend(page.rows)
        _check_growth(path, pages, len(rows))
    _check_counts(path, pages, len(rows))
    seen: set[object] = set()
    for rid in _ids(rows):
        if rid is not None and rid in seen:
            raise _error(
                path, f"the pages repeat record #{rid}: HaloPSA's paging is not reliable here"
            )
        seen.add(rid)
    return ListRead(rows, first.wrapper, first.record_count, len(pages))


def _check_growth(path: str, pages: list[Page], total: int) -> None:
    """More rows than a page's record_count (as a total) already: stop now, not at the bound."""
    for number, page in enumerate(pages, 1):
        c = page.record_count
        if c is not None and total > c and c != len(page.rows):
            raise _error(
                path,
                f"page {number} says record_count {c}, but HaloPSA has sent {total} records so far",
            )


def _check_counts(path: str, pages: list[Page], total: int) -> None:
    for number, page in enumerate(pages, 1):
        c = page.record_count
        if c is None or c == total or c == len(page.rows):
            continue
        raise _error(
            path,
            f"record_count {c} (page {number}) disagrees with the {total} records HaloPSA "
            "sent; not read as complete (a missing record would plan a duplicate)",
        )
