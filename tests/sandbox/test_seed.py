"""Seeds: the bundled one, the configuration's shape, errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SandboxError
from reconciler.registry import KEYS, spec
from reconciler.sandbox.lookups import KINDS, name_sources
from reconciler.sandbox.seed import bundled_seed_path, load_seed, parse_seed

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundled_seed_is_the_example_file() -> None:
    assert bundled_seed_path() == ROOT / "examples" / "sandbox-seed.yaml"
    seed = load_seed(bundled_seed_path())
    assert {k: len(v) for k, v in seed.records.items()} == {
        "xero": 3,
        "quickbooks": 1,
        "avalara": 1,
        "myob": 1,
        "business_central": 1,
    }
    assert seed.records["xero"][0]["sync_entities"] == "invoices"


def test_ids_are_assigned_after_stated_ones() -> None:
    from reconciler.sandbox.store import Store

    store = Store.open(None, {"xero": [{"name": "a"}, {"id": 5, "name": "b"}, {"name": "c"}]})
    assert [(r["id"], r["name"]) for r in store.list("xero")] == [(5, "b"), (6, "a"), (7, "c")]


def test_lookups_name_fields() -> None:
    from reconciler.sandbox.store import Store

    store = Store.open(
        None,
        {
            "xero": [{"name": "a", "client_top_level": 12}],
            "lookups": {"top_level": {12: "Managed"}},
        },
    )
    assert store.list("xero")[0]["client_top_level_name"] == "Managed"


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(
        "zoho: []\n"
        "xero:\n"
        "  - name: 5\n"
        "    colour: red\n"
        "  - just text\n"
        "  - {id: 1}\n"
        "  - {id: 1}\n"
        "quickbooks: {}\n"
        "lookups: {planets: {}}\n"
        "settings: {prune: [xero]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SandboxError) as info:
        load_seed(path)
    assert str(info.value) == (
        f"{path}: the sandbox seed is invalid:\n"
        '  unknown resource type "zoho" (expected one of xero, quickbooks, sage_business_cloud, '
        "myob, kashflow, fortnox, exact, business_central, avalara)\n"
        "  xero[0].name: expected a string or null, got an integer\n"
        '  xero[0].colour: XeroDetails has no field "colour"\n'
        "  xero[1]: expected a mapping\n"
        "  xero: the same id is given twice\n"
        "  quickbooks: expected a list of records\n"
        '  lookups: unknown table "planets" (expected one of top_level, item_group, tax_code, '
        "account, item, tracking_category, division, customer, custom_field, client, supplier)"
    )


def test_malformed_yaml_says_where(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("xero:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(SandboxError) as info:
        load_seed(path)
    assert str(info.value).startswith(f"{path}:3:1: the sandbox seed is not valid YAML (")


def test_a_missing_seed_file(tmp_path: Path) -> None:
    with pytest.raises(SandboxError) as info:
        load_seed(tmp_path / "none.yaml")
    assert str(info.value) == (
        f"cannot read the sandbox seed {tmp_path / 'none.yaml'}: No such file or directory"
    )


def test_an_empty_seed_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert load_seed(path).records == {}
    with pytest.raises(SandboxError, match="a sandbox seed must be a mapping"):
        parse_seed([], "x")


@pytest.mark.parametrize("key", KEYS)
def test_name_sources_match_the_schemas(key: str) -> None:
    fields = spec(key).fields
    for name_field, (source, kind) in name_sources(key).items():
        assert fields[name_field].read_only, name_field
        assert fields[source].configurable, source
        assert kind in KINDS
