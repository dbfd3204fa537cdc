"""Configuration issues as GitHub Actions annotations or a JSON document. Pure: no I/O.

    github  one `::error file=F,line=L,col=C::path: message` line per issue, so each shows
            on the pull request's diff at the line it names (SPEC §16); a file-wide issue
            (line 0: missing file, empty directory) has no line and column
    json    {"valid": bool, "errors": [{"file", "line", "column", "path", "message"}]};
            line, column and path are null where the issue has none

The text form (`file:line:col: path: message`) is Issue.__str__, printed by the CLI group.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from reconciler.errors import Issue

ISSUE_FORMATS: tuple[str, ...] = ("text", "github", "json")


def _data(text: str) -> str:
    """Escape a workflow command's message: GitHub reads `%`, CR and LF specially."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value: also `:` and `,`, its separators."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(issue: Issue) -> str:
    """One issue as a GitHub Actions `::error` workflow command."""
    where = [f"file={_property(issue.file)}"]
    if issue.line:
        where += [f"line={issue.line}", f"col={issue.column}"]
    message = f"{issue.path}: {issue.message}" if issue.path else issue.message
    return f"::error {','.join(where)}::{_data(message)}"


def render_github(issues: Sequence[Issue], out: TextIO) -> None:
    """Every issue as an annotation, one line each, in the issues' (sorted) order.
    Files are named as given: see config.check.from_workspace for absolute paths."""
    for issue in issues:
        out.write(annotation(issue) + "\n")


def issues_document(issues: Sequence[Issue]) -> dict[str, Any]:
    """The `validate --format json` document."""
    return {
        "valid": not issues,
        "errors": [
            {
                "file": i.file,
                "line": i.line if i.line else None,
                "column": i.column if i.line else None,
                "path": i.path or None,
                "message": i.message,
            }
            for i in issues
        ],
    }


def render_json(issues: Sequence[Issue], out: TextIO) -> None:
    """The document, indented, keys in the order SPEC §16 lists them."""
    out.write(json.dumps(issues_document(issues), indent=2, ensure_ascii=False) + "\n")
