"""Plan timings against the sandbox (latency 0), and against octoDNS on the same YAML volume.

    python benchmarks/bench_plan.py [--runs N] [--quick]

Prints, for 10, 100, 1,000 and 10,000 xero records (8 fields each, 10 % of them differing
live) and for one business_central record with 10,000 client_mappings rows (1 %
differing):
- the median in-process time of `plan` (the CLI's own code path: load, one GET per type
  over real HTTP, diff, render text; interpreter start-up excluded) and the requests the
  sandbox saw (constant in the record count: the token and one GET per type);
- the growth ratio t(1000)/t(100) (target <= 11: linear);
- the median wall time of `python -m reconciler plan` as a subprocess, and of
  `octodns-sync` (plan only, no --doit) from a YamlProvider to a YamlProvider holding the
  same zone with 10 % of values changed, generated to the same YAML byte volume, their
  runs alternating; our time as a ratio of octoDNS's (target <= 0.5 at 1,000 and
  10,000). Without octoDNS installed
  (`pip install 'octodns>=1.4'`, the `benchmark` extra) the comparison is skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from measure import compile_package, environ, halo_env, median, medians

from reconciler.cli.main import main as cli_main
from reconciler.sandbox import SandboxHandle, start_in_thread

ROOT = Path(__file__).resolve().parents[1]


def _xero(i: int, *, live: bool) -> dict[str, Any]:
    differs = live and i % 10 == 0
    return {
        "name": f"Tenant {i:05d}",
        "tenant_id": f"6f1e2c1a-0000-4000-8000-{i:012d}",
        "enablesync": not differs,
        "sync_entities": "invoices,clients,payments",
        "client_top_level": i % 7 + 1,
        "default_item_code": "SERVICES",
        "archive_contacts": False,
        "redirect_uri": "https://acme.halopsa.com/xero",
    }


def records_case(directory: Path, h: SandboxHandle, count: int) -> None:
    """`count` xero records in the config and (10 % differing) in the sandbox."""
    lines = ["xero:"]
    for i in range(count):
        r = _xero(i, live=False)
        lines += [
            f"  - name: {r['name']}",
            f"    tenant_id: {r['tenant_id']}",
            "    enablesync: true",
            "    sync_entities: [invoices, clients, payments]",
            f"    client_top_level: {r['client_top_level']}",
            "    default_item_code: SERVICES",
            "    archive_contacts: false",
            "    redirect_uri: https://acme.halopsa.com/xero",
        ]
        h.store.create("xero", _xero(i, live=True))
    (directory / "xero.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def rows_case(directory: Path, h: SandboxHandle, count: int) -> None:
    """One business_central record with `count` client_mappings rows (1 % differing live)."""
    lines = ["business_central:", "  - name: BC", "    client_mappings:"]
    rows = []
    for i in range(count):
        lines += [
            f"      - halo_id: {i + 1}",
            f"        third_party_id: C-{i:05d}",
            "        table_id: 1",
            "        primary: false",
        ]
        rows.append(
            {
                "halo_id": i + 1,
                "third_party_id": f"C-{i:05d}",
                "table_id": 1,
                "primary": i % 100 == 0,
            }
        )
    h.store.create("business_central", {"name": "BC", "client_mappings": rows})
    (directory / "bc.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def in_process(directory: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        cli_main(["plan", str(directory)])
    if "Plan: " not in out.getvalue():
        raise SystemExit(f"plan failed:\n{out.getvalue()[-2000:]}")


def run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")


def octodns_zone(directory: Path, records: int, volume: int) -> Path:
    """A YamlProvider -> YamlProvider setup: `records` TXT records of about `volume` bytes
    in all; the target holds the same zone with 10 % of the values changed."""
    per_record = max(1, volume // records - len("h00000:\n  type: TXT\n  value: \n"))
    for side in ("config", "target"):
        (directory / side).mkdir()
        lines = []
        for i in range(records):
            value = f"v{i:05d}-" + "x" * per_record
            if side == "target" and i % 10 == 0:
                value = value.replace("x", "y", 1)
            lines += [f"h{i:05d}:", "  type: TXT", f"  value: {value[:per_record]}"]
        (directory / side / "example.com.yaml").write_text(
            "---\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
    config = directory / "octodns.yaml"
    config.write_text(
        "providers:\n"
        "  config:\n    class: octodns.provider.yaml.YamlProvider\n"
        f"    directory: {directory / 'config'}\n"
        "  target:\n    class: octodns.provider.yaml.YamlProvider\n"
        f"    directory: {directory / 'target'}\n"
        "zones:\n  example.com.:\n    sources: [config]\n    targets: [target]\n",
        encoding="utf-8",
    )
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    parser.add_argument("--quick", action="store_true", help="skip the 10,000 cases")
    args = parser.parse_args()
    compile_package()
    # Run octoDNS with this interpreter, as ours is (a pyenv shim would add ~80 ms to it).
    octodns_sync = importlib.util.find_spec("octodns") is not None
    cases: list[tuple[str, int, Callable[[Path, SandboxHandle, int], None], bool]] = [
        ("records", 10, records_case, False),
        ("records", 100, records_case, False),
        ("records", 1000, records_case, True),
    ]
    if not args.quick:
        cases += [("records", 10000, records_case, True), ("rows", 10000, rows_case, True)]
    timings: dict[tuple[str, int], float] = {}
    print(f"plan against the sandbox (latency 0), medians of {args.runs} runs")
    print(
        f"{'case':>16} {'YAML KB':>8} {'in-process s':>13} {'requests':>9}"
        f" {'CLI s':>7} {'octoDNS s':>10} {'ratio':>6}"
    )
    for kind, count, build, compare in cases:
        with tempfile.TemporaryDirectory() as tmp, start_in_thread() as h:
            directory = Path(tmp) / "config"
            directory.mkdir()
            build(directory, h, count)
            volume = sum(p.stat().st_size for p in directory.iterdir())
            env = {**os.environ, **halo_env(h)}
            with environ(halo_env(h)):
                runs = args.runs if count <= 1000 else max(3, args.runs // 2)
                in_process(directory)  # warm imports and schema caches
                h.log.clear()
                in_process(directory)
                requests = len(h.log.entries())
                timings[(kind, count)] = median(in_process, runs, directory)
            ours = ratio = theirs = ""
            if compare:
                cli = [sys.executable, "-m", "reconciler", "plan", str(directory)]
                calls = [functools.partial(run, cli, env, ROOT)]
                if octodns_sync:
                    zone = Path(tmp) / "octodns"
                    zone.mkdir()
                    config = octodns_zone(zone, count, volume)
                    sync = [sys.executable, "-m", "octodns.cmds.sync", "--config-file", str(config)]
                    calls.append(functools.partial(run, sync, env, zone))
                # Ours and octoDNS's runs alternate, so host noise moves both alike.
                ours_s, *rest = medians(calls, runs)
                ours = f"{ours_s:.3f}"
                if rest:
                    theirs, ratio = f"{rest[0]:.3f}", f"{ours_s / rest[0]:.2f}"
            label = f"{count:,} {kind}"
            print(
                f"{label:>16} {volume / 1024:>8.0f} {timings[(kind, count)]:>13.3f} {requests:>9}"
                f" {ours:>7} {theirs:>10} {ratio:>6}"
            )
    growth = timings[("records", 1000)] / timings[("records", 100)]
    print(f"growth t(1000)/t(100) = {growth:.1f} (target <= 11)")
    if ("records", 10000) in timings:
        growth = timings[("records", 10000)] / timings[("records", 1000)]
        print(f"growth t(10000)/t(1000) = {growth:.1f}")
    if not octodns_sync:
        print("octoDNS is not installed (pip install 'octodns>=1.4'): comparison skipped")


if __name__ == "__main__":
    main()
