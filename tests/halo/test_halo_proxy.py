"""Proxies: HTTPS_PROXY & co. carry traffic to a real instance, never to a loopback one.

A proxy that saw sandbox traffic would read its client secret and bearer token in clear
(plain http on loopback), and break `--sandbox` (issue 18, item 11). A proxy variable
with a scheme httpx cannot speak is a clear settings error naming the variable, not an
"internal error" (item 17). A small recording proxy on loopback stands in for a real one.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from halo_support import FakeTime

from reconciler.errors import ConnectionSettingsError, HaloError
from reconciler.halo import ClientOptions, ReadOnlyClient, settings_from_env
from reconciler.halo.proxy import proxies_for
from reconciler.sandbox import SandboxHandle


class _Recorder(socketserver.BaseRequestHandler):
    """Records the request line it got and refuses it (502), as a proxy that cannot
    reach the target would."""

    seen: ClassVar[list[str]] = []

    def handle(self) -> None:
        self.request.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                break
            data += chunk
        type(self).seen.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
        self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def proxy() -> Iterator[str]:
    _Recorder.seen = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://user:CANARY-proxy@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _options() -> ClientOptions:
    return ClientOptions(timing=FakeTime(jitter=0.0).timing())


@pytest.mark.parametrize("name", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_loopback_traffic_never_goes_through_a_proxy(
    sandbox: SandboxHandle, proxy: str, name: str
) -> None:
    env = {
        "HALO_URL": sandbox.url,
        "HALO_CLIENT_ID": sandbox.client_id,
        "HALO_CLIENT_SECRET": sandbox.client_secret,
        name: proxy,
    }
    with ReadOnlyClient(settings_from_env(env), _options()) as client:
        assert client.list("xero") == []
    assert _Recorder.seen == []


def test_a_real_instance_goes_through_the_proxy(proxy: str) -> None:
    env = {
        "HALO_URL": "https://acme.halopsa.invalid",
        "HALO_CLIENT_ID": "app",
        "HALO_CLIENT_SECRET": "CANARY-9f3b2a7c-secret",
        "HALO_RETRY_BUDGET": "0",
        "HTTPS_PROXY": proxy,
        "NO_PROXY": "example.com,.internal",
    }
    settings = settings_from_env(env)
    assert "CANARY-proxy" not in repr(settings)
    with ReadOnlyClient(settings, _options()) as client, pytest.raises(HaloError) as info:
        client.list("xero")
    assert _Recorder.seen == ["CONNECT acme.halopsa.invalid:443 HTTP/1.1"]
    assert "CANARY" not in str(info.value)


def test_no_proxy_and_loopback_go_direct() -> None:
    env = {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "example.com, .internal:443"}
    urls = [
        "https://a.example.com/",
        "https://b.internal/",
        "https://[::1]:8443/",
        "https://localhost/",
        "https://acme.halopsa.com/",
    ]
    assert proxies_for(urls, env, []) == {"https://acme.halopsa.com": "http://proxy:3128"}
    assert proxies_for(urls, {"no_proxy": "*", "https_proxy": "proxy:3128"}, []) == {}


@pytest.mark.parametrize("value", ["socks5://user:CANARY@proxy:1080", "ftp://proxy"])
def test_an_unsupported_proxy_scheme_is_a_clear_error(value: str) -> None:
    env = {
        "HALO_URL": "https://acme.halopsa.com",
        "HALO_CLIENT_ID": "app",
        "HALO_CLIENT_SECRET": "secret",
        "https_proxy": value,
    }
    with pytest.raises(ConnectionSettingsError) as info:
        settings_from_env(env)
    scheme = value.split(":")[0]
    assert str(info.value) == (
        f"HaloPSA connection settings: https_proxy uses the proxy scheme '{scheme}', which "
        "is not supported: give an http:// or https:// proxy, or unset it"
    )
