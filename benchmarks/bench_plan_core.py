"""build_plan, the keyed list diff and the renderers, timed in-process (medians).

    python benchmarks/bench_plan.py [--runs N]

Prints:
- build_plan for 100, 1,000 and 10,000 xero records (8 stated fields each, half of them
  changed, a fifth of the live records unmanaged) and the growth ratios (linear: ~10x);
- the keyed diff of one record with 10,000 client_mappings rows at 1 % and 10 % of rows
  differing, and, in the same run, DeepDiff(ignore_order=True) on 2,000 rows at 1 %
  (the approach STYLE §7 rules out) with the ratio per row;
- rendering the 1,000-record plan as text, Markdown and JSON.
"""

from __future__ import annotations

import argparse
import functools
import io
from datetime import UTC, datetime
from typing import Any

from measure import median

from reconciler.config.model import ConfigRecord, Configuration, Mark, Settings
from reconciler.plan import Instance, Plan, build_plan
from reconciler.render import render_plan

NOW = datetime(2024, 6, 1, tzinfo=UTC)
INSTANCE = Instance("https://bench.halopsa.com")


def records(n: int) -> tuple[Configuration, dict[str, list[dict[str, Any]]]]:
    config, live = [], []
    for i in range(n):
        name = f"Tenant {i:05}"
        fields: dict[str, object] = {
            "name": name,
            "tenant_id": f"6f1e2c1a-0000-4000-8000-{i:012}",
            "enablesync": True,
            "default_item_code": "SERVICES",
            "sync_entities": "invoices,clients,payments",
            "client_top_level": 1,
            "show_message": False,
            "isdefault": i == 0,
        }
        config.append(ConfigRecord("xero", name, None, fields, Mark("b.yaml", i + 1, 3)))
        row: dict[str, Any] = {"id": i + 1, **fields, "authorized": True, "_warning": None}
        if i % 2:
            row["enablesync"] = False
            row["sync_entities"] = "clients,invoices"
        live.append(row)
    live += [{"id": 10 * n + i, "name": f"Other {i}"} for i in range(n // 5)]
    return Configuration(records=tuple(config), settings=Settings()), {"xero": live}


def mapping_record(
    rows: int, share: float
) -> tuple[Configuration, dict[str, list[dict[str, Any]]]]:
    desired = [
        {"halo_id": i, "third_party_id": f"C-{i}", "third_party_type": "customer"}
        for i in range(rows)
    ]
    live_rows = [{"id": 90_000 + i, **r, "third_party_desc": "x"} for i, r in enumerate(desired)]
    live_rows.reverse()
    for r in live_rows[: int(rows * share)]:
        r["third_party_type"] = "supplier"
    fields = {"name": "S", "client_mappings": desired}
    config = Configuration(
        records=(ConfigRecord("sage_business_cloud", "S", None, fields, Mark("b.yaml", 1, 3)),)
    )
    return config, {"sage_business_cloud": [{"id": 1, "name": "S", "client_mappings": live_rows}]}


def plan(config: Configuration, live: dict[str, list[dict[str, Any]]]) -> Plan:
    return build_plan(config, live, instance=INSTANCE, now=NOW)


def _render(plan: Plan, fmt: str) -> None:
    render_plan(plan, io.StringIO(), format=fmt)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    print("build_plan (xero records, half changed):")
    timings = {}
    for n in (100, 1_000, 10_000):
        config, live = records(n)
        timings[n] = median(functools.partial(plan, config, live), runs)
        print(f"  {n:>6} records: {timings[n] * 1000:8.1f} ms")
    print(
        f"  growth t(1000)/t(100) = {timings[1_000] / timings[100]:.1f}x, "
        f"t(10000)/t(1000) = {timings[10_000] / timings[1_000]:.1f}x"
    )

    print("keyed diff, one record with 10,000 client_mappings rows:")
    for share in (0.01, 0.10):
        config, live = mapping_record(10_000, share)
        t = median(functools.partial(plan, config, live), runs)
        print(f"  {share:>4.0%} differing: {t * 1000:8.1f} ms")
    try:
        from deepdiff import DeepDiff  # the baseline only: the benchmark extra
    except ImportError:
        print("  DeepDiff baseline skipped: pip install '.[benchmark]'")
    else:
        config, live = mapping_record(2_000, 0.01)
        keyed = median(functools.partial(plan, config, live), runs)
        desired = config.records[0].fields["client_mappings"]
        live_rows = live["sage_business_cloud"][0]["client_mappings"]
        deep = median(lambda: DeepDiff(desired, live_rows, ignore_order=True), 1)
        print(
            f"  2,000 rows at 1 %: keyed (whole build_plan) {keyed * 1000:.1f} ms, "
            f"DeepDiff(ignore_order=True) {deep * 1000:.0f} ms: {deep / keyed:.0f}x slower"
        )

    config, live = records(1_000)
    big = plan(config, live)
    print("render the 1,000-record plan:")
    for fmt in ("text", "markdown", "json"):
        t = median(functools.partial(_render, big, fmt), runs)
        print(f"  {fmt:>8}: {t * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
