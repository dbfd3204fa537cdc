"""HaloPSA's own error message, read from whatever body it sent, with secrets scrubbed.

HaloPSA has no error schema (api/README §9.4). Tried in turn: `{resultCode, errorMessage}`,
`{ClassName, Message}`, `{Message}`, OAuth's `{error, error_description}`, `{error}`, an
`errors` array (or field-keyed object), 400 bodies keyed by field path (`[0].id`), a bare
JSON string; else plain text or HTML, tags stripped. Everything ends truncated to about
200 characters, after the client secret, tokens and any Sensitive value sent were
replaced by "(sensitive)" — scrubbing comes first, so truncation cannot leave half a
secret behind. Pure: no I/O.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from reconciler.scrubber import Scrubber

LIMIT = 200


def halo_message(body: bytes | str, scrub: Scrubber) -> str:
    """HaloPSA's message from an error body, scrubbed, one line, at most ~200 chars."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = text.strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        message = _from_html(text) if _looks_html(text) else text
    else:
        message = _from_json(data)
    return _truncate(" ".join(scrub(message).split()))


def _from_json(data: Any) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        return "; ".join(_from_json(item) for item in data if item not in (None, ""))
    if not isinstance(data, dict):
        return json.dumps(data)
    lower = {str(k).lower(): v for k, v in data.items()}
    for key in ("errormessage", "message"):
        if _text(lower.get(key)):
            return str(lower[key])
    error, description = lower.get("error"), lower.get("error_description")
    if _text(error) and _text(description):
        return f"{error}: {description}"
    if _text(description):
        return str(description)
    if _text(error):
        return str(error)
    if isinstance(error, dict):
        return _from_json(error)
    errors = lower.get("errors")
    if isinstance(errors, list) and errors:
        return _from_json(errors)
    if isinstance(errors, dict) and errors:
        return _field_keyed(errors)
    if _text(lower.get("title")):
        detail = lower.get("detail")
        return f"{lower['title']}: {detail}" if _text(detail) else str(lower["title"])
    if data and all(_text(v) or _text_list(v) for v in data.values()):
        return _field_keyed(data)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _field_keyed(data: Mapping[str, Any]) -> str:
    """`{"[0].name": ["The name field is required."]}` -> "[0].name: The name ..."."""
    parts = []
    for key, value in data.items():
        texts = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        parts.append(f"{key}: {' '.join(texts)}" if key else " ".join(texts))
    return "; ".join(parts)


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _text_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


_TAG = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


def _looks_html(text: str) -> bool:
    start = text[:200].lower()
    return start.startswith("<") and ("<html" in start or "<!doctype" in start or "<h" in start)


def _from_html(text: str) -> str:
    title = _TITLE.search(text)
    body = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", text)))
    head = html.unescape(_TAG.sub(" ", title.group(1))).strip() if title else ""
    body = " ".join(body.split())
    if head and not body.startswith(head):
        return f"{head}: {body}" if body else head
    return body or head


def _truncate(text: str) -> str:
    return text if len(text) <= LIMIT else text[: LIMIT - 1].rstrip() + "…"
