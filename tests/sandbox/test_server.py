"""The socket side: keep-alive, stopping with open connections, IPv6, shared fixtures."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import httpx
import pytest

from reconciler.sandbox import SandboxHandle, start_in_thread

from .conftest import Connect


def test_keep_alive_reuses_one_connection(sandbox: SandboxHandle, connect: Connect) -> None:
    client = connect(sandbox)
    for _ in range(5):
        reply = client.get("/api/XeroDetails")
        assert reply.http_version == "HTTP/1.1"
        assert reply.headers["Content-Length"] == "2"
        assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    # The token request and five GETs went over one kept-alive connection.
    assert len(sandbox.log.entries()) == 6


def test_stop_closes_open_connections(connect: Connect) -> None:
    handle = start_in_thread()
    client = connect(handle)
    assert client.get("/api/XeroDetails").status_code == 200
    handle.stop()
    handle.stop()  # idempotent
    with pytest.raises(httpx.TransportError):
        client.get("/api/XeroDetails")


def test_a_raw_socket_gets_an_http_answer(sandbox: SandboxHandle) -> None:
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as sock:
        sock.sendall(b"GET /api/XeroDetails HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    head = data.split(b"\r\n\r\n")[0].decode()
    assert head.splitlines()[0] == "HTTP/1.1 401 Unauthorized"
    assert "Server: halo-reconciler-sandbox" in head


def test_chunked_request_bodies_are_read(sandbox: SandboxHandle, connect: Connect) -> None:
    client = connect(sandbox)
    body = iter([b'[{"name": ', b'"chunked"}]'])
    reply = client.post(
        "/api/XeroDetails", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 200
    assert reply.json()[0]["name"] == "chunked"


def test_ipv6_loopback(connect: Connect) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        handle = start_in_thread(host="::1")
    except Exception as exc:  # an IPv6-less container
        pytest.skip(f"no IPv6 loopback: {exc}")
    with handle:
        assert handle.url == f"http://[::1]:{handle.port}"
        assert connect(handle).get("/api/XeroDetails").status_code == 200


def test_seed_from_a_path(tmp_path: Path, sandbox: SandboxHandle) -> None:
    seed = tmp_path / "s.yaml"
    seed.write_text("fortnox:\n  - name: F\n", encoding="utf-8")
    sandbox.store.load_seed(seed)
    assert [r["name"] for r in sandbox.store.list("fortnox")] == ["F"]
    with start_in_thread(seed=seed) as handle:
        assert handle.store.counts()["fortnox"] == 1


def test_environment_is_clean_and_the_canary_set(canary: str) -> None:
    halo = {k for k in os.environ if k.startswith("HALO_")}
    assert halo == {"HALO_TEST_CANARY"}
    assert os.environ["HALO_TEST_CANARY"] == canary


def test_sandbox_env_fixture(sandbox_env: SandboxHandle, canary: str) -> None:
    assert os.environ["HALO_URL"] == sandbox_env.url
    assert os.environ["HALO_CLIENT_ID"] == sandbox_env.client_id == "sandbox-client"
    assert os.environ["HALO_CLIENT_SECRET"] == sandbox_env.client_secret == canary
    assert sandbox_env.store.counts()["xero"] == 0


def test_sandbox_seeded_env_fixture(sandbox_seeded_env: SandboxHandle) -> None:
    assert os.environ["HALO_URL"] == sandbox_seeded_env.url
    assert sandbox_seeded_env.store.counts()["xero"] == 3


def test_sandbox_dir_fixture(sandbox_dir: Path) -> None:
    assert os.environ["HALO_SANDBOX_DIR"] == str(sandbox_dir)
    assert not sandbox_dir.exists()
