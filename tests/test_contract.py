"""The registry, the schemas, config.schema.json and HaloPSA's own OpenAPI models agree.

- every property of every model in HaloPSA's OpenAPI models is in the type's schema with
  a compatible type. The models are a copy inside the project,
  tests/fixtures/halo-openapi-subset.json, so a fresh clone runs these tests too; when
  the shared API reference sits beside the checkout (../shared/api/), the copy must be
  identical to it;
- every schema is valid JSON Schema draft 2020-12;
- registry.KEYS == the type schema files == config.schema.json's type keys;
- config.schema.json's record properties == the configurable fields + id/ensure/lifecycle;
- what `validate` accepts, config.schema.json (the editors' view) accepts too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from reconciler import registry

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
OPENAPI = ROOT / "tests" / "fixtures" / "halo-openapi-subset.json"
SHARED_OPENAPI = ROOT.parent / "shared" / "api" / "halo-openapi-subset.json"
NOT_TYPES = {"config", "plan", "status"}  # schema files that describe no resource type
KEYWORDS = {"id", "ensure", "lifecycle"}


def _schema(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text("utf-8"))
    return doc


def _openapi() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(OPENAPI.read_text("utf-8"))
    models: dict[str, Any] = doc["schemas"]
    return models


def test_the_copy_of_halos_models_is_the_shared_reference() -> None:
    """The copy the contract is checked against has not drifted from ../shared/api/.

    Without ../shared beside the checkout (a fresh clone) there is nothing to compare
    with; the contract tests still run, against the copy.
    """
    if SHARED_OPENAPI.is_file():
        assert OPENAPI.read_bytes() == SHARED_OPENAPI.read_bytes(), (
            f"{OPENAPI} differs from {SHARED_OPENAPI}: copy the shared file over it"
        )


def _json_types(prop: dict[str, Any]) -> set[str]:
    """The JSON types a schema property allows ($ref counts as "object")."""
    if "anyOf" in prop:
        kinds: set[str] = set()
        for option in prop["anyOf"]:
            kinds |= {"object"} if "$ref" in option else _json_types(option)
        return kinds
    raw = prop.get("type", "object")
    return set(raw) if isinstance(raw, list) else {raw}


def _ref_name(prop: dict[str, Any]) -> str | None:
    for option in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
        if "$ref" in option:
            return str(option["$ref"]).rsplit("/", 1)[1]
    return None


def _compatible(model: str, name: str, halo: dict[str, Any], ours: dict[str, Any]) -> None:
    where = f"{model}.{name}"
    kinds = _json_types(ours)
    if "$ref" in halo:
        assert _ref_name(ours) == _ref_name(halo), where
        return
    expected = halo["type"]
    assert expected in kinds, f"{where}: {expected} not in {kinds}"
    if halo.get("nullable"):
        assert "null" in kinds, f"{where} is nullable in HaloPSA's model"
    if expected == "array":
        items = halo["items"]
        if "$ref" in items:
            assert _ref_name(ours) == _ref_name(items), where
        else:
            assert ours["items"]["type"] == items["type"], where
    if halo.get("format") == "date-time":
        assert ours.get("format") == "date-time", where
    if "maxLength" in halo:
        assert ours.get("maxLength") == halo["maxLength"], where
    if "enum" in halo:
        assert ours.get("enum") == halo["enum"], where


@pytest.mark.parametrize("key", registry.KEYS)
def test_every_halo_property_is_in_the_schema(key: str) -> None:
    models = _openapi()
    schema = _schema(key)
    model = schema["x-halo-model"]
    halo = models[model]["properties"]
    ours = schema["properties"]
    assert set(halo) <= set(ours), f"{model}: missing {sorted(set(halo) - set(ours))}"
    for name, prop in halo.items():
        _compatible(model, name, prop, ours[name])
    # nested models the schema carries in $defs: the same, property by property
    for name, definition in schema.get("$defs", {}).items():
        nested = models[name]
        if "properties" not in nested:  # an enum (WebhookSubscriptionAction)
            assert definition.get("enum") == nested["enum"], name
            continue
        assert set(nested["properties"]) <= set(definition["properties"]), name
        for field, prop in nested["properties"].items():
            _compatible(name, field, prop, definition["properties"][field])


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_draft_2020_12(path: Path) -> None:
    doc = json.loads(path.read_text("utf-8"))
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


def test_registry_schema_files_and_config_schema_name_the_same_types() -> None:
    files = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    config_types = set(_schema("config")["properties"]) - {"settings"}
    assert set(registry.KEYS) == files - NOT_TYPES == config_types
    assert list(_schema("config")["properties"])[: len(registry.KEYS)] == list(registry.KEYS)
    for key in registry.KEYS:
        assert _schema(key)["x-halo-key"] == key
        assert _schema(key)["x-halo-path"] == registry.BY_KEY[key].path


@pytest.mark.parametrize("key", registry.KEYS)
def test_config_schema_records_hold_the_configurable_fields(key: str) -> None:
    record = _schema("config")["$defs"][key]
    assert set(record["properties"]) == set(registry.spec(key).configurable()) | KEYWORDS
    assert record["additionalProperties"] is False


class _Yaml12Loader(yaml.SafeLoader):
    """What an editor's YAML 1.2 language server sees: date-times stay strings."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

GOOD = sorted((ROOT / "tests" / "fixtures" / "configs" / "good").rglob("*.y*ml"))


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_fixtures_pass_the_editor_schema(path: Path) -> None:
    validator = Draft202012Validator(_schema("config"))
    document = yaml.load(path.read_text("utf-8"), Loader=_Yaml12Loader)
    errors = [f"{list(e.absolute_path)}: {e.validator}" for e in validator.iter_errors(document)]
    assert errors == []


# Read-only names of the connected account itself, not of an id the configuration sets.
REMOTE_LABELS = {"tenant_name", "company_name", "environment_name"}
PACKAGE_SOURCE = "/IntegrationData/Get/"


@pytest.mark.parametrize("key", registry.KEYS)
def test_every_name_companion_is_paired_with_a_lookup(key: str) -> None:
    """Every `*_name` HaloPSA computes beside an id names its id field's x-halo-lookup, and
    every lookup reads one of HaloPSA's own lists or the package's, asking a datatype."""
    fields = registry.spec(key).fields
    paired = {}
    for name, fs in fields.items():
        lookup = fs.lookup
        if lookup is None:
            continue
        assert fs.configurable, f"{key}.{name}: a lookup on a field nobody configures"
        if lookup.halo_side:
            assert lookup.query == (), f"{key}.{name}"
        else:
            assert lookup.source.startswith(PACKAGE_SOURCE), f"{key}.{name}: {lookup.source}"
            assert dict(lookup.query).get("datatype"), f"{key}.{name}: which list?"
        if lookup.field is not None:  # a mapping array: its rows' halo_id is looked up
            assert fs.element is not None
            row = fs.element.fields[lookup.field]
            assert row.lookup == lookup
            assert lookup.name is not None and fs.element.fields[lookup.name].read_only
        elif lookup.name is not None:
            assert fields[lookup.name].read_only, f"{key}.{lookup.name}"
            paired[lookup.name] = name
    companions = {
        n
        for n, fs in fields.items()
        if fs.read_only and n.endswith("name") and n not in REMOTE_LABELS
    }
    assert companions == set(paired), f"{key}: *_name fields without a lookup"


@pytest.mark.parametrize("key", registry.KEYS)
def test_config_schema_accepts_a_name_wherever_a_lookup_is(key: str) -> None:
    record = _schema("config")["$defs"][key]["properties"]
    ref = {"$ref": "#/$defs/name_ref"}
    for name, fs in registry.spec(key).fields.items():
        if fs.lookup is None:
            assert ref not in record.get(name, {}).get("anyOf", []), name
        elif fs.lookup.field is not None:
            assert ref in record[name]["items"]["properties"][fs.lookup.field]["anyOf"], name
        else:
            assert ref in record[name]["anyOf"], name
