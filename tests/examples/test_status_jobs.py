"""The scheduled status jobs (GitHub and GitLab) run against the sandbox: they pass when
every connection is healthy, fail with exit 2 and the Markdown report when one is not."""

from __future__ import annotations

from pathlib import Path

import yaml

from examples.actions_runner import GITHUB, Runner, Store, run_github_job
from reconciler.sandbox import SandboxHandle

from .test_ci_run import GITLAB, _no_canary, run_gitlab_job

STEP = "Health report"


def _store(h: SandboxHandle) -> Store:
    return Store(
        variables={"HALO_URL": h.url, "HALO_CLIENT_ID": h.client_id},
        secrets={"HALO_CLIENT_SECRET": h.client_secret},
    )


def _heal(h: SandboxHandle) -> None:
    """The bundled seed minus what needs attention: the old tenant and the sync errors."""
    h.store.delete("xero", 3)
    h.store.set_integration_errors([])


def test_github_status_is_scheduled_and_needs_no_checkout() -> None:
    workflow = yaml.safe_load((GITHUB / "halo-status.yml").read_text(encoding="utf-8"))
    assert "schedule" in workflow[True] and "workflow_dispatch" in workflow[True]
    (job,) = workflow["jobs"].values()
    assert not any(s.get("uses", "").startswith("actions/checkout") for s in job["steps"])
    assert workflow["env"]["HALO_CLIENT_SECRET"] == "${{ secrets.HALO_CLIENT_SECRET }}"


def test_github_status_fails_with_the_report_in_the_job_summary(
    tmp_path: Path,
    shell_env: dict[str, str],
    sandbox_seeded_env: SandboxHandle,
    canary: str,
    runner: Runner,
) -> None:
    h = sandbox_seeded_env
    run = run_github_job("halo-status.yml", tmp_path, shell_env, store=_store(h), runner=runner)
    assert run.code("Connection health") == 0  # exit 2 is the action's output, not a failure
    assert run.outputs["status"]["exitcode"] == "2"
    result = run.steps[STEP]
    assert result is not None and result.code == 2, result
    assert run.summary.startswith("**Connection health:** ")
    assert "`xero/Old tenant` (id 3)" in run.summary
    assert "::error title=HaloPSA connections::" in result.stdout
    _no_canary(canary, run.summary, result.stdout, result.stderr, repo=tmp_path)

    _heal(h)
    run = run_github_job("halo-status.yml", tmp_path, shell_env, store=_store(h), runner=runner)
    assert run.code(STEP) == 0
    assert "all healthy" in run.summary


def test_gitlab_status_runs_on_schedules_and_fails_on_attention(
    tmp_path: Path, shell_env: dict[str, str], sandbox_seeded_env: SandboxHandle, canary: str
) -> None:
    doc = yaml.safe_load((GITLAB / "halo-status.yml").read_text(encoding="utf-8"))
    assert doc["halo:status"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert doc["halo:status"]["needs"] == []
    h = sandbox_seeded_env
    env = dict(shell_env, HALO_URL=h.url, HALO_CLIENT_ID=h.client_id)
    env["HALO_CLIENT_SECRET"] = h.client_secret
    proc = run_gitlab_job("halo-status.yml", tmp_path, env)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout.startswith("HaloPSA connections: attention needed")
    assert (tmp_path / "status.md").read_text().startswith("**Connection health:** ")
    _no_canary(canary, proc.stdout, proc.stderr, repo=tmp_path)

    _heal(h)
    proc = run_gitlab_job("halo-status.yml", tmp_path, env)
    assert proc.returncode == 0, proc.stderr
