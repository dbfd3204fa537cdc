"""The loader in-process: interpolation, marks, comma lists, typed ${NAME}, files, wording."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from reconciler.config import load
from reconciler.config.interpolation import UNRESOLVED, interpolate
from reconciler.config.loader import find_files
from reconciler.config.model import ConfigRecord, Ensure, Mark
from reconciler.config.source import parse
from reconciler.config.wording import quote
from reconciler.errors import ConfigError, Issue
from reconciler.jsontypes import is_date_time
from reconciler.sensitive import Sensitive, env_variable


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> str:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return str(tmp_path / name)


def _one(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigRecord:
    config = load([_write(tmp_path, text)], env=env if env is not None else {})
    assert len(config.records) == 1
    return config.records[0]


def _issues(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load([path], env=env if env is not None else {})
    return [str(i).replace(path, "c.yaml") for i in info.value.issues]


# --- interpolation -------------------------------------------------------------------------


def test_interpolate_plain_text_is_untouched() -> None:
    assert interpolate("no references $ here {}", {}) is None


def test_interpolate_whole_reference() -> None:
    ip = interpolate("${A}", {"A": "1"})
    assert ip is not None
    assert (ip.text, ip.names, ip.whole, ip.missing, ip.malformed) == ("1", ("A",), "A", (), False)


def test_interpolate_several_references_and_escapes() -> None:
    ip = interpolate("$${A}-${A}-${B_2}/$5", {"A": "x", "B_2": "y"})
    assert ip is not None
    assert ip.text == "${A}-x-y/$5"
    assert ip.names == ("A", "B_2")
    assert ip.whole is None


def test_interpolate_escape_only_is_not_sensitive() -> None:
    ip = interpolate("$${HOME}", {"HOME": "/root"})
    assert ip is not None
    assert (ip.text, ip.names, ip.sensitive) == ("${HOME}", (), False)


@pytest.mark.parametrize("text", ["${", "${}", "${1A}", "${A-B}", "x ${A", "${ A}"])
def test_interpolate_malformed(text: str) -> None:
    ip = interpolate(text, {"A": "1"})
    assert ip is not None and ip.malformed


def test_interpolate_missing_and_unresolved() -> None:
    ip = interpolate("${A}${B}${B}", {"A": "1"})
    assert ip is not None and ip.missing == ("B",)
    ip = interpolate("${A}", None)
    assert ip is not None
    assert (ip.resolved, ip.missing, ip.text) == (False, (), "${A}")


# --- values --------------------------------------------------------------------------------


def test_list_is_joined_into_a_comma_separated_string(tmp_path: Path) -> None:
    record = _one(tmp_path, "xero:\n  - name: A\n    sync_entities: [invoices, clients]\n")
    assert record.fields["sync_entities"] == "invoices,clients"


def test_comma_string_and_empty_list(tmp_path: Path) -> None:
    text = "avalara:\n  - name: A\n    syncentities: invoices,quotes\n    commitentities: []\n"
    record = _one(tmp_path, text)
    assert record.fields["syncentities"] == "invoices,quotes"
    assert record.fields["commitentities"] == ""


def test_list_with_a_variable_is_sensitive(tmp_path: Path) -> None:
    text = 'xero:\n  - name: A\n    sync_entities: [invoices, "${E}"]\n'
    value = _one(tmp_path, text, {"E": "payments"}).fields["sync_entities"]
    assert isinstance(value, Sensitive)
    assert value.reveal() == "invoices,payments"
    assert value.source == "invoices,${E}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("False", False), ("TRUE", True)],
)
def test_variable_typed_as_boolean(tmp_path: Path, text: str, expected: bool) -> None:
    record = _one(tmp_path, "xero:\n  - name: A\n    enablesync: ${S}\n", {"S": text})
    value = record.fields["enablesync"]
    assert isinstance(value, Sensitive)
    assert value.reveal() is expected
    assert value.source == "${S}"


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("-3", -3), ("+7", 7)])
def test_variable_typed_as_integer(tmp_path: Path, text: str, expected: int) -> None:
    record = _one(tmp_path, "xero:\n  - name: A\n    item_group: ${G}\n", {"G": text})
    value = record.fields["item_group"]
    assert isinstance(value, Sensitive) and value.reveal() == expected


def test_variable_in_a_string_field_stays_a_string(tmp_path: Path) -> None:
    text = "xero:\n  - name: A\n    tenant_id: ${T}\n    redirect_uri: https://${H}/cb\n"
    record = _one(tmp_path, text, {"T": "12", "H": "acme.halopsa.com"})
    assert record.fields["tenant_id"] == Sensitive("12", "${T}")
    assert record.fields["redirect_uri"] == Sensitive(
        "https://acme.halopsa.com/cb", "https://${H}/cb"
    )


def test_no_env_leaves_values_unresolved(tmp_path: Path) -> None:
    text = "xero:\n  - name: A\n    enablesync: ${S}\n    new_client_secret: ${XS}\n"
    config = load([_write(tmp_path, text)], env=None)
    fields = config.records[0].fields
    assert fields["enablesync"] == Sensitive(UNRESOLVED, "${S}")
    assert fields["new_client_secret"] == Sensitive(UNRESOLVED, "${XS}")


def test_no_env_still_checks_what_it_can(tmp_path: Path) -> None:
    path = _write(tmp_path, "xero:\n  - name: A\n    item_group: x${G}\n")
    with pytest.raises(ConfigError) as info:
        load([path], env=None)
    assert "only a value that is exactly one ${NAME}" in info.value.issues[0].message


def test_escaped_reference_is_a_literal(tmp_path: Path) -> None:
    record = _one(tmp_path, 'xero:\n  - name: A\n    default_item_code: "$${X}"\n', {"X": "no"})
    assert record.fields["default_item_code"] == "${X}"


def test_rows_of_a_mapping_array(tmp_path: Path) -> None:
    text = (
        "business_central:\n  - name: A\n    client_mappings:\n"
        "      - {halo_id: 1, third_party_id: C1, filters: [{filter_field: a}]}\n"
        "      - {halo_id: 2, third_party_id: C1}\n"
    )
    rows = _one(tmp_path, text).fields["client_mappings"]
    assert rows == [
        {"halo_id": 1, "third_party_id": "C1", "filters": [{"filter_field": "a"}]},
        {"halo_id": 2, "third_party_id": "C1"},
    ]


def test_date_times_stay_text(tmp_path: Path) -> None:
    text = "quickbooks:\n  - name: A\n    close_period_date: 2024-03-31T00:00:00Z\n"
    assert _one(tmp_path, text).fields["close_period_date"] == "2024-03-31T00:00:00Z"


@pytest.mark.parametrize(
    "text",
    ["2024-03-31", "2024-03-31T00:00:00Z", "2024-03-31 12:30", "2024-03-31T12:30:59.1234567+13:00"],
)
def test_date_time_checker_accepts(text: str) -> None:
    assert is_date_time(text)


@pytest.mark.parametrize("text", ["31/03/2024", "2024-02-30", "2024-03-31T25:00", "now", ""])
def test_date_time_checker_refuses(text: str) -> None:
    assert not is_date_time(text)


# --- records, marks, settings --------------------------------------------------------------


def test_marks_name_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "# c\nxero:\n  - name: A\n    enablesync: true\n")
    record = load([path], env={}).records[0]
    assert record.mark == Mark(path, 3, 5)
    assert record.address == "xero/A"


def test_record_keywords(tmp_path: Path) -> None:
    text = (
        "xero:\n  - id: 12\n    ensure: absent\n"
        "    lifecycle: {prevent_destroy: true, ignore_changes: [enablesync, code]}\n"
    )
    record = _one(tmp_path, text)
    assert (record.identity, record.id, record.address) == (None, 12, "xero/#12")
    assert record.ensure is Ensure.ABSENT
    assert record.prevent_destroy is True
    assert record.ignore_changes == frozenset({"enablesync", "code"})
    assert record.fields == {}


def test_myob_is_identified_by_company_id(tmp_path: Path) -> None:
    record = _one(tmp_path, 'myob:\n  - company_id: "7"\n')
    assert record.address == "myob/7"


def test_settings_and_defaults(tmp_path: Path) -> None:
    config = load([_write(tmp_path, "settings:\n  prune: [xero, avalara, xero]\n")], env={})
    assert config.settings.prune == frozenset({"xero", "avalara"})
    assert config.settings.max_deletes == 3
    assert config.types() == ("xero", "avalara")
    assert load([_write(tmp_path, "", "e.yaml")], env={}).settings.max_deletes == 3


def test_empty_and_null_documents_are_empty_configurations(tmp_path: Path) -> None:
    for text in ("", "# nothing\n", "---\n", "~\n", "xero:\n"):
        config = load([_write(tmp_path, text)], env={})
        assert config.records == ()


# --- issues --------------------------------------------------------------------------------


def test_issue_fields_and_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "xero:\n  - name: A\n    enablesync: yes please\n")
    with pytest.raises(ConfigError) as info:
        load([path], env={})
    message = 'expected a boolean, got the string "yes please" — use true/false'
    assert info.value.issues == (Issue(path, 3, 5, "xero[0].enablesync", message),)
    assert str(info.value) == (
        f"1 error in the configuration\n{path}:3:5: xero[0].enablesync: {message}"
    )


def test_duplicate_key_reported_at_the_second(tmp_path: Path) -> None:
    assert _issues(tmp_path, "xero: []\nsettings: {}\nxero: []\n") == [
        'c.yaml:3:1: xero: duplicate key "xero": already given on line 1'
    ]


def test_issues_are_sorted_and_all_reported(tmp_path: Path) -> None:
    text = "settings: {colour: red}\nxero:\n  - {name: A, foo: 1}\n  - {bar: 2}\n"
    assert _issues(tmp_path, text) == [
        'c.yaml:1:12: settings.colour: unknown key "colour": settings has prune, max_deletes, '
        "protect, allow_empty, acknowledge and freeze",
        'c.yaml:3:15: xero[0].foo: unknown field "foo": xero has no such field',
        'c.yaml:4:5: xero[1]: a xero record must state its identity field "name" or an "id"',
        'c.yaml:4:6: xero[1].bar: unknown field "bar": xero has no such field',
    ]


def test_a_boolean_key_is_a_name(tmp_path: Path) -> None:
    # YAML 1.1 reads a key `on:` as true; keys are names here, so it stays "on"
    assert _issues(tmp_path, "on: []\n") == [
        'c.yaml:1:1: on: unknown key "on": the top level holds xero, quickbooks, '
        "sage_business_cloud, myob, kashflow, fortnox, exact, business_central, avalara, settings"
    ]


def test_gc_is_enabled_again_after_a_load(tmp_path: Path) -> None:
    assert gc.isenabled()
    load([_write(tmp_path, "xero: []\n")], env={})
    assert gc.isenabled()
    with pytest.raises(ConfigError):
        load([_write(tmp_path, "xero: 1\n")], env={})
    assert gc.isenabled()


def test_parse_reports_without_raising() -> None:
    issues: list[Issue] = []
    assert parse("a: [1\n", "f.yaml", issues) is None
    assert [str(i) for i in issues] == [
        "f.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence started at line 1, column 4)"
    ]


def test_deep_nesting_is_an_issue_not_a_crash() -> None:
    # libyaml's composer would overflow the C stack on this
    issues: list[Issue] = []
    assert parse("xero: " + "[" * 60_000 + "]" * 60_000, "f.yaml", issues) is None
    assert [str(i) for i in issues] == ["f.yaml:1:1007: nested more than 1000 levels deep"]
    issues.clear()
    assert parse("a: " + "[" * 100 + "]" * 100, "f.yaml", issues) is not None
    assert [str(i) for i in issues] == [
        "f.yaml:1:67: a" + "[0]" * 63 + ": nested more than 64 levels deep"
    ]


# --- files ---------------------------------------------------------------------------------


def test_find_files_sorted_recursive_hidden_skipped_deduplicated(tmp_path: Path) -> None:
    for rel in (
        "b.yaml",
        "a/z.yml",
        "a/b/c.yaml",
        "a-b.yaml",
        ".hidden.yaml",
        ".git/x.yaml",
        "notes.txt",
        "a/.cache/y.yaml",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    issues: list[Issue] = []
    root = str(tmp_path)
    files = find_files([root, f"{root}/b.yaml", Path(root) / "a" / "z.yml"], issues)
    assert issues == []
    assert [f[len(root) + 1 :] for f in files] == ["a/b/c.yaml", "a/z.yml", "a-b.yaml", "b.yaml"]


def test_find_files_keeps_paths_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "x.yaml").write_text("")
    (tmp_path / "y.yaml").write_text("")
    issues: list[Issue] = []
    assert find_files(["./conf/", "y.yaml", "."], issues) == ["conf/x.yaml", "y.yaml"]
    assert find_files(["missing.yaml"], issues) == []
    assert [str(i) for i in issues] == ["missing.yaml: no such file or directory"]


# --- wording -------------------------------------------------------------------------------


def test_quote_escapes_and_shortens() -> None:
    assert quote('a"b\\c\n\ud800') == '"a\\"b\\\\c\\x0a\\ud800"'
    assert quote("x" * 100) == '"' + "x" * 59 + '…"'


@pytest.mark.parametrize(
    ("key", "field", "name"),
    [
        ("xero", "new_client_secret", "XERO_CLIENT_SECRET"),
        ("business_central", "_authcode", "BUSINESS_CENTRAL_AUTHCODE"),
        ("quickbooks", "authorization_code", "QUICKBOOKS_AUTHORIZATION_CODE"),
    ],
)
def test_env_variable_suggestion(key: str, field: str, name: str) -> None:
    assert env_variable(key, field) == name


def test_an_empty_list_is_called_empty(tmp_path: Path) -> None:
    # "expected a list of days such as [-2, -1, 1, 2, 3], got a list" read as a contradiction
    text = (
        "xero:\n  - name: A\n    enablesync: true\n"
        "settings:\n  freeze:\n    - days_of_month: []\n      reason: r\n"
        "  acknowledge:\n    - {address: xero/A, fields: [], reason: r, until: 2027-01-31}\n"
    )
    issues = _issues(tmp_path, text)
    assert len(issues) == 2 and all(i.endswith("got an empty list") for i in issues), issues
