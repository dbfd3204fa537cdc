"""One configuration file's top level: lists of records per type, and `settings`.

Parses the YAML (source.py), then hands each record to records.py and the settings to
settings.py. Appends to the run's lists; reports issues, never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.config.model import ConfigRecord, Settings
from reconciler.config.records import build_record
from reconciler.config.settings import build_settings
from reconciler.config.source import parse
from reconciler.config.values import Context
from reconciler.config.wording import describe, did_you_mean, quote
from reconciler.errors import Issue
from reconciler.registry import KEYS

TOP_LEVEL = (*KEYS, "settings")


def read_document(
    text: str,
    file: str,
    env: Mapping[str, str] | None,
    issues: list[Issue],
    records: list[tuple[ConfigRecord, str]],
    settings: list[Settings],
) -> None:
    """Check `text` (the file `file`); add its records (with their paths) and settings."""
    ctx = Context(file, env, issues)
    root = parse(text, file, issues)
    if root is None or root.value is None:  # an empty file is an empty configuration
        return
    if not isinstance(root.value, dict):
        got = describe(root.value, root.text)
        message = f"expected a mapping of types (xero: [...], ...) and settings, got {got}"
        ctx.report(root.line, root.column, "", message)
        return
    for key, entry in root.value.items():
        if key == "settings":
            settings.append(build_settings(entry, ctx))
        elif key in KEYS:
            node = entry.node
            if node.value is None:  # `xero:` with nothing under it: no records
                continue
            if not isinstance(node.value, list):
                got = describe(node.value, node.text)
                message = f"expected a list of {key} records (each starting with -), got {got}"
                ctx.report(entry.line, entry.column, key, message)
                continue
            for i, item in enumerate(node.value):
                path = f"{key}[{i}]"
                record = build_record(key, item, path, ctx)
                if record is not None:
                    records.append((record, path))
        else:
            hint = did_you_mean(key, TOP_LEVEL) or f": the top level holds {', '.join(TOP_LEVEL)}"
            ctx.report(entry.line, entry.column, key, f"unknown key {quote(key)}{hint}")
