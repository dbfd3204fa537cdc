"""The `settings:` mapping -> Settings (prune, max_deletes). Reports issues, never raises.

At most one settings mapping across the configuration: loader.py checks that.
"""

from __future__ import annotations

from reconciler.config.model import Settings
from reconciler.config.source import Entry
from reconciler.config.values import Context
from reconciler.config.wording import describe, did_you_mean, quote
from reconciler.registry import KEYS

SETTINGS = ("prune", "max_deletes")
DEFAULT = Settings()


def build_settings(entry: Entry, ctx: Context) -> Settings:
    """The settings stated at `entry` (defaults for what it leaves out)."""
    mark = ctx.mark(entry.line, entry.column)
    node = entry.node
    if node.value is None:
        return Settings(mark=mark)
    if not isinstance(node.value, dict):
        got = describe(node.value, node.text)
        message = f"expected a mapping of prune and max_deletes, got {got}"
        ctx.report(entry.line, entry.column, "settings", message)
        return Settings(mark=mark)
    prune: set[str] = set()
    max_deletes = DEFAULT.max_deletes
    for key, item in node.value.items():
        path = f"settings.{key}"
        value = item.node.value
        if key == "prune":
            prune.update(_prune(item, ctx))
        elif key == "max_deletes":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                max_deletes = value
            else:
                got = describe(value, item.node.text)
                hint = " — remove the quotes" if isinstance(value, str) and value.isdigit() else ""
                message = f"expected an integer of 0 or more, got {got}{hint}"
                ctx.report(item.line, item.column, path, message)
        else:
            hint = did_you_mean(key, SETTINGS) or ": settings has prune and max_deletes"
            ctx.report(item.line, item.column, path, f"unknown key {quote(key)}{hint}")
    return Settings(prune=frozenset(prune), max_deletes=max_deletes, mark=mark)


def _prune(entry: Entry, ctx: Context) -> list[str]:
    node = entry.node
    if node.value is None:
        return []
    if not isinstance(node.value, list):
        got = describe(node.value, node.text)
        message = f"expected a list of types such as [xero], got {got}"
        ctx.report(entry.line, entry.column, "settings.prune", message)
        return []
    keys: list[str] = []
    for i, item in enumerate(node.value):
        path = f"settings.prune[{i}]"
        if isinstance(item.value, str) and item.value in KEYS:
            keys.append(item.value)
        elif isinstance(item.value, str):
            hint = did_you_mean(item.value, KEYS) or f": the types are {', '.join(KEYS)}"
            ctx.report(item.line, item.column, path, f"unknown type {quote(item.value)}{hint}")
        else:
            got = describe(item.value, item.text)
            ctx.report(item.line, item.column, path, f"expected a type such as xero, got {got}")
    return keys
