"""Authenticated calls to `<instance>/api`, and the one place HTTP errors become HaloErrors.

`Api.call` adds the bearer token, renews it once after a 401 and repeats the call, and
translates the final answer: 401 -> AuthenticationError, 404 -> RecordNotFound, other
4xx -> HaloRequestError, a POST's 5xx -> OutcomeUnknown (it may have been applied),
anything else unexpected -> HaloError — each with HaloPSA's own message, scrubbed.
`Reader` offers only `get`; `Writer` adds `post` and `delete`. The read-only client holds
a Reader, so it has no way to write by construction, not by a flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from reconciler.errors import (
    AuthenticationError,
    HaloError,
    HaloRequestError,
    OutcomeUnknown,
    RecordNotFound,
)
from reconciler.halo.auth import TokenCache, TokenInfo
from reconciler.halo.messages import halo_message
from reconciler.halo.transport import Exchange, Sent
from reconciler.scrubber import Scrubber


class Api:
    """The API base URL, the token cache and the exchange, joined."""

    def __init__(self, base: str, tokens: TokenCache, exchange: Exchange) -> None:
        self._base = base
        self._tokens = tokens
        self._exchange = exchange

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        secrets: Iterable[str] = (),
        gone_ok: bool = False,
    ) -> Sent:
        """One API request, answered 2xx, or the HaloError its answer means.

        `gone_ok` (DELETE): a 404 after an earlier attempt that may have landed means
        that attempt deleted the record, so it counts as success.
        """
        url = self._base + path
        extra = tuple(secrets)

        def scrub() -> Scrubber:
            return Scrubber((*self._tokens.secrets(), *extra))

        headers = {"Content-Type": "application/json"} if content is not None else {}
        used: list[str] = []

        def authorize() -> dict[str, str]:
            # Asked after the rate-budget wait: a token never ages in the queue.
            used.append(self._tokens.bearer())
            return {"Authorization": f"Bearer {used[-1]}"}

        for renewed in (False, True):
            sent = self._exchange.send(
                method,
                url,
                repeatable=method != "POST",
                scrub=scrub,
                headers=headers,
                params=params,
                content=content,
                authorize=authorize,
            )
            if sent.response.status_code == 401 and not renewed:
                # Expired or revoked early: one new token, one more try.
                self._tokens.invalidate(used[-1])
                continue
            break
        if gone_ok and sent.repeated and sent.response.status_code == 404:
            return sent
        return _checked(method, sent, scrub)

    def token_info(self) -> TokenInfo:
        return self._tokens.info()

    def close(self) -> None:
        self._exchange.close()


def _checked(method: str, sent: Sent, scrub: Callable[[], Scrubber]) -> Sent:
    response = sent.response
    status = response.status_code
    if response.is_success:
        return sent
    path = urlsplit(str(response.request.url)).path
    message = halo_message(response.content, scrub())
    if method == "POST" and status >= 500:
        raise OutcomeUnknown(
            method,
            path,
            status,
            (f"{message} — " if message else "")
            + "HaloPSA failed while processing it: some or all of it may have been applied",
        )
    if status == 401:
        raise AuthenticationError(
            method, path, status, message or "HaloPSA refused a freshly issued token"
        )
    if status == 404:
        raise RecordNotFound(method, path, status, message)
    if 400 <= status < 500:
        raise HaloRequestError(method, path, status, message)
    raise HaloError(method, path, status, message or "unexpected answer")


def json_body(method: str, path: str, response: httpx.Response) -> Any:
    """The parsed JSON of a 2xx answer (None when empty); HaloError when not JSON."""
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("Content-Type", "unknown").split(";")[0]
        raise HaloError(
            method,
            path,
            response.status_code,
            f"expected JSON, got {kind} — check HALO_URL (the API is under <HALO_URL>/api)",
        ) from None


class Reader:
    """GET only: what a read-only client can do with HaloPSA."""

    def __init__(self, api: Api) -> None:
        self._api = api

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The parsed JSON of `GET /api<path>`."""
        sent = self._api.call("GET", path, params=params)
        return json_body("GET", path, sent.response)

    def token(self) -> TokenInfo:
        """Obtain a token (if none is held): its lifetime and the server's Date."""
        return self._api.token_info()

    def close(self) -> None:
        self._api.close()


class Writer(Reader):
    """GET, POST and DELETE: held only by the writing Client."""

    def post(self, path: str, content: bytes, secrets: Iterable[str]) -> Any:
        """`POST /api<path>` with a JSON body; the parsed answer (None when empty)."""
        sent = self._api.call("POST", path, content=content, secrets=secrets)
        try:
            return json_body("POST", path, sent.response)
        except HaloError:
            return None  # any 2xx is success; the caller re-reads what it needs

    def delete(self, path: str) -> None:
        """`DELETE /api<path>`; a 404 after an attempt that may have landed is success."""
        self._api.call("DELETE", path, gone_ok=True)
