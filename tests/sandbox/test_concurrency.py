"""Concurrent clients: no lost update, no duplicate id, a consistent store afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

from reconciler.sandbox import SandboxHandle, start_in_thread

from .conftest import authed

THREADS = 8
REQUESTS = 50
XERO = "/api/XeroDetails"
FIELDS = (
    "default_order_item_code",
    "default_creditnote_item_code",
    "redirect_uri",
    "client_id",
    "category_1_id",
    "category_2_id",
    "no_tax_code",
    "default_payment_nominalcode",
)


def _worker(handle: SandboxHandle, n: int, errors: list[str], created: list[int]) -> None:
    client = authed(handle)
    try:
        mine: list[int] = []
        for i in range(REQUESTS):
            step = i % 5
            if step in (0, 1):
                reply = client.post(XERO, json=[{"name": f"t{n}-{i}", "default_item_code": "0"}])
                ids = [r["id"] for r in reply.json()]
                mine.extend(ids)
                created.extend(ids)
            elif step == 2:
                # Every thread writes its own field of the shared record 1: a partial
                # update that raced another would lose that thread's value.
                client.post(XERO, json=[{"id": 1, FIELDS[n]: f"{n}-{i}"}])
                client.get(f"{XERO}/1")
                client.post(XERO, json=[{"id": mine[-1], "default_item_code": str(i)}])
            elif step == 3:
                client.get(XERO, params={"connectedonly": "false"})
            else:
                client.delete(f"{XERO}/{mine.pop(0)}")
    except Exception as exc:  # reported by the main thread
        errors.append(repr(exc))
    finally:
        client.close()


def test_eight_threads_leave_a_consistent_store(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    with start_in_thread(data=data) as handle:
        handle.store.create("xero", {"name": "shared"})
        errors: list[str] = []
        created: list[int] = []
        threads = [
            threading.Thread(target=_worker, args=(handle, n, errors, created))
            for n in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert handle.internal_errors == []
        # Each thread created 20 and deleted 10: ids are unique and none was lost.
        assert len(created) == len(set(created)) == THREADS * 20
        live = handle.store.list("xero")
        assert len(live) == 1 + THREADS * 10
        assert len({r["id"] for r in live}) == len(live)
        shared = live[0]
        assert shared["name"] == "shared"
        assert [shared[f] for f in FIELDS] == [f"{n}-{REQUESTS - 3}" for n in range(THREADS)]
        expected_requests = THREADS * (REQUESTS + REQUESTS // 5 * 2 + 1)
        assert len(handle.log.entries()) == expected_requests
    # The file holds what memory held.
    with start_in_thread(data=data) as again:
        assert again.store.list("xero") == live
