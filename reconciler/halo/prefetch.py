"""Pages of a long lookup list asked for a few at a time, read in order all the same.

A lookup list such as /Client (5,000 clients: 50 pages of 100) would otherwise cost 50
round trips one after another. Once page 1's `record_count` says how many pages follow,
`Prefetch` keeps up to WINDOW of the next pages in flight on a small pool, and hands each
to `read_pages` (halo.listing) when it asks for it, so every rule that function applies
(short page ends the list, counts must agree, repeated pages) holds unchanged. Pages past
the count are never asked for ahead; pages asked for ahead that the reading did not need
are cancelled or left to finish. Every request still draws on the client's one rate
budget. No page is asked for ahead without a count to say it exists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Any, Self

from reconciler.halo.listing import PAGE_SIZE

WINDOW = 4  # pages in flight ahead of the reader


class Prefetch:
    """`fetch(page_no)` for read_pages, with the pages after page 1 asked for ahead."""

    def __init__(self, get: Callable[[int], Any], max_pages: int) -> None:
        self._get = get
        self._max_pages = max_pages
        self._last = 1  # the last page known to exist (from page 1's record_count)
        self._ahead: dict[int, Future[Any]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def fetch(self, page_no: int) -> Any:
        future = self._ahead.pop(page_no, None)
        answer = future.result() if future is not None else self._get(page_no)
        if page_no == 1:
            self._last = min(_pages(answer), self._max_pages)
        self._ask_ahead(page_no)
        return answer

    def _ask_ahead(self, page_no: int) -> None:
        upto = min(self._last, page_no + WINDOW)
        for k in range(page_no + 1, upto + 1):
            if k not in self._ahead:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(WINDOW, thread_name_prefix="halo-page")
                self._ahead[k] = self._pool.submit(self._get, k)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for future in self._ahead.values():
            future.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _pages(answer: Any) -> int:
    """How many pages page 1's answer says the list has (1 when it does not say)."""
    count = answer.get("record_count") if isinstance(answer, dict) else None
    if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
        return 1
    return math.ceil(count / PAGE_SIZE)
