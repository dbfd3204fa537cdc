"""Golden status reports (text and Markdown) of the sandbox's eight-connection instance.

Regenerate with UPDATE_GOLDEN=1 (then review the diff); without it a mismatch fails.
"""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from status_support import seed_health

from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.render.status import render_status
from reconciler.sandbox import start_in_thread
from reconciler.status import StatusReport, read_status

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def _report() -> StatusReport:
    with start_in_thread() as h:
        seed_health(h, NOW, secret_in_error=h.client_secret)
        h.store.set_integration_errors(
            [
                *(h.store.integration_errors() or []),
                {"detail_id": 77, "error": "x", "date": "2026-12-02T00:00:00"},
            ]
        )
        env = {
            "HALO_URL": h.url,
            "HALO_CLIENT_ID": h.client_id,
            "HALO_CLIENT_SECRET": h.client_secret,
        }
        with ReadOnlyClient(settings_from_env(env)) as client:
            report = read_status(client, now=NOW)
    # The sandbox's port changes from run to run: show a stable instance.
    return dataclasses.replace(report, url="https://acme.halopsa.com", tenant="acme")


@pytest.mark.parametrize(("fmt", "name"), [("text", "status.txt"), ("markdown", "status.md")])
def test_golden(fmt: str, name: str) -> None:
    buf = io.StringIO()
    render_status(_report(), buf, format=fmt)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    expected = path.read_text(encoding="utf-8")
    assert buf.getvalue() == expected, f"{name} differs; rerun with UPDATE_GOLDEN=1 and review"
