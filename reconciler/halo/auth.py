"""OAuth2 client credentials: one access token per run, shared by every thread.

The token is requested with a form POST to `<auth_url>/token` (tenant as a query
parameter), through the same rate budget and retries as a GET — asking twice is
harmless. A lock makes concurrent callers wait for one token request instead of each
making their own. The token is renewed shortly before it expires (60 s or a tenth of its
lifetime, whichever is less) and after HaloPSA refuses it (`invalidate`). The secret is
revealed only into the form; neither the secret nor a token ever reaches a repr, a log
line or a message (every token issued is handed to the Scrubber).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from reconciler.errors import AuthenticationError, HaloUnavailable
from reconciler.halo.messages import halo_message
from reconciler.halo.settings import ConnectionSettings
from reconciler.halo.transport import Exchange
from reconciler.scrubber import Scrubber

log = logging.getLogger("reconciler.halo")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a token request told us (never the token): its lifetime, the server's Date."""

    lifetime: float  # seconds
    server_date: str | None  # the token answer's Date header, as sent


DEFAULT_LIFETIME = 3600.0  # when the answer has no usable expires_in
RENEW_BEFORE = 60.0


class TokenCache:
    """The current access token, fetched on first need and renewed before expiry."""

    def __init__(
        self, settings: ConnectionSettings, exchange: Exchange, clock: Callable[[], float]
    ) -> None:
        self._settings = settings
        self._exchange = exchange
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self._issued: tuple[str, ...] = ()  # every token seen, for scrubbing messages
        self._refused: AuthenticationError | None = None  # credentials refused: final
        # The retry budget ran out asking for a token: final for this run too, or every
        # waiting thread would spend its own budget on the same outage, one after another.
        self._unavailable: HaloUnavailable | None = None
        self._info: TokenInfo | None = None

    def bearer(self) -> str:
        """A valid access token (may block while one thread fetches it)."""
        with self._lock:
            if self._refused is not None:  # no point asking again with the same secret
                e = self._refused
                raise AuthenticationError(e.method, e.path, e.status, e.halo_message)
            if self._unavailable is not None:
                u = self._unavailable
                raise HaloUnavailable(u.method, u.path, u.status, u.halo_message)
            if self._token is None or self._clock() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def info(self) -> TokenInfo:
        """Lifetime and server Date of the current token (fetched first if need be)."""
        self.bearer()
        assert self._info is not None
        return self._info

    def invalidate(self, token: str) -> None:
        """HaloPSA refused `token`: the next bearer() fetches a new one.

        Only if it is still the current one: when four threads see the same 401, the
        first renews and the other three reuse the fresh token.
        """
        with self._lock:
            if self._token == token:
                self._token = None

    def secrets(self) -> tuple[str, ...]:
        """The client secret and every token issued: what messages must never hold."""
        secret = self._settings.client_secret.reveal()
        return (str(secret), *self._issued)

    def scrubber(self) -> Scrubber:
        return Scrubber(self.secrets())

    def _fetch(self) -> None:
        s = self._settings
        path = urlsplit(s.token_url).path
        asked_at = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_id": s.client_id,
            "client_secret": str(s.client_secret.reveal()),
            "scope": s.scope,
        }
        try:
            sent = self._exchange.send(
                "POST",
                s.token_url,
                repeatable=True,  # a token request changes nothing: safe to repeat
                scrub=self.scrubber,
                params={"tenant": s.tenant} if s.tenant else None,
                form=form,
            )
        except HaloUnavailable as exc:
            if exc.status == 500:
                # HaloPSA's token endpoint answers 500 when the application's agent is unusable.
                hint = "if it persists, check the API application's agent in HaloPSA"
                exc = HaloUnavailable(
                    exc.method, exc.path, exc.status, f"{exc.halo_message} — {hint}"
                )
            self._unavailable = exc
            raise exc from None
        response = sent.response
        if not response.is_success:
            message = halo_message(response.content, self.scrubber())
            if response.status_code in (400, 401, 403):
                message = message or "HaloPSA refused the client credentials"
                hint = "check HALO_CLIENT_ID, HALO_CLIENT_SECRET and HALO_TENANT"
            else:
                hint = "check HALO_URL and HALO_AUTH_URL"
            text = f"{message} — {hint}" if message else hint
            error = AuthenticationError("POST", path, response.status_code, text)
            if response.status_code in (400, 401, 403):
                self._refused = error
            raise error
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                "POST",
                path,
                response.status_code,
                "the answer holds no access_token — check HALO_AUTH_URL",
            )
        lifetime = _lifetime(body.get("expires_in") if isinstance(body, dict) else None)
        self._token = token
        self._issued = (*self._issued, token)
        self._info = TokenInfo(lifetime, response.headers.get("Date"))
        # Renew early: the token must not expire between this check and HaloPSA's.
        self._renew_at = asked_at + lifetime - min(RENEW_BEFORE, lifetime / 10)
        log.info("access token obtained (valid %.0f s)", lifetime)

    def __repr__(self) -> str:
        held = "held" if self._token is not None else "none"
        return f"TokenCache({self._settings.token_url}, token={held})"


def _lifetime(value: object) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]  # a number or numeric text
    except (TypeError, ValueError):
        return DEFAULT_LIFETIME
    return seconds if 0 < seconds < 10**9 else DEFAULT_LIFETIME
