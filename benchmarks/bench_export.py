"""Export timings against the sandbox (latency 0).

    python benchmarks/bench_export.py [--runs N]

Prints medians of:
- `export --out DIR` of the fully populated seed (two records of each of the nine types,
  every configurable field set, mapping arrays with rows; tests/export/export_support.py)
  in-process and as a `python -m reconciler` subprocess, with the YAML written;
- the same for one business_central record with 10,000 client_mappings rows (every
  configurable row field set), and the time of the YAML writing alone (export_files);
- the requests the sandbox saw (one GET per type, whatever the volume).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from measure import compile_package, environ, halo_env, median

from reconciler.cli.main import main as cli_main
from reconciler.export import Origin, export_files
from reconciler.live import sanitise
from reconciler.registry import spec
from reconciler.sandbox import SandboxHandle, start_in_thread

ROOT = Path(__file__).resolve().parents[1]


def _support() -> Any:
    """tests/export/export_support.py: the same fully populated records the tests use."""
    where = ROOT / "tests" / "export" / "export_support.py"
    found = importlib.util.spec_from_file_location("export_support", where)
    assert found is not None and found.loader is not None
    module = importlib.util.module_from_spec(found)
    sys.modules["export_support"] = module  # dataclasses look their module up
    found.loader.exec_module(module)
    return module


SUPPORT = _support()

SECRET = "bench-secret"


def seed_full(h: SandboxHandle) -> list[str]:
    for key, records in SUPPORT.full_seed(SECRET).items():
        for record in records:
            h.store.create(key, record)
    return []


def seed_rows(h: SandboxHandle) -> list[str]:
    element = spec("business_central").fields["client_mappings"].element
    assert element is not None
    rows = [SUPPORT.element_row(element, i, SECRET) for i in range(1, 10_001)]
    h.store.create("business_central", {"name": "BC", "client_mappings": rows})
    return ["--type", "business_central"]


def export_in_process(args: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        contextlib.suppress(SystemExit),
    ):
        cli_main(args)
    if "Wrote " not in out.getvalue():
        raise SystemExit(f"export failed: {err.getvalue()}")


def run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    args = parser.parse_args()
    compile_package()
    print(f"export against the sandbox (latency 0), medians of {args.runs} runs")
    print(
        f"{'case':>24} {'YAML KB':>8} {'in-process s':>13} {'CLI s':>7} {'YAML only s':>12}"
        f" {'requests':>9}"
    )
    cases = [("full seed, 9 types", seed_full), ("10,000 mapping rows", seed_rows)]
    for label, seed in cases:
        with tempfile.TemporaryDirectory() as tmp, start_in_thread() as h:
            extra = seed(h)
            env = {**os.environ, **halo_env(h)}
            out = Path(tmp) / "out"
            cli = ["export", "--out", str(out), "--force", *extra]
            with environ(halo_env(h)):
                export_in_process(cli)  # warm caches
                h.log.clear()
                export_in_process(cli)
                requests = len(h.log.entries())
                inproc = median(export_in_process, args.runs, cli)
            sub = median(run, args.runs, [sys.executable, "-m", "reconciler", *cli], env)
            volume = sum(p.stat().st_size for p in out.iterdir())
            keys = [k for k, n in h.store.counts().items() if n]
            live = {k: sanitise(k, h.store.list(k)) for k in keys}
            origin = Origin(h.url, None)
            yaml_only = median(export_files, args.runs, live, origin)
            print(
                f"{label:>24} {volume / 1024:>8.0f} {inproc:>13.3f} {sub:>7.3f} {yaml_only:>12.3f}"
                f" {requests:>9}"
            )


if __name__ == "__main__":
    main()
