"""`halo-reconciler doctor` (SPEC §12; issue 13 acceptance 6): against the sandbox in each
way it can answer, golden text output, wrong credentials, an unreadable endpoint, the
clock skew, the request bound, and the canary secret never printed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli

from reconciler.doctor import diagnose
from reconciler.halo import ReadOnlyClient, settings_from_env
from reconciler.sandbox import SandboxHandle

GOLDEN = Path(__file__).parent / "golden"
BEHAVIOURS: dict[str, dict[str, object]] = {
    "full-array": {},
    "summary-paged-extra": {"list_rows": "summary", "list_shape": "paged", "extra_fields": True},
    "summary-wrapper": {"list_rows": "summary", "list_shape": "wrapper"},
}


@pytest.fixture(params=list(BEHAVIOURS))
def answering(request: pytest.FixtureRequest, sandbox_seeded_env: SandboxHandle) -> Iterator[str]:
    for name, value in BEHAVIOURS[request.param].items():
        setattr(sandbox_seeded_env.faults, name, value)
    yield request.param


def _normal(text: str, h: SandboxHandle) -> str:
    return text.replace(h.url, "http://127.0.0.1:PORT")


def test_golden_text_in_each_behaviour(
    answering: str,
    sandbox_seeded_env: SandboxHandle,
    capsys: pytest.CaptureFixture[str],
    canary: str,
) -> None:
    result = run_cli(["doctor"], capsys)
    assert result.code == 0, result.out + result.err
    golden = (GOLDEN / f"doctor-{answering}.txt").read_text(encoding="utf-8")
    assert _normal(result.out, sandbox_seeded_env) == golden
    assert result.err == ""
    assert canary not in result.out
    # 1 token request + 2 requests per type + 1 other (SPEC §12)
    entries = sandbox_seeded_env.log.entries()
    assert sum(1 for e in entries if e.path == "/auth/token") == 1
    assert len(entries) <= 1 + 2 * 9 + 1


def test_json_document(
    sandbox_seeded_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["doctor", "--format", "json"], capsys)
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["instance"] == {"url": sandbox_seeded_env.url, "tenant": None}
    assert [c["name"] for c in doc["checks"]][:3] == ["connection", "token", "xero"]
    assert {c["status"] for c in doc["checks"]} <= {"ok", "warn", "fail"}
    assert all(set(c) == {"name", "status", "detail"} for c in doc["checks"])


def test_wrong_credentials_fail(
    sandbox_seeded: SandboxHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    canary: str,
) -> None:
    monkeypatch.setenv("HALO_URL", sandbox_seeded.url)
    monkeypatch.setenv("HALO_CLIENT_ID", sandbox_seeded.client_id)
    monkeypatch.setenv("HALO_CLIENT_SECRET", canary)  # not the sandbox's secret
    result = run_cli(["doctor"], capsys)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[1] == (
        "fail  token: POST /auth/token: HTTP 401: invalid_client — check HALO_CLIENT_ID, "
        "HALO_CLIENT_SECRET and HALO_TENANT — nothing else was checked"
    )
    assert canary not in result.out + result.err
    assert [e.path for e in sandbox_seeded.log.entries()] == ["/auth/token"]


def test_an_unreadable_endpoint_fails(
    sandbox_seeded_env: SandboxHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_seeded_env.faults.script("403", paths="api")  # the first /api request: xero
    result = run_cli(["doctor"], capsys)
    assert result.code == 1
    xero = next(line for line in result.out.splitlines() if " xero: " in line)
    assert xero == (
        "fail  xero: GET /api/XeroDetails: HTTP 403: Simulated HTTP 403 (sandbox fault "
        "injection). — check that the API application's agent may read integration settings"
    )
    assert "Doctor: 1 failed, 0 warnings." in result.out


def test_missing_settings_fail_without_a_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["doctor"], capsys)
    assert result.code == 1
    assert result.out.startswith("fail  connection: HaloPSA connection settings:")


@pytest.mark.parametrize(
    ("offset", "status", "way"), [(120, "warn", "ahead of"), (-90, "warn", "behind")]
)
def test_clock_skew(sandbox_seeded: SandboxHandle, offset: int, status: str, way: str) -> None:
    import time

    env = {
        "HALO_URL": sandbox_seeded.url,
        "HALO_CLIENT_ID": sandbox_seeded.client_id,
        "HALO_CLIENT_SECRET": sandbox_seeded.client_secret,
    }
    with ReadOnlyClient(settings_from_env(env)) as client:
        report = diagnose(client, wall=lambda: time.time() - offset)
    clock = next(c for c in report.checks if c.name == "clock")
    assert clock.status == status
    # The Date header has whole seconds: the difference is the offset give or take one.
    assert re.fullmatch(
        rf"HaloPSA's clock is {abs(offset)}(\.\d+)? s {way} ours \(Date header\) — check this "
        r"machine's clock \(NTP\): token renewal and expiry warnings depend on it",
        clock.detail.replace(f"{abs(offset) - 1} s", f"{abs(offset)} s").replace(
            f"{abs(offset) + 1} s", f"{abs(offset)} s"
        ),
    ), clock.detail
