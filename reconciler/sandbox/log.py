"""The sandbox's request log: what each request asked and what it got, secrets masked.

Tests read it to check what our client sent (`h.log.entries()`). Bodies are kept parsed,
with every write-only field value (also inside mapping rows) and the token request's
`client_secret` replaced by "***" before they are stored: the log never holds a secret.
Bounded to the last `maxlen` entries. No I/O.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.registry import FieldSpec

MASK = "***"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One request. `status` is None when no answer was sent (a dropped connection)."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any  # parsed JSON or form (masked), None without a body, a note if unparsable
    status: int | None
    fault: str | None = None  # the injected fault, e.g. "429", "drop", "script:500"

    def line(self) -> str:
        """`GET /api/XeroDetails?count=1 -> 200 [fault: 429]`, as `sandbox` logs it."""
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        status = "no answer" if self.status is None else str(self.status)
        fault = f" [fault: {self.fault}]" if self.fault else ""
        target = f"{self.path}?{query}" if query else self.path
        return f"{self.method} {target} -> {status}{fault}"


@dataclass
class RequestLog:
    """A thread-safe, bounded list of `LogEntry`."""

    maxlen: int = 10_000
    _entries: deque[LogEntry] = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._entries = deque(maxlen=self.maxlen)

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LogEntry]:
        """Every entry kept, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def mask_form(form: Mapping[str, str]) -> dict[str, str]:
    """A token request's form with the client secret masked."""
    return {k: (MASK if k == "client_secret" else v) for k, v in form.items()}


def mask_records(body: Any, fields: Mapping[str, FieldSpec]) -> Any:
    """A POST body with write-only values masked, at any depth the model describes."""
    if isinstance(body, list):
        return [mask_records(item, fields) for item in body]
    if not isinstance(body, dict):
        return body
    out: dict[str, Any] = {}
    for key, value in body.items():
        spec = fields.get(key)
        if spec is not None and spec.write_only and value is not None:
            out[key] = MASK
        elif spec is not None and spec.element is not None and isinstance(value, list):
            out[key] = mask_records(value, spec.element.fields)
        else:
            out[key] = value
    return out
