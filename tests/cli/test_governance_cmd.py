"""Governance end to end (SPEC §14), against a sandbox on a real loopback port.

protect, allow_empty, acknowledge, freeze and --exclude, through plan, apply and drift
as a user runs them. Dates are relative to today (UTC), with a day or more of margin, so
the tests hold whenever they run; no test waits. "No write" is read from the sandbox's
request log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_runner import Result, run_cli
from plan_cli_support import write

from reconciler.sandbox import SandboxHandle


def _writes(h: SandboxHandle) -> list[tuple[str, str]]:
    return [
        (e.method, e.path)
        for e in h.log.entries()
        if e.method in ("POST", "DELETE") and e.path.startswith("/api/")
    ]


def _day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _names(h: SandboxHandle, key: str) -> list[str]:
    return sorted(str(r["name"]) for r in h.store.list(key))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    return run_cli(list(args), capsys)


def test_protected_record_removed_from_the_files_is_not_deleted_and_plan_exits_1(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str], canary: str
) -> None:
    for name in ("Acme NZ", "Keep me", "Stray"):
        sandbox_env.store.create("xero", {"name": name})
    config = write(
        tmp_path,
        "c.yaml",
        """
        xero:
          - name: Acme NZ
        settings:
          prune: [xero]
          protect: [xero/Keep me]
        """,
    )
    saved = tmp_path / "plan.json"
    code, out, err = _cli(capsys, "plan", str(config), "--out", str(saved))
    assert code == 1
    refusal = (
        "xero/Keep me: protected by settings.protect, but the plan deletes it (not in the "
        "configuration; xero is pruned); remove it from settings.protect to allow the deletion"
    )
    assert f"Refused: apply will not run this plan:\n  ! {refusal}\n" in out
    assert "Deletions (2):\n  - xero/Keep me (id 2)   # not in the configuration" in out
    assert "Protected (never deleted): xero/Keep me (settings.protect)" in out
    assert out.endswith("Plan: 0 to create, 0 to update, 2 to delete.\n")  # printed in full
    assert err == f"Error: apply refused:\n  {refusal}\n"
    assert not saved.exists()
    code, _, err = _cli(capsys, "apply", str(config), "--auto-approve")
    assert code == 1
    assert refusal in err
    assert _writes(sandbox_env) == []
    assert _names(sandbox_env, "xero") == ["Acme NZ", "Keep me", "Stray"]
    assert canary not in out + err


def test_an_emptying_prune_is_refused_without_allow_empty_and_applied_with_it(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Old A", "Old B"):
        sandbox_env.store.create("fortnox", {"name": name})
    config = write(tmp_path, "c.yaml", "settings:\n  prune: [fortnox]\n")
    code, out, err = _cli(capsys, "plan", str(config), "--format", "markdown")
    assert code == 1
    refusal = (
        "fortnox: the plan deletes every live fortnox record (2 of 2); add fortnox to "
        "settings.allow_empty if the type is meant to be empty"
    )
    assert err == f"Error: apply refused:\n  {refusal}\n"
    assert "> ⛔ **Apply will refuse this plan:**\n> - fortnox: the plan deletes every" in out
    code, _, err = _cli(capsys, "apply", str(config), "--auto-approve")
    assert (code, _writes(sandbox_env)) == (1, [])
    write(tmp_path, "c.yaml", "settings:\n  prune: [fortnox]\n  allow_empty: [fortnox]\n")
    assert _cli(capsys, "plan", str(config))[0] == 0
    code, out, err = _cli(capsys, "apply", str(config), "--auto-approve")
    assert code == 0, err
    assert _names(sandbox_env, "fortnox") == []
    assert [m for m, _ in _writes(sandbox_env)] == ["DELETE", "DELETE"]


ACK = """
xero:
  - name: Acme NZ
    enablesync: true
    default_item_code: SERVICES
settings:
  acknowledge:
    - address: xero/Acme NZ
      fields: [enablesync]
      reason: tenant migration, sync stays off
      until: {until}
"""


def test_an_acknowledged_difference_is_skipped_until_its_date_then_planned(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create(
        "xero", {"name": "Acme NZ", "enablesync": False, "default_item_code": "SERVICES"}
    )
    until = _day(3)
    config = write(tmp_path, "c.yaml", ACK.format(until=until))
    code, out, _ = _cli(capsys, "plan", str(config), "--detailed-exitcode")
    assert code == 0
    assert (
        "Acknowledged differences (not changed, not drift):\n"
        f"  = xero/Acme NZ: enablesync: false -> true   # until {until}: tenant migration, "
        "sync stays off\n"
    ) in out
    assert "No changes. HaloPSA matches the configuration." in out
    code, out, _ = _cli(capsys, "plan", str(config), "--format", "json")
    assert json.loads(out)["acknowledged"] == [
        {
            "address": "xero/Acme NZ",
            "field": "enablesync",
            "before": False,
            "after": True,
            "sensitive": False,
            "reason": "tenant migration, sync stays off",
            "until": until,
        }
    ]
    code, out, _ = _cli(capsys, "plan", str(config), "--format", "markdown")
    assert f"| `false -> true` | {until} | tenant migration, sync stays off |" in out
    code, out, _ = _cli(capsys, "drift", str(config), "--detailed-exitcode")
    assert code == 0
    assert out.startswith(
        "No drift: HaloPSA matches the configuration (1 record checked; 1 acknowledged "
        "difference accepted).\n"
    )
    assert _cli(capsys, "apply", str(config), "--auto-approve")[0] == 0
    assert _writes(sandbox_env) == []  # not sent

    write(tmp_path, "c.yaml", ACK.format(until=_day(-1)))
    code, out, _ = _cli(capsys, "drift", str(config))
    assert code == 2
    assert (
        f'xero/Acme NZ: the acknowledgement of enablesync ("tenant migration, sync stays '
        f'off", until {_day(-1)}) expired: the difference is planned as a change again'
    ) in out
    assert "~ enablesync: false -> true" in out
    assert _cli(capsys, "apply", str(config), "--auto-approve")[0] == 0
    (record,) = sandbox_env.store.list("xero")
    assert record["enablesync"] is True


FREEZE = """
xero:
  - name: Acme NZ
    enablesync: true
settings:
  freeze:
    - from: {start}T00:00:00Z
      to: {end}T00:00:00Z
      reason: year-end close
"""


def test_apply_inside_a_freeze_window_is_refused_unless_overridden(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create("xero", {"name": "Acme NZ", "enablesync": False})
    start, end = _day(-1), _day(2)
    config = write(tmp_path, "c.yaml", FREEZE.format(start=start, end=end))
    window = f'freeze window {start}T00:00Z to {end}T00:00Z (reason: "year-end close")'
    code, out, _ = _cli(capsys, "plan", str(config))
    assert code == 0  # plan only warns
    assert f"  ! settings.freeze: {window} is active now, until {end}T00:00Z" in out
    code, out, _ = _cli(capsys, "drift", str(config), "--format", "markdown")
    assert f"- `settings.freeze`: {window} is active now" in out
    saved = tmp_path / "plan.json"
    assert _cli(capsys, "plan", str(config), "--out", str(saved))[0] == 0
    for args in ((str(config), "--auto-approve"), (str(saved),)):
        before = len(sandbox_env.log.entries())
        code, out, err = _cli(capsys, "apply", *args)
        assert code == 1
        if args == (str(saved),):  # refused before the saved plan's re-read
            assert (out, len(sandbox_env.log.entries())) == ("", before)  # no request at all
        assert err == (
            f"Error: apply refused:\n  {window} is active now, until {end}T00:00Z "
            "(settings.freeze): apply is refused inside it; to apply anyway, give "
            '--override-freeze "REASON"\n'
        )
        assert _writes(sandbox_env) == []
    code, out, err = _cli(
        capsys, "apply", str(saved), "--override-freeze", "auditor-approved hotfix"
    )
    assert code == 0, err
    assert (
        f"Freeze override: {window} is active now, until {end}T00:00Z: overridden with "
        '--override-freeze "auditor-approved hotfix"\n'
    ) in out
    assert _writes(sandbox_env) == [("POST", "/api/XeroDetails")]


def test_a_window_coming_within_seven_days_is_a_warning_and_apply_goes_ahead(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create("xero", {"name": "Acme NZ", "enablesync": False})
    start, end = _day(3), _day(5)
    config = write(tmp_path, "c.yaml", FREEZE.format(start=start, end=end))
    code, out, _ = _cli(capsys, "drift", str(config))
    assert code == 2
    assert (
        f'settings.freeze: freeze window {start}T00:00Z to {end}T00:00Z (reason: "year-end '
        f'close") starts {start}T00:00Z: apply will be refused when it starts'
    ) in out
    assert _cli(capsys, "apply", str(config), "--auto-approve")[0] == 0
    far = write(tmp_path, "c.yaml", FREEZE.format(start=_day(9), end=_day(10)))
    assert "settings.freeze" not in _cli(capsys, "plan", str(far))[1]


def test_exclude_keeps_a_record_out_of_prune_and_out_of_the_plan(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("Acme NZ", "Stray", "Gone"):
        sandbox_env.store.create("xero", {"name": name})
    config = write(tmp_path, "c.yaml", "xero:\n  - name: Acme NZ\nsettings:\n  prune: [xero]\n")
    code, out, err = _cli(capsys, "plan", str(config), "--exclude", "xero/Stray")
    assert code == 0, err
    assert "Stray" not in out.replace("Excluded: xero/Stray (matched, not planned)", "")
    assert "Excluded: xero/Stray (matched, not planned)" in out
    assert "Plan: 0 to create, 0 to update, 1 to delete." in out
    code, out, err = _cli(capsys, "apply", str(config), "--exclude", "xero/#2", "--auto-approve")
    assert code == 0, err
    assert _names(sandbox_env, "xero") == ["Acme NZ", "Stray"]
    code, out, _ = _cli(capsys, "drift", str(config), "--exclude", "xero")
    assert (code, "0 records checked" in out) == (0, True)


def test_target_by_the_id_the_plan_prints_selects_a_record_configured_by_name(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create("xero", {"name": "Other", "enablesync": False})
    sandbox_env.store.create("xero", {"name": "Acme NZ", "enablesync": False})
    text = "xero:\n  - name: Acme NZ\n    enablesync: true\n  - name: Other\n    enablesync: true\n"
    config = write(tmp_path, "c.yaml", text)
    code, out, err = _cli(capsys, "plan", str(config), "--target", "xero/#2")
    assert code == 0, err
    assert "~ update xero/Acme NZ (id 2)" in out
    assert "Plan: 0 to create, 1 to update, 0 to delete." in out


def test_target_or_exclude_matching_nothing_is_an_error_with_the_closest_addresses(
    sandbox_env: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_env.store.create("xero", {"name": "Acme NZ"})
    sandbox_env.store.create("xero", {"name": "Acme AU"})
    config = write(tmp_path, "c.yaml", "xero:\n  - name: Acme NZ\n")
    code, out, err = _cli(capsys, "plan", str(config), "--target", "xero/Acme NZZ")
    assert (code, out) == (1, "")
    assert err == (
        "Error: 1 problem matching the configuration to HaloPSA\n"
        "  --target xero/Acme NZZ matches no record in the configuration or HaloPSA; "
        "closest: xero/Acme NZ, xero/Acme AU\n"
    )
    code, out, err = _cli(
        capsys, "apply", str(config), "--exclude", "quickbooks", "--exclude", "xero/#9",
        "--auto-approve",
    )  # fmt: skip
    assert (code, out) == (1, "")
    assert err == (
        "Error: 2 problems matching the configuration to HaloPSA\n"
        "  --exclude quickbooks matches no record of that type in the configuration or "
        "HaloPSA; closest: xero\n"
        "  --exclude xero/#9 matches no record in the configuration or HaloPSA; closest: "
        "xero/#2, xero/#1\n"
    )
    assert _writes(sandbox_env) == []
