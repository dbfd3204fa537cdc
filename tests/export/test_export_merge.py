"""`export --merge DIR`: accepted drift into Git, changing only the lines that differ.

A team exported the sandbox, committed the files, and edited them by hand (comments,
lifecycle, a `${NAME}` reference). Then someone changed settings in the web UI. Merging
writes exactly those live values: `git diff` shows only their lines, the plan is clean
again (but for the value that comes from the environment, which is never overwritten),
and a second merge changes nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli

from reconciler.sandbox import SandboxHandle


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True
    )
    return done.stdout


def _changed_lines(repo: Path) -> list[str]:
    diff = _git(repo, "diff", "--unified=0", "--no-color")
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _hand_edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    edits = [
        (
            "  - name: Acme NZ\n",
            "  # our main tenant: invoices only, reviewed by finance\n  - name: Acme NZ\n",
        ),
        (
            "    default_item_code: SERVICES\n",
            "    default_item_code: SERVICES  # agreed 2024\n"
            "    lifecycle:\n      prevent_destroy: true\n",
        ),
        (
            "    tenant_id: 6f1e2c1a-0000-4000-8000-000000000002\n",
            "    tenant_id: ${ACME_AU_TENANT}\n",
        ),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def _live_id(h: SandboxHandle, name: str) -> int:
    (record,) = (r for r in h.store.list("xero") if r["name"] == name)
    rid = record["id"]
    assert isinstance(rid, int)
    return rid


def test_merge_writes_only_the_changed_values_and_a_second_run_changes_nothing(
    sandbox_seeded_env: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    canary: str,
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    h = sandbox_seeded_env
    repo = tmp_path / "repo"
    halo = repo / "halo"
    assert run_cli(["export", "--out", str(halo)], capsys).code == 0
    _hand_edit(halo / "xero.yaml")
    monkeypatch.setenv("ACME_AU_TENANT", "6f1e2c1a-0000-4000-8000-000000000002")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "adopted, with our notes")
    assert run_cli(["plan", str(halo), "--detailed-exitcode"], capsys).code == 0

    # In the web UI: Acme NZ syncs again, payments too, and Acme AU moves tenant.
    nz, au = _live_id(h, "Acme NZ"), _live_id(h, "Acme AU")
    h.store.update("xero", nz, {"enablesync": True, "sync_entities": "invoices,payments"})
    h.store.update("xero", au, {"tenant_id": "6f1e2c1a-0000-4000-8000-0000000000ff"})

    merged = run_cli(["export", "--merge", str(halo)], capsys)
    assert merged.code == 0, merged.err
    assert merged.out == f"Merged live values into {halo / 'xero.yaml'}.\n"
    assert merged.err == (
        "Note: xero/Acme AU: tenant_id: left as configured (its value is a ${...})\n"
    )
    assert _changed_lines(repo) == [
        "-    enablesync: false",
        "+    enablesync: true",
        "-    sync_entities: [invoices]",
        "+    sync_entities: [invoices, payments]",
    ]
    text = (halo / "xero.yaml").read_text(encoding="utf-8")
    assert "# our main tenant: invoices only, reviewed by finance" in text
    assert "default_item_code: SERVICES  # agreed 2024\n    lifecycle:\n" in text
    assert "tenant_id: ${ACME_AU_TENANT}" in text

    # The plan is clean but for the value that comes from the environment.
    plan = run_cli(["plan", str(halo), "--format", "json"], capsys)
    assert '"address": "xero/Acme NZ"' in plan.out
    changed = [line for line in plan.out.splitlines() if '"action": "update"' in line]
    assert len(changed) == 1

    again = run_cli(["export", "--merge", str(halo)], capsys)
    assert again.code == 0, again.err
    assert again.out == "Nothing to merge: the configuration's values match HaloPSA.\n"
    assert _changed_lines(repo) == [
        "-    enablesync: false",
        "+    enablesync: true",
        "-    sync_entities: [invoices]",
        "+    sync_entities: [invoices, payments]",
    ]
    assert canary not in merged.out + merged.err + again.out + again.err


def test_merge_reports_records_it_does_not_merge_and_leaves_other_layouts_alone(
    sandbox_seeded_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    h = sandbox_seeded_env
    halo = tmp_path / "halo"
    assert run_cli(["export", "--out", str(halo), "--type", "xero"], capsys).code == 0
    path = halo / "xero.yaml"
    # A file in another layout (four-space indentation): never reformatted.
    reindented = path.read_text(encoding="utf-8").replace("\n  - ", "\n    - ")
    reindented = reindented.replace("\n    ", "\n      ").replace("\n      - ", "\n    - ")
    path.write_text(reindented, encoding="utf-8")
    before = path.read_bytes()
    h.store.update("xero", _live_id(h, "Acme NZ"), {"enablesync": True})
    h.store.delete("xero", _live_id(h, "Old tenant"))
    result = run_cli(["export", "--merge", str(halo)], capsys)
    assert result.code == 0, result.err
    assert path.read_bytes() == before
    assert result.out == "Nothing to merge: the configuration's values match HaloPSA.\n"
    assert result.err.splitlines() == [
        f"Note: {path}: not merged: writing it back would change its layout (indentation or "
        "quoting export does not use), so it is left as it is",
        "Note: xero/Old tenant: not merged: HaloPSA has no such record (deleted there?); "
        "remove it from the configuration, or apply to create it again",
    ]


def test_merge_takes_no_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tmp_path.joinpath("halo").mkdir()
    result = run_cli(["export", "--merge", str(tmp_path / "halo"), "--out", "x"], capsys)
    assert result.code == 1
    assert "--merge takes no --out, --type or --names" in result.err
