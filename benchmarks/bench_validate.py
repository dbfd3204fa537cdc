"""Start-up and validate timings, each against its floor, measured in the same run.

    python benchmarks/bench_validate.py [--runs N]

Prints medians of wall time and of CPU time (user + system; steadier on a busy machine)
of subprocesses:
- `python -m reconciler --help` vs `python -c "import click"` (target <= 1.5x);
- `python -m reconciler validate --no-env examples/` (examples/all-nine, then
  tests/fixtures/configs/good, when that does not pass) vs
  `python -c "import click, yaml, jsonschema"` (target <= 1.3x);
- validate of generated configurations of 100, 1,000 and 10,000 xero records with ~10
  fields each, and the growth ratios t(1000)/t(100) and t(10000)/t(1000), also net of
  the 100-record run, i.e. of start-up (linear: ~10x).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from measure import compile_package

ROOT = Path(__file__).resolve().parents[1]


# the variables tests/fixtures/configs/good refers to
FIXTURE_ENV = {
    "XERO_CLIENT_ID": "0A1B2C3D4E5F",
    "XERO_CLIENT_SECRET": "bench-secret",
    "QBO_CLIENT_SECRET": "bench-secret",
    "AVALARA_PASSWORD": "bench-secret",
    "SYNC_SWITCH": "true",
    "TOP_LEVEL": "12",
    "EXTRA_ENTITY": "payments",
    "INSTANCE_HOST": "acme.halopsa.com",
}


class Timing(NamedTuple):
    """Medians of one command's runs: wall time, and the child's CPU time (user + system),
    which a busy machine disturbs less."""

    wall: float
    cpu: float


def measure(
    args: list[str], runs: int, env: dict[str, str] | None = None, *, strict: bool = True
) -> Timing:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, env=env, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            failed = f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode().strip()}"
            if strict:
                raise SystemExit(failed)
            print(f"  note: {failed}")
            break
    return Timing(statistics.median(walls), statistics.median(cpus))


def show(label: str, t: Timing, floor: Timing | None = None, target: str = "") -> None:
    line = f"{label:<38}{t.wall * 1000:8.1f} ms wall {t.cpu * 1000:8.1f} ms cpu"
    if floor is not None:
        line += (
            f"   floor {floor.wall * 1000:6.1f} / {floor.cpu * 1000:6.1f} ms"
            f"   ratio {t.wall / floor.wall:4.2f}x wall, {t.cpu / floor.cpu:4.2f}x cpu ({target})"
        )
    print(line)


def generate(path: Path, count: int) -> None:
    """`count` xero records with distinct names and ten fields each."""
    lines = ["xero:"]
    for i in range(count):
        lines += [
            f"  - name: Tenant {i:05d}",
            f"    tenant_id: 6f1e2c1a-0000-4000-8000-{i:012d}",
            "    enablesync: true",
            "    sync_entities: [invoices, clients, payments]",
            "    client_id: ${BENCH_CLIENT_ID}",
            "    new_client_secret: ${BENCH_CLIENT_SECRET}",
            f"    client_top_level: {i % 7 + 1}",
            "    default_item_code: SERVICES",
            "    archive_contacts: false",
            "    redirect_uri: https://acme.halopsa.com/xero",
            "    lifecycle:",
            "      ignore_changes: [default_item_code]",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    compile_package()
    py = sys.executable
    env = dict(os.environ, BENCH_CLIENT_ID="bench-client", BENCH_CLIENT_SECRET="bench-secret")
    env.update(FIXTURE_ENV)

    print(f"medians of {runs} runs, {py}; load average {os.getloadavg()[0]:.2f}")
    floor = measure([py, "-c", "import click"], runs)
    show("floor: import click", floor)
    # Not strict: --help lists every command, and a command still being written may fail.
    helped = measure([py, "-m", "reconciler", "--help"], runs, strict=False)
    show("--help", helped, floor, "target <= 1.5x")

    # examples/ also holds CI pipelines, so `validate examples` may not pass as a whole:
    # then the example with one record of each of the nine types, then the good fixtures.
    target = ""
    for candidate in ("examples", "examples/all-nine", "tests/fixtures/configs/good"):
        probe = [py, "-m", "reconciler", "validate", "--no-env", candidate]
        if subprocess.run(probe, cwd=ROOT, capture_output=True, check=False).returncode == 0:
            target = candidate
            break
        print(f"  note: `validate {candidate}` does not pass as is")
    floor = measure([py, "-c", "import click, yaml, jsonschema"], runs)
    show("floor: import click, yaml, jsonschema", floor)
    took = measure([py, "-m", "reconciler", "validate", "--no-env", target], runs, env)
    show(f"validate {target}", took, floor, "target <= 1.3x")

    sizes = (100, 1_000, 10_000)
    timings: dict[int, Timing] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"xero-{size}.yaml"
            generate(path, size)
            timings[size] = measure([py, "-m", "reconciler", "validate", str(path)], runs, env)
            show(f"validate {size} records", timings[size])
    for kind in ("wall", "cpu"):
        t = {n: getattr(timings[n], kind) for n in sizes}
        print(
            f"growth ({kind}): t(1000)/t(100) {t[1_000] / t[100]:5.2f}x, "
            f"t(10000)/t(1000) {t[10_000] / t[1_000]:5.2f}x; net of the 100-record run "
            f"(start-up): {(t[10_000] - t[100]) / (t[1_000] - t[100]):5.2f}x (linear: ~10x)"
        )


if __name__ == "__main__":
    main()
