"""Connection settings from HALO_* variables: defaults, overrides, refusals (no server)."""

from __future__ import annotations

import pytest

from reconciler.errors import ConnectionSettingsError
from reconciler.halo import ConnectionSettings, Instance, settings_from_env
from reconciler.halo.settings import parse_rate_limit
from reconciler.instance import is_loopback
from reconciler.sensitive import Sensitive

BASE = {
    "HALO_URL": "https://acme.halopsa.com",
    "HALO_CLIENT_ID": "app-id",
    "HALO_CLIENT_SECRET": "CANARY-9f3b2a7c-secret",
}


def test_defaults() -> None:
    s = settings_from_env(BASE)
    assert s == ConnectionSettings(
        url="https://acme.halopsa.com",
        auth_url="https://acme.halopsa.com/auth",
        client_id="app-id",
        client_secret=Sensitive("CANARY-9f3b2a7c-secret", "${HALO_CLIENT_SECRET}"),
        tenant=None,
        scope="all",
        rate_limit=(300, 300.0),
        retry_budget=120.0,
    )
    assert s.api_url == "https://acme.halopsa.com/api"
    assert s.token_url == "https://acme.halopsa.com/auth/token"
    assert s.instance == Instance("https://acme.halopsa.com", None)


def test_every_variable() -> None:
    s = settings_from_env(
        {
            **BASE,
            "HALO_URL": "https://acme.halopsa.com/",
            "HALO_AUTH_URL": "https://auth.example.com/tenant-auth/",
            "HALO_TENANT": "acme",
            "HALO_SCOPE": "read:all edit:all",
            "HALO_RATE_LIMIT": "500/180",
            "HALO_RETRY_BUDGET": "30.5",
        }
    )
    assert s.url == "https://acme.halopsa.com"
    assert s.token_url == "https://auth.example.com/tenant-auth/token"
    assert s.tenant == "acme"
    assert s.scope == "read:all edit:all"
    assert s.rate_limit == (500, 180.0)
    assert s.retry_budget == 30.5
    assert s.instance == Instance("https://acme.halopsa.com", "acme")


def test_pasted_resource_and_token_urls_are_not_doubled() -> None:
    s = settings_from_env(
        {
            **BASE,
            "HALO_URL": "https://acme.halopsa.com/api/",
            "HALO_AUTH_URL": "https://acme.halopsa.com/auth/token",
        }
    )
    assert s.api_url == "https://acme.halopsa.com/api"
    assert s.token_url == "https://acme.halopsa.com/auth/token"


def test_flags_override_variables() -> None:
    s = settings_from_env(
        {**BASE, "HALO_TENANT": "from-env"}, url="https://other.halopsa.com//", tenant="flag"
    )
    assert (s.url, s.tenant) == ("https://other.halopsa.com", "flag")


def test_url_flag_stands_in_for_a_missing_variable() -> None:
    env = {k: v for k, v in BASE.items() if k != "HALO_URL"}
    assert settings_from_env(env, url="https://x.halopsa.com").url == "https://x.halopsa.com"


def test_all_missing_variables_named_at_once() -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env({"HALO_CLIENT_ID": "  "})
    assert str(info.value) == (
        "HaloPSA connection settings: missing HALO_URL, HALO_CLIENT_ID, HALO_CLIENT_SECRET: "
        "set these environment variables (or pass --url)"
    )


def test_one_missing_variable() -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env({**BASE, "HALO_CLIENT_SECRET": ""})
    assert str(info.value) == (
        "HaloPSA connection settings: missing HALO_CLIENT_SECRET: set this environment variable"
    )


def test_malformed_limits_and_missing_together() -> None:
    env = {**BASE, "HALO_RATE_LIMIT": "300 per 5 min", "HALO_RETRY_BUDGET": "forever"}
    del env["HALO_CLIENT_ID"]
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env(env)
    assert str(info.value) == (
        "HaloPSA connection settings:\n"
        "  missing HALO_CLIENT_ID: set this environment variable\n"
        "  HALO_RATE_LIMIT must be N/S: N requests (1 to 1,000,000) per rolling S seconds "
        "(up to 86,400), e.g. 300/300; got '300 per 5 min'\n"
        "  HALO_RETRY_BUDGET must be a number of seconds from 0 to 86,400 (e.g. 120), "
        "got 'forever'"
    )


@pytest.mark.parametrize(
    "limit",
    [
        "1/1e10",
        "1/1e308",
        "300/1e-400",
        "0/5",
        pytest.param("9" * 5000 + "/1", id="N-of-5000-digits"),
        "2000000/1",
    ],
)
def test_absurd_rate_limits_are_refused_before_any_wait(limit: str) -> None:
    # 1/1e10 asked the budget to sleep 1e10 s: OverflowError, "internal error".
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env({**BASE, "HALO_RATE_LIMIT": limit})
    message = str(info.value)
    assert message.startswith("HaloPSA connection settings: HALO_RATE_LIMIT must be N/S: ")
    assert len(message) < 260  # a 5,000-digit value is cut, not echoed whole


@pytest.mark.parametrize("text", ["0/300", "300/0", "300", "/", "a/b", "300/-1", "300/inf"])
def test_rate_limit_refused(text: str) -> None:
    assert parse_rate_limit(text) is None


@pytest.mark.parametrize("text", ["-1", "nan", "inf"])
def test_retry_budget_refused(text: str) -> None:
    with pytest.raises(ConnectionSettingsError, match="HALO_RETRY_BUDGET must be a number"):
        settings_from_env({**BASE, "HALO_RETRY_BUDGET": text})


def test_retry_budget_zero_means_no_retries() -> None:
    assert settings_from_env({**BASE, "HALO_RETRY_BUDGET": "0"}).retry_budget == 0.0


def test_http_refused_for_a_remote_host() -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env({**BASE, "HALO_URL": "http://acme.halopsa.com"})
    assert str(info.value) == (
        "HaloPSA connection settings: HALO_URL uses http:// for acme.halopsa.com: only https:// "
        "is allowed, except for a loopback address (localhost, 127.0.0.1, ::1)"
    )


def test_http_refused_for_the_auth_url_and_the_flag() -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env(
            {**BASE, "HALO_AUTH_URL": "http://10.0.0.1/auth"}, url="http://192.168.1.2:8080"
        )
    assert str(info.value) == (
        "HaloPSA connection settings:\n"
        "  --url uses http:// for 192.168.1.2: only https:// is allowed, except for a loopback "
        "address (localhost, 127.0.0.1, ::1)\n"
        "  HALO_AUTH_URL uses http:// for 10.0.0.1: only https:// is allowed, except for a "
        "loopback address (localhost, 127.0.0.1, ::1)"
    )


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.8.9.10", "http://localhost:9/", "http://[::1]:8080"],
)
def test_http_allowed_on_loopback(url: str) -> None:
    assert settings_from_env({**BASE, "HALO_URL": url}).url == url.rstrip("/")


def test_loopback_hosts() -> None:
    assert [is_loopback(h) for h in ("LOCALHOST", "127.0.0.1", "::1", "128.0.0.1", "::2")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_credentials_in_the_url_refused_without_echo() -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env(
            {**BASE, "HALO_URL": "https://me:CANARY-9f3b2a7c-secret@acme.halopsa.com"}
        )
    assert str(info.value) == (
        "HaloPSA connection settings: HALO_URL must not contain credentials: "
        "use HALO_CLIENT_ID/SECRET"
    )


LIKE = "HALO_URL must be a URL like https://acme.halopsa.com, got"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("acme.halopsa.com", f"{LIKE} 'acme.halopsa.com'"),
        ("ftp://acme", f"{LIKE} 'ftp://acme'"),
        ("https://acme:port", f"{LIKE} 'https://acme:port'"),
        (
            "https://acme.halopsa.com/?x=1",
            "HALO_URL must not have a query or fragment, got 'https://acme.halopsa.com/?***'",
        ),
        # A URL that does not even parse still never shows its user part or its query.
        ("https://user:CANARY@[acme", f"{LIKE} 'https://***@[acme'"),
        ("ftp://acme/x?token=CANARY", f"{LIKE} 'ftp://acme/x?***'"),
        ("acme.halopsa.com#CANARY", f"{LIKE} 'acme.halopsa.com#***'"),
    ],
)
def test_malformed_url(url: str, message: str) -> None:
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env({**BASE, "HALO_URL": url})
    assert str(info.value) == f"HaloPSA connection settings: {message}"


def test_secret_never_in_repr_or_str() -> None:
    s = settings_from_env(BASE)
    assert "CANARY" not in repr(s)
    assert "CANARY" not in str(s)
    assert "CANARY" not in repr(s.instance)
    assert s.client_secret.reveal() == "CANARY-9f3b2a7c-secret"


def test_empty_tenant_and_scope_fall_back() -> None:
    s = settings_from_env({**BASE, "HALO_TENANT": " ", "HALO_SCOPE": ""}, tenant=None)
    assert (s.tenant, s.scope) == (None, "all")
