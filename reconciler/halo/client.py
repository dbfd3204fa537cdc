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
from functools import cache
from types import TracebackType
from typing import Any, Self

from reconciler import registry
from reconciler.errors import HaloError, RecordNotFound
from reconciler.halo.api import Api, Reader, Writer
from reconciler.halo.auth import TokenCache
from reconciler.halo.messages import secret_strings
from reconciler.halo.ratelimit import RateBudget
from reconciler.halo.retry import RetryPolicy
from reconciler.halo.settings import ConnectionSettings
from reconciler.halo.timing import Timing
from reconciler.halo.transport import Exchange
from reconciler.instance import Instance
from reconciler.sensitive import Sensitive, reveal


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How a client keeps time and how long it waits (defaults suit real use)."""

    timing: Timing = field(default_factory=Timing)
    budget: RateBudget | None = None  # share one between clients; else from settings
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


def known_fields(key: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """`record` with only the fields the type's schema has (rows of mapping lists too)."""
    return _split(key, record)[0]


def _split(key: str, record: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    fields = registry.spec(key).fields
    # Key-set arithmetic runs in C: a list of 1,000 records is mostly known fields.
    unknown: set[str] = set(record.keys() - fields.keys())
    known = {k: v for k, v in record.items() if k not in unknown} if unknown else dict(record)
    for name in _row_fields(key):
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


@cache
def _row_fields(key: str) -> tuple[str, ...]:
    """The type's fields that are arrays of mapping rows (filtered row by row)."""
    return tuple(n for n, f in registry.spec(key).fields.items() if f.element is not None)


class ReadOnlyClient:
    """Reads the nine resource types; cannot write."""

    def __init__(
        self,
        settings: ConnectionSettings,
        options: ClientOptions | None = None,
        *,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._bind(settings, Reader(_connect(settings, options or ClientOptions())), on_close)

    def _bind(
        self, settings: ConnectionSettings, reader: Reader, on_close: Callable[[], None] | None
    ) -> None:
        self._settings = settings
        self._reader = reader
        self._on_close = on_close
        self._closed = False
        self._lock = threading.Lock()
        self._unknown: dict[str, set[str]] = {}

    @property
    def settings(self) -> ConnectionSettings:
        return self._settings

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
        """Every live record of a type (one GET with the type's list_params)."""
        rtype = registry.BY_KEY[key]
        data = self._reader.get(rtype.path, rtype.list_params or None)
        return [self._keep(key, r) for r in _records(rtype.path, data)]

    def get(self, key: str, id: int) -> dict[str, Any]:
        """One live record by id; RecordNotFound when HaloPSA has none."""
        path = f"{registry.BY_KEY[key].path}/{_check_id(id)}"
        data = self._reader.get(path)
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
        self._writer = Writer(_connect(settings, options or ClientOptions()))
        self._bind(settings, self._writer, on_close)

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
        secrets = [s for r in records for s in _sensitive_strings(r)]
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
    budget = options.budget or RateBudget(count, seconds, clock=timing.clock, sleep=timing.sleep)
    exchange = Exchange(
        budget=budget,
        policy=RetryPolicy(budget=settings.retry_budget),
        timing=timing,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        tls=any(u.startswith("https://") for u in (settings.api_url, settings.token_url)),
    )
    return Api(settings.api_url, TokenCache(settings, exchange, timing.clock), exchange)


def _records(path: str, data: Any) -> list[Mapping[str, Any]]:
    """The records of a list answer: a bare array, or an object wrapping one."""
    if data is None:
        return []
    if isinstance(data, dict):
        arrays = [v for v in data.values() if isinstance(v, list)]
        # Paged lists wrap the array ({page_no, record_count, <plural>: [...]}): take the
        # array of objects; a lone record (an `id`, no array) is a list of one.
        wrapped = next((a for a in arrays if any(isinstance(x, dict) for x in a)), None)
        if wrapped is None:
            wrapped = next((a for a in arrays if not a), arrays[0] if arrays else None)
        if wrapped is not None:
            data = wrapped
        elif "id" in data:
            data = [data]
        elif data.get("record_count") == 0:
            data = []
        else:
            raise HaloError("GET", f"/api{path}", 200, "expected a list of records")
    if not isinstance(data, list):
        raise HaloError("GET", f"/api{path}", 200, "expected a list of records")
    rows = [r for r in data if r is not None]
    if not all(isinstance(r, dict) for r in rows):
        raise HaloError("GET", f"/api{path}", 200, "expected a list of records (JSON objects)")
    return rows


def _check_id(id: object) -> int:
    if isinstance(id, bool) or not isinstance(id, int):
        raise TypeError(f"a HaloPSA id is an int, got {type(id).__name__}")
    return id


def _sensitive_strings(value: object) -> list[str]:
    if isinstance(value, Sensitive):
        return secret_strings(value.reveal())
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _sensitive_strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _sensitive_strings(v)]
    return []
