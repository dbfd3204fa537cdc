"""`validate --format github|json`: golden outputs for every bad fixture (SPEC §16).

Each bad fixture's expected stdout is in tests/fixtures/configs/bad-formats/, as
`<name>.github` (GitHub Actions annotations) and `<name>.json` (the {valid, errors}
document); `python tests/config/validate_goldens.py` rewrites them after a message
changed. A fixture without goldens yet is still checked: both forms must hold exactly the
issues its `.expected` text lists. Runs in this process, from the repository root, with
the environment the text-format fixture test uses; the canary secret must appear in
neither form.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_cli
from config_support import BAD_ENV, CANARY, FIXTURES, GOOD_ENV, ROOT, UNSET

from reconciler.config.check import from_workspace
from reconciler.errors import Issue
from reconciler.render.issues import annotation

BAD = ROOT / FIXTURES / "bad"
GOLDEN = ROOT / FIXTURES / "bad-formats"
BAD_CASES = sorted(p.name for p in BAD.iterdir() if p.suffix != ".expected")


@pytest.fixture
def bad_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name in (*GOOD_ENV, UNSET):
        monkeypatch.delenv(name, raising=False)
    for name, value in BAD_ENV.items():
        monkeypatch.setenv(name, value)


GOLDEN_CASES = sorted(name for name in BAD_CASES if (GOLDEN / f"{Path(name).stem}.json").is_file())


def test_the_goldens_cover_the_fixtures_and_none_is_stale() -> None:
    stems = {Path(n).stem for n in BAD_CASES}
    goldens = {p.stem for p in GOLDEN.glob("*.github")}
    assert goldens == {p.stem for p in GOLDEN.glob("*.json")}
    assert goldens <= stems  # no golden outlives its fixture
    assert len(goldens) >= 60
    assert len(list(GOLDEN.iterdir())) == 2 * len(goldens)


@pytest.mark.parametrize("fmt", ["github", "json"])
@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_bad_fixture_golden(
    name: str, fmt: str, bad_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(["validate", "--format", fmt, str(FIXTURES / "bad" / name)], capsys)
    assert (result.code, result.err) == (1, "")
    golden = (GOLDEN / f"{Path(name).stem}.{fmt}").read_text(encoding="utf-8")
    assert result.out == golden
    assert CANARY not in result.out


def _issues(doc: dict[str, Any]) -> list[Issue]:
    return [
        Issue(e["file"], e["line"] or 0, e["column"] or 0, e["path"] or "", e["message"])
        for e in doc["errors"]
    ]


@pytest.mark.parametrize("name", BAD_CASES)
def test_every_bad_fixture_says_the_same_in_every_format(
    name: str, bad_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each form holds the issues the text form (the `.expected` sidecar) lists, so a new
    fixture is checked in every format before anyone writes its goldens."""
    target = str(FIXTURES / "bad" / name)
    doc = json.loads(run_cli(["validate", "--format", "json", target], capsys).out)
    github = run_cli(["validate", "--format", "github", target], capsys)
    assert doc["valid"] is False
    issues = _issues(doc)
    text = (BAD / f"{Path(name).stem}.expected").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith(f"Error: {len(issues)} error")
    assert text[1:] == [str(i) for i in issues]
    assert github.out.splitlines() == [annotation(i) for i in issues]


@pytest.mark.parametrize(
    ("fmt", "out"),
    [
        ("json", '{\n  "valid": true,\n  "errors": []\n}\n'),
        ("github", "Configuration valid: 2 records of 1 type in 1 file.\n"),
    ],
)
def test_a_valid_configuration(
    fmt: str, out: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    for name, value in GOOD_ENV.items():
        monkeypatch.setenv(name, value)
    target = str(FIXTURES / "good" / "spec-example.yaml")
    assert run_cli(["validate", "--format", fmt, target], capsys) == (0, out, "")


def test_annotations_escape_what_github_reads_specially() -> None:
    issue = Issue("halo/a,b:c.yaml", 3, 5, "xero[0].name", "100% wrong\nsecond line")
    assert annotation(issue) == (
        "::error file=halo/a%2Cb%3Ac.yaml,line=3,col=5::xero[0].name: 100%25 wrong%0Asecond line"
    )


def test_an_absolute_path_in_the_workspace_is_named_from_its_root() -> None:
    inside = Issue(os.path.join(os.sep, "repo", "halo", "x.yaml"), 1, 1, "", "bad")
    outside = Issue(os.path.join(os.sep, "elsewhere", "x.yaml"), 0, 0, "", "missing")
    relative = Issue("halo/y.yaml", 2, 3, "", "also bad")
    named = from_workspace([inside, outside, relative], os.path.join(os.sep, "repo"))
    assert [annotation(i) for i in named] == [
        "::error file=halo/x.yaml,line=1,col=1::bad",
        f"::error file={outside.file}::missing",
        "::error file=halo/y.yaml,line=2,col=3::also bad",
    ]
