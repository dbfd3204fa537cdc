"""The retry policy: which failures are worth another try, and how long to wait before it.

429, 5xx and connection errors are retried with exponential backoff and full jitter,
honouring Retry-After, until the next wait would overrun HALO_RETRY_BUDGET seconds for
the request. A refused connection or an unknown host is capped at a few seconds, so a
wrong HALO_URL fails fast. POST is never repeated when it may have been processed (the
rule lives in `may_retry`). Clock and randomness are injected: tests check the waits
asked for, never wall time. No I/O here.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from enum import Enum

import httpx


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long and how often one request may be retried."""

    budget: float = 120.0  # seconds, all retries of one request (HALO_RETRY_BUDGET)
    connect_budget: float = 3.0  # refused connection / unknown host: fail fast
    base: float = 0.5  # backoff ceiling of the first retry; doubles each time
    cap: float = 30.0  # largest backoff ceiling
    throttle_base: float = 5.0  # 429 without Retry-After: back off harder (HaloPSA's
    throttle_cap: float = 60.0  # window is 5 minutes long)
    max_attempts: int = 30  # a last guard; the time budget normally ends it first


class Failure(Enum):
    """Why an attempt failed, as far as retrying is concerned."""

    REFUSED = "refused"  # no connection (refused, unknown host): nothing was sent
    UNREACHABLE = "unreachable"  # connect/pool timeout: nothing was sent
    LOST = "lost"  # sent, then the answer was lost: it may have been processed
    FATAL = "fatal"  # retrying cannot help (TLS verification, a local protocol error)
    STATUS = "status"  # HaloPSA answered 429 or 5xx

    @property
    def sent(self) -> bool:
        """May the server have received (and processed) the request?"""
        return self in (Failure.LOST, Failure.STATUS)


def may_retry(repeatable: bool, failure: Failure, status: int | None = None) -> bool:
    """The POST rule: may this failure be retried?

    `repeatable` requests (GET, DELETE, the token request) are safe to send again:
    retried on 408, 429, 5xx and every connection error. An API POST is repeated only when
    HaloPSA cannot have processed it: a 429 (refused before processing) or a connection
    that never opened. A 5xx or an answer lost after sending leaves its outcome unknown:
    the caller re-reads instead of guessing.
    """
    if failure is Failure.FATAL:
        return False
    if failure is Failure.STATUS:
        assert status is not None
        if not repeatable:
            return status == 429
        return status in (408, 429) or status >= 500
    return repeatable or not failure.sent


def classify(exc: httpx.RequestError) -> Failure:
    """The kind of a connection-level failure."""
    if isinstance(exc, httpx.ConnectError):
        return Failure.FATAL if _tls_verification(exc) else Failure.REFUSED
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Failure.UNREACHABLE
    if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol | httpx.ProxyError):
        return Failure.FATAL
    return Failure.LOST


def describe(exc: httpx.RequestError) -> str:
    """A short cause for messages; the caller scrubs it before use."""
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectError):
        if _tls_verification(exc):
            return f"TLS certificate verification failed ({text})"
        return f"could not connect ({text})" if text else "could not connect"
    if isinstance(exc, httpx.ConnectTimeout):
        return "could not connect (connect timeout)"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection (pool timeout)"
    if isinstance(exc, httpx.ReadTimeout):
        # The request's overall deadline (halo.deadline) says how long it waited.
        return text if text.startswith("no complete answer") else "no answer (read timeout)"
    if isinstance(exc, httpx.WriteTimeout):
        return "timed out while sending (write timeout)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection closed without an answer"
    if isinstance(exc, httpx.DecodingError):
        return "the answer could not be decoded"
    return f"connection error ({text})" if text else "connection error"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds to wait (>= 0): delta-seconds or an HTTP date.

    `now` is the wall-clock epoch time, for dates. None when absent or unreadable.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # An HTTP date is GMT; parsedate_to_datetime gives a naive value for "-0000".
    stamp = when.timestamp() if when.tzinfo else when.replace(tzinfo=UTC).timestamp()
    return max(stamp - now, 0.0)


class Backoff:
    """The retry schedule of one request: attempts made, time used, when to stop."""

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Callable[[], float],
        random: Callable[[], float],
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._random = random
        self._start = clock()
        self._excluded = 0.0
        self.attempts = 0
        self.reason = ""  # why the last next_wait() said stop

    def exclude(self, seconds: float) -> None:
        """Time spent waiting for the rate budget: not retrying, so not counted."""
        self._excluded += max(seconds, 0.0)

    @property
    def elapsed(self) -> float:
        return max(self._clock() - self._start - self._excluded, 0.0)

    def next_wait(
        self, failure: Failure, *, status: int | None = None, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None: stop (see `reason`)."""
        p = self._policy
        n = max(self.attempts, 1)  # the n-th retry follows the n-th attempt
        if failure is Failure.REFUSED:
            limit = min(p.budget, p.connect_budget)
            what = f"a refused connection or unknown host is retried for {limit:g} s at most"
        else:
            limit, what = p.budget, f"HALO_RETRY_BUDGET is {p.budget:g} s"
        if retry_after is not None:
            wait = retry_after
        elif status == 429:
            wait = self._random() * min(p.throttle_cap, p.throttle_base * 2 ** (n - 1))
        else:
            wait = self._random() * min(p.cap, p.base * 2 ** (n - 1))
        used = self.elapsed
        summary = f"gave up after {_count(self.attempts)} in {used:.1f} s"
        if self.attempts >= p.max_attempts:
            self.reason = summary
            return None
        if used + wait > limit:
            if retry_after is not None and retry_after > limit - used:
                self.reason = (
                    f"HaloPSA asked to wait {retry_after:g} s (Retry-After), more than the "
                    f"{max(limit - used, 0.0):.1f} s left ({what}); {summary}"
                )
            else:
                self.reason = f"{summary} ({what})"
            return None
        return wait


def _count(attempts: int) -> str:
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"


def _tls_verification(exc: httpx.ConnectError) -> bool:
    return "CERTIFICATE_VERIFY_FAILED" in str(exc) or "certificate verify failed" in str(exc)
