"""The CI pipelines run end to end against the sandbox: plan → saved plan → apply → drift.

A small runner executes the workflows' own shell steps (GitHub `run:` steps with
`bash -e`, GitLab `script:` with `bash -e -o pipefail`) in a temporary checkout whose
halo/ is an example configuration, with HALO_* pointing at a seeded sandbox on a
loopback port. Steps that call other actions (checkout, artifacts, github-script) and
the install step are stood in for by the test: it copies the plan artifact and gives
the outputs github-script would set. GitLab's API is a small fake on loopback, so the
merge-request note and the digest lookup run for real. The canary secret is set for
every secret and must not appear in any output or file the pipelines write.
"""

from __future__ import annotations

import json
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

from reconciler.sandbox import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "examples" / "github"
GITLAB = ROOT / "examples" / "gitlab"
EXAMPLE = ROOT / "examples" / "xero-single"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONDITION = re.compile(r"^steps\.(\w+)\.outputs\.(\w+) (==|!=) '([^']*)'$")
DIGEST = re.compile(r"^[0-9a-f]{64}$")


# --- a runner for GitHub workflow steps ---------------------------------------------


@dataclass
class StepResult:
    code: int
    stdout: str
    stderr: str


@dataclass
class JobRun:
    steps: dict[str, StepResult | None] = field(default_factory=dict)  # None: not run
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""

    def code(self, name: str) -> int | None:
        result = self.steps[name]
        return None if result is None else result.code


@dataclass(frozen=True)
class Store:
    """The repository's Actions variables and secrets."""

    variables: dict[str, str]
    secrets: dict[str, str]


def _evaluate(text: str, context: Mapping[str, Any]) -> str:
    """Replace the ${{ }} forms the kit uses; any other expression fails the test."""

    def one(found: re.Match[str]) -> str:
        parts = found.group(1).split(".")
        if parts[0] in ("vars", "secrets") and len(parts) == 2:
            return str(context[parts[0]].get(parts[1], ""))
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return str(context["steps"].get(parts[1], {}).get(parts[3], ""))
        if found.group(1) == "github.token":
            return "github-token"
        raise AssertionError(f"the test runner does not know the expression {found.group(0)}")

    return EXPRESSION.sub(one, text)


def _condition(text: str, context: Mapping[str, Any]) -> bool:
    found = CONDITION.match(text)
    assert found, f"the test runner does not know the condition {text!r}"
    step, output, operator, literal = found.groups()
    value = str(context["steps"].get(step, {}).get(output, ""))
    return (value == literal) if operator == "==" else (value != literal)


def run_github_job(
    name: str,
    workdir: Path,
    env: Mapping[str, str],
    *,
    store: Store,
    action_outputs: Mapping[str, dict[str, str]] | None = None,
) -> JobRun:
    """Run the `run:` steps of the workflow's one job as GitHub would, in order."""
    workflow = yaml.safe_load((GITHUB / name).read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    run = JobRun()
    context: dict[str, Any] = {
        "vars": store.variables,
        "secrets": store.secrets,
        "steps": run.outputs,
    }
    base = dict(env)
    for scope in (workflow.get("env", {}), job.get("env", {})):
        base.update({k: _evaluate(str(v), context) for k, v in scope.items()})
    summary = workdir.parent / f"{workdir.name}-summary.md"
    summary.write_text("")
    failed = False
    for index, step in enumerate(job["steps"]):
        label = step.get("name", step.get("uses", f"step {index}"))
        wanted = not failed and ("if" not in step or _condition(step["if"], context))
        if not wanted:
            run.steps[label] = None
            continue
        if "uses" in step or step.get("id") == "install":
            if "id" in step:
                run.outputs[step["id"]] = dict((action_outputs or {}).get(step["id"], {}))
            continue
        output = workdir.parent / f"{workdir.name}-output-{index}"
        output.write_text("")
        step_env = dict(base)
        step_env.update({k: _evaluate(str(v), context) for k, v in step.get("env", {}).items()})
        step_env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary))
        script = workdir.parent / f"{workdir.name}-step-{index}.sh"
        script.write_text(step["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", str(script)],
            cwd=workdir,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        run.steps[label] = StepResult(proc.returncode, proc.stdout, proc.stderr)
        if "id" in step:
            pairs = (line.split("=", 1) for line in output.read_text().splitlines() if line)
            run.outputs[step["id"]] = dict(pairs)
        failed = proc.returncode != 0
    run.summary = summary.read_text()
    return run


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
    script.write_text("\n".join(job["script"]) + "\n")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(script)],
        cwd=workdir,
        env=job_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


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


def _github_store(handle: SandboxHandle, canary: str) -> Store:
    return Store(
        variables={"HALO_URL": handle.url, "HALO_CLIENT_ID": handle.client_id},
        secrets={"HALO_CLIENT_SECRET": handle.client_secret, "XERO_CLIENT_SECRET": canary},
    )


def test_github_plan_apply_drift_round_trip(
    checkout: Path, shell_env: dict[str, str], sandbox_seeded: SandboxHandle, canary: str
) -> None:
    store = _github_store(sandbox_seeded, canary)

    plan = run_github_job("halo-plan.yml", checkout, shell_env, store=store)
    assert plan.code("Validate and plan") == 0, plan.steps
    assert plan.outputs["plan"]["exitcode"] == "2"
    assert plan.outputs["plan"]["changes"] == "true"
    digest = plan.outputs["plan"]["digest"]
    assert DIGEST.match(digest)
    assert json.loads((checkout / "plan.json").read_text())["digest"] == digest
    assert plan.code("Job summary") == 0
    assert plan.steps["Fail on a plan error"] is None
    markdown = (checkout / "plan.md").read_text()
    assert markdown.strip()
    assert plan.summary == f"{markdown}\nPlan digest: `{digest}`\n"

    # The merge: a fresh checkout of main, with the plan artifact of the pull request.
    merged = checkout.parent / "main"
    shutil.copytree(checkout / "halo", merged / "halo")
    (merged / "reviewed").mkdir()
    for artifact in ("plan.json", "plan.md"):
        shutil.copy(checkout / artifact, merged / "reviewed" / artifact)
    reviewed = {"reviewed": {"pr": "7", "run_id": "4242"}}
    apply = run_github_job(
        "halo-apply.yml", merged, shell_env, store=store, action_outputs=reviewed
    )
    assert apply.code("Apply") == 0, apply.steps
    assert apply.code("Check that HaloPSA matches main") == 0, apply.steps
    assert apply.summary.startswith(
        f"### Applied the plan reviewed on #7\n\nPlan digest: `{digest}`\n\n```text\n"
    )
    assert "### Plan of main after apply" in apply.summary

    # Re-running that apply job later: the reviewed plan is stale now and is refused.
    rerun = run_github_job(
        "halo-apply.yml", merged, shell_env, store=store, action_outputs=reviewed
    )
    assert rerun.code("Apply") == 1
    assert rerun.steps["Check that HaloPSA matches main"] is None
    assert rerun.summary.startswith("### Apply of the plan reviewed on #7 failed (exit 1)\n")
    stale = rerun.steps["Apply"]
    assert stale is not None
    assert stale.stderr.startswith("Error: the saved plan is stale: these records changed")

    drift = run_github_job("halo-drift.yml", merged, shell_env, store=store)
    assert drift.code("Drift") == 0, drift.steps
    assert drift.summary.startswith("### No drift: HaloPSA matches main\n")

    _edit(merged)
    drift = run_github_job("halo-drift.yml", merged, shell_env, store=store)
    assert drift.code("Drift") == 2, drift.steps
    assert drift.summary.startswith("### Drift: HaloPSA differs from main\n")
    result = drift.steps["Drift"]
    assert result is not None
    assert "::error title=HaloPSA drift::" in result.stdout

    everything = [plan.summary, apply.summary, drift.summary]
    for job in (plan, apply, drift):
        everything += [f"{r.stdout}{r.stderr}" for r in job.steps.values() if r is not None]
    _no_canary(canary, *everything, repo=checkout.parent)


def test_github_plan_reports_an_invalid_configuration_and_fails(
    checkout: Path, shell_env: dict[str, str], sandbox_seeded: SandboxHandle, canary: str
) -> None:
    path = checkout / "halo" / "halo.yaml"
    path.write_text(path.read_text().replace("enablesync: true", "enablesync: yes please"))
    plan = run_github_job(
        "halo-plan.yml", checkout, shell_env, store=_github_store(sandbox_seeded, canary)
    )
    assert plan.code("Validate and plan") == 0
    assert plan.outputs["plan"] == {"exitcode": "1", "changes": "error"}
    assert plan.code("Fail on a plan error") == 1
    assert plan.summary.startswith("### halo-reconciler plan failed\n```text\n")
    assert "halo/halo.yaml:" in plan.summary and "enablesync" in plan.summary
    assert plan.steps["Save the plan"] is None


def test_gitlab_plan_note_then_apply_with_the_reviewed_digest_then_drift(
    checkout: Path,
    shell_env: dict[str, str],
    sandbox_seeded: SandboxHandle,
    canary: str,
    fake_gitlab: FakeGitLab,
) -> None:
    env = dict(
        shell_env,
        HALO_URL=sandbox_seeded.url,
        HALO_CLIENT_ID=sandbox_seeded.client_id,
        HALO_CLIENT_SECRET=sandbox_seeded.client_secret,
        XERO_CLIENT_SECRET=canary,
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


def _refuse(repo: Path) -> None:
    """Ask to delete the connection the example protects with prevent_destroy."""
    path = repo / "halo" / "halo.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - name: Acme NZ\n", "  - name: Acme NZ\n    ensure: absent\n"))


REFUSAL = "xero/Acme NZ: lifecycle.prevent\\_destroy is set, but the plan deletes it"


def test_github_plan_fails_on_a_refused_plan_and_shows_it(
    checkout: Path, shell_env: dict[str, str], sandbox_seeded: SandboxHandle, canary: str
) -> None:
    _refuse(checkout)
    plan = run_github_job(
        "halo-plan.yml", checkout, shell_env, store=_github_store(sandbox_seeded, canary)
    )
    assert plan.outputs["plan"] == {"exitcode": "1", "changes": "error"}
    assert plan.code("Fail on a plan error") == 1  # the pull request goes red
    assert plan.summary.startswith(
        "### halo-reconciler plan refused: apply would not run it\n\n**Plan:** 0 to create, "
        "0 to update, 1 to delete · 2 unmanaged\n"
    )
    assert f"> - {REFUSAL}" in plan.summary
    assert "- `xero/Acme NZ` (id 1): _ensure: absent_" in plan.summary  # deletions named
    assert "Error: apply refused:" in plan.summary
    assert plan.steps["Save the plan"] is None
    assert not (checkout / "plan.json").exists()
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
        shell_env,
        HALO_URL=sandbox_seeded.url,
        HALO_CLIENT_ID=sandbox_seeded.client_id,
        HALO_CLIENT_SECRET=sandbox_seeded.client_secret,
        XERO_CLIENT_SECRET=canary,
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
