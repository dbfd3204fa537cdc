"""The `settings:` mapping -> Settings. Reports issues, never raises.

prune, max_deletes, protect and allow_empty are read here; acknowledge and freeze, whose
entries are mappings of their own, in governance.py. At most one settings mapping across
the configuration: loader.py checks that, and checks acknowledgements against the records
once every file is read.
"""

from __future__ import annotations

from reconciler.config.governance import read_acknowledge, read_freeze
from reconciler.config.model import Acknowledgement, Settings
from reconciler.config.source import Entry
from reconciler.config.values import Context
from reconciler.config.wording import all_of, describe, did_you_mean, quote
from reconciler.freeze import FreezeWindow
from reconciler.registry import KEYS

SETTINGS = ("prune", "max_deletes", "protect", "allow_empty", "acknowledge", "freeze")
DEFAULT = Settings()


def build_settings(entry: Entry, ctx: Context) -> Settings:
    """The settings stated at `entry` (defaults for what it leaves out)."""
    mark = ctx.mark(entry.line, entry.column)
    node = entry.node
    if node.value is None:
        return Settings(mark=mark)
    if not isinstance(node.value, dict):
        got = describe(node.value, node.text)
        message = f"expected a mapping of {all_of(SETTINGS)}, got {got}"
        ctx.report(entry.line, entry.column, "settings", message)
        return Settings(mark=mark)
    prune: list[str] = []
    protect: list[str] = []
    allow_empty: list[str] = []
    acknowledge: tuple[Acknowledgement, ...] = ()
    freeze: tuple[FreezeWindow, ...] = ()
    max_deletes = DEFAULT.max_deletes
    for key, item in node.value.items():
        path = f"settings.{key}"
        value = item.node.value
        if key == "prune":
            prune = _types(item, ctx, path)
        elif key == "allow_empty":
            allow_empty = _types(item, ctx, path)
        elif key == "protect":
            protect = _types(item, ctx, path, records=True)
        elif key == "acknowledge":
            acknowledge = read_acknowledge(item, ctx)
        elif key == "freeze":
            freeze = read_freeze(item, ctx)
        elif key == "max_deletes":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                max_deletes = value
            else:
                got = describe(value, item.node.text)
                hint = " — remove the quotes" if isinstance(value, str) and value.isdigit() else ""
                message = f"expected an integer of 0 or more, got {got}{hint}"
                ctx.report(item.line, item.column, path, message)
        else:
            hint = did_you_mean(key, SETTINGS) or f": settings has {all_of(SETTINGS)}"
            ctx.report(item.line, item.column, path, f"unknown key {quote(key)}{hint}")
    return Settings(
        prune=frozenset(prune),
        max_deletes=max_deletes,
        mark=mark,
        protect=tuple(protect),
        allow_empty=frozenset(allow_empty),
        acknowledge=acknowledge,
        freeze=freeze,
    )


def _types(entry: Entry, ctx: Context, where: str, *, records: bool = False) -> list[str]:
    """A list of type keys; with `records`, `TYPE/IDENTITY` (or `TYPE/#ID`) too."""
    node = entry.node
    if node.value is None:
        return []
    example = "[xero, quickbooks/Acme US]" if records else "[xero]"
    if not isinstance(node.value, list):
        got = describe(node.value, node.text)
        message = f"expected a list of types such as {example}, got {got}"
        ctx.report(entry.line, entry.column, where, message)
        return []
    keys: list[str] = []
    for i, item in enumerate(node.value):
        path = f"{where}[{i}]"
        if not isinstance(item.value, str):
            got = describe(item.value, item.text)
            what = "a type or TYPE/IDENTITY" if records else "a type"
            ctx.report(item.line, item.column, path, f"expected {what} such as xero, got {got}")
            continue
        key, slash, rest = item.value.partition("/") if records else (item.value, "", "")
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or f": the types are {', '.join(KEYS)}"
            ctx.report(item.line, item.column, path, f"unknown type {quote(key)}{hint}")
        elif slash and not rest.strip():
            message = f"{quote(item.value)}: give the record's identity after the slash"
            ctx.report(item.line, item.column, path, message)
        else:
            keys.append(item.value)
    return keys
