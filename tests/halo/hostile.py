"""A small hostile HaloPSA on loopback, for answers the sandbox will not give.

It issues tokens like HaloPSA and answers every /api request with `answer(target)`: raw
bytes to send (a whole HTTP response), optionally dripped one byte every `drip` seconds.
Bounded in time: a connection is closed after `limit` seconds whatever it is doing, and
`stop()` (the context manager's exit) ends everything.
"""

from __future__ import annotations

import io
import json
import socketserver
import threading
import time
from collections.abc import Callable
from types import TracebackType

TOKEN = json.dumps({"access_token": "hostile-token", "token_type": "Bearer", "expires_in": 3600})


def response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def json_response(doc: object) -> bytes:
    return response(200, json.dumps(doc).encode())


class Hostile:
    def __init__(
        self,
        answer: Callable[[str], bytes],
        *,
        drip: float | None = None,
        drip_head: bool = False,
        limit: float = 5.0,
    ) -> None:
        self.answer, self.drip, self.drip_head, self.limit = answer, drip, drip_head, limit
        self.targets: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.connection.settimeout(outer.limit)
                started = time.monotonic()
                try:
                    while time.monotonic() - started < outer.limit:
                        line = self.rfile.readline()
                        if not line:
                            return
                        target = line.split()[1].decode()
                        length = 0
                        while (header := self.rfile.readline()) not in (b"\r\n", b""):
                            name, _, value = header.decode().partition(":")
                            if name.lower() == "content-length":
                                length = int(value)
                        self.rfile.read(length)
                        outer.targets.append(target)
                        if target.startswith("/auth/token"):
                            self.wfile.write(response(200, TOKEN.encode()))
                            continue
                        outer._send(self.wfile, outer.answer(target), started)
                except OSError:
                    return

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _send(self, out: io.BufferedIOBase, data: bytes, started: float) -> None:
        if self.drip is None:
            out.write(data)
            return
        split = data.index(b"\r\n\r\n") + 4
        if not self.drip_head:
            out.write(data[:split])
            data = data[split:]
        for i in range(len(data)):
            if time.monotonic() - started > self.limit:
                raise OSError("hostile server: time is up")
            out.write(data[i : i + 1])
            time.sleep(self.drip)

    def env(self, **extra: str) -> dict[str, str]:
        return {"HALO_URL": self.url, "HALO_CLIENT_ID": "id", "HALO_CLIENT_SECRET": "s", **extra}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Hostile:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
