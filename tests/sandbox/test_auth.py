"""The token endpoint and bearer tokens, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reconciler.sandbox import Faults, SandboxHandle, start_in_thread

FORM = {"grant_type": "client_credentials", "scope": "all"}
# One client for the module: building an httpx.Client loads CA certificates (slow).
_HTTP = httpx.Client(verify=False)


@pytest.fixture(scope="module", autouse=True)
def _close_client() -> Iterator[None]:
    yield
    _HTTP.close()


def _token(handle: SandboxHandle, **form: str) -> httpx.Response:
    data = {**FORM, "client_id": handle.client_id, "client_secret": handle.client_secret, **form}
    return _HTTP.post(f"{handle.url}/auth/token", data=data)


def test_token_is_issued_for_the_right_credentials(sandbox: SandboxHandle) -> None:
    reply = _token(sandbox, scope="all")
    assert reply.status_code == 200
    body = reply.json()
    assert sorted(body) == ["access_token", "expires_in", "scope", "token_type"]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "all"
    assert len(body["access_token"]) >= 32


def test_token_ttl_comes_from_the_faults() -> None:
    with start_in_thread(faults=Faults(token_ttl=120)) as handle:
        assert _token(handle).json()["expires_in"] == 120


def test_wrong_secret_is_401_invalid_client(sandbox: SandboxHandle) -> None:
    reply = _token(sandbox, client_secret="wrong")
    assert reply.status_code == 401
    assert reply.json() == {"error": "invalid_client"}


def test_wrong_client_id_is_401_invalid_client(sandbox: SandboxHandle) -> None:
    reply = _token(sandbox, client_id="someone-else")
    assert reply.status_code == 401
    assert reply.json() == {"error": "invalid_client"}


def test_other_grant_type_is_400(sandbox: SandboxHandle) -> None:
    reply = _token(sandbox, grant_type="password")
    assert reply.status_code == 400
    assert reply.json() == {"error": "unsupported_grant_type"}


def test_get_on_the_token_endpoint_is_405(sandbox: SandboxHandle) -> None:
    reply = _HTTP.get(f"{sandbox.url}/auth/token")
    assert reply.status_code == 405


def test_credentials_are_configurable(canary: str) -> None:
    with start_in_thread(client_id="me", client_secret=canary) as handle:
        assert (handle.client_id, handle.client_secret) == ("me", canary)
        assert _token(handle).status_code == 200
        assert _token(handle, client_secret="sandbox-secret").status_code == 401


def test_any_tenant_is_accepted_by_default(sandbox: SandboxHandle) -> None:
    data = {**FORM, "client_id": sandbox.client_id, "client_secret": sandbox.client_secret}
    reply = _HTTP.post(f"{sandbox.url}/auth/token", params={"tenant": "acme"}, data=data)
    assert reply.status_code == 200


def test_a_configured_tenant_is_checked() -> None:
    with start_in_thread(tenant="acme") as handle:
        data = {**FORM, "client_id": handle.client_id, "client_secret": handle.client_secret}
        url = f"{handle.url}/auth/token"
        assert _HTTP.post(url, params={"tenant": "acme"}, data=data).status_code == 200
        assert _HTTP.post(url, data={**data, "tenant": "ACME"}).status_code == 200
        refused = _HTTP.post(url, params={"tenant": "other"}, data=data)
        assert refused.status_code == 401
        assert refused.json() == {"error": "invalid_client", "error_description": "unknown tenant"}
        assert _HTTP.post(url, data=data).status_code == 401


def test_api_without_a_token_is_401(sandbox: SandboxHandle) -> None:
    reply = _HTTP.get(f"{sandbox.url}/api/XeroDetails")
    assert reply.status_code == 401
    assert reply.json() == {"Message": "Authorization has been denied for this request."}
    assert reply.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_api_with_an_unknown_token_is_401(sandbox: SandboxHandle) -> None:
    headers = {"Authorization": "Bearer not-a-token"}
    assert _HTTP.get(f"{sandbox.url}/api/XeroDetails", headers=headers).status_code == 401


def test_api_with_basic_auth_is_401(sandbox: SandboxHandle) -> None:
    reply = _HTTP.get(f"{sandbox.url}/api/XeroDetails", auth=("sandbox-client", "sandbox-secret"))
    assert reply.status_code == 401


def test_a_token_works_until_it_expires() -> None:
    # token_ttl 0: the token is expired as soon as it is issued.
    with start_in_thread(faults=Faults(token_ttl=0)) as handle:
        token = _token(handle).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert _HTTP.get(f"{handle.url}/api/XeroDetails", headers=headers).status_code == 401


def test_expire_tokens_makes_the_next_request_401(sandbox: SandboxHandle) -> None:
    token = _token(sandbox).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{sandbox.url}/api/XeroDetails"
    assert _HTTP.get(url, headers=headers).status_code == 200
    sandbox.expire_tokens()
    assert _HTTP.get(url, headers=headers).status_code == 401
    fresh = _token(sandbox).json()["access_token"]
    assert _HTTP.get(url, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_bearer_scheme_is_case_insensitive(sandbox: SandboxHandle) -> None:
    token = _token(sandbox).json()["access_token"]
    headers = {"Authorization": f"bearer {token}"}
    assert _HTTP.get(f"{sandbox.url}/api/XeroDetails", headers=headers).status_code == 200


def test_the_secret_is_masked_in_the_log(sandbox: SandboxHandle) -> None:
    _token(sandbox)
    (entry,) = sandbox.log.entries()
    assert entry.method == "POST"
    assert entry.path == "/auth/token"
    assert entry.body == {
        "grant_type": "client_credentials",
        "scope": "all",
        "client_id": "sandbox-client",
        "client_secret": "***",
    }
    assert entry.status == 200
