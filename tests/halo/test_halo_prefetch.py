"""Prefetch: pages after page 1 asked for ahead only as far as record_count says, handed
to read_pages in order (pure logic: the pages are made up here, no server)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from reconciler.errors import HaloError
from reconciler.halo.listing import read_pages
from reconciler.halo.prefetch import Prefetch


class _Pages:
    def __init__(self, total: int, count: int | None) -> None:
        self.total, self.count = total, count
        self.asked: list[int] = []
        self.lock = threading.Lock()

    def get(self, page_no: int) -> Any:
        with self.lock:
            self.asked.append(page_no)
        rows = [{"id": i} for i in range((page_no - 1) * 100, min(page_no * 100, self.total))]
        doc: dict[str, Any] = {"clients": rows}
        if self.count is not None:
            doc["record_count"] = self.count
        return doc


def test_pages_named_by_the_count_are_asked_ahead_and_read_in_order() -> None:
    pages = _Pages(total=1234, count=1234)
    with Prefetch(pages.get, 1000) as ahead:
        read = read_pages(ahead.fetch, "/Client")
    assert [r["id"] for r in read.rows] == list(range(1234))
    assert sorted(pages.asked) == list(range(1, 14))  # 13 pages, none past the count


def test_without_a_count_nothing_is_asked_ahead() -> None:
    pages = _Pages(total=250, count=None)
    with Prefetch(pages.get, 1000) as ahead:
        read = read_pages(ahead.fetch, "/Client")
    assert len(read.rows) == 250
    assert pages.asked == [1, 2, 3]  # one after another, as read_pages asks


def test_a_count_that_overstates_costs_at_most_the_window() -> None:
    pages = _Pages(total=150, count=100_000)
    with Prefetch(pages.get, 1000) as ahead, pytest.raises(HaloError, match="record_count"):
        read_pages(ahead.fetch, "/Client")  # the count disagrees with the rows: refused
    assert max(pages.asked) <= 2 + 4
