"""Fault injection: rates, rate limit, drops, commit-drops and the scripted queue."""

from __future__ import annotations

import json

import httpx
import pytest

from reconciler.errors import SandboxError
from reconciler.sandbox import Faults, SandboxHandle, start_in_thread
from reconciler.sandbox.app import App, Request
from reconciler.sandbox.log import RequestLog
from reconciler.sandbox.store import Store

from .conftest import Connect

XERO = "/api/XeroDetails"


def test_scripted_429_with_retry_after(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("429:7", "429")
    first, second, third = (api.get(XERO) for _ in range(3))
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "7"
    assert first.text == "Rate Limit Reached - 300 Requests per rolling 5 minute window"
    assert (second.status_code, second.headers["Retry-After"]) == (429, "1")
    assert third.status_code == 200
    assert [e.fault for e in sandbox.log.entries()[-3:]] == ["script:429:7", "script:429", None]


def test_scripted_5xx(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("500", "502", "503", "503:4", "404")
    replies = [api.get(XERO) for _ in range(5)]
    assert [r.status_code for r in replies] == [500, 502, 503, 503, 404]
    assert replies[0].json() == {"Message": "An error has occurred."}
    assert "503 Service Unavailable" in replies[2].text
    assert "Retry-After" not in replies[2].headers
    assert replies[3].headers["Retry-After"] == "4"
    assert replies[4].json() == {"Message": "Simulated HTTP 404 (sandbox fault injection)."}


def test_scripted_401_on_the_api(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("401")
    assert api.get(XERO).status_code == 401
    assert api.get(XERO).status_code == 200


def test_scripted_401_on_the_token_endpoint(sandbox: SandboxHandle, connect: Connect) -> None:
    sandbox.faults.script("401", paths="token")
    with pytest.raises(AssertionError):
        connect(sandbox)
    assert connect(sandbox).get(XERO).status_code == 200


def test_script_applies_to_the_token_endpoint_unless_filtered(
    sandbox: SandboxHandle, connect: Connect
) -> None:
    sandbox.faults.script("500", paths="api")
    client = connect(sandbox)  # the token request is not an /api request: served
    assert client.get(XERO).status_code == 500
    sandbox.faults.script("500")
    with pytest.raises(AssertionError):
        connect(sandbox)  # the token request took it


def test_script_method_filter(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("503", methods=["post"])
    assert api.get(XERO).status_code == 200
    assert sandbox.faults.pending() == ["503"]
    assert api.post(XERO, json=[{"name": "A"}]).status_code == 503
    assert api.get(XERO).json() == []
    assert sandbox.faults.pending() == []


def test_script_ok_passes_through(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.fail_rate = 1.0
    sandbox.faults.script("ok")
    assert api.get(XERO).status_code == 200
    assert api.get(XERO).status_code in (500, 502, 503)


def test_scripted_drop_closes_without_an_answer(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("drop")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(XERO, json=[{"name": "A"}])
    assert api.get(XERO).json() == []  # dropped before anything was done
    entry = next(e for e in sandbox.log.entries() if e.method == "POST" and e.path == XERO)
    assert (entry.status, entry.fault) == (None, "script:drop")


def test_scripted_commit_drop_stores_then_closes(sandbox: SandboxHandle, api: httpx.Client) -> None:
    sandbox.faults.script("commit-drop")
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(XERO, json=[{"name": "A"}])
    assert [r["name"] for r in api.get(XERO).json()] == ["A"]


def test_commit_drop_of_a_delete(sandbox: SandboxHandle, api: httpx.Client) -> None:
    api.post(XERO, json=[{"name": "A"}])
    sandbox.faults.script("commit-drop", methods=["DELETE"])
    with pytest.raises(httpx.RemoteProtocolError):
        api.delete(f"{XERO}/1")
    assert api.get(XERO).json() == []


def test_unknown_scripted_outcome_is_refused(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError, match="unknown scripted outcome 'teapot'"):
        sandbox.faults.script("500", "teapot")
    assert sandbox.faults.pending() == []
    with pytest.raises(ValueError, match="paths must be"):
        sandbox.faults.script("500", paths="auth")  # type: ignore[arg-type]


def test_drop_rate(connect: Connect) -> None:
    with start_in_thread() as handle:
        client = connect(handle)
        handle.faults.drop_rate = 1.0
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(XERO)
        handle.faults.drop_rate = 0.0
        assert client.get(XERO).status_code == 200


def test_post_commit_drop_rate_only_hits_api_posts(connect: Connect) -> None:
    with start_in_thread(faults=Faults(post_commit_drop_rate=1.0)) as handle:
        client = connect(handle)  # the token POST is not affected
        assert client.get(XERO).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(XERO, json=[{"name": "A"}])
        assert [r["name"] for r in handle.store.list("xero")] == ["A"]


def test_fail_rate_answers_5xx(connect: Connect) -> None:
    with start_in_thread() as handle:
        client = connect(handle)
        handle.faults.fail_rate = 1.0
        codes = {client.get(XERO).status_code for _ in range(30)}
        assert codes == {500, 502, 503}


def test_the_random_seed_makes_faults_repeatable(connect: Connect) -> None:
    runs = []
    for _ in range(2):
        with start_in_thread() as handle:
            client = connect(handle)
            handle.faults.seed = 42
            handle.faults.fail_rate = 0.5
            runs.append([client.get(XERO).status_code for _ in range(20)])
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1


def test_rate_limit_counts_api_requests_in_a_rolling_window(connect: Connect) -> None:
    with start_in_thread(faults=Faults(rate_limit="3/60")) as handle:
        client = connect(handle)  # the token request does not count
        assert [client.get(XERO).status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get(XERO)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "60"
        assert limited.text == "Rate Limit Reached - 3 Requests per rolling 1 minute window"
        assert limited.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_rate_limit_window_rolls() -> None:
    # Time is injected: the app is driven directly, without a socket.
    now = [1000.0]
    faults = Faults(rate_limit="2/10")
    app = App(Store(), faults, RequestLog(), "id", "secret", clock=lambda: now[0])
    form = b"grant_type=client_credentials&client_id=id&client_secret=secret"
    token = json.loads(app.handle(Request("POST", "/auth/token", {}, form)).body)
    auth = {"authorization": "Bearer " + token["access_token"]}

    def get() -> tuple[int, str | None]:
        reply = app.handle(Request("GET", XERO, auth))
        return reply.status, dict(reply.headers).get("Retry-After")

    assert [get(), get()] == [(200, None), (200, None)]
    now[0] = 1004.5
    assert get() == (429, "6")
    now[0] = 1010.0  # the first two left the window
    assert [get(), get(), get()] == [(200, None), (200, None), (429, "10")]


def test_latency_is_applied_before_each_request() -> None:
    slept: list[float] = []
    app = App(Store(), Faults(latency_ms=250), RequestLog(), "id", "s", sleep=slept.append)
    app.handle(Request("GET", XERO, {}))
    app.handle(Request("POST", "/auth/token", {}, b""))
    assert slept == [0.25, 0.25]


def test_faults_are_validated() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match=r"fail_rate must be between 0 and 1, got 1\.5"):
        faults.fail_rate = 1.5
    with pytest.raises(ValueError, match="latency_ms must not be negative, got -1"):
        Faults(latency_ms=-1)
    with pytest.raises(ValueError, match=r"rate limit must be N/S .* got '5'"):
        faults.rate_limit = "5"
    with pytest.raises(ValueError, match="drop_rate must be a number, got 'x'"):
        Faults(drop_rate="x")  # type: ignore[arg-type]
    faults.clear()
    assert faults == Faults()


def test_faults_from_the_environment() -> None:
    env = {
        "HALO_SANDBOX_LATENCY_MS": "5",
        "HALO_SANDBOX_FAIL_RATE": "0.1",
        "HALO_SANDBOX_RATE_LIMIT": "300/300",
        "HALO_SANDBOX_DROP_RATE": "0.02",
        "HALO_SANDBOX_POST_COMMIT_DROP_RATE": "0.03",
        "HALO_SANDBOX_TOKEN_TTL": "60",
        "HALO_SANDBOX_SEED": "7",
    }
    assert Faults.from_env(env) == Faults(
        latency_ms=5.0,
        fail_rate=0.1,
        rate_limit="300/300",
        drop_rate=0.02,
        post_commit_drop_rate=0.03,
        token_ttl=60,
        seed=7,
    )
    assert Faults.from_env({}) == Faults()


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        (
            "HALO_SANDBOX_FAIL_RATE",
            "2",
            "HALO_SANDBOX_FAIL_RATE: fail_rate must be between 0 and 1, got 2.0",
        ),
        (
            "HALO_SANDBOX_LATENCY_MS",
            "slow",
            "HALO_SANDBOX_LATENCY_MS: expected a number, got 'slow'",
        ),
        (
            "HALO_SANDBOX_RATE_LIMIT",
            "300",
            "HALO_SANDBOX_RATE_LIMIT: rate limit must be N/S (N requests per S seconds, e.g. "
            "300/300), got '300'",
        ),
        (
            "HALO_SANDBOX_SEED",
            "seed.yaml",
            "HALO_SANDBOX_SEED: expected an integer (the random seed of fault injection), got "
            "'seed.yaml'",
        ),
        (
            "HALO_SANDBOX_TOKEN_TTL",
            "1h",
            "HALO_SANDBOX_TOKEN_TTL: expected an integer (seconds), got '1h'",
        ),
    ],
)
def test_bad_environment_values_name_the_variable(var: str, value: str, message: str) -> None:
    with pytest.raises(SandboxError) as info:
        Faults.from_env({var: value})
    assert str(info.value) == message
