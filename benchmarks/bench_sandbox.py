"""How fast the sandbox answers: requests per second, one client thread, keep-alive.

    python benchmarks/bench_sandbox.py

Figures: list GETs (10 and 100 full records per answer), POSTs (one create per request,
and one partial update per request), in memory and with a data file (each POST rewrites
the file atomically). Latency 0, no faults. Medians of 5 rounds, per request.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import httpx

from reconciler.sandbox import SandboxHandle, start_in_thread

ROUNDS = 5
XERO = "/api/XeroDetails"


def _client(handle: SandboxHandle) -> httpx.Client:
    client = httpx.Client(base_url=handle.url, timeout=30)
    token = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": handle.client_id,
            "client_secret": handle.client_secret,
        },
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _rate(requests: int, run: Callable[[], None]) -> tuple[float, float]:
    """(requests per second, milliseconds per request), medians over ROUNDS."""
    seconds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    per = statistics.median(seconds) / requests
    return 1 / per, per * 1000


def _report(label: str, figures: tuple[float, float]) -> None:
    rps, ms = figures
    print(f"  {label:<46} {rps:>8.0f} req/s  {ms:>6.2f} ms/req")


def _lists(handle: SandboxHandle, client: httpx.Client, records: int) -> tuple[float, float]:
    handle.store.load_seed(
        {"xero": [{"name": f"r{i}", "enablesync": True} for i in range(records)]}
    )
    n = 300

    def run() -> None:
        for _ in range(n):
            assert client.get(XERO).status_code == 200

    return _rate(n, run)


def _posts(client: httpx.Client, update: bool) -> tuple[float, float]:
    n = 200
    if update:
        client.post(XERO, json=[{"name": "target"}])
        target = client.get(XERO).json()[-1]["id"]

    def run() -> None:
        for i in range(n):
            body = [{"id": target, "default_item_code": str(i)}] if update else [{"name": f"n{i}"}]
            assert client.post(XERO, json=body).status_code == 200

    return _rate(n, run)


def main() -> None:
    print(f"sandbox benchmark: one client thread, keep-alive, medians of {ROUNDS} rounds")
    with start_in_thread() as handle, closing(_client(handle)) as client:
        _report("GET list, 10 records (in memory)", _lists(handle, client, 10))
        _report("GET list, 100 records (in memory)", _lists(handle, client, 100))
        handle.store.load_seed({})
        _report("POST create, 1 record (in memory)", _posts(client, update=False))
        _report("POST partial update, 1 record (in memory)", _posts(client, update=True))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.json"
        with start_in_thread(data=data) as handle, closing(_client(handle)) as client:
            _report("POST create, 1 record (data file)", _posts(client, update=False))
            _report("POST partial update, 1 record (data file)", _posts(client, update=True))


if __name__ == "__main__":
    main()
