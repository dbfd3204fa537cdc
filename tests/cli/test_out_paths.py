"""Writes through symlinks and over inputs are refused (issue 18, items 16 and 19).

- `export --out DIR` never writes through a link in DIR, even one pointing nowhere: that
  would create a file wherever it points. Without --force it is refused like any
  existing file; with --force the link itself is replaced.
- `plan --out FILE` never replaces a configuration file it reads.
- `apply` given a saved plan together with configuration paths is a usage error (the
  plan would be read as YAML).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cli_runner import run_cli

from reconciler.plan.document import UNDIGESTED, canonical_json

CONFIG = "xero:\n  - name: Acme NZ\n"


def test_export_refuses_a_dangling_link_out_of_its_directory(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exported"
    out.mkdir()
    outside = tmp_path / "elsewhere" / "xero.yaml"
    outside.parent.mkdir()
    (out / "xero.yaml").symlink_to(outside)
    code, _, err = run_cli(["export", "--sandbox", "--type", "xero", "--out", str(out)], capsys)
    assert code == 1
    assert err == (
        f"Error: {out / 'xero.yaml'} already exists: use --force to overwrite it "
        "(nothing was written)\n"
    )
    assert not outside.exists()
    code, _, err = run_cli(
        ["export", "--sandbox", "--type", "xero", "--out", str(out), "--force"], capsys
    )
    assert code == 0, err
    assert not outside.exists()
    assert not (out / "xero.yaml").is_symlink()
    assert "xero:" in (out / "xero.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("through_link", [False, True])
def test_plan_out_never_replaces_a_configuration_file(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], through_link: bool
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "xero.yaml").write_text(CONFIG, encoding="utf-8")
    target = config / "xero.yaml"
    if through_link:
        target = tmp_path / "plan.json"
        target.symlink_to(config / "xero.yaml")
    code, out, err = run_cli(["plan", "--sandbox", str(config), "--out", str(target)], capsys)
    assert code == 1
    assert err.endswith(
        f"Error: --out {target} is the configuration file {config / 'xero.yaml'}: choose another\n"
    )
    assert out == ""
    assert (config / "xero.yaml").read_text(encoding="utf-8") == CONFIG
    assert not sandbox_dir.exists()  # refused before the sandbox (or any instance) was asked


def test_apply_refuses_a_plan_file_given_with_paths(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "xero.yaml").write_text(CONFIG, encoding="utf-8")
    saved = tmp_path / "plan.json"
    assert (
        run_cli(["plan", "--sandbox", str(tmp_path / "xero.yaml"), "--out", str(saved)], capsys)[0]
        == 0
    )
    args = ["apply", "--sandbox", str(saved), str(tmp_path / "xero.yaml"), "--auto-approve"]
    code, _, err = run_cli(args, capsys)
    assert code == 1
    assert err.endswith(f"Error: {saved} is a saved plan: apply it alone, without other paths\n")
    assert "Usage:" in err


def test_a_plan_file_with_an_unknown_type_is_a_clear_error(
    sandbox_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 18, item 17: it was "internal error: KeyError" once the digest was recomputed.
    (tmp_path / "xero.yaml").write_text(CONFIG.replace("Acme NZ", "Brand new"), encoding="utf-8")
    saved = tmp_path / "plan.json"
    plan_args = ["plan", "--sandbox", str(tmp_path / "xero.yaml"), "--out", str(saved)]
    assert run_cli(plan_args, capsys)[0] == 0
    doc = json.loads(saved.read_text(encoding="utf-8"))
    doc["resource_changes"][0]["type"] = "nosuch"
    # What a careful editor does after editing: recompute the digest.
    covered = {k: v for k, v in doc.items() if k not in UNDIGESTED}
    doc["digest"] = hashlib.sha256(canonical_json(covered)).hexdigest()
    saved.write_text(json.dumps(doc), encoding="utf-8")
    for args in (["apply", "--sandbox", str(saved)], ["show", str(saved)]):
        code, out, err = run_cli(args, capsys)
        assert (code, out) == (1, "")
        assert err == (
            f"Error: plan file {saved}: $.resource_changes[0].type: unknown resource type "
            "'nosuch': "
            "expected one of xero, quickbooks, sage_business_cloud, myob, kashflow, fortnox, "
            "exact, business_central, avalara\n"
        )
