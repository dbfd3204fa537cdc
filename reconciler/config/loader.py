"""Paths -> a validated Configuration, or a ConfigError holding every issue of the run.

Reads files and directories (recursively, sorted, *.yaml / *.yml, skipping hidden
entries), checks each file's top level, builds records and settings, then checks what
spans files: one settings mapping, no two records of a type with the same identity or
id. Nothing is requested from HaloPSA. YAML is imported on first use, so importing this
module stays cheap for commands that never read configuration.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from reconciler.config.governance import check_acknowledgements
from reconciler.config.model import ConfigRecord, Configuration, Mark, Settings
from reconciler.config.wording import quote
from reconciler.errors import ConfigError, Issue
from reconciler.registry import spec

SUFFIXES = (".yaml", ".yml")


def load(paths: Sequence[str | Path], *, env: Mapping[str, str] | None) -> Configuration:
    """The configuration in `paths`; `env` resolves `${NAME}` (None: --no-env, unresolved).

    Raises ConfigError with every issue of every file, sorted by file, line and column.
    """
    from reconciler.config.document import read_document  # imports yaml

    issues: list[Issue] = []
    files = find_files(paths, issues)
    records: list[tuple[ConfigRecord, str]] = []
    settings: list[Settings] = []
    # os.environ encodes every key on lookup: a plain dict is several times faster.
    variables = None if env is None else dict(env)
    # Nothing built here is cyclic: pausing the collector keeps 10,000 records linear.
    paused = gc.isenabled()
    gc.disable()
    try:
        for file in files:
            text = _read(file, issues)
            if text is not None:
                read_document(text, file, variables, issues, records, settings)
    finally:
        if paused:
            gc.enable()
    _check_duplicates(records, issues)
    for extra in settings[1:]:
        first = settings[0].mark
        assert extra.mark is not None
        message = f"a configuration has one settings mapping; the first is at {first}"
        issues.append(
            Issue(extra.mark.file, extra.mark.line, extra.mark.column, "settings", message)
        )
    if settings:
        check_acknowledgements(settings[0].acknowledge, [r for r, _ in records], issues)
    if issues:
        raise ConfigError(issues)
    return Configuration(
        records=tuple(r for r, _ in records),
        settings=settings[0] if settings else Settings(),
        files=tuple(files),
    )


def find_files(paths: Sequence[str | Path], issues: list[Issue]) -> list[str]:
    """Files to read, as the user named them; a directory gives its YAML files, sorted."""
    found: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        real = os.path.realpath(name)
        if real not in seen:  # a file named twice (or inside a named directory) is read once
            seen.add(real)
            found.append(name)

    for given in paths:
        name = os.fspath(given)
        path = Path(name)
        if path.is_dir():
            inside = _yaml_files(path)
            if not inside:
                message = "no *.yaml or *.yml files in this directory"
                issues.append(Issue(name, 0, 0, "", message))
            for rel in inside:
                add(str(path / rel))
        elif path.exists():
            add(name)
        else:
            issues.append(Issue(name, 0, 0, "", "no such file or directory"))
    return found


def _yaml_files(root: Path) -> list[str]:
    """Relative paths of the YAML files under `root`; hidden files and directories skipped
    (.github/, .pre-commit-config.yaml and the like are not configuration)."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = os.path.relpath(dirpath, root)
        for filename in filenames:
            if filename.endswith(SUFFIXES) and not filename.startswith("."):
                out.append(filename if rel == "." else os.path.join(rel, filename))
    return sorted(out, key=lambda p: Path(p).parts)


def _read(file: str, issues: list[Issue]) -> str | None:
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        issues.append(Issue(file, 0, 0, "", f"cannot read: {reason.lower()}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        message = f"not UTF-8 text (byte 0x{byte:02x}): save the file as UTF-8"
        issues.append(Issue(file, line, column, "", message))
        return None


def _check_duplicates(records: list[tuple[ConfigRecord, str]], issues: list[Issue]) -> None:
    """Two records of one type must not share an id or an identity (in any files)."""
    by_id: dict[tuple[str, int], Mark] = {}
    by_identity: dict[tuple[str, str], Mark] = {}
    for record, path in records:
        where = record.mark
        problem = None
        if record.id is not None:
            first = by_id.setdefault((record.type, record.id), where)
            if first is not where:
                problem = f"duplicate record: another {record.type} record has id {record.id}"
                problem += f" ({first})"
        if problem is None and record.identity is not None:
            first = by_identity.setdefault((record.type, record.identity), where)
            if first is not where:
                field = spec(record.type).identity
                value = quote(record.identity)
                problem = f"duplicate record: another {record.type} record has {field} {value}"
                problem += f" ({first})"
        if problem is not None:
            issues.append(Issue(where.file, where.line, where.column, path, problem))
