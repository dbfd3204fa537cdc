"""The sandbox's records, kept in memory and (optionally) in a JSON data file.

One re-entrant lock guards every read and mutation, so concurrent requests never lose an
update or share an id. Ids are assigned per type, increasing, never reused (the next id
is stored, so a deleted id stays used across restarts). With a data file, every change
is written at once and atomically (a temporary file, then os.replace). A data file that
cannot be read or parsed raises SandboxError and is never overwritten.

Besides what the app needs (`post`, `remove`), the store offers direct edits for tests
(`create`, `update`, `delete`): they accept read-only fields, as a change made in
HaloPSA's web UI or by the connect flow would. Never touches sockets.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler.errors import SandboxError
from reconciler.registry import KEYS, spec
from reconciler.sandbox import error_log, records
from reconciler.sandbox.lookups import rows_of
from reconciler.sandbox.records import Raw
from reconciler.sandbox.seed import Seed, load_seed, parse_seed

FORMAT = "halo-reconciler-sandbox/1"
Records = list[Raw]  # (a name: `list` is a method of Store)
Rows = list[tuple[str, str]]


class PostRefused(Exception):
    """A POST body the sandbox refuses; `issues` are the messages, all of them."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = issues


class Store:
    """Thread-safe records of the nine types, in memory and optionally in `path`."""

    def __init__(self, path: Path | None = None, *, clock: Callable[[], float] = time.time):
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._records: dict[str, dict[int, Raw]] = {k: {} for k in KEYS}
        self._next_id: dict[str, int] = dict.fromkeys(KEYS, 1)
        self._next_row_id = 1
        self._lookups: dict[str, dict[str, str]] = {}
        # Sorted rows per lookup table, kept until the tables change: a paged list of
        # 5,000 clients is asked for 51 times in one plan.
        self._lookup_rows: dict[str, Rows] = {}
        # HaloPSA's sync error log; None: the endpoint answers 404 (an instance without it)
        self._errors: list[dict[str, Any]] | None = []

    @classmethod
    def open(
        cls,
        path: Path | None,
        seed: str | Path | Mapping[str, Any] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> Store:
        """The store in `path` if that file exists; else a new one from `seed`, saved."""
        store = cls(path, clock=clock)
        if path is not None and path.exists():
            store._read_file(path)
            return store
        if seed is not None:
            store._install(_seed_of(seed))
        try:
            store._save()
        except OSError as exc:
            raise SandboxError(
                f"cannot write the sandbox data file {path}: {exc.strerror}"
            ) from None
        return store

    # -- reading -------------------------------------------------------------------------

    def list(self, key: str) -> Records:
        """Every record of a type as GET returns it, by id."""
        with self._lock:
            table = self._records[_known(key)]
            return [records.render(key, table[i], self._lookups) for i in sorted(table)]

    def get(self, key: str, rid: int) -> Raw | None:
        """One record as GET returns it, or None."""
        with self._lock:
            raw = self._records[_known(key)].get(rid)
            return None if raw is None else records.render(key, raw, self._lookups)

    def raw(self, key: str, rid: int) -> Raw | None:
        """The stored record itself (write-only values included) — for tests."""
        with self._lock:
            raw = self._records[_known(key)].get(rid)
            return copy.deepcopy(raw)

    def lookup_rows(self, kind: str) -> Rows:
        """(id, name) of every row of lookup table `kind` (defaults and the seed's)."""
        with self._lock:
            rows = self._lookup_rows.get(kind)
            if rows is None:
                rows = self._lookup_rows[kind] = rows_of(kind, self._lookups)
            return rows

    def set_lookup(self, kind: str, table: Mapping[str, str]) -> None:
        """Add rows to lookup table `kind` (id -> name), as a seed's `lookups:` does."""
        with self._lock:
            self._lookups.setdefault(kind, {}).update({str(k): v for k, v in table.items()})
            self._lookup_rows.clear()
            self._save()

    def integration_errors(self) -> Records | None:
        """The error log's stored rows (None: the endpoint is absent)."""
        with self._lock:
            # Rows are flat (strings and numbers): a copy of each is a full copy.
            return None if self._errors is None else [dict(r) for r in self._errors]

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {k: len(v) for k, v in self._records.items()}

    # -- what the API does ---------------------------------------------------------------

    def post(self, key: str, body: Any) -> Records:
        """Create or update every element, or none (PostRefused); the saved records."""
        with self._lock:
            table = self._records[_known(key)]
            issues = records.check_post(key, body, table)
            if issues:
                raise PostRefused(issues)
            now = self._clock()
            saved: list[int] = []
            for element in body:
                rid = element.get("id")
                if rid is None:
                    rid = self._take_id(key)
                table[rid] = records.merge(key, table.get(rid), element, rid, self._row_id, now)
                saved.append(rid)
            self._save()
            return [records.render(key, table[i], self._lookups) for i in saved]

    def remove(self, key: str, rid: int) -> bool:
        """Delete a record; False when there is none with that id."""
        with self._lock:
            if self._records[_known(key)].pop(rid, None) is None:
                return False
            self._save()
            return True

    # -- direct edits (tests; HaloPSA's web UI) ------------------------------------------

    def create(self, key: str, record: Mapping[str, Any]) -> Raw:
        """Add a record as given (read-only fields allowed); its id is assigned if absent."""
        with self._lock:
            _check_names(key, record)
            rid = record.get("id")
            if rid is None:
                rid = self._take_id(key)
            elif rid in self._records[key]:
                raise ValueError(f"{records.model_name(key)} {rid} exists already")
            else:
                self._next_id[key] = max(self._next_id[key], rid + 1)
            return self._put(key, None, record, rid)

    def update(self, key: str, rid: int, fields: Mapping[str, Any]) -> Raw:
        """Change fields of a record as given (read-only ones allowed); KeyError if absent."""
        with self._lock:
            _check_names(key, fields)
            current = self._records[_known(key)].get(rid)
            if current is None:
                raise KeyError(f"{records.model_name(key)} {rid} does not exist")
            return self._put(key, current, fields, rid)

    def delete(self, key: str, rid: int) -> None:
        """Delete a record; KeyError if absent."""
        if not self.remove(key, rid):
            raise KeyError(f"{records.model_name(key)} {rid} does not exist")

    def set_integration_errors(self, rows: Sequence[Mapping[str, Any]] | None) -> None:
        """Replace the error log (rows as a seed gives them); None removes the endpoint."""
        checked, issues = error_log.check_rows(rows, "integration_errors")
        if issues:
            raise ValueError("; ".join(issues))
        with self._lock:
            self._errors = None if checked is None else error_log.numbered(checked, 1)
            self._save()

    def load_seed(self, seed: str | Path | Mapping[str, Any]) -> None:
        """Replace every record and lookup with a seed's (a YAML file or its mapping)."""
        parsed = _seed_of(seed)
        with self._lock:
            self._records = {k: {} for k in KEYS}
            self._next_id = dict.fromkeys(KEYS, 1)
            self._next_row_id = 1
            self._lookups = {}
            self._lookup_rows.clear()
            self._errors = []
            self._install(parsed)
            self._save()

    # -- internals -----------------------------------------------------------------------

    def _put(self, key: str, current: Raw | None, fields: Mapping[str, Any], rid: int) -> Raw:
        element = {k: v for k, v in fields.items() if k != "id"}
        raw = records.merge(key, current, element, rid, self._row_id, self._clock())
        auth, expiry, _ = records.status_fields(spec(key))
        for name in (auth, expiry):  # server-side status given explicitly has the last word
            if name is not None and name in element:
                raw[name] = element[name]
        self._records[key][rid] = raw
        self._save()
        return records.render(key, raw, self._lookups)

    def _take_id(self, key: str) -> int:
        rid = self._next_id[key]
        self._next_id[key] = rid + 1
        return rid

    def _row_id(self) -> int:
        rid = self._next_row_id
        self._next_row_id = rid + 1
        return rid

    def _install(self, seed: Seed) -> None:
        if seed.integration_errors is None:
            self._errors = None
        elif seed.integration_errors:
            self._errors = error_log.numbered([*(self._errors or []), *seed.integration_errors], 1)
        for kind, table in seed.lookups.items():
            self._lookups.setdefault(kind, {}).update(table)
        self._lookup_rows.clear()
        for key, items in seed.records.items():
            for item in items:
                self.create(key, item)

    def _save(self) -> None:
        if self.path is None:
            return
        doc = {
            "format": FORMAT,
            "next_id": self._next_id,
            "next_row_id": self._next_row_id,
            "lookups": self._lookups,
            "integration_errors": self._errors,
            "records": {k: [self._records[k][i] for i in sorted(self._records[k])] for k in KEYS},
        }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        # Private (0600): the records hold write-only values, secrets pushed with
        # --push-secrets among them.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o600)  # a tmp file left by an older run kept its own mode
        os.replace(tmp, self.path)

    def _read_file(self, path: Path) -> None:
        where = f"the sandbox data file {path}"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SandboxError(f"cannot read {where}: {reason}") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SandboxError(
                f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}); "
                "it was left unchanged: fix it, or move it away to start afresh"
            ) from None
        problem = _shape_problem(doc)
        if problem:
            raise SandboxError(
                f"{where} is not a sandbox data file ({problem}); it was left unchanged: "
                "fix it, or move it away to start afresh"
            )
        for key in KEYS:
            self._records[key] = {r["id"]: r for r in doc["records"].get(key, [])}
            top = max(self._records[key], default=0) + 1
            self._next_id[key] = max(int(doc["next_id"].get(key, 1)), top)
        self._next_row_id = int(doc["next_row_id"])
        self._lookups = {k: dict(v) for k, v in doc["lookups"].items()}
        self._lookup_rows.clear()
        errors = doc.get("integration_errors", [])
        self._errors = None if errors is None else [dict(r) for r in errors]


def _seed_of(seed: str | Path | Mapping[str, Any]) -> Seed:
    """A seed from a YAML file's path or from its already parsed mapping."""
    if isinstance(seed, str | Path):
        return load_seed(Path(seed))
    return parse_seed(seed, "seed")


def _known(key: str) -> str:
    if key not in KEYS:
        raise KeyError(f"unknown resource type {key!r}")
    return key


def _check_names(key: str, fields: Mapping[str, Any]) -> None:
    model = spec(_known(key)).fields
    unknown = sorted(set(fields) - set(model))
    if unknown:
        raise ValueError(f'{records.model_name(key)} has no field "{unknown[0]}"')


def _shape_problem(doc: Any) -> str | None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return f'no "format": "{FORMAT}"'
    parts = ("next_id", "next_row_id", "lookups", "records")
    missing = [p for p in parts if p not in doc]
    if missing:
        return f'"{missing[0]}" is missing'
    if not isinstance(doc["records"], dict) or not isinstance(doc["next_id"], dict):
        return '"records" and "next_id" must be objects'
    if not isinstance(doc["next_row_id"], int) or not isinstance(doc["lookups"], dict):
        return '"next_row_id" must be an integer and "lookups" an object'
    errors = doc.get("integration_errors", [])
    if errors is not None and not (
        isinstance(errors, list) and all(isinstance(r, dict) for r in errors)
    ):
        return '"integration_errors" must be a list of objects, or null'
    for key, items in doc["records"].items():
        if key not in KEYS:
            return f'unknown resource type "{key}"'
        if not isinstance(items, list):
            return f'records of "{key}" must be a list'
        fields = spec(key).fields
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                return f'record {n} of "{key}" has no integer id'
            unknown = sorted(set(item) - set(fields))
            if unknown:
                return f'record {n} of "{key}" has an unknown field "{unknown[0]}"'
    return None
