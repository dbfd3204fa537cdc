"""An overall deadline per request and a size cap per answer (a server may drip-feed).

httpx's timeouts bound each socket operation, not a request: a server sending one byte
every 20 s never trips a 30 s read timeout and keeps a plan waiting forever. So every
socket read and write of a request is given at most the time left before the request's
deadline, set per thread (`Deadlines.start`) — httpx's sync client does a request's I/O
on the calling thread. `read_capped` reads a streamed body up to a size cap. Raises only
httpx/httpcore timeout errors and `BodyTooLarge`; transport.py turns them into HaloErrors.
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterable

import httpcore
import httpx

DEADLINE = 120.0  # seconds one attempt may take in all, headers and body
MAX_BODY = 64 * 1024 * 1024  # bytes of one answer, decoded


class BodyTooLarge(Exception):
    """The answer grew past the cap; the connection was closed."""

    def __init__(self, status: int, cap: int) -> None:
        super().__init__(f"the answer is larger than {cap // (1024 * 1024)} MB")
        self.status = status


class Deadlines(threading.local):
    """The current request's deadline on this thread (monotonic seconds; inf: none)."""

    at: float = float("inf")
    seconds: float = DEADLINE

    def start(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def clear(self) -> None:
        self.at = float("inf")

    def left(self, timeout: float | None) -> float | None:
        """`timeout` shortened to the time left; ReadTimeout when none is left."""
        if self.at == float("inf"):
            return timeout
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout(f"no complete answer within {self.seconds:g} s")
        return remaining if timeout is None else min(timeout, remaining)

    def expired(self) -> httpcore.ReadTimeout | None:
        """The error to raise instead of a socket timeout the deadline caused."""
        if time.monotonic() < self.at:
            return None
        return httpcore.ReadTimeout(f"no complete answer within {self.seconds:g} s")


def _again() -> BaseException:
    """Re-raise the timeout being handled (the socket's own, not the deadline's)."""
    import sys

    exc = sys.exc_info()[1]
    assert exc is not None
    return exc


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadlines: Deadlines) -> None:
        self._inner = inner
        self._deadlines = deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, self._deadlines.left(timeout))
        except httpcore.TimeoutException:
            raise self._deadlines.expired() or _again() from None

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, self._deadlines.left(timeout))
        except httpcore.TimeoutException:
            raise self._deadlines.expired() or _again() from None

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: typing.Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._deadlines.left(timeout))
        return _Stream(inner, self._deadlines)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, deadlines: Deadlines) -> None:
        self._inner = inner
        self._deadlines = deadlines

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host, port, self._deadlines.left(timeout), local_address, socket_options
        )
        return _Stream(stream, self._deadlines)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, self._deadlines.left(timeout), socket_options
        )
        return _Stream(stream, self._deadlines)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(verify: bool, deadlines: Deadlines, proxy: str | None = None) -> httpx.HTTPTransport:
    """httpx's own transport (through `proxy` when given), its socket I/O bounded by
    `deadlines`."""
    made = httpx.HTTPTransport(verify=verify, proxy=proxy)
    pool = made._pool  # httpx builds its pool here; give its connections our backend
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = _Backend(pool._network_backend, deadlines)
    return made


def read_capped(response: httpx.Response, cap: int) -> httpx.Response:
    """A streamed `response` read whole (decoded) into a new one; BodyTooLarge past `cap`."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise BodyTooLarge(response.status_code, cap)
            chunks.append(chunk)
    finally:
        response.close()
    # The body is decoded already: drop the headers that describe the encoded one.
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=b"".join(chunks),
        request=response.request,
        extensions=response.extensions,
    )
