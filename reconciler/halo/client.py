"""The HaloPSA client: `ReadOnlyClient` for plan/drift/export, `Client` for apply.

A ReadOnlyClient holds a `Reader`, which can only GET: it has no method, public or
private, that POSTs or DELETEs, so a read-only run cannot write by construction. `Client`
adds `post` and `delete` over a `Writer`. Both are thread-safe (one shared httpx.Client,
one token, one rate budget) so types can be read concurrently.

Records come back restricted to the fields the type's schema knows: a newer HaloPSA may
add fields, which must never be compared nor sent back; their names are collected in
`unknown_fields` for a warning. Sensitive values are revealed only in `Client.post`, at
send time. Never exposes the underlying httpx.Client.
"""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from reconciler import registry
from reconciler.errors import HaloError, RecordNotFound
from reconciler.halo.api import Api, Reader, Writer
from reconciler.halo.auth import TokenCache, TokenInfo
from reconciler.halo.deadline import DEADLINE, MAX_BODY
from reconciler.halo.listing import MAX_PAGES, ListRead, page_params, parse_page, read_pages
from reconciler.halo.prefetch import Prefetch
from reconciler.halo.ratelimit import RateBudget
from reconciler.halo.retry import RetryPolicy
from reconciler.halo.settings import ConnectionSettings
from reconciler.halo.timing import Timing
from reconciler.halo.transport import Exchange
from reconciler.instance import Instance
from reconciler.scrubber import secret_texts
from reconciler.sensitive import reveal

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How a client keeps time and how long it waits (defaults suit real use)."""

    timing: Timing = field(default_factory=Timing)
    budget: RateBudget | None = None  # share one between clients; else from settings
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_pages: int = MAX_PAGES  # a list that keeps sending full pages is cut off here
    deadline: float = DEADLINE  # seconds one attempt of a request may take in all
    max_body: int = MAX_BODY  # bytes an answer may have
    transport: httpx.BaseTransport | None = None  # httpx's seam; None: the network


def known_fields(key: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """`record` with only the fields the type's schema has (rows of mapping lists too)."""
    return _split(key, record)[0]


def _split(key: str, record: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    fields = registry.spec(key).fields
    # Key-set arithmetic runs in C: a list of 1,000 records is mostly known fields.
    unknown: set[str] = set(record.keys() - fields.keys())
    known = {k: v for k, v in record.items() if k not in unknown} if unknown else dict(record)
    for name in registry.mapping_arrays(key):
        value = known.get(name)
        if not isinstance(value, list):
            continue
        element = fields[name].element
        assert element is not None
        rows = []
        for row in value:
            if isinstance(row, Mapping):
                extra = row.keys() - element.fields.keys()
                if extra:
                    unknown.update(f"{name}[].{k}" for k in extra)
                    row = {k: v for k, v in row.items() if k not in extra}
            rows.append(row)
        known[name] = rows
    return known, unknown


class ReadOnlyClient:
    """Reads the nine resource types; cannot write."""

    def __init__(
        self,
        settings: ConnectionSettings,
        options: ClientOptions | None = None,
        *,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        options = options or ClientOptions()
        self._bind(settings, Reader(_connect(settings, options)), on_close, options)

    def _bind(
        self,
        settings: ConnectionSettings,
        reader: Reader,
        on_close: Callable[[], None] | None,
        options: ClientOptions,
    ) -> None:
        self._settings = settings
        self._timing = options.timing
        self._max_pages = options.max_pages
        self._reader = reader
        self._on_close = on_close
        self._closed = False
        self._lock = threading.Lock()
        self._unknown: dict[str, set[str]] = {}

    @property
    def settings(self) -> ConnectionSettings:
        return self._settings

    @property
    def timing(self) -> Timing:
        """The clock and sleep this client waits with (tests inject virtual ones)."""
        return self._timing

    @property
    def instance(self) -> Instance:
        """The instance's url and tenant, for the plan's `instance` field."""
        return self._settings.instance

    @property
    def unknown_fields(self) -> dict[str, frozenset[str]]:
        """Per type key, fields HaloPSA returned that the schema does not know."""
        with self._lock:
            return {k: frozenset(self._unknown[k]) for k in registry.KEYS if self._unknown.get(k)}

    def list(self, key: str) -> builtins.list[dict[str, Any]]:
        """Every live record of a type: the list read page by page (halo.listing)."""
        return self._read_list(key)[0]

    def list_read(self, key: str) -> ListRead:
        """The whole list of a type with its shape (rows restricted to known fields)."""
        rows, read = self._read_list(key)
        return ListRead(list(rows), read.wrapper, read.record_count, read.pages)

    def _read_list(self, key: str) -> tuple[builtins.list[dict[str, Any]], ListRead]:
        rtype = registry.BY_KEY[key]

        def fetch(page_no: int) -> Any:
            return self._reader.get(rtype.path, {**rtype.list_params, **page_params(page_no)})

        read = read_pages(fetch, rtype.path, max_pages=self._max_pages)
        return [self._keep(key, r) for r in read.rows], read

    def first_page(self, key: str) -> ListRead:
        """Page 1 of a type's list only (what `doctor` looks at: one request)."""
        rtype = registry.BY_KEY[key]
        data = self._reader.get(rtype.path, {**rtype.list_params, **page_params(1)})
        page = parse_page(rtype.path, data)
        rows: builtins.list[Mapping[str, Any]] = [self._keep(key, r) for r in page.rows]
        return ListRead(rows, page.wrapper, page.record_count, 1)

    def instance_info(self) -> Any:
        """The parsed answer of `GET /api/InstanceInfo` (RecordNotFound when it is 404)."""
        return self._reader.get("/InstanceInfo")

    def authenticate(self) -> TokenInfo:
        """Obtain a token now (if none is held): its lifetime and the server's Date."""
        return self._reader.token()

    def rows(self, path: str, params: Mapping[str, str] | None = None) -> builtins.list[Any]:
        """Every row of a list beside the nine (a lookup such as /Client), read page by
        page as the nine are (halo.listing), a few pages asked for ahead once page 1
        says how many there are (halo.prefetch); rows as HaloPSA sent them."""

        def get(page_no: int) -> Any:
            return self._reader.get(path, {**(params or {}), **page_params(page_no)})

        with Prefetch(get, self._max_pages) as pages:
            return list(read_pages(pages.fetch, path, max_pages=self._max_pages).rows)

    def get(self, key: str, id: int) -> dict[str, Any]:
        """One live record by id; RecordNotFound when HaloPSA has none."""
        return self._get(key, id, None)

    def detail(self, key: str, id: int) -> dict[str, Any]:
        """One live record by id with `includedetails=true`: mapping arrays filled.

        A list row may be a summary (SPEC §11): this is the full record.
        """
        return self._get(key, id, {"includedetails": "true"})

    def _get(self, key: str, id: int, params: Mapping[str, str] | None) -> dict[str, Any]:
        path = f"{registry.BY_KEY[key].path}/{_check_id(id)}"
        data = self._reader.get(path, params)
        # pyhalopsa's experience: a get-by-id may come back as a one-element array.
        if isinstance(data, list):
            data = [d for d in data if d is not None]
            if len(data) > 1:
                raise HaloError("GET", f"/api{path}", 200, f"expected one record, got {len(data)}")
            data = data[0] if data else None
        if data is None:
            raise RecordNotFound("GET", f"/api{path}", 200, "HaloPSA returned no record")
        if not isinstance(data, dict):
            raise HaloError("GET", f"/api{path}", 200, "expected a record (a JSON object)")
        return self._keep(key, data)

    def _keep(self, key: str, record: Mapping[str, Any]) -> dict[str, Any]:
        known, unknown = _split(key, record)
        if unknown:
            with self._lock:
                self._unknown.setdefault(key, set()).update(unknown)
        return known

    def close(self) -> None:
        """Close the connection pool, then run `on_close` (e.g. stop a sandbox). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._reader.close()
        finally:
            if self._on_close is not None:
                self._on_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        tenant = f", tenant={self._settings.tenant!r}" if self._settings.tenant else ""
        return f"{type(self).__name__}({self._settings.url!r}{tenant})"


class Client(ReadOnlyClient):
    """Reads and writes: used by apply only."""

    def __init__(
        self,
        settings: ConnectionSettings,
        options: ClientOptions | None = None,
        *,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        options = options or ClientOptions()
        self._writer = Writer(_connect(settings, options))
        self._bind(settings, self._writer, on_close, options)

    def post(self, key: str, records: Sequence[Mapping[str, Any]]) -> builtins.list[dict[str, Any]]:
        """POST records as one JSON array (with `id`: update; without: create).

        Returns the saved records when HaloPSA answers with them, else []. Sensitive
        values are revealed here, into the body, and scrubbed from any error message.
        Raises OutcomeUnknown when the answer was lost after sending (never resent).
        """
        rtype = registry.BY_KEY[key]
        fields = registry.spec(key).fields
        for record in records:
            extra = sorted(set(record) - set(fields))
            if extra:  # the schema is the contract: unknown fields are never sent back
                raise ValueError(f"{key}: fields not in the schema: {', '.join(extra)}")
        if not records:
            return []
        secrets = secret_texts(list(records))
        content = json.dumps(reveal(list(records)), ensure_ascii=False).encode("utf-8")
        data = self._writer.post(rtype.path, content, secrets)
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            return []
        return [self._keep(key, r) for r in data if isinstance(r, dict)]

    def delete(self, key: str, id: int) -> None:
        """DELETE one record; RecordNotFound when it does not exist."""
        self._writer.delete(f"{registry.BY_KEY[key].path}/{_check_id(id)}")


def _connect(settings: ConnectionSettings, options: ClientOptions) -> Api:
    timing = options.timing
    count, seconds = settings.rate_limit
    what = f"the request budget (HALO_RATE_LIMIT={count}/{seconds:g})"
    budget = options.budget or RateBudget(
        count, seconds, clock=timing.clock, sleep=lambda wait: timing.pause(what, wait)
    )
    exchange = Exchange(
        budget=budget,
        policy=RetryPolicy(budget=settings.retry_budget),
        timing=timing,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        deadline=options.deadline,
        max_body=options.max_body,
        tls=any(u.startswith("https://") for u in (settings.api_url, settings.token_url)),
        proxies=dict(settings.proxies),
        transport=options.transport,
    )
    return Api(settings.api_url, TokenCache(settings, exchange, timing.clock), exchange)


def _check_id(id: object) -> int:
    if isinstance(id, bool) or not isinstance(id, int):
        raise TypeError(f"a HaloPSA id is an int, got {type(id).__name__}")
    return id
