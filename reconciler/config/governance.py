"""`settings.acknowledge` and `settings.freeze`: entries read and checked offline.

Each entry is a mapping of its own; every problem is an Issue at the key that is wrong,
with "did you mean" for misspelt keys, addresses and fields. Acknowledgements are checked
against the records once every file is read (check_acknowledgements, from loader.py): an
acknowledgement of a record or field the configuration does not manage would silently
hide nothing, or hide the wrong thing. Reports issues, never raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from reconciler.address import address_of
from reconciler.config.model import Acknowledgement, ConfigRecord, Ensure, Mark
from reconciler.config.source import Entry, Node
from reconciler.config.values import Context
from reconciler.config.wording import describe, did_you_mean, quote
from reconciler.errors import Issue
from reconciler.freeze import FreezeWindow

ACK_KEYS = ("address", "fields", "reason", "until")
FREEZE_KEYS = ("from", "to", "days_of_month", "reason")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*")


def read_acknowledge(entry: Entry, ctx: Context) -> tuple[Acknowledgement, ...]:
    """The entries of `settings.acknowledge` that are complete and well formed."""
    out = []
    for i, item in enumerate(_list(entry, ctx, "settings.acknowledge", "acknowledgements")):
        path = f"settings.acknowledge[{i}]"
        keys = _mapping(item, ctx, path, ACK_KEYS)
        if keys is None:
            continue
        address = _text(keys, "address", ctx, path, item, "name the record, e.g. xero/Acme NZ")
        fields = _fields(keys.get("fields"), ctx, path, item)
        reason = _text(keys, "reason", ctx, path, item, "say why the difference is accepted")
        until = _until(keys.get("until"), ctx, path, item)
        if address is None or fields is None or reason is None or until is None:
            continue
        at = keys["address"]
        nodes: list[Node] = keys["fields"].node.value  # type: ignore[assignment]  # _fields checked
        out.append(
            Acknowledgement(
                address=address,
                fields=fields,
                reason=reason,
                until=until,
                mark=ctx.mark(at.line, at.column),
                where=path,
                field_marks=tuple(ctx.mark(n.line, n.column) for n in nodes),
            )
        )
    return tuple(out)


def read_freeze(entry: Entry, ctx: Context) -> tuple[FreezeWindow, ...]:
    """The entries of `settings.freeze` that are complete and well formed."""
    out = []
    for i, item in enumerate(_list(entry, ctx, "settings.freeze", "windows")):
        path = f"settings.freeze[{i}]"
        keys = _mapping(item, ctx, path, FREEZE_KEYS)
        if keys is None:
            continue
        reason = _text(keys, "reason", ctx, path, item, "say why apply is frozen")
        span = "from" in keys or "to" in keys
        if span and "days_of_month" in keys:
            at = keys["days_of_month"]
            message = "give either from and to, or days_of_month, not both"
            ctx.report(at.line, at.column, f"{path}.days_of_month", message)
            continue
        if span:
            start = _moment(keys, "from", ctx, path, item)
            end = _moment(keys, "to", ctx, path, item)
            if start is not None and end is not None and end <= start:
                at = keys["to"]
                message = (
                    f"the window must end after it starts (from {_iso(start)}, to {_iso(end)})"
                )
                ctx.report(at.line, at.column, f"{path}.to", message)
                continue
            if reason is not None and start is not None and end is not None:
                out.append(FreezeWindow(reason, start=start, end=end))
        elif "days_of_month" in keys:
            days = _days(keys["days_of_month"], ctx, f"{path}.days_of_month")
            if reason is not None and days:
                out.append(FreezeWindow(reason, days_of_month=days))
        else:
            message = "a window needs from and to (date-times), or days_of_month"
            ctx.report(item.line, item.column, path, message)
    return tuple(out)


def check_acknowledgements(
    acknowledge: Sequence[Acknowledgement], records: Sequence[ConfigRecord], issues: list[Issue]
) -> None:
    """Each acknowledgement names a record the configuration states, and fields it states."""
    by_address: dict[str, ConfigRecord] = {}
    for rec in records:
        by_address[rec.address] = rec
        if rec.id is not None:
            by_address.setdefault(address_of(rec.type, None, rec.id), rec)
    for ack in acknowledge:
        assert ack.mark is not None
        found = by_address.get(ack.address)
        if found is None:
            hint = did_you_mean(ack.address, by_address) or (
                ": acknowledge names a record by its address, type/identity or type/#id"
            )
            message = f"{quote(ack.address)} is not a record of the configuration{hint}"
            issues.append(_issue(ack.mark, f"{ack.where}.address", message))
            continue
        rec = found
        stated = [] if rec.ensure is Ensure.ABSENT else list(rec.fields)
        for i, (name, mark) in enumerate(zip(ack.fields, ack.field_marks, strict=True)):
            if name in stated:
                continue
            hint = did_you_mean(name, stated)
            if rec.ensure is Ensure.ABSENT:
                hint = " (the record has ensure: absent)"
            message = (
                f"{rec.address} does not state {quote(name)}, so the configuration does not "
                f"manage it{hint}"
            )
            issues.append(_issue(mark, f"{ack.where}.fields[{i}]", message))


def _issue(mark: Mark, path: str, message: str) -> Issue:
    return Issue(mark.file, mark.line, mark.column, path, message)


def _list(entry: Entry, ctx: Context, path: str, what: str) -> list[Node]:
    node = entry.node
    if node.value is None:
        return []
    if not isinstance(node.value, list):
        got = describe(node.value, node.text)
        ctx.report(entry.line, entry.column, path, f"expected a list of {what}, got {got}")
        return []
    return node.value


def _mapping(
    item: Node, ctx: Context, path: str, allowed: tuple[str, ...]
) -> dict[str, Entry] | None:
    if not isinstance(item.value, dict):
        got = describe(item.value, item.text)
        message = f"expected a mapping of {', '.join(allowed)}, got {got}"
        ctx.report(item.line, item.column, path, message)
        return None
    keys: dict[str, Entry] = item.value
    bad = False
    for key, at in keys.items():
        if key not in allowed:
            hint = did_you_mean(key, allowed) or f": an entry has {', '.join(allowed)}"
            ctx.report(at.line, at.column, f"{path}.{key}", f"unknown key {quote(key)}{hint}")
            bad = True
    return None if bad else keys


def _missing(ctx: Context, item: Node, path: str, key: str, what: str) -> None:
    ctx.report(item.line, item.column, path, f'missing "{key}": {what}')


def _text(
    keys: dict[str, Entry], key: str, ctx: Context, path: str, item: Node, what: str
) -> str | None:
    at = keys.get(key)
    if at is None:
        _missing(ctx, item, path, key, what)
        return None
    value = at.node.value
    if not isinstance(value, str) or not value.strip():
        got = describe(value, at.node.text)
        message = f"expected a non-empty string, got {got}: {what}"
        ctx.report(at.line, at.column, f"{path}.{key}", message)
        return None
    return value


def _fields(at: Entry | None, ctx: Context, path: str, item: Node) -> tuple[str, ...] | None:
    if at is None:
        _missing(ctx, item, path, "fields", "list the fields whose difference is accepted")
        return None
    value = at.node.value
    if not isinstance(value, list) or not value:
        got = describe(value, at.node.text)
        message = f"expected a list of field names such as [enablesync], got {got}"
        ctx.report(at.line, at.column, f"{path}.fields", message)
        return None
    names = []
    for i, node in enumerate(value):
        if not isinstance(node.value, str):
            got = describe(node.value, node.text)
            message = f"expected a field name, got {got}"
            ctx.report(node.line, node.column, f"{path}.fields[{i}]", message)
        else:
            names.append(node.value)
    return tuple(names) if len(names) == len(value) else None


def _until(at: Entry | None, ctx: Context, path: str, item: Node) -> date | None:
    if at is None:
        _missing(ctx, item, path, "until", "give the last day it is accepted (YYYY-MM-DD)")
        return None
    value = at.node.value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    got = describe(value, at.node.text)
    message = f"expected a date YYYY-MM-DD (the last day, inclusive), got {got}"
    ctx.report(at.line, at.column, f"{path}.until", message)
    return None


def _moment(
    keys: dict[str, Entry], key: str, ctx: Context, path: str, item: Node
) -> datetime | None:
    at = keys.get(key)
    if at is None:
        _missing(ctx, item, path, key, "give a date-time such as 2026-12-31T00:00:00Z")
        return None
    value = at.node.value
    if isinstance(value, str) and _DATE_TIME.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:  # no zone: UTC
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    got = describe(value, at.node.text)
    hint = (
        " (a date alone is ambiguous at a window's end: give the time)"
        if (isinstance(value, str) and _DATE.fullmatch(value))
        else ""
    )
    message = f"expected an ISO 8601 date-time such as 2026-12-31T00:00:00Z, got {got}{hint}"
    ctx.report(at.line, at.column, f"{path}.{key}", message)
    return None


def _days(at: Entry, ctx: Context, path: str) -> tuple[int, ...]:
    value = at.node.value
    if not isinstance(value, list) or not value:
        got = describe(value, at.node.text)
        message = f"expected a list of days such as [-2, -1, 1, 2, 3], got {got}"
        ctx.report(at.line, at.column, path, message)
        return ()
    days = []
    for i, node in enumerate(value):
        day = node.value
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= abs(day) <= 31:
            days.append(day)
        else:
            got = describe(day, node.text)
            message = f"expected a day of the month, 1 to 31 or -1 to -31 (from the end), got {got}"
            ctx.report(node.line, node.column, f"{path}[{i}]", message)
    return tuple(days) if len(days) == len(value) else ()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
