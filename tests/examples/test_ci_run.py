"""The CI pipelines run end to end against the sandbox: plan → saved plan → apply → drift.

A small runner (actions_runner.py) executes the GitHub workflows step by step, and the
steps that use this repository's action run action.yml's own steps: it installs the tool
from this checkout and runs it. GitLab jobs run their `script:` with `bash -e -o
pipefail`. Each runs in a temporary checkout whose halo/ is an example configuration,
with HALO_* pointing at a seeded sandbox on a loopback port. Steps that call other
actions (checkout, artifacts, github-script) are stood in for by the test: it copies the
plan artifact and gives the outputs github-script would set. GitLab's API is a small
fake on loopback, so the merge-request note and the digest lookup run for real. The
canary secret is set for every secret and must not appear in any output or file the
pipelines write.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from examples.actions_runner import (
    Runner,
    Store,
    offline_pip_env,
    run_action,
    run_github_job,
    run_script,
)
from reconciler.sandbox import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]
GITLAB = ROOT / "examples" / "gitlab"
EXAMPLE = ROOT / "examples" / "xero-single"
DIGEST = re.compile(r"^[0-9a-f]{64}$")


# --- a runner for GitLab jobs, and a fake GitLab API ---------------------------------


def run_gitlab_job(
    name: str, workdir: Path, env: Mapping[str, str], **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run the job's script (before_script installs: skipped) with the pipeline's variables."""
    top = yaml.safe_load((GITLAB / "gitlab-ci.yml").read_text(encoding="utf-8"))
    doc = yaml.safe_load((GITLAB / name).read_text(encoding="utf-8"))
    (job,) = (v for k, v in doc.items() if k.startswith("halo:"))
    assert job["extends"] == ".halo"
    job_env = dict(env)
    job_env.update({k: str(v) for k, v in top["variables"].items()})
    job_env.update({k: str(v) for k, v in job.get("variables", {}).items()})
    job_env.update(
        CI_PROJECT_DIR=str(workdir),
        CI_PROJECT_ID="42",
        CI_DEFAULT_BRANCH="main",
        CI_COMMIT_SHA="0123456789abcdef0123456789abcdef01234567",
        CI_COMMIT_SHORT_SHA="0123456",
        CI_JOB_NAME=next(k for k in doc if k.startswith("halo:")),
        CI_JOB_URL="https://gitlab.example/acme/halo/-/jobs/1",
    )
    job_env.update(variables)
    script = workdir.parent / f"{workdir.name}-{name}.sh"
    return run_script("\n".join(job["script"]) + "\n", script, workdir, job_env, "-eo", "pipefail")


@dataclass
class FakeGitLab:
    """Merge request !7 of project 42, merged as CI_COMMIT_SHA; its notes."""

    url: str
    token: str
    notes: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def fake_gitlab() -> Iterator[FakeGitLab]:
    state = FakeGitLab(url="", token="glpat-test-token")
    notes_path = "/api/v4/projects/42/merge_requests/7/notes"

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            state.requests.append(f"{self.command} {self.path}")
            if self.headers.get("PRIVATE-TOKEN") != state.token:
                self._reply(401, {"message": "401 Unauthorized"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            sent = json.loads(self.rfile.read(length)) if length else {}
            path = self.path.split("?")[0]
            if self.command == "GET" and path.endswith("/merge_requests") and "/commits/" in path:
                self._reply(200, [{"iid": 7, "state": "merged", "target_branch": "main"}])
            elif self.command == "GET" and path == notes_path:
                self._reply(200, list(reversed(state.notes)))
            elif self.command == "POST" and path == notes_path:
                state.notes.append({"id": len(state.notes) + 100, "body": sent["body"]})
                self._reply(201, state.notes[-1])
            elif self.command == "PUT" and path.startswith(notes_path + "/"):
                note = next(n for n in state.notes if n["id"] == int(path.rsplit("/", 1)[1]))
                note["body"] = sent["body"]
                self._reply(200, note)
            else:
                self._reply(404, {"message": "404 Not Found"})

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- the tests ----------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A user repository: the single-tenant Xero example as halo/."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "halo")
    return repo


def _edit(repo: Path) -> None:
    path = repo / "halo" / "halo.yaml"
    text = path.read_text(encoding="utf-8")
    assert "default_item_code: SERVICES\n" in text
    path.write_text(text.replace("default_item_code: SERVICES\n", "default_item_code: CONSULT\n"))


def _no_canary(canary: str, *texts: str, repo: Path) -> None:
    for text in texts:
        assert canary not in text
    for path in repo.rglob("*"):
        if path.is_file():
            assert canary not in path.read_text(encoding="utf-8", errors="replace"), path


def _halo_env(shell_env: dict[str, str], handle: SandboxHandle, canary: str) -> dict[str, str]:
    """A CI job's environment: the sandbox's URL and credentials, the canary as the secret."""
    return dict(
        shell_env,
        HALO_URL=handle.url,
        HALO_CLIENT_ID=handle.client_id,
        HALO_CLIENT_SECRET=handle.client_secret,
        XERO_CLIENT_SECRET=canary,
    )


def _github_store(handle: SandboxHandle, canary: str) -> Store:
    return Store(
        variables={"HALO_URL": handle.url, "HALO_CLIENT_ID": handle.client_id},
        secrets={"HALO_CLIENT_SECRET": handle.client_secret, "XERO_CLIENT_SECRET": canary},
    )


def test_github_plan_apply_drift_round_trip(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    runner: Runner,
) -> None:
    store = _github_store(sandbox_seeded, canary)

    plan = run_github_job("halo-plan.yml", checkout, shell_env, store=store, runner=runner)
    assert plan.code("Validate") == 0, plan.steps
    assert plan.code("Plan") == 0, plan.steps
    assert plan.outputs["plan"]["exitcode"] == "2"
    assert plan.outputs["summary"]["changes"] == "true"
    digest = plan.outputs["summary"]["digest"]
    assert DIGEST.match(digest)
    saved = Path(plan.outputs["plan"]["json"])
    assert json.loads(saved.read_text())["digest"] == digest
    assert plan.code("Job summary") == 0
    assert plan.steps["Fail on a plan error"] is None
    markdown = Path(plan.outputs["plan"]["markdown"]).read_text()
    assert markdown.startswith("**Plan:** ")
    assert plan.summary == f"{markdown}\nPlan digest: `{digest}`\n"
    assert Path(plan.outputs["summary"]["body"]).read_text() == plan.summary

    # The merge: a fresh checkout of main, with the plan artifact of the pull request.
    merged = checkout.parent / "main"
    shutil.copytree(checkout / "halo", merged / "halo")
    (merged / "reviewed").mkdir()
    for artifact in (plan.outputs["plan"]["json"], plan.outputs["plan"]["markdown"]):
        shutil.copy(artifact, merged / "reviewed")
    reviewed = {"reviewed": {"pr": "7", "run_id": "4242"}}
    apply = run_github_job(
        "halo-apply.yml", merged, shell_env, store=store, runner=runner, action_outputs=reviewed
    )
    assert apply.code("Apply") == 0, apply.steps
    assert apply.code("Apply report") == 0, apply.steps
    assert apply.code("Check that HaloPSA matches main") == 0, apply.steps
    assert apply.summary.startswith(
        f"### Applied the plan reviewed on #7\n\nPlan digest: `{digest}`\n\n```text\n"
    )
    assert "### Plan of main after apply" in apply.summary

    # Re-running that apply job later: the reviewed plan is stale now and is refused.
    rerun = run_github_job(
        "halo-apply.yml", merged, shell_env, store=store, runner=runner, action_outputs=reviewed
    )
    assert rerun.code("Apply") == 1
    assert rerun.code("Apply report") == 1
    assert rerun.steps["Check that HaloPSA matches main"] is None
    assert rerun.summary.startswith("### Apply of the plan reviewed on #7 failed (exit 1)\n")
    stale = rerun.steps["Apply"]
    assert stale is not None
    assert "Error: the saved plan is stale: these records changed" in stale.stderr
    assert "::error title=halo-reconciler apply::" in stale.stdout

    drift = run_github_job("halo-drift.yml", merged, shell_env, store=store, runner=runner)
    assert drift.code("Drift") == 0, drift.steps
    assert drift.code("Drift report") == 0, drift.steps
    assert drift.summary.startswith("### No drift: HaloPSA matches main\n")

    _edit(merged)
    drift = run_github_job("halo-drift.yml", merged, shell_env, store=store, runner=runner)
    assert drift.code("Drift") == 0, drift.steps  # 2 is the action's output, not a failure
    assert drift.outputs["drift"]["exitcode"] == "2"
    assert drift.code("Drift report") == 2, drift.steps
    assert drift.summary.startswith("### Drift: HaloPSA differs from main\n")
    assert "Drift detected: 1 record differs" in drift.summary
    result = drift.steps["Drift report"]
    assert result is not None
    assert "::error title=HaloPSA drift::" in result.stdout

    everything = [plan.summary, apply.summary, drift.summary]
    for job in (plan, apply, drift):
        everything += [f"{r.stdout}{r.stderr}" for r in job.steps.values() if r is not None]
    _no_canary(canary, *everything, repo=checkout.parent)
    _no_canary(canary, repo=runner.temp)


def test_github_plan_annotates_an_invalid_configuration_and_fails(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    runner: Runner,
) -> None:
    path = checkout / "halo" / "halo.yaml"
    path.write_text(path.read_text().replace("enablesync: true", "enablesync: yes please"))
    store = _github_store(sandbox_seeded, canary)
    plan = run_github_job("halo-plan.yml", checkout, shell_env, store=store, runner=runner)
    assert plan.code("Validate") == 1
    validate = plan.steps["Validate"]
    assert validate is not None
    assert re.search(
        r"^::error file=halo/halo\.yaml,line=\d+,col=\d+::xero\[0\]\.enablesync: ",
        validate.stdout,
        re.M,
    ), validate.stdout
    assert plan.steps["Plan"] is None
    assert plan.outputs["summary"]["changes"] == "error"
    assert plan.code("Fail on a plan error") == 1
    assert plan.summary.startswith("### halo-reconciler plan failed\n```text\nfile=halo/halo.yaml,")
    assert "enablesync" in plan.summary
    assert plan.steps["Save the plan"] is None


def test_gitlab_plan_note_then_apply_with_the_reviewed_digest_then_drift(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    fake_gitlab: FakeGitLab,
) -> None:
    env = dict(
        _halo_env(shell_env, sandbox_seeded, canary),
        CI_API_V4_URL=fake_gitlab.url,
        HALO_GITLAB_TOKEN=fake_gitlab.token,
    )
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7"}

    plan = run_gitlab_job("halo-plan.yml", checkout, env, **mr)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert (checkout / "plan.exitcode").read_text() == "2\n"
    digest = json.loads((checkout / "plan.json").read_text())["digest"]
    assert f"Plan digest: {digest}\n" in plan.stdout
    (note,) = fake_gitlab.notes
    assert note["body"].startswith("<!-- halo-reconciler-plan -->\n### halo-reconciler plan for")
    assert f"Plan digest: `{digest}`" in note["body"]

    # A second push updates the one note in place.
    plan = run_gitlab_job("halo-plan.yml", checkout, env, **mr)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert len(fake_gitlab.notes) == 1
    assert fake_gitlab.requests[-1] == f"PUT /api/v4/projects/42/merge_requests/7/notes/{100}"

    merged = checkout.parent / "main"
    shutil.copytree(checkout / "halo", merged / "halo")
    push = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}

    # A digest that is not the fresh plan's: nothing is applied, exit 1.
    refused = run_gitlab_job("halo-apply.yml", merged, env, **push, HALO_PLAN_DIGEST="0" * 64)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    drift = run_gitlab_job("halo-drift.yml", merged, env, CI_PIPELINE_SOURCE="schedule")
    assert drift.returncode == 2, drift.stdout + drift.stderr

    # The digest looked up from the merge request's note: applied.
    apply = run_gitlab_job("halo-apply.yml", merged, env, **push)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    assert f"Applying main if its plan has the reviewed digest {digest}\n" in apply.stdout
    assert (merged / "apply.txt").read_text().strip()

    drift = run_gitlab_job(
        "halo-drift.yml", merged, env, CI_PIPELINE_SOURCE="schedule", CI_COMMIT_BRANCH="main"
    )
    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert drift.stdout.startswith("No drift: HaloPSA matches main\n")

    _edit(merged)
    drift = run_gitlab_job(
        "halo-drift.yml", merged, env, CI_PIPELINE_SOURCE="schedule", CI_COMMIT_BRANCH="main"
    )
    assert drift.returncode == 2, drift.stdout + drift.stderr
    assert drift.stdout.startswith("Drift: HaloPSA differs from main\n")
    assert (merged / "drift.md").read_text().strip()

    outputs = [p.stdout + p.stderr for p in (plan, refused, apply, drift)]
    _no_canary(canary, *outputs, *(n["body"] for n in fake_gitlab.notes), repo=checkout.parent)


def test_gitlab_apply_without_a_reviewed_plan_note_fails(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    fake_gitlab: FakeGitLab,
) -> None:
    env = dict(
        shell_env,
        HALO_URL=sandbox_seeded.url,
        CI_API_V4_URL=fake_gitlab.url,
        HALO_GITLAB_TOKEN=fake_gitlab.token,
    )
    apply = run_gitlab_job("halo-apply.yml", checkout, env, CI_PIPELINE_SOURCE="push")
    assert apply.returncode == 1
    assert apply.stderr.strip().endswith(
        "merge request !7 has no halo-reconciler plan note with a digest"
    )
    assert not (checkout / "apply.txt").exists()


def test_gitlab_before_script_installs_the_tool_from_its_pinned_source(
    checkout: Path, runner: Runner
) -> None:
    """The `.halo` before_script, run for real with the source pointed at this checkout
    (offline), into a runner's Python where the tool was not importable before."""
    top = yaml.safe_load((GITLAB / "gitlab-ci.yml").read_text(encoding="utf-8"))
    version = _pyproject_version()
    pinned = top["variables"]["HALO_RECONCILER_SOURCE"]
    assert pinned == (
        "halo-reconciler @ https://github.com/OWNER/halo-reconciler/archive/refs/tags/"
        f"v{version}.tar.gz"
    )
    bin_dir = checkout.parent / "gitlab-bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(runner.python)
    env = offline_pip_env(os.environ)
    env.update(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", HALO_RECONCILER_SOURCE=str(ROOT))
    lines = [*top[".halo"]["before_script"], "python -m reconciler --version"]
    script = checkout.parent / "before_script.sh"
    result = run_script("\n".join(lines), script, checkout, env, "-e")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith(f"halo-reconciler, version {version}\n")


def _pyproject_version() -> str:
    found = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert found
    return found.group(1)


def test_the_action_splits_arguments_like_a_shell_and_never_runs_them(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    runner: Runner,
) -> None:
    env = _halo_env(shell_env, sandbox_seeded, canary)
    # A directory of the user's repository named like the package is not what runs.
    (checkout / "reconciler").mkdir()
    (checkout / "reconciler" / "__init__.py").write_text("raise SystemExit('impostor')\n")
    inputs = {
        "command": "plan",
        "paths": "halo",
        "args": "--target 'xero/Acme NZ' --detailed-exitcode $(touch pwned) `touch pwned`",
    }
    result, outputs = run_action(inputs, checkout, env, runner)
    assert result.code == 1  # the extra words reach plan as words: paths that do not exist
    assert "$(touch: no such file or directory\n`touch: no such file or directory" in (
        result.stderr
    )
    assert not (checkout / "pwned").exists()
    assert outputs["exitcode"] == "1"
    assert outputs["markdown"] == outputs["json"] == ""

    inputs["args"] = "--target 'xero/Acme NZ' --detailed-exitcode"
    result, outputs = run_action(inputs, checkout, env, runner)
    assert (result.code, outputs["exitcode"]) == (0, "2"), result.stderr
    plan = json.loads(Path(outputs["json"]).read_text())
    assert plan["targets"] == ["xero/Acme NZ"]
    assert Path(outputs["markdown"]).read_text().startswith("**Plan:** ")
    assert Path(outputs["stdout"]).read_text() in result.stdout  # the text plan, in the log
    assert "impostor" not in result.stdout + result.stderr
    assert canary not in result.stdout + result.stderr


def _refuse(repo: Path) -> None:
    """Ask to delete the connection the example protects with prevent_destroy."""
    path = repo / "halo" / "halo.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - name: Acme NZ\n", "  - name: Acme NZ\n    ensure: absent\n"))


REFUSAL = "xero/Acme NZ: lifecycle.prevent\\_destroy is set, but the plan deletes it"


def test_github_plan_fails_on_a_refused_plan_and_shows_it(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    runner: Runner,
) -> None:
    _refuse(checkout)
    store = _github_store(sandbox_seeded, canary)
    plan = run_github_job("halo-plan.yml", checkout, shell_env, store=store, runner=runner)
    assert plan.outputs["plan"]["exitcode"] == "1"
    assert plan.outputs["plan"]["json"] == ""  # a refused plan is not saved
    assert plan.outputs["summary"]["changes"] == "error"
    assert plan.code("Fail on a plan error") == 1  # the pull request goes red
    assert plan.summary.startswith(
        "### halo-reconciler plan refused: apply would not run it\n\n**Plan:** 0 to create, "
        "0 to update, 1 to delete · 2 unmanaged\n"
    )
    assert f"> - {REFUSAL}" in plan.summary
    assert "- `xero/Acme NZ` (id 1): _ensure: absent_" in plan.summary  # deletions named
    assert "Error: apply refused:" in plan.summary
    assert plan.steps["Save the plan"] is None
    _no_canary(canary, plan.summary, repo=checkout.parent)


def test_gitlab_plan_fails_on_a_refused_plan_and_notes_it(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    fake_gitlab: FakeGitLab,
) -> None:
    _refuse(checkout)
    env = dict(
        _halo_env(shell_env, sandbox_seeded, canary),
        CI_API_V4_URL=fake_gitlab.url,
        HALO_GITLAB_TOKEN=fake_gitlab.token,
    )
    mr = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7"}
    plan = run_gitlab_job("halo-plan.yml", checkout, env, **mr)
    assert plan.returncode == 1, plan.stdout + plan.stderr  # the merge request goes red
    assert (checkout / "plan.exitcode").read_text() == "1\n"
    assert "The plan is refused: apply would not run it.\n**Plan:**" in plan.stdout
    (note,) = fake_gitlab.notes
    assert note["body"].startswith(
        "<!-- halo-reconciler-plan -->\n### halo-reconciler plan refused for"
    )
    assert REFUSAL in note["body"] and "Error: apply refused:" in note["body"]
    _no_canary(canary, plan.stdout, plan.stderr, note["body"], repo=checkout.parent)
