"""Tokens age in queues (SPEC §11; issue 13 acceptance 5): a request takes its token after
its rate-budget wait, so a short-lived token never expires while its request is queued.

Token lifetime 2 s, 1 s latency on every request, HALO_RATE_LIMIT=3/1 and a plan of the
nine types: the sandbox's own clock judges the tokens, so this runs in real time (a few
seconds) — a fake clock shared by concurrent sleepers would not age tokens as a queue
does. No timing is asserted: only that the plan succeeds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

from reconciler.sandbox import Faults, start_in_thread

# One record of each type, stating no field that names a lookup (no /Client … reads).
CONFIG = """\
xero: [{name: X, enablesync: true}]
quickbooks: [{name: Q, enable_sync: true}]
sage_business_cloud: [{name: S, enablesync: true}]
myob: [{company_id: M, enablesync: true}]
kashflow: [{name: K, enablesync: true}]
fortnox: [{name: F, show_message: true}]
exact: [{name: E, enablesync: true}]
business_central: [{name: B, enable_sync: true}]
avalara: [{name: A, sync_committed: true}]
"""


def test_short_tokens_survive_a_tight_rate_budget_and_latency(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    canary: str,
    tmp_path: Path,
) -> None:
    (tmp_path / "nine.yaml").write_text(CONFIG, encoding="utf-8")
    faults = Faults(latency_ms=1000, token_ttl=2)
    with start_in_thread(seed="bundled", faults=faults, client_secret=canary) as h:
        monkeypatch.setenv("HALO_URL", h.url)
        monkeypatch.setenv("HALO_CLIENT_ID", h.client_id)
        monkeypatch.setenv("HALO_CLIENT_SECRET", h.client_secret)
        monkeypatch.setenv("HALO_RATE_LIMIT", "3/1")
        result = run_cli(["plan", str(tmp_path)], capsys)
        lists = [e for e in h.log.entries() if e.method == "GET"]
        refused = [e for e in h.log.entries() if e.status == 401]
    assert result.code == 0, result.err
    assert "Plan: 9 to create, 0 to update, 0 to delete." in result.out
    assert len(lists) == 9
    assert refused == []  # no token was ever used after it expired
    assert canary not in result.out + result.err
