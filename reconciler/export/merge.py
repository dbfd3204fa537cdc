"""`export --merge`: live values written into the configuration files a team keeps.

The way to take accepted drift into Git. The plan of the files against HaloPSA says
which fields of which records differ; each such field gets the live value, in the file
and at the place the record already is, written as export writes it. Everything else
stays as it was, byte for byte: comments, `lifecycle`, `ensure`, fields that did not
change, and every `${NAME}` reference (a value from the environment is never replaced by
a live one; the plan does not even know it). A field HaloPSA now leaves empty is removed
(an empty value and a missing key are one value). Records the plan would create or
delete are not merged: they are reported, for a person to decide.

A round-trip YAML library (ruamel.yaml) edits the documents, so comments and quoting
survive. It writes a whole document, so a file is edited only when writing it back
unchanged reproduces it exactly (files export wrote, and edited by hand in its layout,
do); any other file is left alone with a note rather than reformatted. No writes here
but in `write_merged`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.export.emitter import Comment, FlowList, Named, Rows
from reconciler.export.fields import export_fields
from reconciler.live import LiveWarning
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.registry import spec


@dataclass(frozen=True, slots=True)
class Merged:
    """The new text of each file that changes, and what was not merged (and why)."""

    texts: dict[str, str]
    notes: tuple[str, ...]
    fields: int  # how many field values were written


def _yaml() -> Any:
    from ruamel.yaml import YAML  # imported here: only --merge pays for it

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never fold a long value onto a second line
    y.indent(mapping=2, sequence=4, offset=2)  # export's layout: `  - name: ...`
    return y


def _dump(y: Any, doc: Any) -> str:
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()


def merge_drift(plan: Plan, files: Sequence[str]) -> Merged:
    """Write the live value of every changed field of every updated record of `plan`
    into `files` (the configuration's files, as the loader found them)."""
    y = _yaml()
    docs: dict[str, Any] = {}
    notes: list[str] = []
    for file in files:
        text = Path(file).read_text(encoding="utf-8")
        doc = y.load(text)
        if doc is not None and _dump(y, doc) == text:
            docs[file] = doc
        elif doc is not None:
            notes.append(
                f"{file}: not merged: writing it back would change its layout (indentation "
                "or quoting export does not use), so it is left as it is"
            )
    edited: set[str] = set()
    written = 0
    for rc in plan.resource_changes:
        if rc.action is Action.UPDATE:
            found = _locate(docs, rc)
            if found is None:
                if docs or not notes:
                    notes.append(f"{rc.address}: not merged: not found in a file it can edit")
                continue
            file, record = found
            count = _update(record, rc, notes)
            if count:
                written += count
                edited.add(file)
        elif rc.action is Action.CREATE:
            notes.append(
                f"{rc.address}: not merged: HaloPSA has no such record (deleted there?); "
                "remove it from the configuration, or apply to create it again"
            )
        elif rc.action is Action.DELETE:
            why = "not in the configuration" if rc.pruned else "configured ensure: absent"
            notes.append(f"{rc.address}: not merged: HaloPSA has it, {why}")
    texts = {f: _dump(y, docs[f]) for f in sorted(edited)}
    return Merged(texts, tuple(notes), written)


def write_merged(merged: Merged) -> list[Path]:
    """Write the files that change; ReconcilerError naming one that cannot be written."""
    paths = []
    for file, text in merged.texts.items():
        path = Path(file)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ReconcilerError(f"{file}: cannot write: {exc.strerror}") from exc
        paths.append(path)
    return paths


def _locate(docs: dict[str, Any], rc: ResourceChange) -> tuple[str, Any] | None:
    """The file and mapping of the configured record `rc` is about (by id, else identity)."""
    identity = spec(rc.type).identity
    for file, doc in docs.items():
        records = doc.get(rc.type) if hasattr(doc, "get") else None
        for record in records or ():
            if not hasattr(record, "get"):
                continue
            if "id" in record:
                if record["id"] == rc.id:
                    return file, record
            elif rc.identity is not None and record.get(identity) == rc.identity:
                return file, record
    return None


def _update(record: Any, rc: ResourceChange, notes: list[str]) -> int:
    """Set each changed field of `record` to its live value; how many were set."""
    fields = spec(rc.type).fields
    count = 0
    for fc in rc.changes:
        name = fc.field
        if name not in fields or name not in record:
            notes.append(f"{rc.address}: {name}: not merged: not a field the record states")
            continue
        current = record[name]
        if fc.sensitive or (isinstance(current, str) and "${" in current.replace("$${", "")):
            notes.append(f"{rc.address}: {name}: left as configured (its value is a ${{...}})")
            continue
        warnings: list[LiveWarning] = []
        pairs = export_fields(fields, {name: fc.before}, rc.address, warnings)
        value = next((v for k, v in pairs if k == name), None)
        notes.extend(f"{w.address}: {w.message}" for w in warnings)
        if warnings:
            continue
        if value is None:
            del record[name]  # HaloPSA holds no value: an empty value is a missing key
        else:
            record[name] = _node(value)
        count += 1
    return count


def _node(value: object) -> Any:
    """An exported value as a ruamel.yaml node, styled as export writes it."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, FlowList):
        seq = CommentedSeq(_node(v) for v in value.items)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, Rows):
        return CommentedSeq(
            CommentedMap((k, _node(v)) for k, v in row if not isinstance(v, Comment))
            for row in value.rows
        )
    if isinstance(value, Named):
        named = CommentedMap(name=value.name)
        named.fa.set_flow_style()
        return named
    if isinstance(value, str):
        return value.replace("${", "$${")  # the configuration's escape for a literal `${`
    return value
