"""Field-level diff of one record: stated fields only, lists keyed, secrets as markers."""

from __future__ import annotations

from typing import Any

import pytest
from plan_factories import rec

from reconciler.plan import ElementChange, ElementOp, FieldChange, SecretRef, WriteOnlyField
from reconciler.plan.diff import RecordDiff, diff_record, same_value
from reconciler.registry import spec
from reconciler.sensitive import Sensitive

XERO = spec("xero")
SAGE = spec("sage_business_cloud")


def _diff(
    type_key: str, fields: dict[str, object], live: dict[str, Any] | None, **kw: Any
) -> RecordDiff:
    return diff_record(spec(type_key), rec(type_key, "R", {"name": "R", **fields}, **kw), live)


def test_only_stated_fields_are_compared() -> None:
    live = {"id": 1, "name": "R", "enablesync": True, "show_message": True, "unknown_new_field": 5}
    assert _diff("xero", {"enablesync": True}, live).changes == ()


def test_changed_scalar_carries_description_and_impact() -> None:
    live = {"id": 1, "name": "R", "enablesync": False, "default_item_code": "SALES"}
    found = _diff("xero", {"default_item_code": "SERV", "enablesync": True}, live)
    assert found.changes == (
        FieldChange("enablesync", False, True, False, "flow", "sync switched on"),
        FieldChange(
            "default_item_code", "SALES", "SERV", False, "money", "default item code for lines"
        ),
    )


@pytest.mark.parametrize(
    ("desired", "live"), [(None, ""), ("", None), (None, "absent"), ("", "absent")]
)
def test_null_empty_and_absent_are_one_value(desired: object, live: object) -> None:
    record = (
        {"id": 1, "name": "R"} if live == "absent" else {"id": 1, "name": "R", "client_id": live}
    )
    assert _diff("xero", {"client_id": desired}, record).changes == ()


def test_zero_is_not_null_and_booleans_are_strict() -> None:
    live = {"id": 1, "name": "R", "item_group": None, "enablesync": 1}
    found = _diff("xero", {"item_group": 0, "enablesync": True}, live)
    assert [c.field for c in found.changes] == ["item_group", "enablesync"]


def test_numbers_compare_as_numbers() -> None:
    assert _diff("xero", {"item_group": 4}, {"id": 1, "name": "R", "item_group": 4.0}).changes == ()


def test_comma_list_changes_element_by_element() -> None:
    live = {"id": 1, "name": "R", "sync_entities": "clients, payments"}
    (change,) = _diff("xero", {"sync_entities": "invoices,clients"}, live).changes
    assert change.before == "clients, payments"
    assert change.after == "invoices,clients"
    assert change.elements == (
        ElementChange(ElementOp.ADD, "invoices", "invoices"),
        ElementChange(ElementOp.REMOVE, "payments", "payments"),
    )


def test_comma_list_permutation_is_no_change() -> None:
    live = {"id": 1, "name": "R", "sync_entities": "payments,invoices"}
    assert _diff("xero", {"sync_entities": "invoices, payments"}, live).changes == ()


def test_write_only_fields_are_counted_not_compared() -> None:
    live = {"id": 1, "name": "R", "new_client_secret": None}
    found = _diff("xero", {"new_client_secret": Sensitive("s3", "${SECRET}")}, live)
    assert found.changes == ()
    assert found.write_only == (WriteOnlyField("new_client_secret", "${SECRET}"),)
    assert found.uncompared == 1


def test_write_only_value_must_be_sensitive() -> None:
    with pytest.raises(
        TypeError, match="xero/R: write-only field new_client_secret is not Sensitive"
    ):
        _diff("xero", {"new_client_secret": "literal"}, None)


def test_sensitive_change_holds_the_source_not_the_value() -> None:
    live = {"id": 1, "name": "R", "client_id": "old-id"}
    (change,) = _diff("xero", {"client_id": Sensitive("new-id", "${XERO_CLIENT_ID}")}, live).changes
    assert change == FieldChange(
        "client_id", None, None, True, None, "OAuth app client id", "${XERO_CLIENT_ID}"
    )


def test_sensitive_equal_value_is_no_change() -> None:
    live = {"id": 1, "name": "R", "client_id": "same"}
    assert _diff("xero", {"client_id": Sensitive("same", "${X}")}, live).changes == ()


def test_ignore_changes_skips_on_update_but_sends_on_create() -> None:
    live = {"id": 1, "name": "R", "default_item_code": "A"}
    fields = {"default_item_code": "B", "new_client_secret": Sensitive("s", "${S}")}
    updated = _diff("xero", fields, live, ignore=["default_item_code", "new_client_secret"])
    assert updated.changes == () and updated.write_only == ()
    created = _diff("xero", fields, None, ignore=["default_item_code"])
    assert [c.field for c in created.changes] == ["name", "default_item_code", "new_client_secret"]


def test_create_sends_every_stated_field_write_only_as_marker() -> None:
    found = _diff(
        "xero",
        {"new_client_secret": Sensitive("s", "${S}"), "sync_entities": "b,a", "client_id": None},
        None,
    )
    name, client_id, secret, entities = found.changes
    assert name == FieldChange(
        "name", None, "R", description="connection name; configuration identity"
    )
    assert client_id == FieldChange("client_id", None, None, description="OAuth app client id")
    assert secret == FieldChange(
        "new_client_secret", None, None, True, None, "OAuth app client secret", "${S}"
    )
    assert [(e.op, e.key) for e in entities.elements] == [
        (ElementOp.ADD, "a"),
        (ElementOp.ADD, "b"),
    ]
    assert found.write_only == ()


def test_missing_live_field_is_reported() -> None:
    found = _diff("xero", {"no_tax_code": "NONE", "client_id": None}, {"id": 1, "name": "R"})
    assert [c.field for c in found.changes] == ["no_tax_code"]
    assert found.missing == ("no_tax_code",)


ROWS_LIVE = [
    {
        "id": 100,
        "halo_id": 12,
        "third_party_id": "C-1",
        "third_party_type": "supplier",
        "third_party_desc": "Contoso",
        "date_created": "2024-01-01T00:00:00",
        "primary": True,
    },
    {"id": 101, "halo_id": 13, "third_party_id": "C-2", "third_party_type": None},
]


def test_mapping_rows_keyed_by_identity_and_compared_on_stated_fields() -> None:
    desired = [
        {"halo_id": 14, "third_party_id": "C-3"},
        {"halo_id": 12, "third_party_id": "C-1", "third_party_type": "customer"},
    ]
    live = {"id": 5, "name": "R", "client_mappings": ROWS_LIVE}
    (change,) = _diff("sage_business_cloud", {"client_mappings": desired}, live).changes
    assert change.field == "client_mappings"
    assert change.after == desired
    assert change.before == [
        {"halo_id": 12, "third_party_id": "C-1", "third_party_type": "supplier"},
        {"halo_id": 13, "third_party_id": "C-2", "third_party_type": None},
    ]
    assert change.elements == (
        ElementChange(
            ElementOp.CHANGE,
            'halo_id=12, third_party_id="C-1"',
            None,
            (
                FieldChange(
                    "third_party_type",
                    "supplier",
                    "customer",
                    description="type of the package record",
                ),
            ),
        ),
        ElementChange(
            ElementOp.REMOVE,
            'halo_id=13, third_party_id="C-2"',
            {"halo_id": 13, "third_party_id": "C-2", "third_party_type": None},
        ),
        ElementChange(ElementOp.ADD, 'halo_id=14, third_party_id="C-3"', desired[0]),
    )


def test_mapping_rows_in_any_order_with_matching_stated_fields_are_no_change() -> None:
    desired = [
        {"halo_id": 13, "third_party_id": "C-2"},
        {"halo_id": 12, "third_party_id": "C-1", "third_party_type": "supplier", "primary": True},
    ]
    live = {"id": 5, "name": "R", "client_mappings": ROWS_LIVE}
    assert _diff("sage_business_cloud", {"client_mappings": desired}, live).changes == ()


def test_stated_empty_list_removes_every_row_and_null_live_list_is_empty() -> None:
    live = {"id": 5, "name": "R", "client_mappings": ROWS_LIVE}
    (change,) = _diff("sage_business_cloud", {"client_mappings": []}, live).changes
    assert [e.op for e in change.elements] == [ElementOp.REMOVE, ElementOp.REMOVE]
    empty = {"id": 5, "name": "R", "client_mappings": None}
    assert _diff("sage_business_cloud", {"client_mappings": []}, empty).changes == ()


def test_live_rows_repeating_a_key_are_removed() -> None:
    rows = [{"halo_id": 1, "third_party_id": "A"}, {"halo_id": 1, "third_party_id": "A", "id": 9}]
    live = {"id": 5, "name": "R", "client_mappings": rows}
    (change,) = _diff("sage_business_cloud", {"client_mappings": rows[:1]}, live).changes
    assert change.elements == (
        ElementChange(
            ElementOp.REMOVE, 'halo_id=1, third_party_id="A"', {"halo_id": 1, "third_party_id": "A"}
        ),
    )


def test_configured_rows_repeating_a_key_are_a_problem() -> None:
    rows = [{"halo_id": 1, "third_party_id": "A"}, {"halo_id": 1, "third_party_id": "A"}]
    found = _diff("sage_business_cloud", {"client_mappings": rows}, {"id": 5, "name": "R"})
    assert found.problems == (
        "c.yaml:1:3: sage_business_cloud/R: client_mappings: "
        'two rows have halo_id=1, third_party_id="A"',
    )


def test_nested_filters_are_keyed_too() -> None:
    live_rows = [
        {
            "halo_id": 1,
            "third_party_id": "A",
            "filters": [{"id": 1, "filter_field": "type", "filter_value": "x", "filter_type": 1}],
        },
    ]
    desired = [
        {
            "halo_id": 1,
            "third_party_id": "A",
            "filters": [{"filter_field": "type", "filter_value": "x", "filter_type": 2}],
        },
    ]
    live = {"id": 5, "name": "R", "client_mappings": live_rows}
    (change,) = _diff("sage_business_cloud", {"client_mappings": desired}, live).changes
    (row,) = change.elements
    (filters,) = row.changes
    assert filters.field == "filters"
    assert filters.elements[0].op is ElementOp.CHANGE
    assert filters.elements[0].key == 'filter_field="type", filter_value="x"'
    assert filters.elements[0].changes[0].before == 1
    assert filters.elements[0].changes[0].after == 2


def test_secret_inside_a_row_is_a_marker_and_write_only_row_fields_are_not_compared() -> None:
    secret = Sensitive("CANARY-row-secret", "${SUB_KEY}")
    desired = [{"halo_id": 1, "third_party_id": "A", "new_subscription_key": secret}]
    live = {"id": 5, "name": "R", "client_mappings": [{"halo_id": 1, "third_party_id": "A"}]}
    found = _diff("sage_business_cloud", {"client_mappings": desired}, live)
    assert found.changes == ()
    assert found.uncompared == 1
    created = _diff("sage_business_cloud", {"client_mappings": desired}, None)
    (_, rows) = created.changes
    assert rows.after == [
        {"halo_id": 1, "third_party_id": "A", "new_subscription_key": SecretRef("${SUB_KEY}")}
    ]
    assert "CANARY" not in repr(created)


def test_same_value_for_apply_read_back() -> None:
    fields = SAGE.fields
    assert same_value(fields["syncentities"], "a,b", "b, a")
    assert not same_value(fields["syncentities"], "a,b", "a")
    rows = [{"halo_id": 1, "third_party_id": "A"}]
    assert same_value(fields["client_mappings"], rows, [{"id": 4, **rows[0], "primary": True}])
    assert not same_value(fields["client_mappings"], rows, [])
    assert same_value(None, 1, 1.0)
