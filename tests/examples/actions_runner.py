"""A small GitHub Actions runner for the tests: workflow jobs and the repository's action.

`run_github_job` executes a workflow's one job step by step as GitHub would: `run:` steps
with `bash -e`, `if:` conditions, `continue-on-error`, step outputs through
GITHUB_OUTPUT, the job summary through GITHUB_STEP_SUMMARY. A step that `uses:` this
repository's action (`OWNER/halo-reconciler@vX.Y.Z`) runs action.yml's own steps, parsed
from the file (`run_action`): inputs and their defaults, `shell: bash` as
`bash --noprofile --norc -eo pipefail`, GITHUB_ACTION_PATH at this checkout, the
outputs the action declares. Other actions (checkout, artifacts, github-script) are
stood in for by the test through `action_outputs`.

actions/setup-python inside the action is stood in for by `Runner.python`: an empty
virtual environment that sees this test run's packages (pip, hatchling, the runtime
dependencies) but not its editable install, so the action's install step really builds
and installs halo-reconciler from GITHUB_ACTION_PATH into it. It does so offline: no
index, no pip configuration, no build isolation. Only the `${{ }}` forms the kit uses are
understood; any other expression fails the test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / "examples" / "github"
ACTION = ROOT / "action.yml"
THIS_ACTION = re.compile(r"^OWNER/halo-reconciler@v\d+\.\d+\.\d+$")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONDITION = re.compile(r"^steps\.(\w+)\.outputs\.(\w+) (==|!=) '([^']*)'$")


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


@dataclass(frozen=True)
class Runner:
    """What a hosted runner provides: a Python for the action, and RUNNER_TEMP."""

    python: Path
    temp: Path


def make_runner(base: Path) -> Runner:
    """An empty venv that sees this test run's site-packages (a .pth file), and a temp dir.

    The editable install of this checkout is not active there (the .pth files of a
    directory added that way are not processed), so `python -m reconciler` runs only
    what the action's install step put into the venv.
    """
    venv = base / "runner-python"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "test-run-packages.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    temp = base / "runner-temp"
    temp.mkdir()
    return Runner(python, temp)


def offline_pip_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` for a pip that installs offline, as a test must: no index, no pip
    configuration, no build isolation (hatchling comes from the test extra); and no
    PYTHONPATH, so what runs is what was installed."""
    base = {k: v for k, v in env.items() if k != "PYTHONPATH" and not k.startswith("PIP_")}
    base.update(
        PIP_NO_INDEX="1",
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_BUILD_ISOLATION="0",  # pip reads "0" here as: do not isolate the build
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return base


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """Replace the ${{ }} forms the kit uses; any other expression fails the test."""

    def one(found: re.Match[str]) -> str:
        parts = found.group(1).split(".")
        if parts[0] in ("vars", "secrets", "env", "inputs") and len(parts) == 2:
            return str(context[parts[0]].get(parts[1], ""))
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return str(context["steps"].get(parts[1], {}).get(parts[3], ""))
        if found.group(1) == "github.token":
            return "github-token"
        raise AssertionError(f"the test runner does not know the expression {found.group(0)}")

    return EXPRESSION.sub(one, text)


def condition(text: str, context: Mapping[str, Any]) -> bool:
    found = CONDITION.match(text)
    assert found, f"the test runner does not know the condition {text!r}"
    step, output, operator, literal = found.groups()
    value = str(context["steps"].get(step, {}).get(output, ""))
    return (value == literal) if operator == "==" else (value != literal)


def run_script(
    script_text: str, script: Path, cwd: Path, env: Mapping[str, str], *flags: str
) -> subprocess.CompletedProcess[str]:
    """`bash --noprofile --norc FLAGS SCRIPT` (written from `script_text`) in `cwd`."""
    script.write_text(script_text, encoding="utf-8")
    return subprocess.run(
        ["bash", "--noprofile", "--norc", *flags, str(script)],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _outputs(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return dict(pairs)


def run_action(
    inputs: Mapping[str, str], workdir: Path, env: Mapping[str, str], runner: Runner
) -> tuple[StepResult, dict[str, str]]:
    """action.yml's steps, as GitHub runs a composite action: its result and outputs."""
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"action.yml has no inputs {unknown}"
    for name, spec in action["inputs"].items():
        assert not spec.get("required") or name in inputs, f"input {name} is required"
    values.update(inputs)
    steps: dict[str, dict[str, str]] = {}
    context = {"inputs": values, "steps": steps}
    base = offline_pip_env(env)
    base.update(GITHUB_ACTION_PATH=str(ROOT), RUNNER_TEMP=str(runner.temp))
    out, err, code = [], [], 0
    for index, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step["uses"]
            assert step["with"]["update-environment"] is False  # the job's PATH untouched
            steps[step["id"]] = {"python-path": str(runner.python)}
            continue
        assert step["shell"] == "bash"
        output = runner.temp / f"action-output-{index}"
        output.write_text("")
        step_env = dict(base)
        step_env.update({k: evaluate(str(v), context) for k, v in step.get("env", {}).items()})
        step_env["GITHUB_OUTPUT"] = str(output)
        script = runner.temp / f"action-step-{index}.sh"
        proc = run_script(step["run"], script, workdir, step_env, "-eo", "pipefail")
        out.append(proc.stdout)
        err.append(proc.stderr)
        steps[step["id"]] = _outputs(output)
        code = proc.returncode
        if code != 0:
            break
    outputs = {name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()}
    return StepResult(code, "".join(out), "".join(err)), outputs


def run_github_job(
    name: str,
    workdir: Path,
    env: Mapping[str, str],
    *,
    store: Store,
    runner: Runner,
    action_outputs: Mapping[str, dict[str, str]] | None = None,
) -> JobRun:
    """Run the workflow's one job as GitHub would, in order (see the module docstring)."""
    workflow = yaml.safe_load((GITHUB / name).read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    run = JobRun()
    context: dict[str, Any] = {
        "vars": store.variables,
        "secrets": store.secrets,
        "steps": run.outputs,
        "env": {},
    }
    base = dict(env)
    for scope in (workflow.get("env", {}), job.get("env", {})):
        evaluated = {k: evaluate(str(v), context) for k, v in scope.items()}
        base.update(evaluated)
        context["env"].update(evaluated)
    summary = workdir.parent / f"{workdir.name}-summary.md"
    summary.write_text("")
    base.update(GITHUB_STEP_SUMMARY=str(summary), RUNNER_TEMP=str(runner.temp))
    failed = False
    for index, step in enumerate(job["steps"]):
        label = step.get("name", step.get("uses", f"step {index}"))
        wanted = not failed and ("if" not in step or condition(step["if"], context))
        if not wanted:
            run.steps[label] = None
            continue
        step_env = dict(base)
        step_env.update({k: evaluate(str(v), context) for k, v in step.get("env", {}).items()})
        if THIS_ACTION.match(step.get("uses", "")):
            inputs = {k: evaluate(str(v), context) for k, v in step.get("with", {}).items()}
            result, outputs = run_action(inputs, workdir, step_env, runner)
        elif "uses" in step:
            if "id" in step:
                run.outputs[step["id"]] = dict((action_outputs or {}).get(step["id"], {}))
            continue
        else:
            output = workdir.parent / f"{workdir.name}-output-{index}"
            output.write_text("")
            step_env["GITHUB_OUTPUT"] = str(output)
            script = workdir.parent / f"{workdir.name}-step-{index}.sh"
            proc = run_script(step["run"], script, workdir, step_env, "-e")
            result = StepResult(proc.returncode, proc.stdout, proc.stderr)
            outputs = _outputs(output)
        run.steps[label] = result
        if "id" in step:
            run.outputs[step["id"]] = outputs
        failed = result.code != 0 and not step.get("continue-on-error", False)
    run.summary = summary.read_text()
    return run
