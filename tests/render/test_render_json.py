"""The JSON renderer: the plan document, valid against schemas/plan.schema.json."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
from render_sample import sample_plan

from reconciler.plan import Plan
from reconciler.plan.model import PlanWarning
from reconciler.render import FORMATS, render_plan
from reconciler.render import json as json_render

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "plan.schema.json").read_text("utf-8")
)


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_rendered_plan_validates_and_round_trips() -> None:
    plan = sample_plan()
    buf = io.StringIO()
    json_render.render(plan, buf)
    text = buf.getvalue()
    assert text.endswith("}\n")
    doc = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert Plan.from_json(doc) == plan
    assert doc["digest"] == plan.digest


def test_a_warning_about_a_whole_type_validates() -> None:
    # SPEC §11: a warning may name a type alone (e.g. `kashflow`), not a record.
    plan = replace(sample_plan(), warnings=(PlanWarning("kashflow", "a whole-type warning"),))
    buf = io.StringIO()
    json_render.render(plan, buf)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(buf.getvalue()))
    doc = json.loads(buf.getvalue())
    doc["warnings"][0]["address"] = "Kashflow!"
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))


def test_schema_rejects_a_secret_value_in_a_sensitive_change() -> None:
    doc = sample_plan().to_json()
    sensitive = next(c for rc in doc["resource_changes"] for c in rc["changes"] if c["sensitive"])
    sensitive["after"] = "leaked"
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    assert errors


def test_render_plan_dispatches_by_format() -> None:
    assert FORMATS == ("text", "json", "markdown")
    buf = io.StringIO()
    render_plan(sample_plan(), buf, format="json")
    assert json.loads(buf.getvalue())["format_version"] == "1"
    try:
        render_plan(sample_plan(), buf, format="yaml")
    except ValueError as exc:
        assert str(exc) == "unknown plan format 'yaml'; use one of text, json, markdown"
    else:
        raise AssertionError("expected ValueError")
