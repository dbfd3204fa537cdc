"""--url, --tenant, --sandbox and connection.open_client: the CLI side of the connection."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest
from click.testing import CliRunner

from reconciler.cli.options import connection_options
from reconciler.connection import Connection, open_client
from reconciler.errors import ConnectionSettingsError
from reconciler.halo import Client, Instance, ReadOnlyClient
from reconciler.sandbox import SandboxHandle


@click.command()
@connection_options
@click.option("--write", is_flag=True)
def probe(connection: Connection, write: bool) -> None:
    """Open a client the way plan/apply do and report what it reaches."""
    with open_client(connection, write=write) as client:
        names = sorted(r["name"] for r in client.list("xero"))
        click.echo(f"{type(client).__name__} {client.instance.tenant} {names}")


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(probe, ["--help"])
    assert result.exit_code == 0
    words = " ".join(result.output.split())
    for text in ("--url URL", "--tenant NAME", "--sandbox", "(overrides HALO_URL)"):
        assert text in words


def test_env_and_flags(sandbox_seeded_env: SandboxHandle, canary: str) -> None:
    result = CliRunner().invoke(probe, ["--tenant", "acme"])
    assert result.exit_code == 0, result.output
    assert result.output == "ReadOnlyClient acme ['Acme AU', 'Acme NZ', 'Old tenant']\n"
    assert canary not in result.output
    token = [e for e in sandbox_seeded_env.log.entries() if e.path == "/auth/token"]
    assert [e.query for e in token] == [{"tenant": "acme"}]


def test_url_flag_overrides_the_variable(
    sandbox_seeded_env: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALO_URL", "https://somewhere-else.example")
    with open_client(Connection(url=sandbox_seeded_env.url), write=True) as c:
        assert isinstance(c, Client)
        assert c.instance == Instance(sandbox_seeded_env.url, None)
        assert len(c.list("xero")) == 3


def test_missing_settings() -> None:
    with pytest.raises(ConnectionSettingsError, match="missing HALO_URL, HALO_CLIENT_ID"):
        open_client(Connection(), write=False)


def _refuses(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_sandbox_started_and_stopped_with_the_client(sandbox_dir: Path) -> None:
    client = open_client(Connection(sandbox=True), write=False)
    with client:
        assert type(client) is ReadOnlyClient
        assert client.settings.url.startswith("http://127.0.0.1:")
        # Plans name it by its data directory: its port is new each run.
        assert client.instance.url == f"sandbox:{sandbox_dir.resolve()}"
        assert [r["name"] for r in client.list("xero")] == ["Acme NZ", "Acme AU", "Old tenant"]
    assert _refuses(client.settings.url)
    assert (sandbox_dir / "data.json").exists()


def test_sandbox_through_the_command(sandbox_dir: Path) -> None:
    result = CliRunner().invoke(probe, ["--sandbox", "--write"])
    assert result.exit_code == 0, result.output
    assert result.output == "Client None ['Acme AU', 'Acme NZ', 'Old tenant']\n"


def test_sandbox_refuses_url_and_tenant(sandbox_dir: Path) -> None:
    result = CliRunner().invoke(probe, ["--sandbox", "--url", "https://acme.halopsa.com"])
    assert result.exit_code != 0
    assert "--sandbox cannot be combined with --url or --tenant" in result.output
    assert not sandbox_dir.exists()  # refused before starting anything
