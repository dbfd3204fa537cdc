"""apply over all nine types with 100 ms per request: request count and wall time.

    python benchmarks/bench_apply.py [--runs N] [--latency-ms MS]

Each run starts a fresh sandbox (every request delayed --latency-ms, default 100) holding
a few records, and runs `halo-reconciler apply CONFIG --auto-approve` in process: the
configuration creates, updates and deletes records of all nine types. Prints:
- the requests made against the requests expected (one token, one list GET per type,
  one re-read GET per type with creates just before its POST, one POST per type with
  creates/updates, one DELETE per deletion, one read-back GET per written type), by kind;
- the median wall time of the command against its critical path: the token, then the
  slowest type's chain (list GET, re-read GET, POST, its DELETEs, read-back GET), each
  one latency long. Target <= 1.5x at --parallelism 9; 4 (the default) and 1 are shown to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from measure import environ, halo_env

from reconciler.cli.main import main as cli
from reconciler.sandbox import Faults, SandboxHandle, start_in_thread

SECRET = "bench-secret-value"
LIVE: dict[str, list[dict[str, Any]]] = {
    "xero": [
        {"name": "Acme NZ", "tenant_id": "t-nz", "enablesync": False},
        {"name": "Old tenant", "tenant_id": "t-old"},
    ],
    "quickbooks": [{"name": "Acme US", "multi_currency": False}],
    "fortnox": [{"name": "Stray"}],
    "avalara": [{"name": "Acme US Tax", "syncentities": "invoices"}],
}
CONFIG = """\
xero:
  - {name: Acme NZ, enablesync: true, sync_entities: [invoices, clients]}
  - {name: Beta NZ, tenant_id: t-beta, new_client_secret: "${BENCH_SECRET}"}
  - {name: Old tenant, ensure: absent}
quickbooks:
  - {name: Acme US, multi_currency: true}
sage_business_cloud:
  - name: Sage UK
    syncentities: [invoices]
    client_mappings: [{halo_id: 1, third_party_id: C-1}]
myob:
  - {company_id: M-100, enablesync: true}
kashflow:
  - {name: Kash, username: kash-user}
fortnox:
  - {name: Fort, sync_entities: [invoices]}
exact:
  - {name: Exact NL, division: 12}
business_central:
  - {name: BC, tenant_id: bc-tenant}
avalara:
  - {name: Acme US Tax, syncentities: [invoices, clients]}
settings:
  prune: [fortnox]
"""
TYPES = 9
DELETES = {"xero": 1, "fortnox": 1}
# Types the configuration creates a record in: re-read just before their POST.
CREATING = {
    "/api/XeroDetails",
    "/api/SageBusinessCloudDetails",
    "/api/MYOBdetails",
    "/api/KashflowDetails",
    "/api/FortnoxDetails",
    "/api/ExactDetails",
    "/api/BusinessCentralDetails",
}


def expected() -> Counter[str]:
    return Counter(
        {
            "token": 1,
            "list GET": TYPES,
            "re-read GET": len(CREATING),
            "POST": TYPES,
            "DELETE": sum(DELETES.values()),
            "read-back GET": TYPES,
        }
    )


def critical_path(latency: float) -> float:
    # token, then per type: list GET, re-read GET (xero, fortnox), POST, its DELETEs,
    # read-back GET
    slowest = max(4 + DELETES.get(k, 0) for k in ("xero", "fortnox"))
    return (1 + slowest) * latency


def kinds(handle: SandboxHandle) -> Counter[str]:
    found: Counter[str] = Counter()
    gets: Counter[str] = Counter()
    for entry in handle.log.entries():
        if entry.path.endswith("/token"):
            found["token"] += 1
        elif entry.method == "GET":
            gets[entry.path] += 1
        else:
            found[entry.method] += 1
    # per type: the plan's read, the re-read before a create, the read-back
    for path, n in gets.items():
        found["list GET"] += 1
        if path in CREATING and n > 2:
            found["re-read GET"] += 1
        found["read-back GET"] += max(0, n - 1 - (path in CREATING and n > 2))
    return found


def one_run(config: Path, latency_ms: float, parallelism: int) -> tuple[float, Counter[str]]:
    with start_in_thread(faults=Faults(latency_ms=latency_ms)) as handle:
        for key, records in LIVE.items():
            for record in records:
                handle.store.create(key, record)
        args = ["apply", str(config), "--auto-approve", "--parallelism", str(parallelism)]
        out, err = io.StringIO(), io.StringIO()
        code: object = 0
        with (
            environ({**halo_env(handle), "BENCH_SECRET": SECRET}),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            start = time.perf_counter()
            try:
                cli(args)
            except SystemExit as exc:
                code = exc.code
            elapsed = time.perf_counter() - start
        if code != 0 or "12 applied, 0 failed, 0 skipped" not in out.getvalue():
            raise SystemExit(f"apply failed (exit {code}):\n{out.getvalue()}{err.getvalue()}")
        return elapsed, kinds(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per parallelism (median)")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        one_run(config, 0.0, 9)  # warm up: imports, schemas
        want = expected()
        path = critical_path(latency)
        print(f"apply, all nine types, {args.latency_ms:g} ms per request, {args.runs} runs")
        for parallelism in (9, 4, 1):
            times = []
            counts: Counter[str] = Counter()
            for _ in range(args.runs):
                elapsed, counts = one_run(config, args.latency_ms, parallelism)
                times.append(elapsed)
            median = statistics.median(times)
            print(f"\n--parallelism {parallelism}")
            for kind in ("token", "list GET", "re-read GET", "POST", "DELETE", "read-back GET"):
                mark = "" if counts[kind] == want[kind] else "   <-- differs"
                print(f"  {kind:<14} expected {want[kind]:>3}  actual {counts[kind]:>3}{mark}")
            total, total_want = sum(counts.values()), sum(want.values())
            print(f"  {'total':<14} expected {total_want:>3}  actual {total:>3}")
            target = "  (target <= 1.5x)" if parallelism == 9 else ""
            print(
                f"  wall time median {median * 1000:.0f} ms; critical path {path * 1000:.0f} ms; "
                f"ratio {median / path:.2f}x{target}"
            )


if __name__ == "__main__":
    main()
