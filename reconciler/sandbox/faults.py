"""Fault injection for the sandbox: what goes wrong with the next request, and why.

A `Faults` object is mutable while the sandbox runs (tests flip a rate on and off) and
thread-safe: one lock guards the random generator, the rolling rate-limit window and the
scripted queue. `decide()` is asked once per request, before it is processed; the answer
is a `Fault` the app turns into a reply (or into a dropped connection). No I/O here.

Where each fault applies (the README says the same):
  latency_ms             every request (the token endpoint too)
  drop_rate, fail_rate   every request (the token endpoint too)
  rate_limit             /api/* only (the token endpoint is not counted)
  post_commit_drop_rate  POST /api/* only: the POST is processed, then the answer is lost
  script(...)            the next matching requests, whatever their path, unless filtered

Beside the faults, how the sandbox answers — each a way a real HaloPSA may answer
(SPEC §11), so tests can prove the tool right under all of them:
  list_shape    "array" (a bare array), "wrapper" ({record_count, <key>: rows}, the whole
                list) or "paged" (honours pageinate/page_size/page_no; asked without
                them, a default page of 50 whose record_count counts only that page)
  list_rows     "full", or "summary": mapping arrays only in GET /X/{id}?includedetails=true
  post_answer   "array" (the saved records), "object" (the last one saved) or "empty"
  extra_fields  every record answered carries fields the schemas do not know
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from reconciler.errors import SandboxError

PathFilter = Literal["all", "api", "token"]


class FaultKind(Enum):
    NONE = "none"  # serve normally
    STATUS = "status"  # answer `status` without processing
    DROP = "drop"  # close the connection without an answer, before processing
    COMMIT_DROP = "commit-drop"  # process in full, then close without an answer


@dataclass(frozen=True, slots=True)
class Fault:
    """The decision for one request."""

    kind: FaultKind = FaultKind.NONE
    status: int | None = None
    retry_after: int | None = None  # seconds, for 429 (and a scripted 503 that gives one)
    label: str | None = None  # what the request log records, e.g. "429", "drop", "script:500"


NO_FAULT = Fault()


@dataclass(frozen=True, slots=True)
class _Scripted:
    outcome: str
    methods: frozenset[str] | None
    paths: PathFilter

    def matches(self, method: str, where: PathFilter) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.paths == "all" or self.paths == where


def parse_rate_limit(text: str) -> tuple[int, float]:
    """`"N/S"` -> (N requests, S seconds); ValueError with a readable message otherwise."""
    n, sep, s = text.partition("/")
    try:
        count, seconds = int(n), float(s)
    except ValueError:
        count, seconds = 0, 0.0
    if not sep or count < 1 or not seconds > 0 or math.isinf(seconds):
        raise ValueError(
            f"rate limit must be N/S (N requests per S seconds, e.g. 300/300), got {text!r}"
        )
    return count, seconds


def parse_outcome(text: str) -> Fault:
    """A scripted outcome: "ok", "drop", "commit-drop", "429", "429:7", "500", "401" ..."""
    label = f"script:{text}"
    if text == "ok":
        return Fault(label=label)
    if text == "drop":
        return Fault(FaultKind.DROP, label=label)
    if text == "commit-drop":
        return Fault(FaultKind.COMMIT_DROP, label=label)
    code, _, after = text.partition(":")
    if code.isdigit() and 400 <= int(code) <= 599 and (not after or after.isdigit()):
        status = int(code)
        retry = int(after) if after else (1 if status == 429 else None)
        return Fault(FaultKind.STATUS, status=status, retry_after=retry, label=label)
    raise ValueError(
        f"unknown scripted outcome {text!r}: use ok, drop, commit-drop, a status 400-599, "
        "or 429:SECONDS"
    )


_VALIDATED = {"latency_ms", "fail_rate", "drop_rate", "post_commit_drop_rate", "token_ttl"}
CHOICES: Mapping[str, tuple[str, ...]] = {
    "list_shape": ("array", "wrapper", "paged"),
    "list_rows": ("full", "summary"),
    "post_answer": ("array", "object", "empty"),
}


@dataclass
class Faults:
    """Fault settings; every field may be changed while the sandbox runs."""

    latency_ms: float = 0.0
    fail_rate: float = 0.0  # share of requests answered 500/502/503
    rate_limit: str | None = None  # "N/S": N requests per rolling S seconds, else 429
    drop_rate: float = 0.0  # share of requests whose connection closes unanswered
    post_commit_drop_rate: float = 0.0  # share of POST /api/* committed, then unanswered
    token_ttl: int = 3600  # expires_in of issued tokens, seconds
    seed: int | None = None  # seed of the random generator (deterministic runs)
    list_shape: str = "array"  # how the answers look (module docstring)
    list_rows: str = "full"
    post_answer: str = "array"
    extra_fields: bool = False
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _window: deque[float] = field(default_factory=deque, init=False, repr=False, compare=False)
    _script: deque[_Scripted] = field(default_factory=deque, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _VALIDATED:
            value = _check_number(name, value)
        elif name == "rate_limit" and value is not None:
            parse_rate_limit(value)
        elif name in CHOICES and value not in CHOICES[name]:
            raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}, got {value!r}")
        elif name == "seed" and hasattr(self, "_rng"):
            with self._lock:
                self._rng.seed(value)
        object.__setattr__(self, name, value)

    def script(
        self,
        *outcomes: str,
        methods: Iterable[str] | None = None,
        paths: PathFilter = "all",
    ) -> None:
        """Queue outcomes for the next matching requests, in order (ValueError if unknown).

        `methods` limits the entries to those HTTP methods; `paths="api"` to /api/*,
        `paths="token"` to the token endpoint. A queued entry replaces every random fault
        and the rate limit for the request it is applied to.
        """
        for text in outcomes:
            parse_outcome(text)
        if paths not in ("all", "api", "token"):
            raise ValueError(f"paths must be 'all', 'api' or 'token', got {paths!r}")
        wanted = frozenset(m.upper() for m in methods) if methods is not None else None
        with self._lock:
            self._script.extend(_Scripted(o, wanted, paths) for o in outcomes)

    def pending(self) -> list[str]:
        """Scripted outcomes not applied yet, in order."""
        with self._lock:
            return [s.outcome for s in self._script]

    def clear(self) -> None:
        """Back to no faults at all: rates 0, no rate limit, empty script and window."""
        with self._lock:
            self._script.clear()
            self._window.clear()
        self.latency_ms = self.fail_rate = self.drop_rate = self.post_commit_drop_rate = 0.0
        self.rate_limit = None

    def decide(self, method: str, where: PathFilter, now: float) -> Fault:
        """The fault for one request (`where` is "api" or "token"); called once per request."""
        with self._lock:
            for i, entry in enumerate(self._script):
                if entry.matches(method, where):
                    del self._script[i]
                    return parse_outcome(entry.outcome)
            if self.drop_rate and self._rng.random() < self.drop_rate:
                return Fault(FaultKind.DROP, label="drop")
            if where == "api" and self.rate_limit is not None:
                limited = self._limited(now)
                if limited is not None:
                    return limited
            if self.fail_rate and self._rng.random() < self.fail_rate:
                status = self._rng.choice((500, 502, 503))
                return Fault(FaultKind.STATUS, status=status, label=str(status))
            if (
                where == "api"
                and method == "POST"
                and self.post_commit_drop_rate
                and self._rng.random() < self.post_commit_drop_rate
            ):
                return Fault(FaultKind.COMMIT_DROP, label="commit-drop")
            return NO_FAULT

    def _limited(self, now: float) -> Fault | None:
        # A rolling window of accepted requests: the oldest leaves S seconds after it came.
        assert self.rate_limit is not None
        count, seconds = parse_rate_limit(self.rate_limit)
        while self._window and self._window[0] <= now - seconds:
            self._window.popleft()
        if len(self._window) >= count:
            wait = max(1, math.ceil(self._window[0] + seconds - now))
            return Fault(FaultKind.STATUS, status=429, retry_after=wait, label="429")
        self._window.append(now)
        return None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> Faults:
        """Faults from the HALO_SANDBOX_* variables (SandboxError naming a bad one), each
        overridden by a value in `overrides` that is not None (the command's flags)."""
        env = os.environ if environ is None else environ
        kwargs: dict[str, Any] = {}
        for var, name in ENV_VARS.items():
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                kwargs[name] = _from_text(name, raw)
            except ValueError as exc:
                raise SandboxError(f"{var}: {exc}") from None
        kwargs.update((k, v) for k, v in (overrides or {}).items() if v is not None)
        return cls(**kwargs)


ENV_VARS: Mapping[str, str] = {
    "HALO_SANDBOX_LATENCY_MS": "latency_ms",
    "HALO_SANDBOX_FAIL_RATE": "fail_rate",
    "HALO_SANDBOX_RATE_LIMIT": "rate_limit",
    "HALO_SANDBOX_DROP_RATE": "drop_rate",
    "HALO_SANDBOX_POST_COMMIT_DROP_RATE": "post_commit_drop_rate",
    "HALO_SANDBOX_TOKEN_TTL": "token_ttl",
    "HALO_SANDBOX_SEED": "seed",
    "HALO_SANDBOX_LIST_SHAPE": "list_shape",
    "HALO_SANDBOX_LIST_ROWS": "list_rows",
    "HALO_SANDBOX_POST_ANSWER": "post_answer",
    "HALO_SANDBOX_EXTRA_FIELDS": "extra_fields",
}


def _from_text(name: str, raw: str) -> object:
    if name in CHOICES:
        if raw not in CHOICES[name]:
            raise ValueError(f"expected one of {', '.join(CHOICES[name])}, got {raw!r}")
        return raw
    if name == "extra_fields":
        if raw not in ("0", "1"):
            raise ValueError(f"expected 1 (on) or 0 (off), got {raw!r}")
        return raw == "1"
    if name == "rate_limit":
        parse_rate_limit(raw)
        return raw
    if name in ("seed", "token_ttl"):
        try:
            return int(raw)
        except ValueError:
            what = "the random seed of fault injection" if name == "seed" else "seconds"
            raise ValueError(f"expected an integer ({what}), got {raw!r}") from None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"expected a number, got {raw!r}") from None
    return _check_number(name, value)


def _check_number(name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if name.endswith("_rate") and not 0 <= value <= 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return value
