"""Normalisation: comparable forms of HaloPSA values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.plan.normalise import Bag, csv_items, normalise, parse_instant, same
from reconciler.registry import spec
from reconciler.sensitive import Sensitive

XERO = spec("xero").fields
QBO = spec("quickbooks").fields
SAGE = spec("sage_business_cloud").fields


def test_csv_items_split_trim_and_drop_empties() -> None:
    assert csv_items(" invoices, clients,,payments ,") == {"invoices", "clients", "payments"}
    assert csv_items(None) == frozenset()
    assert csv_items("") == frozenset()
    assert csv_items(["a", " b "]) == {"a", "b"}


def test_csv_compares_as_a_set_and_keeps_case() -> None:
    field = XERO["sync_entities"]
    assert normalise("clients,invoices", field) == normalise("invoices, clients,", field)
    assert normalise("Invoices", field) != normalise("invoices", field)
    assert normalise(None, field) == normalise("", field) == frozenset()


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-31T00:00:00Z",
        "2024-01-31T00:00:00",
        "2024-01-31 00:00:00",
        "2024-01-31T00:00",
        "2024-01-31T02:00:00+02:00",
        "2024-01-31T00:00:00.0000000",
        "2024-01-31T00:00:00.000Z",
        "2024-01-31",
    ],
)
def test_date_times_compare_as_instants(text: str) -> None:
    field = QBO["close_period_date"]
    assert normalise(text, field) == datetime(2024, 1, 31, tzinfo=UTC)


def test_date_time_without_zone_is_utc_and_offsets_count() -> None:
    field = QBO["close_period_date"]
    assert normalise("2024-01-31T00:00:00+01:00", field) != normalise("2024-01-31T00:00", field)
    assert parse_instant("2024-01-31T10:00:00.1234567") == datetime(
        2024, 1, 31, 10, 0, 0, 123456, tzinfo=UTC
    )


def test_date_time_that_does_not_parse_compares_as_text() -> None:
    field = QBO["close_period_date"]
    assert normalise("end of month", field) == "end of month"
    assert parse_instant("end of month") is None
    assert normalise("", field) is None


def test_empty_values_are_one_value_but_zero_and_false_are_values() -> None:
    assert normalise(None) is None
    assert normalise("") is None
    assert normalise([]) is None
    assert normalise({}) is None
    assert normalise(0) == 0
    assert normalise(False) is False


def test_numbers_compare_as_numbers_and_booleans_strictly() -> None:
    assert same(normalise(1), normalise(1.0))
    assert not same(normalise(True), normalise(1))
    assert not same(normalise(False), normalise(0))
    assert not same(normalise("1"), normalise(1))
    assert same(normalise(1.5), normalise(1.5))


def test_text_is_exact() -> None:
    assert not same(normalise("Acme"), normalise("Acme "))
    assert not same(normalise("acme"), normalise("Acme"))


def test_sensitive_compares_by_its_value() -> None:
    assert normalise(Sensitive("abc", "${X}")) == "abc"
    assert csv_items(Sensitive("a,b", "${X}")) == {"a", "b"}


def test_mapping_rows_compare_order_insensitively_with_nulls_dropped() -> None:
    field = SAGE["client_mappings"]
    one = [{"halo_id": 1, "third_party_id": "A"}, {"halo_id": 2, "third_party_id": "B"}]
    two = [
        {"third_party_id": "B", "halo_id": 2.0, "primary": None},
        {"halo_id": 1, "third_party_id": "A"},
    ]
    assert same(normalise(one, field), normalise(two, field))
    assert isinstance(normalise(one, field), Bag)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("b, a,,", XERO["sync_entities"]),
        ("2024-01-31T02:00:00+02:00", QBO["close_period_date"]),
        ("not a date", QBO["close_period_date"]),
        (
            [{"halo_id": 1, "third_party_id": "A", "filters": [{"filter_field": "x"}]}],
            SAGE["client_mappings"],
        ),
        ({"a": [3, 1, {"b": None}]}, None),
        (2.0, None),
        ("", None),
    ],
)
def test_normalise_is_idempotent(value: object, field: object) -> None:
    from reconciler.registry import FieldSpec

    assert field is None or isinstance(field, FieldSpec)
    once = normalise(value, field)
    assert same(normalise(once, field), once)
