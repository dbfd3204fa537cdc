"""export/records.py and export/emitter.py without a server: layout, quoting, notes, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.export import ExportError, Origin, export_document, export_files, write_files
from reconciler.export.emitter import scalar
from reconciler.export.records import SCHEMA_FILE, installed_schema

ORIGIN = Origin("https://acme.halopsa.com", "acme")
HEADER = (
    f"# yaml-language-server: $schema={installed_schema().as_uri()}\n"
    "# Exported by halo-reconciler from https://acme.halopsa.com (tenant acme).\n"
    "# Secrets (write-only fields) cannot be read back: each is a commented ${...}\n"
    "# placeholder; uncomment it and set the variable to manage that secret.\n"
)


def test_a_record_in_schema_order_with_placeholders() -> None:
    live = {
        "fortnox": [
            {
                "id": 7,
                "client_id": "abc",
                "name": "Acme SE",
                "sync_entities": "invoices, clients",
                "client_top_level": 0,
                "isauthorized": True,  # read-only: left out
                "item_group": None,  # empty: left out
                "redirect_uri": "",  # empty: left out
                "app_type": 2,
            }
        ]
    }
    exported = export_document(live, ORIGIN)
    assert exported.text == HEADER + (
        "fortnox:\n"
        "  - name: Acme SE\n"
        "    client_id: abc\n"
        "    # new_client_secret: ${FORTNOX_ACME_SE_CLIENT_SECRET}\n"
        "    client_top_level: 0\n"
        "    sync_entities: [invoices, clients]\n"
        "    app_type: 2\n"
    )
    assert exported.notes == ()


def test_shared_or_empty_identities_are_matched_by_id() -> None:
    live = {
        "avalara": [
            {"id": 3, "name": "Dup", "defaulttax": "GST"},
            {"id": 4, "name": "Dup"},
            {"id": 5, "name": ""},
            {"id": 6, "name": "Solo"},
        ]
    }
    text = export_document(live, ORIGIN).text
    assert text.split("avalara:\n", 1)[1] == (
        "  - id: 3\n"
        '    # name "Dup" is shared by 2 live records: this one is matched by id\n'
        "    # new_password: ${AVALARA_DUP_3_PASSWORD}\n"
        "    defaulttax: GST\n"
        "  - id: 4\n"
        '    # name "Dup" is shared by 2 live records: this one is matched by id\n'
        "    # new_password: ${AVALARA_DUP_4_PASSWORD}\n"
        "  - name: Solo\n"
        "    # new_password: ${AVALARA_SOLO_PASSWORD}\n"
        "  - id: 5\n"
        "    # new_password: ${AVALARA_5_PASSWORD}\n"
    )


def test_rows_identity_first_configurable_only() -> None:
    row = {
        "id": 91,  # read-only row key
        "third_party_desc": "Acme Ltd",  # read-only
        "table_id": 1,
        "third_party_id": "C-001",
        "halo_id": 12,
        "_match": True,  # trigger
        "new_subscription_key": "s",  # write-only: no placeholder in rows
        "primary": False,
    }
    text = export_document({"exact": [{"id": 1, "name": "NL", "client_mappings": [row]}]}, ORIGIN)
    assert (
        "    client_mappings:\n"
        "      - halo_id: 12\n"
        "        third_party_id: C-001\n"
        "        table_id: 1\n"
        "        primary: false\n"
    ) in text.text


def test_values_the_config_cannot_state_are_left_out_with_a_note() -> None:
    live = {
        "quickbooks": [
            {
                "id": 1,
                "name": "US",
                "close_period_date": "last tuesday",
                "enable_sync": "yes",
                "country": "US",
                "qbo_sitemappings": [
                    {"halo_id": 1, "third_party_id": "A"},
                    {"halo_id": 1, "third_party_id": "A"},
                ],
            }
        ]
    }
    exported = export_document(live, ORIGIN)
    assert "close_period_date" not in exported.text
    assert "enable_sync" not in exported.text
    assert "qbo_sitemappings" not in exported.text
    assert "    country: US\n" in exported.text
    assert [str(n) for n in exported.notes] == [
        "quickbooks/US: enable_sync: not exported: HaloPSA returned a value that is not boolean",
        "quickbooks/US: qbo_sitemappings: not exported: HaloPSA holds two rows with "
        'halo_id=1, third_party_id="A"',
        "quickbooks/US: close_period_date: not exported: not a date-time the configuration accepts",
    ]


def test_a_record_with_neither_identity_nor_id_is_not_exported() -> None:
    exported = export_document({"kashflow": [{"name": None}]}, ORIGIN)
    assert exported.text == HEADER + "kashflow:\n"
    assert [str(n) for n in exported.notes] == [
        "kashflow/#None: not exported: it has neither identity nor id"
    ]


def test_no_records_gives_a_valid_empty_document() -> None:
    assert export_document({}, ORIGIN).text == (
        HEADER + "# HaloPSA has no records of the types exported.\n"
    )
    assert export_document({}, ORIGIN, ["myob"]).text == HEADER + "myob: []\n"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("yes", '"yes"'),
        ("0012", '"0012"'),
        ("true", '"true"'),
        ("1:30", '"1:30"'),
        ("2024-01-01", '"2024-01-01"'),
        ("~", '"~"'),
        ("", '""'),
        ("${XERO_SECRET}", '"$${XERO_SECRET}"'),
        ("Acme NZ", "Acme NZ"),
        ("https://acme.halopsa.com/api", "https://acme.halopsa.com/api"),
        ("a: b", '"a: b"'),
        ("two\nlines", '"two\\nlines"'),
        ("\u2028", '"\\u2028"'),
        (True, "true"),
        (0, "0"),
        (1e20, "1.0e+20"),
    ],
)
def test_scalars_are_quoted_where_yaml_would_misread_them(value: object, written: str) -> None:
    assert scalar(value) == written


def test_export_files_one_per_type(tmp_path: Path) -> None:
    live = {"myob": [{"id": 1, "company_id": "C1"}], "xero": [{"id": 2, "name": "X"}]}
    files, notes = export_files(live, ORIGIN)
    assert notes == ()
    assert list(files) == ["xero.yaml", "myob.yaml", SCHEMA_FILE]
    # Placeholders only for what a user sets: no OAuth code or tokens.
    assert files["myob.yaml"] == (
        "# yaml-language-server: $schema=config.schema.json\n"
        "# Exported by halo-reconciler from https://acme.halopsa.com (tenant acme).\n"
        "# Secrets (write-only fields) cannot be read back: each is a commented ${...}\n"
        "# placeholder; uncomment it and set the variable to manage that secret.\n"
        "myob:\n  - company_id: C1\n"
        "    # new_client_secret: ${MYOB_C1_CLIENT_SECRET}\n"
        "    # new_password: ${MYOB_C1_PASSWORD}\n"
    )
    assert files[SCHEMA_FILE] == installed_schema().read_text(encoding="utf-8")
    written = write_files(tmp_path / "new" / "dir", files)
    assert [p.name for p in written] == ["xero.yaml", "myob.yaml", SCHEMA_FILE]


def test_write_files_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "myob.yaml").write_text("mine\n", encoding="utf-8")
    files = {"xero.yaml": "x: 1\n", "myob.yaml": "y: 2\n"}
    with pytest.raises(ExportError) as info:
        write_files(tmp_path, files)
    assert str(info.value) == (
        f"{tmp_path / 'myob.yaml'} already exists: use --force to overwrite it (nothing was "
        "written)"
    )
    assert not (tmp_path / "xero.yaml").exists()
    assert (tmp_path / "myob.yaml").read_text(encoding="utf-8") == "mine\n"
    write_files(tmp_path, files, force=True)
    assert (tmp_path / "myob.yaml").read_text(encoding="utf-8") == "y: 2\n"


def test_write_files_refuses_a_file_as_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("", encoding="utf-8")
    with pytest.raises(ExportError) as info:
        write_files(target, {"xero.yaml": ""})
    assert str(info.value) == f"{target}: exists and is not a directory"
