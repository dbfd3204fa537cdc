"""A hostile loopback server for tests: a proxy in front of the sandbox whose first API
POST commits only after the client has given up waiting for the answer.

The first POST to /api/... is held: the proxy reads it and answers nothing, so the
client's read timeout fires (the outcome is unknown). The held POST is committed — sent
on to the sandbox, its answer thrown away — only when another POST arrives (what a tool
re-sending the create would do: both then commit, a duplicate) or when `release()` is
called (a commit that lands after the run). Everything else is passed through as is.
Bounded in time: a held request is released after HOLD_LIMIT seconds whatever happens,
and `close()` releases it and stops the server.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

HOLD_LIMIT = 10.0


class SlowCommitProxy:
    """`url` to give the client; `posts` counts API POSTs that reached the proxy."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self.host, self.port = target.hostname or "127.0.0.1", target.port or 80
        self.posts = 0
        self.held = False
        self._release = threading.Event()
        self._committed = threading.Event()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def _forward(self, body: bytes) -> tuple[int, bytes, str]:
                conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=HOLD_LIMIT)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    kind = answer.getheader("Content-Type", "application/json")
                    return answer.status, answer.read(), kind
                finally:
                    conn.close()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.command == "POST" and self.path.startswith("/api/"):
                    with proxy._lock:
                        proxy.posts += 1
                        hold = not proxy.held
                        proxy.held = True
                    if hold:
                        proxy._release.wait(HOLD_LIMIT)
                        try:
                            self._forward(body)  # commits late; the answer is never sent
                        finally:
                            proxy._committed.set()
                        self.close_connection = True
                        return
                    proxy._release.set()  # a second POST: the first commits too
                status, content, kind = self._forward(body)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Let the held POST commit now (it lands after the client stopped waiting), and
        wait until it has."""
        self._release.set()
        if self.held:
            self._committed.wait(HOLD_LIMIT)

    def close(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SlowCommitProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
