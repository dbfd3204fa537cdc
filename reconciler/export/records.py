"""Live records -> configuration YAML: how a team adopts an existing HaloPSA instance.

The promise: planning the exported files against the same instance shows no changes.
So a record is written with exactly the fields a configuration may state and that hold a
value, and nothing the plan would then see differently:
- the identity field first, then the type's fields in schema (HaloPSA) order;
- no `id` (configs stay portable; records match by identity), except for a record whose
  identity is empty or shared by several live records: that one is matched by `id`, and
  its identity is left out (two config records may not share an identity);
- no readOnly fields, no action triggers, no empty values (None, "", [], {}): a field
  left out is never compared. false and 0 are values and are written;
- comma-separated fields as YAML lists; rows of mapping arrays with their identity
  fields first and only configurable, non-empty row fields;
- write-only fields (secrets HaloPSA never returns) as commented `${VAR}` placeholders
  at their schema position, so the files validate and plan with no variable set;
- a live value the configuration could not state (wrong type, too long, not a date-time,
  duplicate rows) is left out with a note: left out, it is not managed, so no change.
Pure, except `write_files`, which writes the files (never over one without `force`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.address import address_of
from reconciler.errors import ReconcilerError
from reconciler.export.emitter import Comment, write_mapping
from reconciler.export.fields import export_fields, quoted
from reconciler.jsontypes import LiveRecord
from reconciler.live import LiveWarning
from reconciler.registry import KEYS, ORDER, schema_dir, spec


class ExportError(ReconcilerError):
    """Raised when export would overwrite a file without --force, or cannot write one."""


SCHEMA_FILE = "config.schema.json"  # written beside exported files, named by their modeline


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the records were read, for the header comment: no time and, for the local
    sandbox, its label rather than its URL (a new port each run), so exporting an
    unchanged instance again gives the same bytes."""

    url: str
    tenant: str | None


@dataclass(frozen=True, slots=True)
class Exported:
    """The YAML text of an export and what could not be exported as is."""

    text: str
    notes: tuple[LiveWarning, ...]


def installed_schema() -> Path:
    """The configuration schema this installation ships (a file that exists)."""
    return schema_dir() / SCHEMA_FILE


def header(origin: Origin, schema: str) -> list[str]:
    """The comment lines every exported file starts with; `schema` is what the editor
    modeline points at (a path relative to the file, or a file: URI)."""
    where = origin.url + (f" (tenant {origin.tenant})" if origin.tenant else "")
    return [
        f"# yaml-language-server: $schema={schema}",
        f"# Exported by halo-reconciler from {where}.",
        "# Secrets (write-only fields) cannot be read back: each is a commented ${...}",
        "# placeholder; uncomment it and set the variable to manage that secret.",
    ]


def export_document(
    records: Mapping[str, Sequence[LiveRecord]], origin: Origin, types: Sequence[str] = ()
) -> Exported:
    """All `types` (default: those with records) as one YAML document, registry order.

    Its modeline names the installed schema by absolute file: URI (a document on stdout
    has no directory to put a copy in); `export_files` writes a copy beside the files.
    """
    keys = _keys(records, types)
    lines = header(origin, installed_schema().as_uri())
    notes: list[LiveWarning] = []
    for key in keys:
        _write_type(lines, key, records.get(key, ()), notes)
    if not keys:
        lines.append("# HaloPSA has no records of the types exported.")
    return Exported("\n".join(lines) + "\n", tuple(notes))


def export_files(
    records: Mapping[str, Sequence[LiveRecord]], origin: Origin, types: Sequence[str] = ()
) -> tuple[dict[str, str], tuple[LiveWarning, ...]]:
    """One document per type: file name (`<key>.yaml`) -> text, in registry order, and
    the configuration schema their modeline points at, SCHEMA_FILE, beside them."""
    files: dict[str, str] = {}
    notes: list[LiveWarning] = []
    for key in _keys(records, types):
        lines = header(origin, SCHEMA_FILE)
        _write_type(lines, key, records.get(key, ()), notes)
        files[f"{key}.yaml"] = "\n".join(lines) + "\n"
    if files:
        files[SCHEMA_FILE] = installed_schema().read_text(encoding="utf-8")
    return files, tuple(notes)


def write_files(directory: Path, files: Mapping[str, str], *, force: bool = False) -> list[Path]:
    """Write `files` into `directory` (created if missing); refuse to overwrite unless `force`.

    Every target is checked before the first is written, so a refusal writes nothing.
    """
    if directory.exists() and not directory.is_dir():
        raise ExportError(f"{directory}: exists and is not a directory")
    targets = [directory / name for name in files]
    # A symbolic link counts as existing even when it points nowhere: writing through it
    # would create a file wherever it points, outside `directory`.
    existing = [str(t) for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        if len(existing) == 1:
            what = f"{existing[0]} already exists: use --force to overwrite it"
        else:
            what = f"{', '.join(existing)} already exist: use --force to overwrite them"
        raise ExportError(f"{what} (nothing was written)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for target, text in zip(targets, files.values(), strict=True):
            if target.is_symlink():  # --force replaces the link itself, never its target
                target.unlink()
            target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{exc.filename or directory}: cannot write: {exc.strerror}") from exc
    return targets


def _keys(records: Mapping[str, Sequence[LiveRecord]], types: Sequence[str]) -> list[str]:
    wanted = types or [k for k in KEYS if records.get(k)]
    return sorted(dict.fromkeys(wanted), key=ORDER.__getitem__)


def _write_type(
    lines: list[str], key: str, live: Sequence[LiveRecord], notes: list[LiveWarning]
) -> None:
    ts = spec(key)
    if not live:
        lines.append(f"{key}: []")
        return
    by_identity = Counter(_identity(r, ts.identity) for r in live)
    variables = _variable_prefixes(key, live, ts.identity)
    lines.append(f"{key}:")
    for record in sorted(live, key=lambda r: _sort_key(r, ts.identity)):
        ident = _identity(record, ts.identity)
        rid = record.get("id")
        by_id = ident is None or by_identity[ident] > 1
        address = address_of(key, None if by_id else ident, rid)
        pairs: list[tuple[str | None, object]] = []
        if by_id:
            if not (isinstance(rid, int) and not isinstance(rid, bool) and rid > 0):
                notes.append(LiveWarning(address, "not exported: it has neither identity nor id"))
                continue
            pairs.append(("id", rid))
            if ident is not None:
                shared = by_identity[ident]
                pairs.append(
                    (
                        None,
                        Comment(
                            f"{ts.identity} {quoted(ident)} is shared by {shared} "
                            "live records: this one is matched by id"
                        ),
                    )
                )
        else:
            pairs.append((ts.identity, ident))
        prefix = variables.get(id(record), key)
        pairs.extend(export_fields(ts.fields, record, address, notes, skip=ts.identity, var=prefix))
        write_mapping(lines, tuple(pairs), 4, "- ")


def _identity(record: LiveRecord, field: str) -> str | None:
    value = record.get(field)
    return value if isinstance(value, str) and value else None


def _sort_key(record: LiveRecord, field: str) -> tuple[bool, str, int]:
    rid = record.get("id")
    ident = _identity(record, field)
    return (ident is None, ident or "", rid if isinstance(rid, int) else 0)


def _variable_prefixes(key: str, live: Sequence[LiveRecord], field: str) -> dict[int, str]:
    """Python id() of each record -> `type_identity` for its placeholders (unique per type)."""
    prefixes: dict[int, str] = {}
    for record in live:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", _identity(record, field) or "").strip("_")
        prefixes[id(record)] = f"{key}_{slug}" if slug else f"{key}_{record.get('id')}"
    counts = Counter(prefixes.values())
    for record in live:  # two identities with one slug ("Acme NZ", "Acme-NZ"): add the id
        if counts[prefixes[id(record)]] > 1:
            prefixes[id(record)] += f"_{record.get('id')}"
    return prefixes
