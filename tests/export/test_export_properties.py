"""Properties: any live records -> export -> load -> plan against the same records is empty.

Live records are generated from the registry's specs: arbitrary text (YAML-hostile, with
`${`), numbers, booleans, nulls, comma lists, mapping rows (nested, sometimes sharing an
identity), duplicated or empty identities, and now and then a value of the wrong type.
Whatever export cannot state it leaves out (with a note), so it is never a change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.config.interpolation import interpolate
from reconciler.config.loader import load
from reconciler.export import Origin, export_document
from reconciler.export.emitter import escape_references, scalar
from reconciler.live import sanitise
from reconciler.plan import Instance, build_plan
from reconciler.registry import KEYS, ElementSpec, FieldSpec, spec

ORIGIN = Origin("https://acme.halopsa.com", "acme")
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["yes", "No", "0012", "1:30", "~", "null", "2024-01-01", "${X}", "$${Y}"]),
    st.text(alphabet="ab ,:#-${}'\"\\\n", max_size=8),
)
date_times = st.one_of(
    st.sampled_from(["2024-03-31T00:00:00Z", "2024-03-31 08:15", "2024-03-31T08:15:00.1234567"]),
    text,
)


def _value(fs: FieldSpec, depth: int) -> st.SearchStrategy[Any]:
    if fs.element is not None and depth < 2:
        return st.one_of(st.none(), st.lists(_row(fs.element, depth + 1), max_size=3))
    kinds = fs.json_types
    if "boolean" in kinds:
        good: st.SearchStrategy[Any] = st.booleans()
    elif "integer" in kinds:
        good = st.integers(min_value=-(2**31), max_value=2**31 - 1)
    elif fs.date_time:
        good = date_times
    elif fs.comma_list:
        good = st.lists(text, max_size=4).map(",".join)
    else:
        good = text
    wrong = st.sampled_from([1.5, "text", True, [1], {"a": 1}])
    return st.one_of(st.none(), good, good, good, wrong)


def _row(element: ElementSpec, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    names = [n for n, f in element.fields.items() if f.configurable and not f.write_only]
    optional = {n: _value(element.fields[n], depth) for n in names}
    identity = {n: st.sampled_from([1, 2, "C-1", "", None]) for n in element.identity}
    optional.update(identity)
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def live_records(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    key = draw(st.sampled_from(KEYS))
    ts = spec(key)
    names = [n for n, f in ts.fields.items() if f.configurable and n != ts.identity]
    count = draw(st.integers(min_value=1, max_value=3))
    identities = draw(
        st.lists(
            st.sampled_from(["Acme NZ", "", "Dup", "yes"]) | text, min_size=count, max_size=count
        )
    )
    records = []
    for i, ident in enumerate(identities, start=1):
        chosen = draw(st.lists(st.sampled_from(names), max_size=6, unique=True))
        record: dict[str, Any] = {"id": i, ts.identity: ident}
        for name in chosen:
            record[name] = draw(_value(ts.fields[name], 0))
        records.append(record)
    return key, records


@SETTINGS
@given(live=live_records())
def test_export_then_plan_against_the_same_records_has_no_changes(
    live: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    key, raw = live
    records = sanitise(key, raw)
    exported = export_document({key: records}, ORIGIN)
    path = tmp_path / "exported.yaml"
    path.write_text(exported.text, encoding="utf-8")
    config = load([path], env={})
    plan = build_plan(config, {key: records}, instance=Instance(ORIGIN.url, ORIGIN.tenant))
    assert not plan.has_changes, (exported.text, plan.to_json()["resource_changes"])
    assert plan.summary.unmanaged == 0


@SETTINGS
@given(value=st.text())
def test_any_string_loads_back_as_written(value: str) -> None:
    written = scalar(value)
    loaded = yaml.safe_load(f"key: {written}\n")["key"]
    assert loaded == escape_references(value)
    resolved = interpolate(loaded, {})
    assert (resolved.text if resolved is not None else loaded) == value


@SETTINGS
@given(value=st.text(alphabet=st.characters(blacklist_characters=","), max_size=10))
def test_any_flow_item_loads_back_as_written(value: str) -> None:
    loaded = yaml.safe_load(f"key: [{scalar(value, flow=True)}]\n")["key"]
    assert loaded == [escape_references(value)]
