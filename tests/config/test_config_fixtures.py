"""`halo-reconciler validate` on the fixture configurations, as a user runs it.

Each entry of tests/fixtures/configs/bad/ (a file, or a directory for defects that span
files) holds one defect, except several-defects.yaml and defects-in-two-files/; the
expected stderr, in full, is the sidecar `<name>.expected`. Every good fixture passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from config_support import BAD_ENV, CANARY, FIXTURES, GOOD_ENV, ROOT, UNSET, validate

BAD = ROOT / FIXTURES / "bad"
GOOD = ROOT / FIXTURES / "good"
BAD_CASES = sorted(p.name for p in BAD.iterdir() if p.suffix != ".expected")


def _expected(name: str) -> str:
    return (BAD / f"{Path(name).stem}.expected").read_text(encoding="utf-8")


def test_there_are_enough_bad_fixtures() -> None:
    assert len(BAD_CASES) >= 30
    for name in BAD_CASES:  # every fixture has its expectation, and no expectation is stale
        assert (BAD / f"{Path(name).stem}.expected").is_file(), name
    stems = {Path(n).stem for n in BAD_CASES}
    assert {p.stem for p in BAD.glob("*.expected")} == stems


@pytest.mark.parametrize("name", BAD_CASES)
def test_bad_fixture_fails_with_its_message(name: str) -> None:
    result = validate(str(FIXTURES / "bad" / name), env=BAD_ENV)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == _expected(name)
    assert CANARY not in result.stderr


def test_several_defects_are_all_reported() -> None:
    result = validate(str(FIXTURES / "bad" / "several-defects.yaml"), env=BAD_ENV)
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 10 errors in the configuration"
    assert len(lines) == 11
    # sorted by line, each naming the file it is in
    numbers = [int(line.split(":")[1]) for line in lines[1:]]
    assert numbers == sorted(numbers)


def test_defects_in_two_files_are_all_reported() -> None:
    result = validate(str(FIXTURES / "bad" / "defects-in-two-files"), env=BAD_ENV)
    assert result.returncode == 1
    files = [line.split(":")[0] for line in result.stderr.splitlines()[1:]]
    assert files == [
        "tests/fixtures/configs/bad/defects-in-two-files/a.yaml",
        "tests/fixtures/configs/bad/defects-in-two-files/b.yaml",
    ]


def test_missing_path_is_named() -> None:
    missing = str(FIXTURES / "bad" / "no-such-file.yaml")
    result = validate(missing, env=BAD_ENV)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: 1 error in the configuration\n"
        "tests/fixtures/configs/bad/no-such-file.yaml: no such file or directory\n"
    )


def test_missing_path_is_reported_with_the_other_errors() -> None:
    bad = str(FIXTURES / "bad" / "unknown-field.yaml")
    result = validate("nowhere.yml", bad, env=BAD_ENV)
    assert result.stderr == (
        "Error: 2 errors in the configuration\n"
        "nowhere.yml: no such file or directory\n"
        "tests/fixtures/configs/bad/unknown-field.yaml:3:5: xero[0].enablesyncc: "
        'unknown field "enablesyncc": did you mean "enablesync"?\n'
    )


GOOD_CASES = sorted(
    str(p.relative_to(GOOD)) for p in GOOD.rglob("*") if p.suffix in (".yaml", ".yml")
)
SUMMARIES = {
    "all-nine-types.yaml": "9 records of 9 types in 1 file",
    "anchors-and-variables.yaml": "2 records of 1 type in 1 file",
    "comments-only.yaml": "0 records of 0 types in 1 file",
    "empty.yaml": "0 records of 0 types in 1 file",
    "multi/nested/xero.yaml": "1 record of 1 type in 1 file",
    "multi/quickbooks.yml": "1 record of 1 type in 1 file",
    "names-instead-of-ids.yaml": "2 records of 2 types in 1 file",
    "spec-example.yaml": "2 records of 1 type in 1 file",
}


def test_every_good_fixture_has_a_summary() -> None:
    assert sorted(SUMMARIES) == GOOD_CASES


@pytest.mark.parametrize("name", GOOD_CASES)
def test_good_fixture_passes(name: str) -> None:
    result = validate(str(FIXTURES / "good" / name), env=GOOD_ENV)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"Configuration valid: {SUMMARIES[name]}.\n"


def test_good_directory_passes_as_a_whole() -> None:
    result = validate(str(FIXTURES / "good"), env=GOOD_ENV)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Configuration valid: 17 records of 9 types in 8 files.\n"


def test_no_env_does_not_need_the_variables() -> None:
    result = validate("--no-env", str(FIXTURES / "good"), env={})
    assert (result.returncode, result.stderr) == (0, "")
    missing = validate("--no-env", str(FIXTURES / "bad" / "missing-env-variable.yaml"), env={})
    assert missing.returncode == 0
    assert UNSET not in missing.stdout + missing.stderr


def test_no_env_still_refuses_a_literal_secret() -> None:
    result = validate("--no-env", str(FIXTURES / "bad" / "write-only-literal.yaml"), env={})
    assert result.returncode == 1
    assert result.stderr == _expected("write-only-literal.yaml")


def test_without_no_env_a_missing_variable_fails() -> None:
    result = validate(str(FIXTURES / "good" / "spec-example.yaml"), env={})
    assert result.returncode == 1
    assert result.stderr == (
        "Error: 2 errors in the configuration\n"
        "tests/fixtures/configs/good/spec-example.yaml:7:5: xero[0].client_id: "
        "environment variable XERO_CLIENT_ID is not set\n"
        "tests/fixtures/configs/good/spec-example.yaml:8:5: xero[0].new_client_secret: "
        "environment variable XERO_CLIENT_SECRET is not set\n"
    )


def test_default_path_is_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "halo").mkdir()
    (tmp_path / "halo" / "xero.yaml").write_text("xero:\n  - name: Acme NZ\n")
    # hidden files and directories (CI pipelines, pre-commit config) are not configuration
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "plan.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    result = validate(env={}, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Configuration valid: 1 record of 1 type in 1 file.\n"


def test_a_hidden_file_named_explicitly_is_read(tmp_path: Path) -> None:
    (tmp_path / ".halo.yaml").write_text("xero:\n  - nme: Acme NZ\n")
    result = validate(".halo.yaml", env={}, cwd=tmp_path)
    assert result.returncode == 1
    assert ".halo.yaml:2:5: xero[0]: a xero record must state its identity field" in result.stderr
