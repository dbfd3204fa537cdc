"""Properties (hypothesis): diff(x, x) is empty, permutations are no change, normalisation
is idempotent, a plan survives its JSON round trip and validates against its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_factories import cfg, plan_of, rec

from reconciler.plan import Plan
from reconciler.plan.diff import diff_record
from reconciler.plan.normalise import normalise, same
from reconciler.registry import KEYS, ElementSpec, FieldSpec, spec
from reconciler.sensitive import Sensitive, reveal

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
PROPS = settings(max_examples=40, deadline=None)
WORDS = st.sampled_from(["invoices", "clients", "payments", "items", "Suppliers", "po"])


def _scalar(field: FieldSpec) -> st.SearchStrategy[Any]:
    if field.comma_list:
        return st.lists(WORDS, max_size=5).map(",".join)
    if field.date_time:
        return st.datetimes().map(lambda d: d.isoformat() + "Z")
    if "boolean" in field.json_types:
        return st.booleans()
    if "integer" in field.json_types:
        return st.integers(-(2**31), 2**31 - 1)
    return st.text(max_size=12)


def _plain_fields(fields: dict[str, FieldSpec]) -> list[FieldSpec]:
    return [
        f
        for f in fields.values()
        if f.configurable and not f.write_only and f.json_types <= {"boolean", "integer", "string"}
    ]


def _rows(element: ElementSpec) -> st.SearchStrategy[list[dict[str, Any]]]:
    extra = {
        f.name: st.none() | _scalar(f)
        for f in _plain_fields(dict(element.fields))
        if f.name not in element.identity
    }
    ident = {
        n: st.integers(0, 50) if "integer" in element.fields[n].json_types else st.text(max_size=3)
        for n in element.identity
    }
    row = st.fixed_dictionaries(ident, optional=extra)
    key = lambda r: tuple(normalise(r.get(n)) for n in element.identity)  # noqa: E731
    return st.lists(row, max_size=6, unique_by=key)


def _value(field: FieldSpec) -> st.SearchStrategy[Any]:
    if field.element is not None:
        return _rows(field.element)
    if field.write_only:
        source = f"${{{field.name.upper()}}}"
        return st.text(max_size=8).map(lambda v: Sensitive(f"CANARY-{v}", source))
    return st.none() | _scalar(field)


@st.composite
def records(draw: st.DrawFn, key: str | None = None) -> tuple[str, dict[str, Any]]:
    """A type key and a record of configurable fields (write-only ones Sensitive)."""
    type_key = key or draw(st.sampled_from(KEYS))
    tspec = spec(type_key)
    fields = [
        f
        for f in tspec.fields.values()
        if f.configurable
        and f.name != tspec.identity
        and (f.element or f.json_types <= {"boolean", "integer", "string"})
    ]
    chosen = draw(st.lists(st.sampled_from(fields), max_size=8, unique_by=lambda f: f.name))
    values = {f.name: draw(_value(f)) for f in chosen}
    values[tspec.identity] = draw(st.text(min_size=1, max_size=10))
    return type_key, values


@PROPS
@given(records())
def test_diff_of_a_record_with_itself_is_empty(drawn: tuple[str, dict[str, Any]]) -> None:
    type_key, fields = drawn
    identity = fields[spec(type_key).identity]
    live = {"id": 1, **{k: reveal(v) for k, v in fields.items()}}
    found = diff_record(spec(type_key), rec(type_key, identity, fields), live)
    assert found.changes == ()
    assert found.problems == ()


@PROPS
@given(records("sage_business_cloud"), st.randoms(use_true_random=False))
def test_permuted_lists_are_no_change(drawn: tuple[str, dict[str, Any]], rnd: Any) -> None:
    type_key, fields = drawn
    live: dict[str, Any] = {"id": 1, **{k: reveal(v) for k, v in fields.items()}}
    for name, value in fields.items():
        field = spec(type_key).fields[name]
        if field.comma_list and isinstance(value, str):
            items = value.split(",")
            rnd.shuffle(items)
            live[name] = " , ".join(items)
        elif field.element is not None:
            rows = list(value)
            rnd.shuffle(rows)
            live[name] = [dict(reversed(list(r.items()))) for r in rows]
    found = diff_record(spec(type_key), rec(type_key, fields["name"], fields), live)
    assert found.changes == ()


@st.composite
def field_values(draw: st.DrawFn) -> tuple[FieldSpec, Any]:
    tspec = spec(draw(st.sampled_from(KEYS)))
    field = draw(st.sampled_from([f for f in tspec.fields.values() if f.configurable]))
    if field.element or field.json_types <= {"boolean", "integer", "string"}:
        return field, draw(_value(field))
    return field, draw(st.none() | st.text(max_size=5))


@PROPS
@given(field_values())
def test_normalisation_is_idempotent(drawn: tuple[FieldSpec, Any]) -> None:
    field, value = drawn
    once = normalise(value, field)
    assert same(normalise(once, field), once)


@PROPS
@given(records("xero"), records("xero"), st.booleans())
def test_plan_survives_json_round_trip_and_validates(
    desired: tuple[str, dict[str, Any]], other: tuple[str, dict[str, Any]], prune: bool
) -> None:
    _, fields = desired
    _, live_fields = other
    name = fields["name"]
    live = {
        "xero": [
            {"id": 1, **{k: reveal(v) for k, v in live_fields.items()}, "name": name},
            {"id": 2, "name": name + " (old)"},
        ]
    }
    config = cfg(rec("xero", name, fields), rec("xero", "New", fields | {"name": "New"}))
    if prune:
        config = cfg(*config.records, prune=["xero"], max_deletes=0)
    plan = plan_of(config, live)
    doc = json.loads(json.dumps(plan.to_json()))
    VALIDATOR.validate(doc)
    loaded = Plan.from_json(doc)
    assert loaded == plan
    assert loaded.digest == plan.digest
    assert "CANARY-" not in json.dumps(doc, ensure_ascii=False)
