"""Plan time and requests when HaloPSA pages its lists and summarises its rows (SPEC §11).

    python benchmarks/bench_reading.py [--latency-ms 50] [--runs 3]

The sandbox runs as its own process (`halo-reconciler sandbox`, as a real HaloPSA is
another machine), at 50 ms latency per request; plans run in this process:

  A. 1,000 Xero records stated by the configuration, none with mapping arrays: read from
     the list only (bare array: 1 list GET; paged: 10 pages of 100, one after another,
     and an 11th, empty, since page 10 is full).
  B. 100 Sage records with 100 client_mappings rows each, the configuration stating
     them, list rows as summaries: the list, and 100 detail GETs (includedetails=true)
     read 4 at a time.

Prints the median plan time (configuration load included) with the latency and without
it, the requests the sandbox logged, and the ratio of the wall time to the requests' own
time at the tool's concurrency: the token and each list page one after another, detail
reads 4 at a time, each request costing the latency (target <= 1.5x). The second ratio
leaves out what the same plan costs with no latency (parsing, matching, diffing): how
well the reads overlap.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from measure import ROOT, environ, median

from reconciler.config import load
from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.planning import plan_against

PARALLEL = 4  # the read pool's size (plan_against's max_workers)


class Served:
    """A `halo-reconciler sandbox` process: its HALO_* lines and its request log lines."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc = proc
        self.env = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))
        self.log: list[str] = []
        stderr = proc.stderr
        threading.Thread(target=lambda: self.log.extend(stderr), daemon=True).start()


@contextmanager
def serve(seed: Path, *flags: str) -> Iterator[Served]:
    args = [sys.executable, "-m", "reconciler", "sandbox", "--port", "0", "--seed", str(seed)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [*args, *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        yield Served(proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _plan(served: Served, config_dir: Path) -> None:
    env = {**served.env, "HALO_RATE_LIMIT": "100000/1"}
    with environ(env):
        config = load([str(config_dir)], env=env)
        with ReadOnlyClient(settings_from_env(env)) as client:
            plan_against(config, client)


def _requests(served: Served, config_dir: Path) -> tuple[int, int, int]:
    """(requests, list GETs, detail GETs) of one plan, from the sandbox's log lines."""
    served.log.clear()
    _plan(served, config_dir)
    lines = [line.split(" ")[1].split("?")[0] for line in list(served.log) if " -> " in line]
    lists = sum(1 for p in lines if p.startswith("/api/") and p.count("/") == 2)
    details = sum(1 for p in lines if p.startswith("/api/") and p.count("/") == 3)
    return len(lines), lists, details


def _report(name: str, seed: Path, config: Path, runs: int, latency_ms: float, *flags: str) -> None:
    with serve(seed, "--latency-ms", "0", *flags) as fast:
        local = median(_plan, runs, fast, config)
    with serve(seed, "--latency-ms", str(latency_ms), *flags) as slow:
        wall = median(_plan, runs, slow, config)
        count, lists, details = _requests(slow, config)
    floor = (1 + lists + math.ceil(details / PARALLEL)) * latency_ms / 1000
    print(
        f"{name}: plan {wall * 1000:.0f} ms ({local * 1000:.0f} ms without latency), "
        f"{count} requests (1 token, {lists} list, {details} detail); requests' own time at "
        f"the tool's concurrency {floor * 1000:.0f} ms; wall/own {wall / floor:.2f}x (target "
        f"<= 1.5x); (wall - no-latency wall)/own {(wall - local) / floor:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("xero", "sage"):
            (root / name).mkdir()
        xero = [f"  - name: Tenant {i:04d}\n    enablesync: true" for i in range(1000)]
        text = "xero:\n" + "\n".join(xero) + "\n"
        (root / "xero-seed.yaml").write_text(text, encoding="utf-8")
        (root / "xero" / "xero.yaml").write_text(text, encoding="utf-8")
        rows = "\n".join(
            f"      - {{halo_id: {r + 1}, third_party_id: C-{r:03d}}}" for r in range(100)
        )
        sage = [f"  - name: Sage {i:03d}\n    client_mappings:\n{rows}" for i in range(100)]
        text = "sage_business_cloud:\n" + "\n".join(sage) + "\n"
        (root / "sage-seed.yaml").write_text(text, encoding="utf-8")
        (root / "sage" / "sage.yaml").write_text(text, encoding="utf-8")

        for shape in ("array", "paged"):
            _report(
                f"A. 1,000 Xero records, list only ({shape})",
                root / "xero-seed.yaml",
                root / "xero",
                args.runs,
                args.latency_ms,
                "--list-shape",
                shape,
            )
        _report(
            "B. 100 Sage records x 100 mapping rows, detail reads (summary rows)",
            root / "sage-seed.yaml",
            root / "sage",
            args.runs,
            args.latency_ms,
            "--list-rows",
            "summary",
        )


if __name__ == "__main__":
    main()
