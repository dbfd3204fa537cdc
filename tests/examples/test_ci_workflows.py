"""The CI pipelines of the GitOps kit: lint-clean, wired as documented, real flags only.

GitHub workflows, the repository's action.yml and GitLab CI files are checked with
check-jsonschema's vendored schemas (no download), then parsed to assert their triggers,
the one-at-a-time apply (concurrency group / resource_group), and the exact
halo-reconciler commands they run. Every invocation — in a script, in action.yml, or as
the `command` and `args` a workflow gives the action — must use a command and options
the CLI really has. The embedded github-script and Python snippets must at least compile.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from reconciler.cli.main import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "examples" / "github"
ACTION = ROOT / "action.yml"
THIS_ACTION = "OWNER/halo-reconciler@v0.1.0"
GITLAB = ROOT / "examples" / "gitlab"
GITHUB_FILES = ("halo-apply.yml", "halo-drift.yml", "halo-plan.yml")
GITLAB_FILES = ("gitlab-ci.yml", "halo-apply.yml", "halo-drift.yml", "halo-plan.yml")
STATUS = "halo-status.yml"  # needs no configuration: tested in test_status_jobs.py
HEREDOC_PY = re.compile(r"python - <<'PY'\n(.*?)\nPY\n", re.S)


def _load(path: Path) -> dict[Any, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict)
    return on


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _github_runs(name: str) -> str:
    return "\n".join(s["run"] for s in _steps(_load(GITHUB / name)) if "run" in s)


def _action_uses(name: str) -> dict[str, dict[str, Any]]:
    """The steps of a workflow that use this repository's action, by id."""
    return {s["id"]: s for s in _steps(_load(GITHUB / name)) if s.get("uses") == THIS_ACTION}


def _gitlab_job(name: str) -> dict[str, Any]:
    doc = _load(GITLAB / name)
    (job,) = (v for k, v in doc.items() if k.startswith("halo:"))
    assert isinstance(job, dict)
    return job


def _gitlab_script(name: str) -> str:
    return "\n".join(_gitlab_job(name)["script"])


def _one_line(script: str) -> str:
    return script.replace("\\\n", " ")


def _check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_kit_has_exactly_these_files() -> None:
    assert sorted(p.name for p in GITHUB.iterdir()) == sorted((*GITHUB_FILES, STATUS))
    assert sorted(p.name for p in GITLAB.iterdir()) == sorted((*GITLAB_FILES, STATUS))


def test_github_workflows_pass_the_vendored_workflow_schema() -> None:
    files = [GITHUB / n for n in (*GITHUB_FILES, STATUS)]
    result = _check_jsonschema("vendor.github-workflows", files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_gitlab_files_pass_the_vendored_gitlab_ci_schema() -> None:
    result = _check_jsonschema("vendor.gitlab-ci", [GITLAB / n for n in (*GITLAB_FILES, STATUS)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_action_passes_the_vendored_action_schema() -> None:
    result = _check_jsonschema("vendor.github-actions", [ACTION])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_action_has_the_inputs_and_outputs_the_readme_names() -> None:
    action = _load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"command", "paths", "args", "python-version"}
    assert action["inputs"]["command"]["required"] is True
    assert set(action["outputs"]) == {"exitcode", "markdown", "json", "stdout", "stderr"}
    # Installed from the action's own checkout, never from a registry.
    installs = [s["run"] for s in action["runs"]["steps"] if "pip install" in s.get("run", "")]
    assert len(installs) == 1
    assert '"$GITHUB_ACTION_PATH"' in installs[0]
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("id")  # inputs arrive through env


def test_no_pipeline_installs_an_unpublished_version() -> None:
    for path in [*GITHUB.iterdir(), *GITLAB.iterdir(), ACTION]:
        text = path.read_text(encoding="utf-8")
        assert "halo-reconciler~=" not in text, path
        assert "halo-reconciler==" not in text, path


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps: 3\n")
    assert _check_jsonschema("vendor.github-workflows", [broken]).returncode == 1


# --- GitHub Actions -----------------------------------------------------------------


def test_github_plan_runs_on_pull_requests_and_comments_the_plan() -> None:
    workflow = _load(GITHUB / "halo-plan.yml")
    assert "pull_request" in _triggers(workflow)
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    uses = _action_uses("halo-plan.yml")
    assert uses["validate"]["with"] == {
        "command": "validate",
        "paths": "${{ env.HALO_CONFIG }}",
        "args": "--format github",
    }
    assert uses["plan"]["with"] == {
        "command": "plan",
        "paths": "${{ env.HALO_CONFIG }}",
        "args": "--detailed-exitcode",
    }
    assert uses["plan"]["if"] == "steps.validate.outputs.exitcode == '0'"
    assert uses["validate"]["continue-on-error"] is uses["plan"]["continue-on-error"] is True
    runs = _github_runs("halo-plan.yml")
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs
    assert '["digest"]' in runs
    steps = _steps(workflow)
    (upload,) = (s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "halo-plan"
    assert "${{ steps.plan.outputs.json }}" in upload["with"]["path"]
    (comment,) = (s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    script = comment["with"]["script"]
    assert "<!-- halo-reconciler-plan -->" in script
    assert "updateComment" in script and "createComment" in script
    assert comment["env"]["BODY"] == "${{ steps.summary.outputs.body }}"


def test_github_apply_runs_once_at_a_time_on_merge_and_applies_the_saved_plan() -> None:
    workflow = _load(GITHUB / "halo-apply.yml")
    assert _triggers(workflow)["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "halo-apply", "cancel-in-progress": False}
    steps = _steps(workflow)
    (download,) = (s for s in steps if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["name"] == "halo-plan"
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run_id }}"
    uses = _action_uses("halo-apply.yml")
    assert uses["apply"]["with"] == {"command": "apply", "paths": "reviewed/plan.json"}
    assert uses["after"]["with"] == {
        "command": "plan",
        "paths": "${{ env.HALO_CONFIG }}",
        "args": "--detailed-exitcode",
    }
    runs = _github_runs("halo-apply.yml")
    assert 'exit "$CODE"' in runs
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs


def test_github_drift_runs_on_a_schedule_and_fails_on_drift() -> None:
    workflow = _load(GITHUB / "halo-drift.yml")
    triggers = _triggers(workflow)
    assert triggers["schedule"] == [{"cron": "17 6 * * 1-5"}]
    assert "workflow_dispatch" in triggers
    assert workflow["concurrency"]["group"] != "halo-apply"
    uses = _action_uses("halo-drift.yml")
    assert uses["drift"]["with"] == {"command": "drift", "paths": "${{ env.HALO_CONFIG }}"}
    runs = _github_runs("halo-drift.yml")
    assert 'exit "$CODE"' in runs
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs


def test_github_workflows_install_nothing_themselves() -> None:
    for name in (*GITHUB_FILES, STATUS):
        for step in _steps(_load(GITHUB / name)):
            assert "pip install" not in step.get("run", ""), name
            assert not step.get("uses", "").startswith("actions/setup-python@"), name


@pytest.mark.parametrize("name", GITHUB_FILES)
def test_github_secrets_come_from_the_secret_store_and_scripts_hold_no_expressions(
    name: str,
) -> None:
    workflow = _load(GITHUB / name)
    env = workflow["env"]
    assert env["HALO_CLIENT_SECRET"] == "${{ secrets.HALO_CLIENT_SECRET }}"
    assert env["XERO_CLIENT_SECRET"] == "${{ secrets.XERO_CLIENT_SECRET }}"
    for variable in ("HALO_URL", "HALO_CLIENT_ID", "HALO_TENANT"):
        assert env[variable] == "${{ vars." + variable + " }}"
    # Inputs reach scripts through env only: no template injection, and runnable locally.
    for step in _steps(workflow):
        assert "${{" not in step.get("run", ""), step.get("name")


def test_github_script_snippets_are_valid_javascript(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the github-script snippets were not compiled")
    for name in GITHUB_FILES:
        for step in _steps(_load(GITHUB / name)):
            if step.get("uses", "").startswith("actions/github-script@"):
                # github-script runs the text as the body of an async function.
                source = tmp_path / "snippet.js"
                source.write_text(f"(async function () {{\n{step['with']['script']}\n}})();\n")
                result = subprocess.run(
                    [node, "--check", str(source)], capture_output=True, text=True, check=False
                )
                assert result.returncode == 0, f"{name}: {step['name']}: {result.stderr}"


# --- GitLab CI ----------------------------------------------------------------------


def test_gitlab_pipeline_includes_the_three_jobs_and_installs_the_tool() -> None:
    top = _load(GITLAB / "gitlab-ci.yml")
    jobs = ("halo-plan.yml", "halo-apply.yml", "halo-drift.yml", STATUS)
    assert top["include"] == [{"local": f".gitlab/{n}"} for n in jobs]
    sources = [rule["if"] for rule in top["workflow"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in sources
    assert '$CI_PIPELINE_SOURCE == "schedule"' in sources
    assert top["variables"]["HALO_CONFIG"] == "halo"
    assert not {"HALO_CLIENT_SECRET", "HALO_URL"} & set(top["variables"])  # CI/CD settings
    assert top[".halo"]["before_script"] == ['python -m pip install "$HALO_RECONCILER_SOURCE"']


def test_gitlab_plan_runs_on_merge_requests_and_keeps_the_plan() -> None:
    job = _gitlab_job("halo-plan.yml")
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    script = re.sub(r" +", " ", _one_line(_gitlab_script("halo-plan.yml")))
    assert 'halo-reconciler validate "$HALO_CONFIG"' in script
    assert (
        'halo-reconciler plan "$HALO_CONFIG" --out plan.json --format markdown '
        "--detailed-exitcode > plan.md" in script
    )
    assert "Plan digest: `" in script
    assert {"plan.json", "plan.md"} <= set(job["artifacts"]["paths"])
    assert job["artifacts"]["expose_as"] == "halo plan"


def test_gitlab_apply_runs_one_at_a_time_with_the_reviewed_digest() -> None:
    job = _gitlab_job("halo-apply.yml")
    assert job["resource_group"] == "halo-production"
    assert job["rules"][0]["if"].startswith("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
    script = _gitlab_script("halo-apply.yml")
    assert (
        'halo-reconciler apply "$HALO_CONFIG" --auto-approve --expect-digest "$HALO_PLAN_DIGEST"'
        in script
    )
    # The digest is read back with the pattern the plan job writes it in.
    assert r"Plan digest: `([0-9a-f]{64})`" in script


def test_gitlab_drift_runs_on_schedules_and_fails_on_drift() -> None:
    job = _gitlab_job("halo-drift.yml")
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    script = _gitlab_script("halo-drift.yml")
    assert 'halo-reconciler drift "$HALO_CONFIG" --format markdown > drift.md' in script
    assert 'exit "$code"' in script
    assert job["artifacts"]["paths"] == ["drift.md"]


@pytest.mark.parametrize("name", ["halo-plan.yml", "halo-apply.yml"])
def test_gitlab_python_snippets_compile(name: str) -> None:
    snippets = HEREDOC_PY.findall(_gitlab_script(name))
    assert snippets
    for source in snippets:
        compile(source, f"{name} snippet", "exec")


# --- every invocation uses real commands and options --------------------------------


def _invocations() -> Iterator[tuple[str, list[str]]]:
    texts = [(f"github/{n}", _github_runs(n)) for n in (*GITHUB_FILES, STATUS)]
    texts += [(f"gitlab/{n}", _gitlab_script(n)) for n in (*GITLAB_FILES[1:], STATUS)]
    for where, text in texts:
        for line in _one_line(text).splitlines():
            if line.lstrip().startswith("halo-reconciler "):
                command = re.split(r"\s(?:>|2>|\|)", line.strip())[0]
                yield where, shlex.split(command)[1:]
    # action.yml runs the tool through a shell function: `halo COMMAND ...`
    action = "\n".join(s.get("run", "") for s in _load(ACTION)["runs"]["steps"])
    for line in action.splitlines():
        found = re.match(r"\s*halo (\w+) (.*?)(?: >|$)", line)
        if found:
            words = [w for w in shlex.split(found.group(2)) if w.startswith("--")]
            yield "action.yml", [found.group(1), *words]
    # what the workflows ask of the action
    for name in (*GITHUB_FILES, STATUS):
        for step in _action_uses(name).values():
            given = step["with"]
            yield f"github/{name}", [given["command"], *shlex.split(given.get("args", ""))]


def test_pipelines_use_only_real_commands_and_options() -> None:
    seen = list(_invocations())
    assert {args[0] for _, args in seen} == {
        "validate",
        "plan",
        "apply",
        "drift",
        "status",
        "show",
    }
    ctx = click.Context(cli)
    for where, args in seen:
        assert args[0] in COMMANDS, where
        try:
            command = cli.get_command(ctx, args[0])
        except ModuleNotFoundError:
            pytest.skip(f"halo-reconciler {args[0]} is not built yet")
        assert command is not None
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        for arg in args[1:]:
            if arg.startswith("--"):
                assert arg in options, f"{where}: halo-reconciler {args[0]} has no {arg}"
