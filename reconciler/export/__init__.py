"""Export: live records -> configuration YAML (how a team adopts an existing instance).

records.py   the document and the per-type files, and writing them (the promise:
             planning the exported files against the same instance shows no changes)
fields.py    one record's or row's fields as export writes them, and what it cannot
emitter.py   a small YAML emitter: block style, comments, values that read back exactly
"""

from __future__ import annotations

from reconciler.export.records import (
    Exported,
    ExportError,
    Origin,
    export_document,
    export_files,
    header,
    write_files,
)

__all__ = [
    "ExportError",
    "Exported",
    "Origin",
    "export_document",
    "export_files",
    "header",
    "write_files",
]
