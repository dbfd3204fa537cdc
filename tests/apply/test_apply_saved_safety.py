"""A saved plan is applied only where it was made and only as it was reviewed.

Issue 18 items 5 and 18: apply re-derives every safety decision (max_deletes,
prevent_destroy) from the rules the plan carries and trusts no stored verdict; the digest
covers everything apply acts on, so an edit of a rule is refused, and a digest recomputed
after an edit no longer matches the reviewed one. A plan made against one loopback
sandbox does not apply to another port or another tenant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from apply_support import CANARY, ENV, redigest, seed, write_config, writes
from cli_runner import Result, run_cli

from reconciler.sandbox import SandboxHandle, start_in_thread

PRUNE_FOUR = """\
quickbooks:
  - name: Keep
settings:
  prune: [quickbooks]
  max_deletes: 3
"""


@pytest.fixture
def env(sandbox_env: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> SandboxHandle:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return sandbox_env


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    return run_cli(list(args), capsys)


def saved_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str) -> Path:
    saved = tmp_path / "plan.json"
    config = write_config(tmp_path, text)
    code, _, err = run(capsys, "plan", str(config), "--out", str(saved))
    assert code == 0, err
    return saved


def edit(saved: Path, change: Any, *, recompute: bool = False) -> None:
    doc = json.loads(saved.read_text(encoding="utf-8"))
    change(doc)
    if recompute:
        redigest(doc)
    saved.write_text(json.dumps(doc), encoding="utf-8")


def test_raising_max_deletes_in_a_saved_plan_is_refused(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Keep", "A", "B", "C", "D"):
        env.store.create("quickbooks", {"name": name})
    saved = saved_plan(capsys, tmp_path, PRUNE_FOUR)
    edit(saved, lambda d: d.update(max_deletes=10, refusals=[]))
    code, out, err = run(capsys, "apply", str(saved))
    assert (code, out) == (1, "")
    assert err == (
        f"Error: plan file {saved}: $.digest does not match what the plan says (its changes, "
        "instance, fingerprints or safety rules: the file was edited or damaged; run plan "
        "again)\n"
    )
    assert writes(env) == []


def test_stored_refusals_are_not_trusted(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Keep", "A", "B", "C", "D"):
        env.store.create("quickbooks", {"name": name})
    saved = saved_plan(capsys, tmp_path, PRUNE_FOUR)
    edit(saved, lambda d: d.update(refusals=[]))  # not covered: apply re-derives them
    code, _, err = run(capsys, "apply", str(saved))
    assert code == 1
    assert err.endswith("4 deletions exceed max_deletes=3; use --allow-deletes\n")
    assert writes(env) == []


def test_flipping_prevent_destroy_changes_the_reviewed_digest(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.store.create("xero", {"name": "Old"})
    text = "xero:\n  - name: Old\n    ensure: absent\n    lifecycle: {prevent_destroy: true}\n"
    refused = tmp_path / "refused.json"
    config = str(write_config(tmp_path, text))
    assert run(capsys, "plan", config, "--out", str(refused))[0] == 1  # SPEC §14: plan fails
    assert not refused.exists()  # and saves nothing apply would refuse
    saved = saved_plan(capsys, tmp_path, "xero:\n  - name: Old\n    ensure: absent\n")
    reviewed = json.loads(saved.read_text(encoding="utf-8"))["digest"]
    edit(saved, lambda d: d["resource_changes"][0].update(prevent_destroy=True), recompute=True)
    assert run(capsys, "apply", str(saved))[0] == 1  # prevent_destroy blocks it
    code, _, err = run(capsys, "apply", str(saved), "--expect-digest", reviewed)
    assert code == 1
    assert f"not {reviewed} (--expect-digest)" in err
    assert writes(env) == []


def test_a_plan_for_one_loopback_port_does_not_apply_to_another(
    env: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(env)
    saved = saved_plan(capsys, tmp_path, "xero:\n  - name: New\n")
    with start_in_thread(client_secret=CANARY) as other:
        monkeypatch.setenv("HALO_URL", other.url)
        monkeypatch.setenv("HALO_CLIENT_ID", other.client_id)
        code, out, err = run(capsys, "apply", str(saved))
        assert (code, out) == (1, "")
        assert err == (
            f"Error: apply refused:\n  the plan was made for {env.url}, but this run is "
            f"connected to {other.url}: apply it where it was made, or plan again\n"
        )
        assert writes(other) == []
    assert writes(env) == []


def test_a_plan_for_one_tenant_does_not_apply_to_another(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "plan.json"
    config = str(write_config(tmp_path, "xero:\n  - name: New\n"))
    assert run(capsys, "plan", config, "--tenant", "acme", "--out", str(saved))[0] == 0
    code, out, err = run(capsys, "apply", str(saved), "--tenant", "beta")
    assert (code, out) == (1, "")
    assert err == (
        f"Error: apply refused:\n  the plan was made for {env.url} (tenant acme), but this "
        f"run is connected to {env.url} (tenant beta): apply it where it was made, or plan "
        "again\n"
    )
    assert writes(env) == []
    assert run(capsys, "apply", str(saved), "--tenant", "acme")[0] == 0


def test_a_plan_made_with_sandbox_applies_with_sandbox(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "plan.json"
    config = str(write_config(tmp_path, "xero:\n  - name: New\n"))
    assert run(capsys, "plan", config, "--sandbox", "--out", str(saved))[0] == 0
    made = json.loads(saved.read_text(encoding="utf-8"))["instance"]
    assert made == {"url": f"sandbox:{sandbox_dir.resolve()}", "tenant": None}
    code, out, err = run(capsys, "apply", str(saved), "--sandbox")
    assert code == 0, err
    assert "xero/New: created" in out
