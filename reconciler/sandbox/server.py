"""The socket adapter: serves the sandbox app over real HTTP/1.1 on loopback, in a thread.

`start_in_thread` is what tests, benchmarks, `--sandbox` and the `sandbox` command use.
Concurrent requests each get a daemon thread; keep-alive connections are kept open (with
Nagle's algorithm off: left on, each keep-alive request waits ~40 ms for a delayed ACK).
`stop()` shuts the listener and every open connection down, so no client hangs on a
stopped sandbox. The only module of the sandbox that touches sockets; never prints.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import socketserver
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from reconciler.errors import SandboxError
from reconciler.sandbox.app import App, Reply, Request
from reconciler.sandbox.faults import Faults
from reconciler.sandbox.log import LogEntry, RequestLog
from reconciler.sandbox.seed import bundled_seed_path
from reconciler.sandbox.store import Store

DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"
_INTERNAL_ERROR = Reply(
    500, b'{"Message": "An error has occurred."}', (("Content-Type", "application/json"),)
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: App
    connections: set[socket.socket]
    errors: list[BaseException]
    lock: threading.Lock

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that can
        # take seconds; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "halo-reconciler-sandbox"
    sys_version = ""
    disable_nagle_algorithm = True
    # Buffered writes: status line, headers and body leave in one send (flushed at the
    # end of each request) rather than headers and body in two writes.
    wbufsize = 1 << 16
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.server.app.handle(Request(self.command, self.path, headers, body))
        except Exception as exc:  # a sandbox bug: answer 500 and keep it for tests to see
            self.server.errors.append(exc)
            reply = _INTERNAL_ERROR
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)
        self.wfile.flush()

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return None
        return self.rfile.read(length) if length > 0 else b""

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the request log is the sandbox's record (no writes to stderr)."""


class SandboxHandle:
    """A running sandbox: where it is, its credentials, its state, and how to stop it."""

    def __init__(self, server: _Server, thread: threading.Thread, store: Store) -> None:
        self._server, self._thread = server, thread
        host, port = server.server_address[:2]
        self.host: str = str(host)
        self.port: int = int(port)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{self.port}"
        self.client_id = server.app.client_id
        self.client_secret = server.app.client_secret
        self.store = store
        self.log: RequestLog = server.app.log
        self.faults: Faults = server.app.faults
        # Lookup path -> "missing" | "odd": that lookup list answers 404 or an unknown shape.
        self.lookup_answers: dict[str, str] = server.app.lookup_answers
        self.data_path: Path | None = store.path

    @property
    def internal_errors(self) -> list[BaseException]:
        """Exceptions the app raised (sandbox bugs, answered 500); empty in a healthy run."""
        return list(self._server.errors)

    def expire_tokens(self) -> None:
        """Expire every token issued so far: the next /api request gets 401."""
        self._server.app.expire_tokens()

    def stop(self) -> None:
        """Stop serving and close every open connection (idempotent)."""
        if not self._thread.is_alive():
            return
        self._server.shutdown()
        with self._server.lock:
            open_now = list(self._server.connections)
        for conn in open_now:
            with contextlib.suppress(OSError):  # already closed by the client
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SandboxHandle {self.url}>"


def start_in_thread(
    *,
    data: Path | None = None,
    seed: Path | Literal["bundled"] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Faults | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    tenant: str | None = None,
    on_request: Callable[[LogEntry], None] | None = None,
) -> SandboxHandle:
    """Serve a sandbox in a daemon thread; returns once it accepts connections.

    `data` None keeps records in memory only; `seed` fills a new store ("bundled": the
    seed shipped with the package) and is ignored when `data` names an existing file.
    SandboxError when the data file or seed is unusable or the port cannot be had.
    """
    seed_path = bundled_seed_path() if seed == "bundled" else seed
    store = Store.open(data, seed_path)
    app = App(
        store,
        faults if faults is not None else Faults(),
        RequestLog(),
        client_id if client_id is not None else DEFAULT_CLIENT_ID,
        client_secret if client_secret is not None else DEFAULT_CLIENT_SECRET,
        tenant=tenant,
        on_request=on_request,
    )
    cls = _Server6 if ":" in host else _Server
    try:
        server = cls((host, port), _Handler)
    except OSError as exc:
        raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    server.app, server.connections, server.errors = app, set(), []
    server.lock = threading.Lock()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.name = f"halo-sandbox-{server.server_address[1]}"
    thread.start()
    return SandboxHandle(server, thread, store)


def wait_for_stop() -> None:
    """Block until SIGINT or SIGTERM (the `sandbox` command's Ctrl-C), then put the
    previous handlers back. Outside the main thread no handler can be set: block for good.
    """
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, frame: stop.set())
    try:
        while not stop.wait(3600):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
