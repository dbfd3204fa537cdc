"""doctor, status, plan and drift against a HaloPSA whose own texts echo the client secret and carry
terminal control characters: in a record's name, its warning, an unknown field's name,
InstanceInfo's values and the sync error log. No output format may print the secret,
and no control character reaches stdout (JSON escapes its own)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_runner import run_cli

CANARY = "c4nary-Hostile-Secret-7f3e"
FORGED = "\x1b[2J\x1b[1A\rPlan: 0 to create"


def _record() -> dict[str, object]:
    return {
        "id": 1,
        "name": _Echoing.name,
        "enablesync": True,
        "isauthorized": False,
        "_warning": f"w {CANARY}{FORGED}",
        f"weird{FORGED}": 1,
        f"f{CANARY}": 2,
    }


class _Echoing(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    name = f"T {CANARY}{FORGED}"  # the record's name

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/api/InstanceInfo":
            self._send({"app_version": f"1.0 {CANARY}{FORGED}", "database_version": FORGED})
        elif path == "/api/IntegrationError":
            self._send([{"id": 1, "detail_id": 1, "message": f"{CANARY}{FORGED}"}])
        elif path == "/api/XeroDetails":
            self._send([_record()])
        elif path.startswith("/api/XeroDetails/"):
            self._send({**_record(), f"extra{FORGED}": 3})
        else:
            self._send([])


@pytest.fixture
def echoing(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echoing)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HALO_URL", url)
    monkeypatch.setenv("HALO_CLIENT_ID", "app")
    monkeypatch.setenv("HALO_CLIENT_SECRET", CANARY)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    "args",
    [
        ["doctor"],
        ["doctor", "--format", "json"],
        ["status"],
        ["status", "--format", "json"],
        ["status", "--format", "markdown"],
    ],
)
def test_no_secret_and_no_control_character(
    echoing: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(args, capsys)
    assert result.code in (0, 1), result.err
    assert "Plan: 0 to create" in result.out  # HaloPSA's text is shown, made harmless
    for text in (result.out, result.err):
        assert CANARY not in text
        assert "\x1b" not in text and "\r" not in text


@pytest.mark.parametrize("args", [["plan"], ["plan", "--format", "json"], ["drift"]])
def test_plan_and_drift_scrub_halopsa_warnings(
    echoing: str,
    args: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(_Echoing, "name", "T")  # names are data; the warning is a message
    config = tmp_path / "xero.yaml"
    config.write_text("xero:\n  - name: Other\n    enablesync: true\n", encoding="utf-8")
    saved = tmp_path / "plan.json"
    out = ["--out", str(saved)] if args == ["plan"] else []
    result = run_cli([*args, str(config), *out], capsys)
    assert result.code in (0, 2), result.err
    assert "HaloPSA warning: w (sensitive)" in result.out.replace("\\u001b", "")
    files = saved.read_text(encoding="utf-8") if out else ""
    for text in (result.out, result.err, files):
        assert CANARY not in text
