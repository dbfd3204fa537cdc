"""`halo-reconciler sandbox` as a user runs it: a subprocess, dotenv lines, clean exit."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.cli.main import main

TIMEOUT = 20.0


def _first_lines(proc: subprocess.Popen[str], count: int) -> list[str]:
    """The first `count` stdout lines, without hanging the suite if they never come."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    data = b""
    while data.count(b"\n") < count:
        ready, _, _ = select.select([fd], [], [], TIMEOUT)
        assert ready, f"the sandbox printed only {data!r}"
        chunk = os.read(fd, 4096)
        assert chunk, f"the sandbox exited after printing {data!r}"
        data += chunk
    lines = data.decode().split("\n")
    assert lines[count:] == [""], "more than the dotenv lines before any request"
    return lines[:count]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=TIMEOUT)


def _spawn(started: list[subprocess.Popen[str]], *args: str, **env: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )
    started.append(proc)
    return proc


def _dotenv(proc: subprocess.Popen[str]) -> dict[str, str]:
    lines = _first_lines(proc, 3)
    assert [line.split("=", 1)[0] for line in lines] == [
        "HALO_URL",
        "HALO_CLIENT_ID",
        "HALO_CLIENT_SECRET",
    ]
    return dict(line.split("=", 1) for line in lines)


def _token(env: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{env['HALO_URL']}/auth/token",
        verify=False,
        data={
            "grant_type": "client_credentials",
            "client_id": env["HALO_CLIENT_ID"],
            "client_secret": env["HALO_CLIENT_SECRET"],
        },
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_dotenv_serves_and_exits_cleanly(
    start: list[subprocess.Popen[str]], sig: signal.Signals
) -> None:
    proc = _spawn(start)
    env = _dotenv(proc)
    assert env["HALO_URL"].startswith("http://127.0.0.1:")
    assert (env["HALO_CLIENT_ID"], env["HALO_CLIENT_SECRET"]) == (
        "sandbox-client",
        "sandbox-secret",
    )
    reply = _token(env)
    assert reply.status_code == 200
    token = reply.json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    xero = httpx.get(f"{env['HALO_URL']}/api/XeroDetails", headers=auth, verify=False)
    assert [r["name"] for r in xero.json()] == ["Acme NZ", "Acme AU", "Old tenant"]  # bundled seed
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert out == ""
    assert err.splitlines() == [
        "sandbox: 7 records (in memory only); stop with Ctrl-C",
        "POST /auth/token -> 200",
        "GET /api/XeroDetails -> 200",
        "sandbox: stopped",
    ]


def test_credentials_come_from_the_environment(
    start: list[subprocess.Popen[str]], canary: str
) -> None:
    proc = _spawn(
        start,
        "--empty",
        "--quiet",
        HALO_SANDBOX_CLIENT_ID="ci",
        HALO_SANDBOX_CLIENT_SECRET="sandbox-pass",
        # A real instance's credentials in the same shell are never taken, nor printed.
        HALO_CLIENT_ID="real-app",
        HALO_CLIENT_SECRET=canary,
    )
    env = _dotenv(proc)
    assert (env["HALO_CLIENT_ID"], env["HALO_CLIENT_SECRET"]) == ("ci", "sandbox-pass")
    assert _token(env).status_code == 200
    proc.terminate()
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0
    assert canary not in out + err
    assert err.splitlines() == [
        "sandbox: 0 records (in memory only); stop with Ctrl-C",
        "sandbox: stopped",
    ]


def test_real_credentials_in_the_shell_are_not_the_sandbox_s(
    start: list[subprocess.Popen[str]], canary: str
) -> None:
    proc = _spawn(start, "--empty", "--quiet", HALO_CLIENT_ID="real", HALO_CLIENT_SECRET=canary)
    env = _dotenv(proc)
    assert (env["HALO_CLIENT_ID"], env["HALO_CLIENT_SECRET"]) == (
        "sandbox-client",
        "sandbox-secret",
    )
    proc.terminate()
    out, err = proc.communicate(timeout=TIMEOUT)
    assert canary not in out + err


def test_data_flag_persists_and_faults_apply(
    start: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    data = tmp_path / "d.json"
    proc = _spawn(start, "--data", str(data), "--fail-rate", "1", "--random-seed", "3")
    env = _dotenv(proc)
    assert _token(env).status_code in (500, 502, 503)
    proc.terminate()
    proc.communicate(timeout=TIMEOUT)
    assert data.is_file()
    assert '"Acme NZ"' in data.read_text(encoding="utf-8")


def test_environment_faults_apply(start: list[subprocess.Popen[str]]) -> None:
    proc = _spawn(start, "--quiet", HALO_SANDBOX_FAIL_RATE="1")
    env = _dotenv(proc)
    assert _token(env).status_code in (500, 502, 503)


def test_a_non_loopback_host_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sandbox", "--host", "0.0.0.0"])
    assert info.value.code == 1
    assert capsys.readouterr().err.endswith(
        "Error: Invalid value for '--host': '0.0.0.0' is not a loopback address: the sandbox "
        "has fixed credentials, so it only listens on 127.0.0.1, ::1 or localhost\n"
    )


def test_a_bad_rate_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sandbox", "--rate-limit", "lots"])
    assert info.value.code == 1
    assert capsys.readouterr().err.endswith(
        "Error: Invalid value for '--rate-limit': rate limit must be N/S (N requests per S "
        "seconds, e.g. 300/300), got 'lots'\n"
    )


def test_a_bad_environment_value_is_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALO_SANDBOX_DROP_RATE", "often")
    with pytest.raises(SystemExit) as info:
        main(["sandbox", "--port", "0"])
    assert info.value.code == 1
    assert capsys.readouterr().err == (
        "Error: HALO_SANDBOX_DROP_RATE: expected a number, got 'often'\n"
    )


def test_a_corrupt_data_file_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "d.json"
    data.write_text("{", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["sandbox", "--port", "0", "--data", str(data)])
    assert info.value.code == 1
    assert capsys.readouterr().err == (
        f"Error: the sandbox data file {data} is not valid JSON (line 1, column 2); it was "
        "left unchanged: fix it, or move it away to start afresh\n"
    )
    assert data.read_text(encoding="utf-8") == "{"


def test_answer_flags_apply(start: list[subprocess.Popen[str]]) -> None:
    proc = _spawn(
        start,
        "--quiet",
        "--list-shape",
        "wrapper",
        "--list-rows",
        "summary",
        "--extra-fields",
        HALO_SANDBOX_POST_ANSWER="empty",
    )
    env = _dotenv(proc)
    headers = {"Authorization": f"Bearer {_token(env).json()['access_token']}"}
    doc = httpx.get(f"{env['HALO_URL']}/api/MYOBdetails", headers=headers).json()
    assert doc["record_count"] == 1
    row = doc["myobdetails"][0]
    assert "client_mappings" not in row and row["sandbox_newer_field"] is True
    posted = httpx.post(
        f"{env['HALO_URL']}/api/XeroDetails", headers=headers, json=[{"name": "New"}]
    )
    assert (posted.status_code, posted.content) == (200, b"")
