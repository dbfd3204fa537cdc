"""Client overhead per request: ReadOnlyClient.get vs a bare httpx GET of the same URL.

    python benchmarks/bench_client.py [--requests N]

Against the sandbox on loopback (no latency, no faults), with a rate budget too large to
ever wait, both clients fetch one seeded record by id in alternating batches, in the same
run, over keep-alive connections. Prints the median per-request time of each and the
ratio (target <= 1.3x): what the rate budget, retry bookkeeping, token cache, error
translation and known-field filtering cost on top of httpx itself.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.sandbox import start_in_thread


def timed(fn: Callable[[], object], n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per client")
    args = parser.parse_args()
    batches, per_batch = 10, max(args.requests // 10, 1)

    with start_in_thread(seed="bundled") as sandbox:
        env = {
            "HALO_URL": sandbox.url,
            "HALO_CLIENT_ID": sandbox.client_id,
            "HALO_CLIENT_SECRET": sandbox.client_secret,
            "HALO_RATE_LIMIT": "1000000000/1",  # never waits: measure the client, not the budget
        }
        settings = settings_from_env(env)
        with ReadOnlyClient(settings) as client, httpx.Client() as bare:
            rid = client.list("xero")[0]["id"]
            answer = bare.post(
                settings.token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": settings.client_id,
                    "client_secret": str(settings.client_secret.reveal()),
                    "scope": settings.scope,
                },
            )
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            url = f"{settings.api_url}/XeroDetails/{rid}"

            def ours() -> Any:
                return client.get("xero", rid)

            def theirs() -> Any:
                response = bare.get(url, headers=headers)
                response.raise_for_status()
                return response.json()

            # Warm both connections up (and check they fetch the same record).
            assert ours()["id"] == theirs()["id"] == rid
            timed(ours, 200)
            timed(theirs, 200)
            ours_t: list[float] = []
            theirs_t: list[float] = []
            for _ in range(batches):  # alternate, so drift hits both alike
                ours_t += timed(ours, per_batch)
                theirs_t += timed(theirs, per_batch)

    ours_ms = statistics.median(ours_t) * 1000
    theirs_ms = statistics.median(theirs_t) * 1000
    print(f"requests per client: {len(ours_t)} (GET /api/XeroDetails/{{id}}, sandbox, loopback)")
    print(f"ReadOnlyClient.get   median {ours_ms:.3f} ms")
    print(f"bare httpx.get       median {theirs_ms:.3f} ms")
    print(f"overhead             {ours_ms - theirs_ms:+.3f} ms per request")
    print(f"ratio                {ours_ms / theirs_ms:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
