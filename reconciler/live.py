"""Reading the live records: a list per type, detail reads where needed, read leniently.

`read_live` is the step plan, drift, apply and export share. It asks the client for each
type's list (one GET per type, or per page of 100, so a plan stays far inside HaloPSA's
300-requests-per-5-minutes budget) on a small thread pool; then, when the caller says
which rows a list may have summarised (`details`), reads those records again with
`GET /X/{id}?includedetails=true` on the same pool (SPEC §11: mapping arrays are very
likely filled only there). Every request draws on the client's one rate budget. Returns
the records keyed by type in registry order.

Live data is never held to our schema (../shared/api/README.md §9.6): a newer HaloPSA
adds fields, an enum may grow, a value may come back with another type. So reading is
lenient: a field the schema does not know is dropped silently (never compared, never
echoed back, never in any output; `--debug` logs the names once per type and `doctor`
reports them); a value of an unexpected type is kept (the plan compares it and shows it)
and reported as a warning naming the record and field, never the value. A write-only
field HaloPSA should not return is dropped silently: it may hold a secret. Never writes:
takes anything with `list(key)` and `detail(key, id)`, i.e. a read-only client.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from reconciler.jsontypes import ARTICLED, PY_TYPES, LiveRecord, fits, json_kind
from reconciler.registry import ORDER, ElementSpec, FieldSpec, mapping_arrays, spec

log = logging.getLogger("reconciler.live")
T = TypeVar("T")
# Per type, the ids of the list rows to read again in detail (given the type's rows).
Details = Callable[[str, Sequence[Mapping[str, Any]]], Iterable[int]]


class Lister(Protocol):
    """What reading needs from a client: a type's list, and one record in detail."""

    def list(self, key: str) -> Sequence[Mapping[str, Any]]: ...

    def detail(self, key: str, id: int) -> Mapping[str, Any]: ...


def needs_detail(key: str, stated: Iterable[str], row: Mapping[str, Any]) -> bool:
    """Must `row` be read in detail to compare the fields `stated`? (SPEC §11)

    Yes when a stated field is a mapping array (a list row may omit or truncate it) or
    its key is absent from the row (absent, not null: a summary row). Write-only fields
    are never compared, so they never call for a detail read.
    """
    arrays = mapping_arrays(key)
    fields = spec(key).fields
    for name in stated:
        if name in arrays:
            return True
        fs = fields.get(name)
        if name not in row and not (fs is not None and fs.write_only):
            return True
    return False


def every_mapped_record(key: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """`details` for export: every record of a type that has mapping arrays."""
    if not mapping_arrays(key):
        return []
    return [r["id"] for r in rows if _int_id(r.get("id"))]


def _int_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class LiveWarning:
    """Something in the live data that does not fit the schema (reported, not fatal)."""

    address: str  # `xero/Acme NZ`, `xero/#12`, or just `xero` for the whole type
    message: str

    def __str__(self) -> str:
        return f"{self.address}: {self.message}"


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """The live records of the types read, keyed by config key in registry order."""

    records: Mapping[str, tuple[LiveRecord, ...]] = field(default_factory=dict)
    warnings: tuple[LiveWarning, ...] = ()
    # Per type, fields HaloPSA returned that the schema lacks (dropped; `doctor` shows them).
    unknown: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(v) for v in self.records.values())


def read_live(
    client: Lister,
    types: Sequence[str],
    *,
    max_workers: int = 4,
    details: Details | None = None,
) -> LiveSnapshot:
    """Read every type in `types` (its list, concurrently), the records `details` names
    again in detail (concurrently), and sanitise them.

    The first failure in registry order is raised (a HaloError from the client) once the
    requests under way have finished; reads not started by then are not made. No request
    is made when `types` is empty.
    """
    keys = sorted(dict.fromkeys(types), key=ORDER.__getitem__)
    if not keys:
        return LiveSnapshot()
    raw = run_all([_bind(client.list, key) for key in keys], max_workers)
    if details is not None:
        raw = _with_details(client, keys, raw, details, max_workers)
    # A client that already drops unknown fields (halo.ReadOnlyClient) says which it saw.
    seen_unknown: Mapping[str, frozenset[str]] = getattr(client, "unknown_fields", None) or {}
    records: dict[str, tuple[LiveRecord, ...]] = {}
    warnings: list[LiveWarning] = []
    unknown: dict[str, frozenset[str]] = {}
    for key, rows in zip(keys, raw, strict=True):
        found: set[str] = set(seen_unknown.get(key, frozenset()))
        records[key] = sanitise(key, rows, warnings, unknown_out=found)
        if found:
            unknown[key] = frozenset(found)
            log.debug("%s: ignoring fields the schema lacks: %s", key, ", ".join(sorted(found)))
    return LiveSnapshot(records, tuple(warnings), unknown)


def _bind(call: Callable[[str], T], key: str) -> Callable[[], T]:
    return lambda: call(key)


def _with_details(
    client: Lister,
    keys: Sequence[str],
    raw: Sequence[Sequence[Mapping[str, Any]]],
    details: Details,
    max_workers: int,
) -> list[Sequence[Mapping[str, Any]]]:
    """`raw` with the rows `details` names replaced by their detail reads."""
    wanted = [(key, rid) for key, rows in zip(keys, raw, strict=True) for rid in details(key, rows)]
    if not wanted:
        return list(raw)
    read = run_all([_detail_call(client, key, rid) for key, rid in wanted], max_workers)
    full: dict[tuple[str, object], Mapping[str, Any]] = dict(zip(wanted, read, strict=True))
    return [
        [full.get((key, r.get("id")), r) for r in rows] for key, rows in zip(keys, raw, strict=True)
    ]


def _detail_call(client: Lister, key: str, rid: int) -> Callable[[], Mapping[str, Any]]:
    return lambda: client.detail(key, rid)


def run_all(calls: Sequence[Callable[[], T]], max_workers: int) -> list[T]:
    """Each call's result, in order, made on a small pool of threads (none for one call)."""
    if len(calls) == 1:  # nothing to overlap: no thread
        return [calls[0]()]
    workers = max(1, min(max_workers, len(calls)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="halo-read") as pool:
        futures = [pool.submit(call) for call in calls]
        # On the first failure, reads not yet started are not made at all: a run that
        # cannot reach HaloPSA fails after one round of retries, not one per read.
        wait(futures, return_when=FIRST_EXCEPTION)
        for f in futures:
            f.cancel()
        for f in futures:
            problem = None if f.cancelled() else f.exception()
            if problem is not None:
                raise problem  # the first in order (registry order for lists)
        return [f.result() for f in futures]


def live_address(key: str, record: LiveRecord) -> str:
    """`type/identity` for a live record, `type/#id` when it has no usable identity."""
    ident = record.get(spec(key).identity)
    if isinstance(ident, str) and ident:
        return f"{key}/{ident}"
    return f"{key}/#{record.get('id')}"


def _articled(value: object) -> str:
    """A live value's type with its article ("a string"); null is "of another kind" here."""
    return ARTICLED.get(json_kind(value), "a value of another kind")


def _fits(value: object, fs: FieldSpec) -> bool:
    # Null is never a mismatch here: every field but `id` is nullable, and a null id is
    # matched by nobody. HaloPSA may send an integer as 3.0.
    return value is None or fits(value, fs, integral_floats=True)


_NOTHING: frozenset[type] = frozenset()
_SHAPES = 256  # clean record shapes remembered per type read (rows with sparse nulls vary)
_NULL: frozenset[type] = frozenset({type(None)})
_FAST: dict[int, tuple[Mapping[str, FieldSpec], dict[str, frozenset[type]]]] = {}


def _fast_types(fields: Mapping[str, FieldSpec]) -> dict[str, frozenset[type]]:
    """Per field, the Python types accepted without a closer look (None included).

    Write-only, enum and row fields get a closer look unless null. Cached per spec mapping
    (specs are cached for the process, so the mapping object is stable).
    """
    hit = _FAST.get(id(fields))
    if hit is not None and hit[0] is fields:
        return hit[1]
    table: dict[str, frozenset[type]] = {}
    for name, fs in fields.items():
        if fs.write_only or fs.enum is not None or fs.element is not None:
            table[name] = _NULL  # a null is fine (and holds no secret); the rest is looked at
            continue
        kinds: set[type] = {type(None)}
        for kind in fs.json_types:
            kinds.update(PY_TYPES.get(kind, ()))  # exact types: bool is not an int here
        table[name] = frozenset(kinds)
    _FAST[id(fields)] = (fields, table)
    return table


def _expected(fs: FieldSpec) -> str:
    return " or ".join(ARTICLED.get(k, k) for k in sorted(fs.json_types))


class _Checker:
    """Sanitises one type's records, counting problems so 10,000 rows give one line."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.unknown: set[str] = set()
        self.problems: Counter[tuple[str, str, str]] = Counter()  # (address, path, text)
        # Shapes (field map, names, value types) whose values all passed the quick check.
        self.clean: set[tuple[int, tuple[str, ...], tuple[type, ...]]] = set()

    def record(
        self, rec: Mapping[str, Any], fields: Mapping[str, FieldSpec], address: str, path: str = ""
    ) -> dict[str, Any]:
        # The records of a list mostly share one shape: the same names, each value null or
        # of its schema type. The quick check depends on nothing else, so a shape it passed
        # once passes again without a look at each value (the tuples are built in C).
        shape = (id(fields), tuple(rec), tuple(map(type, rec.values())))
        if shape in self.clean:
            return dict(rec)
        # Most values are null or of their schema type: one set lookup each decides, and a
        # record made only of those is copied in one comprehension.
        fast = _fast_types(fields)
        out = {k: v for k, v in rec.items() if type(v) in fast.get(k, _NOTHING)}
        if len(out) == len(rec):
            if len(self.clean) < _SHAPES:
                self.clean.add(shape)
            return out
        out = {}
        for name, value in rec.items():
            if type(value) in fast.get(name, _NOTHING):
                out[name] = value
                continue
            fs = fields.get(name)
            if fs is None:
                self.unknown.add(path + name)
                continue
            if fs.write_only:
                continue  # HaloPSA should never return a value; if it does it may be a secret
            if not _fits(value, fs):
                self.problems[(address, path + name, self._mismatch(fs, value))] += 1
            elif fs.enum is not None and value is not None and value not in fs.enum:
                self.problems[(address, path + name, "a value outside the documented ones")] += 1
            elif fs.element is not None and isinstance(value, list):
                value = self.rows(value, fs.element, address, f"{path}{name}[].")
            out[name] = value
        return out

    def rows(self, rows: list[Any], element: ElementSpec, address: str, path: str) -> list[Any]:
        out: list[Any] = []
        for row in rows:
            if isinstance(row, dict):
                out.append(self.record(row, element.fields, address, path))
            else:
                self.problems[
                    (address, path[:-1], f"{_articled(row)} where a row object is expected")
                ] += 1
                out.append(row)
        return out

    @staticmethod
    def _mismatch(fs: FieldSpec, value: object) -> str:
        return f"{_articled(value)} where the schema expects {_expected(fs)}"

    def warnings(self) -> list[LiveWarning]:
        found: list[LiveWarning] = []
        for (address, path, text), count in sorted(self.problems.items()):
            times = f" ({count} rows)" if count > 1 else ""
            found.append(
                LiveWarning(address, f"{path}: HaloPSA returned {text}{times}; compared as is")
            )
        return found


def _items(count: int) -> str:
    return "1 list item that is" if count == 1 else f"{count} list items that are"


def sanitise(
    key: str,
    rows: Sequence[object],
    warnings: list[LiveWarning] | None = None,
    *,
    unknown_out: set[str] | None = None,
) -> tuple[LiveRecord, ...]:
    """`rows` as records the plan can compare: unknown and write-only fields dropped.

    Problems are appended to `warnings`; the names of unknown fields dropped are added to
    `unknown_out` (they are never a warning). Nothing here raises on odd data.
    """
    ts = spec(key)
    checker = _Checker(key)
    out: list[LiveRecord] = []
    skipped = 0
    for row in rows:
        if not isinstance(row, Mapping):
            skipped += 1
            continue
        out.append(checker.record(row, ts.fields, live_address(key, row)))
    found = checker.warnings()
    if skipped:
        found.insert(
            0,
            LiveWarning(key, f"HaloPSA returned {_items(skipped)} not a record; skipped"),
        )
    if warnings is not None:
        warnings.extend(found)
    if unknown_out is not None:
        unknown_out.update(checker.unknown)
    return tuple(out)
