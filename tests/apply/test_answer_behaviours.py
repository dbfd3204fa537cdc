"""End to end under each way HaloPSA may answer (SPEC §11; issue 13 acceptance 1, 3, 4).

The parametrised `halo` fixture serves the sandbox with full list rows and with summary
rows (mapping arrays only in `GET /X/{id}?includedetails=true`). In both, every scenario
plans, applies, re-plans to "No changes", passes drift and round-trips through export,
and the requests each step makes are the ones SPEC §11 gives, read from the sandbox log:
1 token + 1 list GET per type + 1 detail GET per record that needs one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from apply_support import CANARY, CONFIG, ENV, LIVE, duplicates, seed, write_config
from cli_runner import Result, run_cli

from reconciler.registry import KEYS, spec
from reconciler.sandbox import SandboxHandle, start_in_thread

LISTS = sorted(f"/api{spec(k).path}" for k in KEYS)


@pytest.fixture(params=["full-list", "summary-list"])
def halo(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHandle]:
    """A sandbox (secret: the canary) in HALO_*, answering list rows in full or as summaries."""
    with start_in_thread(client_secret=CANARY) as h:
        if request.param == "summary-list":
            h.faults.list_rows = "summary"
        monkeypatch.setenv("HALO_URL", h.url)
        monkeypatch.setenv("HALO_CLIENT_ID", h.client_id)
        monkeypatch.setenv("HALO_CLIENT_SECRET", h.client_secret)
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)
        yield h
        assert h.internal_errors == []


def _run(h: SandboxHandle, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    h.log.clear()
    result = run_cli(list(args), capsys)
    assert CANARY not in result.out + result.err
    return result


def _reads(h: SandboxHandle) -> tuple[int, list[str], list[str]]:
    """(token requests, list GETs, detail GETs) of the last command, paths sorted.

    Only the nine endpoints' reads: lookups read for names (/Client …, SPEC §13) are
    not the reads SPEC §11 counts.
    """
    entries = h.log.entries()
    tokens = sum(1 for e in entries if e.path == "/auth/token")
    nine = tuple(LISTS)
    gets = [e for e in entries if e.method == "GET" and e.path.startswith(nine)]
    details = [e for e in gets if e.path.count("/") == 3]
    assert all(e.query == {"includedetails": "true"} for e in details)
    lists = sorted(e.path for e in gets if e.path.count("/") == 2)
    return tokens, lists, sorted(e.path for e in details)


def test_plan_apply_replan_drift_export_in_each_behaviour(
    halo: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(halo, LIVE)
    config = str(write_config(tmp_path, CONFIG))
    first = _run(halo, capsys, "plan", config, "--detailed-exitcode")
    assert first.code == 2, first.err
    # Sage UK states client_mappings but is a create: nothing matched needs a detail read.
    assert _reads(halo) == (1, LISTS, [])

    applied = _run(halo, capsys, "apply", config, "--auto-approve", "--allow-deletes")
    assert applied.code == 0, applied.out + applied.err
    assert "sage_business_cloud/Sage UK: created (id 1)" in applied.out
    tokens, lists, details = _reads(halo)
    # plan: 9 lists; the re-read before creating: the 7 types with creates (not quickbooks,
    # avalara); read-back: 9 lists and Sage UK in detail (it sent client_mappings)
    creating = [f"/api{spec(k).path}" for k in KEYS if k not in ("quickbooks", "avalara")]
    expected = sorted(LISTS * 2 + creating)
    assert (tokens, lists, details) == (1, expected, ["/api/SageBusinessCloudDetails/1"])

    again = _run(halo, capsys, "plan", config, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
    assert _reads(halo) == (1, LISTS, ["/api/SageBusinessCloudDetails/1"])

    drift = _run(halo, capsys, "drift", config)
    assert drift.code == 0, drift.out + drift.err
    assert _reads(halo) == (1, LISTS, ["/api/SageBusinessCloudDetails/1"])

    out = tmp_path / "exported"
    exported = _run(halo, capsys, "export", "--out", str(out))
    assert exported.code == 0, exported.err
    # Export reads every record of a type with mapping arrays in detail.
    assert _reads(halo)[2] == [
        "/api/BusinessCentralDetails/1",
        "/api/ExactDetails/1",
        "/api/MYOBdetails/1",
        "/api/QuickBooksDetails/1",
        "/api/SageBusinessCloudDetails/1",
    ]
    assert "client_mappings:" in (out / "sage_business_cloud.yaml").read_text(encoding="utf-8")
    replan = _run(halo, capsys, "plan", str(out), "--detailed-exitcode")
    assert replan.code == 0, replan.out + replan.err
    assert _reads(halo) == (1, LISTS, ["/api/SageBusinessCloudDetails/1"])
    assert duplicates(halo) == []


def test_mapping_rows_changed_in_halopsa_are_drift_in_each_behaviour(
    halo: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path, CONFIG))
    assert _run(halo, capsys, "apply", config, "--auto-approve").code == 0
    sage = halo.store.list("sage_business_cloud")[0]
    halo.store.update("sage_business_cloud", sage["id"], {"client_mappings": []})
    drift = _run(halo, capsys, "drift", config)
    assert drift.code == 2, drift.out + drift.err
    assert "client_mappings" in drift.out


ONE = "xero:\n  - name: Solo\n    enablesync: true\n"
MANY = """\
xero:
  - name: First
    enablesync: true
  - name: Second
    enablesync: false
  - name: Third
    sync_entities: [invoices]
"""


# A dropped answer has no shape: it is run once per POST size, with the array answer.
ANSWERS = [("array", False), ("object", False), ("empty", False), ("array", True)]


@pytest.mark.parametrize(
    ("answer", "dropped"), ANSWERS, ids=["array", "object", "empty", "dropped"]
)
@pytest.mark.parametrize("text", [ONE, MANY], ids=["one", "many"])
def test_post_answer_shapes_converge_with_created_ids(
    sandbox_env: SandboxHandle,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    answer: str,
    dropped: bool,
) -> None:
    """A POST answered as an array, one object or an empty body (or not at all, after it
    committed): apply reports every created id, creates no duplicate, and converges."""
    sandbox_env.faults.post_answer = answer
    if dropped:
        sandbox_env.faults.script("commit-drop", methods=["POST"], paths="api")
    sandbox_env.store.create("xero", {"name": "Already there"})  # ids of creates start at 2
    config = str(write_config(tmp_path, text))
    applied = _run(sandbox_env, capsys, "apply", config, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    names = [r["name"] for r in sandbox_env.store.list("xero")][1:]
    note = " (answer lost; found by re-reading)" if dropped else ""
    expected = [f"  xero/{name}: created (id {i}){note}" for i, name in enumerate(names, 2)]
    assert [line for line in applied.out.splitlines() if "created" in line] == expected
    assert sum(1 for m, p in _writes(sandbox_env) if m == "POST") == 1  # never re-sent
    assert duplicates(sandbox_env) == []
    again = _run(sandbox_env, capsys, "plan", config, "--detailed-exitcode")
    assert again.code == 0, again.out


def _writes(h: SandboxHandle) -> list[tuple[str, str]]:
    entries = h.log.entries()
    return [(e.method, e.path) for e in entries if e.path.startswith("/api/") and e.method != "GET"]


def test_saved_plan_of_a_mapping_change_is_not_stale_in_each_behaviour(
    halo: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, CONFIG)
    assert _run(halo, capsys, "apply", str(config), "--auto-approve").code == 0
    write_config(tmp_path, CONFIG.replace("      - {halo_id: 2, third_party_id: C-2}\n", ""))
    saved = tmp_path / "plan.json"
    made = _run(halo, capsys, "plan", str(config), "--out", str(saved))
    assert made.code == 0, made.err
    applied = _run(halo, capsys, "apply", str(saved))
    assert applied.code == 0, applied.out + applied.err
    assert "sage_business_cloud/Sage UK: updated (id 1)" in applied.out
    # The staleness re-read reads Sage UK in detail only when its list row is a summary.
    details = _reads(halo)[2]
    summary = halo.faults.list_rows == "summary"
    re_read = ["/api/SageBusinessCloudDetails/1"] if summary else []
    assert details == sorted([*re_read, "/api/SageBusinessCloudDetails/1"])  # + read-back
    rows = halo.store.list("sage_business_cloud")[0]["client_mappings"]
    assert [r["third_party_id"] for r in rows] == ["C-1"]


def _outputs(
    h: SandboxHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> list[str]:
    """Every output of plan, apply, re-plan, drift and export, the instance (URL and the
    digest covering it) blanked."""
    for name, value in (("HALO_URL", h.url), ("HALO_CLIENT_ID", h.client_id)):
        mp.setenv(name, value)
    mp.setenv("HALO_CLIENT_SECRET", h.client_secret)
    seed(h, LIVE)
    tmp_path.mkdir()
    config = str(write_config(tmp_path, CONFIG))
    runs = [
        ["plan", config],
        ["plan", config, "--format", "json"],
        ["plan", config, "--format", "markdown"],
        ["apply", config, "--auto-approve", "--allow-deletes"],
        ["plan", config, "--format", "json"],
        ["drift", config, "--format", "json"],
        ["export"],
    ]
    texts = []
    for args in runs:
        result = _run(h, capsys, *args)
        # Progress lines on stderr come in the order types finish: compared as a set.
        err = "\n".join(sorted(result.err.splitlines()))
        texts += [str(result.code), result.out.replace(h.url, "URL"), err]
    # The digest covers the instance URL, whose port differs between the two sandboxes.
    # Times (the export header, token expiries the sandbox computes) are the clock's.
    texts = [re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", "TIME", t) for t in texts]
    return [re.sub(r"\b[0-9a-f]{64}\b", "DIGEST", t) for t in texts]


def test_unknown_fields_change_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acceptance 4: against an instance returning fields the schemas lack, plan, apply,
    drift and export print byte for byte what they print against one without them."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with start_in_thread(client_secret=CANARY) as plain:
        without = _outputs(plain, tmp_path / "a", capsys, monkeypatch)
    with start_in_thread(client_secret=CANARY) as newer:
        newer.faults.extra_fields = True
        newer.faults.list_rows = "summary"
        with_extra = _outputs(newer, tmp_path / "b", capsys, monkeypatch)
    assert with_extra == [t.replace(str(tmp_path / "a"), str(tmp_path / "b")) for t in without]
    assert "sandbox_newer" not in "".join(with_extra)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_SECRETS = (
    "XERO_CLIENT_SECRET",
    "XERO_AU_CLIENT_SECRET",
    "XERO_NZ_CLIENT_SECRET",
    "XERO_UK_CLIENT_SECRET",
    "QBO_CLIENT_SECRET",
    "AVALARA_LICENSE_KEY",
)


@pytest.mark.parametrize(
    "example", ["all-nine", "xero-single", "xero-multi-tenant", "quickbooks-avalara"]
)
def test_examples_apply_and_replan_clean_in_each_behaviour(
    halo: SandboxHandle,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    example: str,
) -> None:
    """Every example against the bundled seed: apply, then plan shows "No changes", with
    1 token, 1 list GET per type it names and a detail GET per record stating a mapping
    array — whether list rows are full or summaries."""
    for name in EXAMPLE_SECRETS:
        monkeypatch.setenv(name, f"{name.lower()}-value")
    halo.store.load_seed(EXAMPLES / "sandbox-seed.yaml")
    config = str(EXAMPLES / example)
    applied = _run(halo, capsys, "apply", config, "--auto-approve", "--allow-deletes")
    assert applied.code == 0, applied.out + applied.err
    again = _run(halo, capsys, "plan", config, "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
    tokens, lists, details = _reads(halo)
    assert tokens == 1 and len(lists) == len(set(lists))
    mapped = [p.rsplit("/", 1)[0] for p in details]
    # Only types whose example states client_mappings: Sage and Business Central.
    assert sorted(set(mapped)) == (
        ["/api/BusinessCentralDetails", "/api/SageBusinessCloudDetails"]
        if example == "all-nine"
        else []
    )
    assert duplicates(halo) == []
