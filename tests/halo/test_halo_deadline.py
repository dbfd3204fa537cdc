"""Issue 18 item 15: every request has an overall deadline, every answer a size cap.

A hostile loopback server drip-feeds an answer one byte at a time, each byte well inside
the read timeout, so only the overall deadline can end the request; it stops by itself
after a few seconds whatever happens. No timing asserts: the tests check that the client
gives up with a clear error instead of waiting for the server.
"""

from __future__ import annotations

import json

import pytest
from hostile import Hostile, json_response

from reconciler.errors import HaloError, HaloUnavailable
from reconciler.halo import ClientOptions, ReadOnlyClient, settings_from_env

ROWS = json_response([{"id": i, "name": f"Acme {i}"} for i in range(40)])


def _options(**extra: float) -> ClientOptions:
    return ClientOptions(read_timeout=2.0, deadline=extra.get("deadline", 0.3))


@pytest.mark.parametrize("drip_head", [False, True], ids=["body", "headers"])
def test_item15_drip_fed_answer_is_cut_off_by_the_deadline(drip_head: bool) -> None:
    with Hostile(lambda target: ROWS, drip=0.02, drip_head=drip_head, limit=4.0) as server:
        settings = settings_from_env(server.env(HALO_RETRY_BUDGET="0.5"))
        client = ReadOnlyClient(settings, _options())
        with client, pytest.raises(HaloUnavailable) as info:
            client.list("xero")
    message = str(info.value)
    assert "GET /api/XeroDetails: no answer: no complete answer within 0.3 s" in message
    assert "gave up after" in message


def test_item15_answer_larger_than_the_cap_is_refused() -> None:
    big = json.dumps([{"id": i, "name": "x" * 1000} for i in range(3000)]).encode()
    with Hostile(lambda target: json_response(json.loads(big))) as server:
        options = ClientOptions(max_body=1024 * 1024)
        client = ReadOnlyClient(settings_from_env(server.env()), options)
        with client, pytest.raises(HaloError) as info:
            client.list("xero")
    assert (
        str(info.value)
        == "GET /api/XeroDetails: HTTP 200: the answer is larger than 1 MB; not read"
    )


def test_item15_a_normal_answer_within_the_deadline_is_read() -> None:
    with Hostile(lambda target: ROWS) as server:
        client = ReadOnlyClient(settings_from_env(server.env()), _options(deadline=5.0))
        with client:
            assert len(client.list("xero")) == 40
