"""One collector and one scrubber of secrets, on every error path.

- The scrubber replaces a secret however a server wrote it back: as is, URL-encoded
  (either case of hex, `+` for a space), JSON-escaped (ASCII-only or not), .NET's
  `\\uXXXX` escapes of every character but letters and digits (either case), HTML.
- Every error path of the HaloPSA client (token request, list GET, detail GET, POST of a
  secret value, DELETE, retries outlasting the budget) scrubs through it: a hostile
  loopback server echoes the secret in each form and no form reaches the exception.
- The rule is in one place: no other module defines a scrubber or a collector.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from halo_support import FakeTime
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import HaloError
from reconciler.halo import Client, ClientOptions, settings_from_env
from reconciler.scrubber import Scrubber, secret_texts
from reconciler.sensitive import MASK, Sensitive

SECRET = 'Pa+ss&w/rd é:1"<x>'  # every character class an encoder treats apart
TOKEN = "tok+en/with=chars&more"


def _dotnet(secret: str, upper: bool) -> str:
    """System.Text.Json's default encoder: anything but ASCII letters and digits as \\uXXXX."""
    out = []
    for c in secret:
        if c.isascii() and c.isalnum():
            out.append(c)
            continue
        units = c.encode("utf-16-be")
        for i in range(0, len(units), 2):
            code = f"{int.from_bytes(units[i : i + 2], 'big'):04x}"
            out.append("\\u" + (code.upper() if upper else code))
    return "".join(out)


def forms(secret: str) -> list[str]:
    """The ways a server may write `secret` back in an error."""
    encoded = quote(secret, safe="")
    return [
        secret,
        encoded,
        re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        _dotnet(secret, upper=True),
        _dotnet(secret, upper=False),
        html.escape(secret),
    ]


SECRETS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    min_size=4,
    max_size=24,
)


@settings(max_examples=200, deadline=None)
@given(secret=SECRETS)
def test_every_written_form_is_scrubbed(secret: str) -> None:
    scrub = Scrubber([secret])
    for form in forms(secret):
        assert scrub(f"\x00{form}\x00") == f"\x00{MASK}\x00", form


def test_mixed_forms_and_the_collector() -> None:
    mixed = "Pa\\u002bss%26w\\/rd+\\u00E9:1&quot;&lt;x&gt;"
    assert Scrubber([SECRET])(f"got {mixed}.") == f"got {MASK}."
    hidden = {"a": [Sensitive(SECRET, "${A}"), "shown"], "n": Sensitive(123456, "${N}")}
    assert secret_texts(hidden) == {SECRET, "123456"}
    assert Scrubber(["abc"])("abc") == "abc"  # too short to be a secret: words stay


class _Hostile(BaseHTTPRequestHandler):
    """Answers every request with an error echoing the secret in the form asked for."""

    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    form = 0  # index into forms()
    token_ok = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, body: str, kind: str = "text/plain") -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _echo(self, secret: str, status: int) -> None:
        echoed = forms(secret)[type(self).form]
        self._answer(status, f"Invalid value '{echoed}' in request")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/auth/token"):
            if type(self).token_ok:
                reply = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
                self._answer(200, json.dumps(reply), "application/json")
            else:
                self._echo(SECRET, 401)
            return
        self._echo(SECRET, 400)

    def do_GET(self) -> None:
        self._echo(TOKEN, 503 if "/9" in self.path else 400)

    def do_DELETE(self) -> None:
        self._echo(TOKEN, 400)


@pytest.fixture
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("form", range(len(forms(SECRET))))
def test_every_error_path_scrubs_every_form(hostile: str, form: int) -> None:
    _Hostile.form = form
    env = {"HALO_URL": hostile, "HALO_CLIENT_ID": "app", "HALO_CLIENT_SECRET": SECRET}
    env["HALO_RETRY_BUDGET"] = "1"
    messages: list[str] = []

    def attempt(call: object, *args: object) -> None:
        with pytest.raises(HaloError) as info:
            call(*args)  # type: ignore[operator]
        messages.extend([str(info.value), repr(info.value)])

    options = ClientOptions(timing=FakeTime(jitter=0.0).timing())
    try:
        _Hostile.token_ok = False
        with Client(settings_from_env(env), options) as client:
            attempt(client.list, "xero")  # the token request's 401
        _Hostile.token_ok = True
        with Client(settings_from_env(env), options) as client:
            attempt(client.list, "xero")
            attempt(client.get, "xero", 7)
            attempt(client.get, "xero", 9)  # 503 until the retry budget is spent
            hidden = Sensitive(SECRET, "${XERO_CLIENT_SECRET}")
            attempt(client.post, "xero", [{"name": "x", "new_client_secret": hidden}])
            attempt(client.delete, "xero", 3)
    finally:
        _Hostile.token_ok = True
    assert len(messages) == 12
    for message in messages:
        assert "Invalid value '(sensitive)' in request" in message, message
        for secret in (SECRET, TOKEN):
            for written in forms(secret):
                assert written not in message


def test_one_scrubber_and_one_collector() -> None:
    package = Path(__file__).resolve().parents[2] / "reconciler"
    defining = re.compile(r"^(class Scrubber\b|def (scrub|secret_texts|revealed_texts)\b)", re.M)
    found = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if defining.search(p.read_text(encoding="utf-8"))
    )
    assert found == ["scrubber.py"]
