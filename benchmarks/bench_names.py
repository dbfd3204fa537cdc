"""Plan time with mapping rows named by client name, as a ratio to the same plan with ids.

    python benchmarks/bench_names.py [--runs N] [--rows 1000] [--clients 5000] [--latency-ms N]

A sandbox (latency 0 unless --latency-ms) holds 5,000 clients and one business_central record. The
configuration states 1,000 client_mappings rows, once with `halo_id: 1234` and once with
`halo_id: {name: "Client 01234"}`. Two cases:
- unchanged: live already holds the rows. With ids the plan reads no lookup list; with
  names it must read /Client (5,000 clients: 50 pages of 100) to resolve them.
- all new: live holds no rows. Both plans read /Client once (names and reference
  checks of the added rows); names also resolve 1,000 names against it.
Prints the median in-process plan time of each (the CLI's code path: load, requests over
real HTTP, resolve, diff, names, render text), the requests the sandbox saw, and the
ratio names / ids measured in the same run with the runs alternating (target <= 1.3).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import tempfile
from pathlib import Path

from measure import compile_package, environ, halo_env, medians

from reconciler.cli.main import main as cli_main
from reconciler.sandbox import Faults, SandboxHandle, start_in_thread


def _config(directory: Path, rows: int, *, names: bool) -> Path:
    lines = ["business_central:", "  - name: BC", "    client_mappings:"]
    for i in range(rows):
        client = 1 + (i * 7) % 5000  # spread over the client list
        halo_id = f'{{name: "Client {client:05d}"}}' if names else str(client)
        lines += [f"      - halo_id: {halo_id}", f"        third_party_id: C-{i:05d}"]
    path = directory / ("names" if names else "ids")
    path.mkdir()
    (path / "bc.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _live_rows(rows: int) -> list[dict[str, object]]:
    return [
        {"halo_id": 1 + (i * 7) % 5000, "third_party_id": f"C-{i:05d}", "table_id": 1}
        for i in range(rows)
    ]


def plan(directory: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        cli_main(["plan", str(directory)])
    text = out.getvalue()
    if "Plan: " not in text:
        raise SystemExit(f"plan failed:\n{text[-2000:]}")
    return text


def requests(h: SandboxHandle, directory: Path) -> int:
    h.log.clear()
    plan(directory)
    return len(h.log.entries())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per median (default 7)")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=5000)
    parser.add_argument(
        "--latency-ms", type=int, default=0, help="sandbox latency per request (default 0)"
    )
    args = parser.parse_args()
    compile_package()
    print(
        f"plan of {args.rows:,} client_mappings rows against a sandbox with "
        f"{args.clients:,} clients (latency {args.latency_ms} ms), medians of {args.runs}"
        " alternating runs"
    )
    print(f"{'case':>10} {'ids s':>8} {'req':>5} {'names s':>8} {'req':>5} {'ratio':>6}")
    for case, live_rows in (("unchanged", _live_rows(args.rows)), ("all new", [])):
        faults = Faults(latency_ms=args.latency_ms)
        with tempfile.TemporaryDirectory() as tmp, start_in_thread(faults=faults) as h:
            clients = {str(i): f"Client {i:05d}" for i in range(1, args.clients + 1)}
            h.store.set_lookup("client", clients)
            h.store.create("business_central", {"name": "BC", "client_mappings": live_rows})
            ids = _config(Path(tmp), args.rows, names=False)
            named = _config(Path(tmp), args.rows, names=True)
            with environ(halo_env(h)):
                assert plan(ids) == plan(named)  # the same plan, however it is written
                counts = (requests(h, ids), requests(h, named))
                calls = [functools.partial(plan, ids), functools.partial(plan, named)]
                t_ids, t_names = medians(calls, args.runs)
            print(
                f"{case:>10} {t_ids:>8.3f} {counts[0]:>5} {t_names:>8.3f} {counts[1]:>5}"
                f" {t_names / t_ids:>6.2f}"
            )
    print("target: ratio <= 1.3")


if __name__ == "__main__":
    main()
