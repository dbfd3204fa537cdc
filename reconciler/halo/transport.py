"""The one I/O seam: sends a request through the rate budget, retrying what may be retried.

`Exchange.send` makes attempts until HaloPSA answers something that is not worth
retrying, then returns that answer (2xx, 4xx, or a POST's 5xx) for the caller to
translate. It raises only when no answer will come: HaloUnavailable (retries outlasted
the budget, or a failure retrying cannot fix) and OutcomeUnknown (a non-repeatable
request was sent and its answer lost). It never logs headers, bodies or URLs' queries —
only method, path, status, attempt and timing — and never puts a secret in a message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from reconciler import __version__
from reconciler.errors import HaloError, HaloUnavailable, OutcomeUnknown
from reconciler.halo.deadline import (
    DEADLINE,
    MAX_BODY,
    BodyTooLarge,
    Deadlines,
    read_capped,
)
from reconciler.halo.deadline import transport as bounded_transport
from reconciler.halo.messages import halo_message
from reconciler.halo.ratelimit import RateBudget
from reconciler.halo.retry import (
    Backoff,
    Failure,
    RetryPolicy,
    classify,
    describe,
    may_retry,
    parse_retry_after,
)
from reconciler.halo.timing import Timing
from reconciler.scrubber import Scrubber

log = logging.getLogger("reconciler.halo")

# httpx logs every request URL at INFO and httpcore its internals at DEBUG; this module
# logs what is safe instead. Left alone when an application already chose a level.
for _name in ("httpx", "httpcore"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Sent:
    """HaloPSA's final answer to a request, and whether an earlier try may have landed."""

    response: httpx.Response
    repeated: bool  # an earlier attempt was sent and its outcome is unknown


class Exchange:
    """A shared httpx.Client (thread-safe), the rate budget and the retry policy."""

    def __init__(
        self,
        *,
        budget: RateBudget,
        policy: RetryPolicy,
        timing: Timing,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        tls: bool = True,
        deadline: float = DEADLINE,
        max_body: int = MAX_BODY,
        proxies: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._budget = budget
        self._deadline = deadline
        self._max_body = max_body
        self._deadlines = Deadlines()
        self._policy = policy
        self._timing = timing
        # TLS is always verified. Building the verifying context (loading the CA bundle)
        # costs ~80 ms, so a client that only talks plain http — allowed to loopback
        # addresses only — does without one; send() then refuses any https URL.
        self._tls = tls
        # Proxies only for the origins settings named (halo/proxy.py: never loopback); an
        # explicit transport turns off httpx's own reading of HTTP(S)_PROXY. `transport`
        # is httpx's own seam: a test at the wire level may pass an httpx.MockTransport
        # where a sandbox round trip is not the point (without the socket deadlines).
        mounts = {o: bounded_transport(tls, self._deadlines, p) for o, p in (proxies or {}).items()}
        self._http = httpx.Client(
            verify=tls,
            transport=transport or bounded_transport(tls, self._deadlines),
            mounts=mounts,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": f"halo-reconciler/{__version__}"},
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        repeatable: bool,
        scrub: Callable[[], Scrubber],
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        form: Mapping[str, str] | None = None,
        authorize: Callable[[], Mapping[str, str]] | None = None,
    ) -> Sent:
        """Send until an answer not worth retrying comes back (see the module docstring).

        `repeatable`: safe to send twice (GET, DELETE, the token request). `scrub` gives
        the Scrubber for messages, built only when a message is. `authorize` gives the
        headers carrying the token, asked for after each attempt's rate-budget wait, so
        time spent queued never turns into an expired token.
        """
        parts = urlsplit(url)
        if parts.scheme == "https" and not self._tls:
            raise ValueError("this exchange was built for plain http only")
        path = parts.path
        clock = self._timing.clock
        backoff = Backoff(self._policy, clock, self._timing.random)
        repeated = False
        while True:
            before = clock()
            granted = self._budget.acquire()
            backoff.exclude(granted - before)
            backoff.attempts += 1
            attempt = backoff.attempts
            started = time.perf_counter()
            sending = dict(headers or {})
            if authorize is not None:
                sending.update(authorize())
            try:
                with self._timing.waits.waiting(f"HaloPSA to answer {method} {path}", None):
                    response = self._attempt(method, url, params, content, form, sending)
            except BodyTooLarge as exc:
                _debug(method, path, str(exc), attempt, started)
                raise HaloError(method, path, exc.status, f"{exc}; not read") from None
            except httpx.RequestError as exc:  # transport errors, an undecodable body
                failure = classify(exc)
                cause = scrub()(describe(exc))
                _debug(method, path, cause, attempt, started)
                if not may_retry(repeatable, failure):
                    if failure.sent:
                        raise OutcomeUnknown(
                            method,
                            path,
                            None,
                            f"{cause} after the request was sent: it may have been applied",
                        ) from exc
                    raise HaloUnavailable(method, path, None, cause) from exc
                wait = backoff.next_wait(failure)
                if wait is None:
                    reason = f"{cause} — {backoff.reason}"
                    raise HaloUnavailable(method, path, None, reason) from exc
                repeated = repeated or failure.sent
                self._pause(method, path, cause, wait, attempt, "back-off")
                continue
            status = response.status_code
            _debug(method, path, f"HTTP {status}", attempt, started)
            if not (status in (408, 429) or status >= 500):
                return Sent(response, repeated)
            if not may_retry(repeatable, Failure.STATUS, status):
                return Sent(response, repeated)
            after = parse_retry_after(response.headers.get("Retry-After"), self._timing.wall())
            wait = backoff.next_wait(Failure.STATUS, status=status, retry_after=after)
            if wait is None:
                message = halo_message(response.content, scrub())
                reason = f"{message} — {backoff.reason}" if message else backoff.reason
                raise HaloUnavailable(method, path, status, reason)
            # A 429 was refused before processing; a 5xx may have done part of the work.
            repeated = repeated or status != 429
            why = "Retry-After" if after is not None else "back-off"
            self._pause(method, path, f"HTTP {status}", wait, attempt, why)

    def _attempt(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        content: bytes | None,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        """One attempt, bounded by the deadline and the body cap."""
        request = self._http.build_request(
            method, url, params=params, content=content, data=form, headers=headers
        )
        self._deadlines.start(self._deadline)
        try:
            return read_capped(self._http.send(request, stream=True), self._max_body)
        finally:
            self._deadlines.clear()

    def _pause(
        self, method: str, path: str, cause: str, wait: float, attempt: int, why: str
    ) -> None:
        log.info("%s %s: %s, retrying in %.2f s (attempt %d)", method, path, cause, wait, attempt)
        self._timing.pause(f"{why} after {cause} to {method} {path} (attempt {attempt})", wait)

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"Exchange({self._budget!r})"


def _debug(method: str, path: str, outcome: str, attempt: int, started: float) -> None:
    if log.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1000
        log.debug("%s %s -> %s (attempt %d, %.1f ms)", method, path, outcome, attempt, elapsed)
