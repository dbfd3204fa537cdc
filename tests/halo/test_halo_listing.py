"""List reading (SPEC §11): bare arrays, wrappers, paged wrappers; issue 18 item 4.

Lists of 0, 1, 100, 101 and 250 records read completely in every shape the sandbox can
answer; an empty body, `null`, or a record_count that disagrees with the rows is an error
(never "no records"); a list whose pages never end is cut off with a clear error.
"""

from __future__ import annotations

from typing import Any

import pytest
from halo_support import FakeTime, connect
from hostile import Hostile, json_response, response

from reconciler.errors import HaloError
from reconciler.halo import ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.halo.listing import parse_page, read_pages
from reconciler.sandbox import SandboxHandle


def _fill(h: SandboxHandle, count: int) -> None:
    for i in range(count):
        h.store.create("xero", {"name": f"Tenant {i:04d}"})


@pytest.mark.parametrize("shape", ["array", "wrapper", "paged"])
@pytest.mark.parametrize("count", [0, 1, 100, 101, 250])
def test_lists_read_completely_in_every_shape(
    sandbox: SandboxHandle, shape: str, count: int
) -> None:
    _fill(sandbox, count)
    sandbox.faults.list_shape = shape
    with connect(sandbox, FakeTime()) as client:
        read = client.list_read("xero")
    assert [r["name"] for r in read.rows] == [f"Tenant {i:04d}" for i in range(count)]
    gets = [e for e in sandbox.log.entries() if e.method == "GET"]
    assert all(e.query["pageinate"] == "true" and e.query["page_size"] == "100" for e in gets)
    assert [e.query["page_no"] for e in gets] == [str(n + 1) for n in range(len(gets))]
    # Paged: one GET per 100 records, one more when the last page is full. A bare array
    # or whole-list wrapper is read in one, one more when it holds exactly 100 rows.
    expected = {"paged": count // 100 + 1}.get(shape, 2 if count == 100 else 1)
    assert len(gets) == expected
    assert read.shape == ("array" if shape == "array" else "wrapper (xerodetails)")


# -- issue 18 item 4: empty, null and inconsistent answers are errors ---------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "HaloPSA answered with an empty body or null instead of a list"),
        (b"null", "HaloPSA answered with an empty body or null instead of a list"),
        (
            b'{"record_count": 5, "records": [{"id": 1}, {"id": 2}]}',
            "record_count 5 (page 1) disagrees with the 2 records HaloPSA sent",
        ),
    ],
    ids=["empty-body", "null", "record-count-disagrees"],
)
def test_item4_empty_null_or_inconsistent_list_is_an_error(body: bytes, message: str) -> None:
    with Hostile(lambda target: response(200, body)) as server:
        client = ReadOnlyClient(settings_from_env(server.env()))
        with client, pytest.raises(HaloError) as info:
            client.list("xero")
    assert str(info.value).startswith(f"GET /api/XeroDetails: HTTP 200: {message}")


def test_item4_plan_stops_on_an_empty_answer_instead_of_planning_creates(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli_runner import run_cli

    (tmp_path / "xero.yaml").write_text("xero:\n  - name: Acme NZ\n    enablesync: true\n")
    with Hostile(lambda target: response(200, b"null")) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        result = run_cli(["plan", str(tmp_path)], capsys)
    assert result.code == 1
    assert "to create" not in result.out
    assert "instead of a list" in result.err


def test_endless_record_count_is_cut_off_with_a_clear_error() -> None:
    pages: list[int] = []

    def fetch(page_no: int) -> Any:
        pages.append(page_no)
        rows = [{"id": (page_no - 1) * 100 + i} for i in range(100)]
        return {"record_count": 10**9, "records": rows}

    with pytest.raises(HaloError) as info:
        read_pages(fetch, "/XeroDetails", max_pages=30)
    assert str(info.value) == (
        "GET /api/XeroDetails: HTTP 200: HaloPSA kept sending full pages: stopped after 30 "
        "pages (3000 records), record_count 1000000000 — the list does not end; run "
        "`halo-reconciler doctor`"
    )
    assert pages == list(range(1, 31))


def test_endless_server_over_http_is_cut_off() -> None:
    def answer(target: str) -> bytes:
        page = int(target.split("page_no=")[1].split("&")[0])
        rows = [{"id": page * 1000 + i} for i in range(100)]
        return json_response({"record_count": 100, "page_no": page, "records": rows})

    with Hostile(answer) as server:
        settings = settings_from_env(server.env(HALO_RATE_LIMIT="1000/1"))
        client = ReadOnlyClient(settings, ClientOptions(max_pages=5))
        with client, pytest.raises(HaloError) as info:
            client.list("xero")
    # record_count 100 counts each page, so only the bound ends it.
    assert "HaloPSA kept sending full pages: stopped after 5 pages (500 records)" in str(info.value)
    assert len([t for t in server.targets if t.startswith("/api/")]) == 5


def test_growing_past_record_count_stops_early() -> None:
    def fetch(page_no: int) -> Any:
        return {"record_count": 150, "records": [{"id": page_no * 1000 + i} for i in range(100)]}

    with pytest.raises(HaloError) as info:
        read_pages(fetch, "/XeroDetails")
    assert "page 1 says record_count 150, but HaloPSA has sent 200 records so far" in str(
        info.value
    )


def test_pages_repeating_records_are_an_error() -> None:
    def fetch(page_no: int) -> Any:
        start = 0 if page_no == 1 else 50
        return [{"id": i} for i in range(start, start + (100 if page_no == 1 else 10))]

    with pytest.raises(HaloError, match="the pages repeat record #50"):
        read_pages(fetch, "/XeroDetails")


def test_a_server_ignoring_page_no_is_read_once() -> None:
    rows = [{"id": i} for i in range(100)]
    read = read_pages(lambda n: {"record_count": 100, "items": rows}, "/XeroDetails")
    assert (len(read.rows), read.pages, read.shape) == (100, 1, "wrapper (items)")


def test_per_page_record_counts_are_consistent() -> None:
    def fetch(page_no: int) -> Any:
        size = {1: 100, 2: 100, 3: 7}[page_no]
        rows = [{"id": page_no * 1000 + i} for i in range(size)]
        return {"record_count": size, "records": rows}

    assert len(read_pages(fetch, "/XeroDetails").rows) == 207


@pytest.mark.parametrize(
    ("data", "rows", "wrapper"),
    [
        ([], [], None),
        ([{"id": 1}], [{"id": 1}], None),
        ({"page_no": 1, "record_count": 2, "xero": [{"id": 1}, {"id": 2}]}, 2, "xero"),
        ({"tags": ["a"], "records": [{"id": 3}]}, [{"id": 3}], "records"),
        ({"tags": ["a"], "records": []}, [], "records"),
        ({"record_count": 0}, [], ""),
        ({"id": 4, "name": "lone"}, [{"id": 4, "name": "lone"}], None),
    ],
)
def test_page_shapes(data: Any, rows: Any, wrapper: str | None) -> None:
    page = parse_page("/XeroDetails", data)
    assert (len(page.rows) if isinstance(rows, int) else page.rows) == rows
    assert page.wrapper == wrapper


@pytest.mark.parametrize(
    "data",
    [
        {"page_no": 1},
        "text",
        [1, 2],
        [{"id": 1}, None],
        5,
        {"record_count": "3", "rows": []},
        {"a": [{"id": 1}], "b": [{"id": 2}]},
    ],
)
def test_page_shapes_refused(data: Any) -> None:
    with pytest.raises(HaloError) as info:
        parse_page("/XeroDetails", data)
    assert str(info.value).startswith("GET /api/XeroDetails: HTTP 200: ")
