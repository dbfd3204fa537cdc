"""Lookup tables: what shape is usable, how names are found, which entries are closest."""

from __future__ import annotations

from reconciler.names.tables import NameTable, id_text


def _table() -> NameTable:
    rows = [
        {"id": 12, "name": "Managed Services"},
        {"id": 14, "name": "Projects"},
        {"id": 15, "name": "projects"},
        {"id": "OUTPUT2", "name": "GST on Income"},
    ]
    table = NameTable.from_rows("/TopLevel", rows)
    assert table is not None
    return table


def test_ids_compare_by_their_text_and_no_id_is_none() -> None:
    assert [id_text(v) for v in (12, 12.0, "12", None, "", 0, True)] == [
        "12",
        "12",
        "12",
        None,
        None,
        None,
        None,
    ]
    table = _table()
    assert table.has("12") and table.name_of(12.0) == "Managed Services"
    assert not table.has(13) and table.name_of(None) is None


def test_exact_name_first_then_a_case_insensitive_one() -> None:
    table = _table()
    assert table.find("Projects") == ["14"]  # exact wins over the other casing
    assert table.find("managed services") == ["12"]
    assert table.find("PROJECTS") == ["14", "15"]  # ambiguous: the caller refuses
    assert table.find("Nothing") == []


def test_closest_names_best_first_and_something_when_nothing_is_alike() -> None:
    table = _table()
    assert table.closest("Managed Servces") == ['"Managed Services" (12)']
    assert table.closest("zzz", 2) == ['"Managed Services" (12)', '"Projects" (14)']


def test_a_list_that_is_not_objects_with_id_and_name_is_no_table() -> None:
    assert NameTable.from_rows("/X", [{"id": 1, "label": "A"}]) is None
    assert NameTable.from_rows("/X", ["A"]) is None
    empty = NameTable.from_rows("/X", [])
    assert empty is not None and empty.find("A") == []


def test_a_candidate_from_halopsa_cannot_move_the_cursor_of_the_terminal() -> None:
    table = NameTable.from_rows("/Client", [{"id": 1, "name": "Evil\x1b[2K\nPlan: 0"}])
    assert table is not None
    assert table.entry("1") == '"Evil\\u001b[2K\\nPlan: 0" (1)'
