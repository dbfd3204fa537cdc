"""`halo-reconciler apply` end to end against the sandbox: from configuration and from a
saved plan, the question on a terminal, --auto-approve, --expect-digest, staleness, and
the canary secret kept out of every output."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from apply_support import CANARY, ENV, redigest, seed, stored, write_config, writes
from cli_runner import Result, run_cli

from reconciler.sandbox import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(sandbox_env: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> SandboxHandle:
    """A seeded sandbox in HALO_*, and the configuration's secrets in the environment."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    seed(sandbox_env)
    return sandbox_env


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    return run_cli(list(args), capsys)


def run_process(args: list[str], *, stdin: int | None, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


REPORT = """\
Apply results:
  xero/Acme NZ: updated (id 1)
  xero/Beta NZ: created (id 3)
  xero/Old tenant: deleted (id 2)
  quickbooks/Acme US: updated (id 1)
  sage_business_cloud/Sage UK: created (id 1)
  myob/M-100: created (id 1)
  kashflow/Kash: created (id 1)
  fortnox/Fort: created (id 2)
  fortnox/Stray: deleted (id 1)
  exact/Exact NL: created (id 1)
  business_central/BC: created (id 1)
  avalara/Acme US Tax: updated (id 1)

Apply complete: 12 applied, 0 failed, 0 skipped.
"""


def test_plan_apply_plan(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    code, out, err = run(capsys, "apply", config, "--auto-approve")
    assert code == 0, err
    assert "Plan: 7 to create, 3 to update, 2 to delete." in out
    assert out.endswith("\n\n" + REPORT)
    # progress: one line per record on stderr, in the order they happened
    expected = [line.strip() for line in REPORT.splitlines()[1:13]]
    assert sorted(err.split("\n")) == sorted(["", "", *expected])
    code, out, _ = run(capsys, "plan", config, "--detailed-exitcode")
    assert code == 0
    assert "Plan: 0 to create, 0 to update, 0 to delete." in out


def test_saved_plan_is_applied_exactly(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", config, "--out", str(saved))[0] == 0
    digest = json.loads(saved.read_text(encoding="utf-8"))["digest"]
    code, out, err = run(capsys, "apply", str(saved))
    assert code == 0, err
    assert out == (
        f"Applying the saved plan {saved} (digest {digest[:12]}): "
        "7 to create, 3 to update, 2 to delete.\n\n" + REPORT
    )
    code, out, _ = run(capsys, "apply", str(saved))
    assert code == 1  # applied already: every record it creates now exists
    assert run(capsys, "plan", config, "--detailed-exitcode")[0] == 0


def test_stale_plan_is_refused_with_no_write(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", config, "--out", str(saved))[0] == 0
    env.store.update("xero", 1, {"tenant_id": "changed in the web UI"})  # touched: update
    env.store.delete("fortnox", 1)  # touched: pruned
    env.store.create("kashflow", {"name": "Kash"})  # would be created: now exists
    env.store.update("quickbooks", 1, {"authorized": True})  # status only: not stale
    code, out, err = run(capsys, "apply", str(saved))
    assert code == 1
    assert out == ""
    assert err == (
        "Error: the saved plan is stale: these records changed since it was made "
        "(run plan again):\n  xero/Acme NZ\n  kashflow/Kash\n  fortnox/Stray\n"
    )
    assert writes(env) == []


def test_saved_plan_needs_its_secrets(
    env: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", str(write_config(tmp_path)), "--out", str(saved))[0] == 0
    assert CANARY not in saved.read_text(encoding="utf-8")
    monkeypatch.delenv("XERO_CLIENT_SECRET")
    code, _, err = run(capsys, "apply", str(saved))
    assert code == 1
    assert err == (
        "Error: apply refused:\n  xero/Beta NZ: new_client_secret: environment "
        "variable XERO_CLIENT_SECRET is not set\n"
    )
    assert writes(env) == []


def test_saved_plan_for_another_instance_is_refused(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", str(write_config(tmp_path)), "--out", str(saved))[0] == 0
    doc = json.loads(saved.read_text(encoding="utf-8"))
    doc["instance"] = {"url": "https://acme.halopsa.com", "tenant": "acme"}
    redigest(doc)
    saved.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(capsys, "apply", str(saved))
    assert code == 1
    assert err == (
        "Error: apply refused:\n  the plan was made for https://acme.halopsa.com (tenant acme), "
        f"but this run is connected to {env.url}: apply it where it was made, or plan again\n"
    )
    assert writes(env) == []


def test_expect_digest(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", config, "--out", str(saved))[0] == 0
    digest = json.loads(saved.read_text(encoding="utf-8"))["digest"]
    env.store.update("quickbooks", 1, {"multi_currency": True})  # the plan moves on
    code, out, err = run(capsys, "apply", config, "--auto-approve", "--expect-digest", digest)
    assert code == 1
    assert "Plan: 7 to create, 2 to update, 2 to delete." in out  # the new plan is shown
    assert err.startswith("Error: apply refused:\n  the plan's digest is ")
    assert err.endswith(
        f", not {digest} (--expect-digest): the changes differ from the plan that was "
        "reviewed; review this plan\n"
    )
    assert writes(env) == []
    env.store.update("quickbooks", 1, {"multi_currency": False})
    code, out, err = run(capsys, "apply", config, "--auto-approve", "--expect-digest", digest)
    assert code == 0, err
    assert out.endswith(REPORT)


def test_no_terminal_needs_auto_approve(env: SandboxHandle, tmp_path: Path) -> None:
    config = write_config(tmp_path)
    proc = run_process(["apply", str(config)], stdin=subprocess.DEVNULL, cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert b"Plan: 7 to create, 3 to update, 2 to delete." in out
    assert err == (
        b"Error: stdin is not a terminal, so apply cannot ask for approval: "
        b"pass --auto-approve (nothing was changed)\n"
    )
    assert writes(env) == []


@pytest.mark.parametrize("answer", ["yes", "no", "YES", "y", ""])
def test_prompt_on_a_terminal(env: SandboxHandle, tmp_path: Path, answer: str) -> None:
    config = write_config(tmp_path)
    controller, terminal = os.openpty()
    try:
        proc = run_process(["apply", str(config)], stdin=terminal, cwd=tmp_path)
        os.close(terminal)
        os.write(controller, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(controller)
    assert b"\nDo you want to perform these actions? Only 'yes' will be accepted: " in out
    if answer == "yes":
        assert proc.returncode == 0, err
        assert out.decode().endswith(REPORT)
        assert len(writes(env)) == 9 + 2
    else:
        assert proc.returncode == 1
        assert err == b"Apply cancelled.\n"
        assert writes(env) == []


def test_nothing_to_do_sends_nothing(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    assert run(capsys, "apply", config, "--auto-approve")[0] == 0
    before = writes(env)
    code, out, _ = run(capsys, "apply", config)  # no question: nothing to ask about
    assert code == 0
    assert out.endswith(
        "No changes. HaloPSA matches the configuration.\n"
        "Plan: 0 to create, 0 to update, 0 to delete.\n"
    )
    assert writes(env) == before


def test_refusals_stop_before_the_question(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = write_config(tmp_path).read_text(encoding="utf-8") + "  max_deletes: 1\n"
    config = str(write_config(tmp_path, text))
    code, _, err = run(capsys, "apply", config, "--auto-approve")
    assert code == 1
    assert err == "Error: apply refused:\n  2 deletions exceed max_deletes=1; use --allow-deletes\n"
    assert writes(env) == []
    code, _, err = run(capsys, "apply", config, "--auto-approve", "--allow-deletes")
    assert code == 0, err


def test_one_type_failing_exits_1_with_the_report(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    # xero's POST runs first; rejected whole, then Acme NZ is rejected on its own.
    env.faults.script("400", "400", methods=["POST"], paths="api")
    code, out, _ = run(capsys, "apply", config, "--auto-approve", "--parallelism", "1")
    assert code == 1
    report = out[out.index("Apply results:") :]
    assert report == REPORT.replace(
        "  xero/Acme NZ: updated (id 1)\n",
        "  xero/Acme NZ: update failed: POST /api/XeroDetails: HTTP 400: "
        "Simulated HTTP 400 (sandbox fault injection).\n",
    ).replace(
        "  xero/Old tenant: deleted (id 2)\n",
        "  xero/Old tenant: delete skipped: not deleted because a create or update of this "
        "type failed; run apply again\n",
    ).replace("12 applied, 0 failed, 0 skipped", "10 applied, 1 failed, 1 skipped")


def test_saved_plan_with_target_is_a_usage_error(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "plan.json"
    assert run(capsys, "plan", str(write_config(tmp_path)), "--out", str(saved))[0] == 0
    code, _, err = run(capsys, "apply", str(saved), "--target", "xero")
    assert code == 1
    assert "--target cannot be used with a saved plan" in err


def test_canary_never_printed_but_sent(
    env: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = str(write_config(tmp_path))
    saved = tmp_path / "plan.json"
    texts = []
    for args in (
        ("plan", config, "--out", str(saved)),
        ("apply", str(saved)),
        ("apply", config, "--auto-approve", "--push-secrets"),
        ("--debug", "apply", config, "--auto-approve", "--push-secrets"),
    ):
        code, out, err = run(capsys, *args)
        assert code == 0, err
        texts += [out, err]
    texts += [saved.read_text(encoding="utf-8"), caplog.text]
    assert all(CANARY not in t for t in texts)
    assert "(write-only fields sent)" in texts[-4]
    assert stored(env, "xero", 1)["new_client_secret"] == CANARY
    assert stored(env, "xero", 3)["new_client_secret"] == CANARY


def test_plan_file_detection_and_errors(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text('{"format_version": "1",', encoding="utf-8")
    code, _, err = run(capsys, "apply", str(broken))
    assert code == 1
    assert err == f"Error: plan file {broken}: not valid JSON (line 1, column 24)\n"
    other = tmp_path / "saved-plan"
    other.write_text('{"format_version": "0"}', encoding="utf-8")
    code, _, err = run(capsys, "apply", str(other))
    assert code == 1
    assert err.startswith(f"Error: plan file {other}: format_version '0' is not supported")
    assert writes(env) == []


def test_help_names_the_pinned_flags(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", "--help")
    assert code == 0
    assert "Usage: halo-reconciler apply [OPTIONS] [PATHS...|PLANFILE]" in out
    for flag in (
        "--auto-approve",
        "--push-secrets",
        "--allow-deletes",
        "--parallelism",
        "--target",
        "--expect-digest",
        "--url",
        "--tenant",
        "--sandbox",
    ):
        assert flag in out


def test_target_applies_only_what_it_selects(
    env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path))
    args = ("apply", config, "--auto-approve", "--target", "quickbooks", "--target", "xero/Beta NZ")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out.endswith(
        "Apply results:\n  xero/Beta NZ: created (id 3)\n  quickbooks/Acme US: updated (id 1)\n"
        "\nApply complete: 2 applied, 0 failed, 0 skipped.\n"
    )
    assert sorted(writes(env)) == [
        ("POST", "/api/QuickBooksDetails"),
        ("POST", "/api/XeroDetails"),
    ]
