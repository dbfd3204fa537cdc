"""Paths -> a validated Configuration, or a ConfigError holding every issue of the run.

Reads files and directories (recursively, sorted, *.yaml / *.yml, skipping hidden
entries; an entry that cannot be read, or a link out of the directory, is an error),
checks each file's top level, builds records and settings, then checks what spans
files: one settings mapping, no two records of a type with the same identity or id.
Nothing is requested from HaloPSA. YAML is imported on first use, so importing this
module stays cheap for commands that never read configuration.

Performance: the garbage collector is paused while files are read (10,000 mapping rows
load in 0.49 s instead of 1.54 s: each pass of the collector walked every node built so
far, so loading grew quadratically). Invariants: nothing built while reading is cyclic,
so pausing frees nothing late; the collector is re-enabled in `finally`, and only if it
was enabled before.
"""

from __future__ import annotations

import gc
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from reconciler.config.governance import check_acknowledgements
from reconciler.config.model import ConfigRecord, Configuration, Mark, Settings
from reconciler.config.wording import quote
from reconciler.errors import ConfigError, Issue
from reconciler.registry import spec

SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 20 * 2**20  # far past any real configuration; bounds a hostile one


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
            before = len(issues)
            inside = _yaml_files(name, issues)
            if not inside and len(issues) == before:
                message = "no *.yaml or *.yml files in this directory"
                issues.append(Issue(name, 0, 0, "", message))
            for rel in inside:
                add(str(path / rel))
        elif path.exists():
            add(name)  # a path the user named is read as named, symlink or not
        else:
            issues.append(Issue(name, 0, 0, "", "no such file or directory"))
    return found


def config_file_at(target: str | Path, paths: Sequence[str | Path]) -> str | None:
    """The configuration file in `paths` that `target` is (links resolved), or None: a
    file `plan --out` must not replace."""
    real = os.path.realpath(target)
    return next((f for f in find_files(paths, []) if os.path.realpath(f) == real), None)


def _yaml_files(root: str, issues: list[Issue]) -> list[str]:
    """Relative paths of the YAML files under `root`, sorted; hidden files and directories
    skipped (.github/, .pre-commit-config.yaml and the like are not configuration).

    Nothing is skipped silently, since a file not read looks like records removed (and a
    pruned type deletes them): a directory that cannot be listed, a YAML name that is not
    a regular file (FIFO, device, broken link) and a symbolic link leading out of `root`
    are errors. Links inside `root` are followed, each directory once. Messages name the
    entry, never the target or its content.
    """
    tree = os.path.realpath(root)
    out: list[str] = []
    walked = {tree}

    def refuse(rel: str, message: str) -> None:
        issues.append(Issue(str(Path(root) / rel), 0, 0, "", message))

    def walk(directory: str, rel: str) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            refuse(rel, f"cannot read this directory: {_reason(exc)}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(rel, entry.name) if rel else entry.name
            yaml_name = entry.name.endswith(SUFFIXES)
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, path)
                elif yaml_name and entry.is_file(follow_symlinks=False):
                    out.append(path)
                elif yaml_name:
                    refuse(path, _NOT_REGULAR)
                continue
            try:
                target = os.stat(entry.path)
            except OSError:
                if yaml_name:
                    refuse(path, "broken symbolic link: it points at nothing")
                continue
            real = os.path.realpath(entry.path)
            is_dir = stat.S_ISDIR(target.st_mode)
            if not (is_dir or yaml_name):
                continue  # not configuration, wherever it points
            if real != tree and not real.startswith(tree.rstrip(os.sep) + os.sep):
                what = "a directory" if is_dir else "a file"
                refuse(path, f"symbolic link to {what} outside {root}: refused (copy it in)")
            elif is_dir:
                if real not in walked:  # a loop, or a directory reached twice
                    walked.add(real)
                    walk(entry.path, path)
            elif stat.S_ISREG(target.st_mode):
                out.append(path)
            else:
                refuse(path, _NOT_REGULAR)

    walk(root, "")
    return sorted(out, key=lambda p: Path(p).parts)


_NOT_REGULAR = "not a regular file (a FIFO, socket or device): refused"


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _read(file: str, issues: list[Issue]) -> str | None:
    try:
        with open(file, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # a device or FIFO named by hand: bounded too
    except OSError as exc:
        issues.append(Issue(file, 0, 0, "", f"cannot read: {_reason(exc)}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 2**20
        message = f"larger than {limit} MB: split the configuration into several files"
        issues.append(Issue(file, 0, 0, "", message))
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
