"""The sandbox's /api/IntegrationError: seeded rows, pages, 404, kept in the data file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler.errors import SandboxError
from reconciler.sandbox import start_in_thread
from reconciler.sandbox.error_log import page
from reconciler.sandbox.seed import parse_seed
from reconciler.sandbox.store import Store

from .conftest import authed


def test_rows_come_in_haloPSA_pages_with_a_record_count() -> None:
    rows = [{"id": i, "detail_id": 1, "error": f"e{i}"} for i in range(1, 8)]
    doc = page(rows, {"pageinate": "true", "page_size": "3", "page_no": "3"}, 0.0)
    assert doc["page_no"] == 3 and doc["page_size"] == 3 and doc["record_count"] == 7
    assert [r["error"] for r in doc["integration_errors"]] == ["e7"]
    assert set(doc["integration_errors"][0]) == {
        "id",
        "module_id",
        "detail_id",
        "entity_type",
        "entity_name",
        "endpoint",
        "error",
        "date",
    }
    default = page([{"id": i} for i in range(1, 80)], {}, 0.0)
    assert len(default["integration_errors"]) == 50  # HaloPSA's short default page


def test_age_days_is_dated_from_the_moment_of_the_answer() -> None:
    (row,) = page([{"id": 1, "age_days": 1.5}], {}, 86400 * 10)["integration_errors"]
    assert row["date"] == "1970-01-09T12:00:00"


def test_served_over_http_and_absent_with_null() -> None:
    with start_in_thread() as h:
        h.store.set_integration_errors([{"detail_id": 2, "error": "boom", "age_days": 1}])
        api = authed(h)
        try:
            doc = api.get("/api/IntegrationError").json()
            assert doc["record_count"] == 1
            assert doc["integration_errors"][0]["id"] == 1
            assert doc["integration_errors"][0]["date"] < time.strftime(
                "%Y-%m-%dT%H:%M:%S", time.gmtime()
            )
            assert api.post("/api/IntegrationError", json=[]).status_code == 405
            h.store.set_integration_errors(None)
            assert api.get("/api/IntegrationError").status_code == 404
            api.headers["Authorization"] = "Bearer wrong"
            assert api.get("/api/IntegrationError").status_code == 401
        finally:
            api.close()


def test_a_seed_states_rows_or_null_and_bad_rows_are_reported() -> None:
    assert parse_seed({"integration_errors": None}, "s").integration_errors is None
    assert parse_seed({}, "s").integration_errors == []
    with pytest.raises(SandboxError) as info:
        parse_seed(
            {
                "integration_errors": [
                    {"detail_id": "2", "colour": 1},
                    "x",
                    {"date": 3, "age_days": 1},
                ]
            },
            "seed.yaml",
        )
    text = str(info.value)
    assert 'integration_errors[0]: unknown field "colour"' in text
    assert "integration_errors[0].detail_id: expected an integer" in text
    assert "integration_errors[1]: expected a mapping" in text
    assert "integration_errors[2].date: expected a string" in text
    assert "integration_errors[2]: give date or age_days, not both" in text


def test_rows_survive_a_restart_in_the_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    Store.open(data, {"integration_errors": [{"detail_id": 3, "error": "kept"}]})
    again = Store.open(data)
    assert again.integration_errors() == [{"id": 1, "detail_id": 3, "error": "kept"}]
    Store.open(tmp_path / "none.json", {"integration_errors": None})
    assert Store.open(tmp_path / "none.json").integration_errors() is None
