"""The pre-commit hook, used the way examples/pre-commit-config.yaml tells a team to.

First without pre-commit's machinery: the hook in .pre-commit-hooks.yaml merged with the
example's `files` and `args`, the files chosen with pre-commit's rules, the command
built and run as pre-commit would, on a good and a bad commit. Then for real with
`pre-commit try-repo`, which builds a virtualenv and pip-installs this repository from
a snapshot of the working tree (tens of seconds; needs git and the package registry).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HOOK_ID = "halo-reconciler-validate"
BAD_MESSAGE = (
    'halo/tenant.yaml:4:5: xero[0].new_client_secret: "new_client_secret" is a secret '
    "(writeOnly): its value must come from the environment, e.g. ${XERO_CLIENT_SECRET}; "
    "secrets do not belong in Git (the value is not shown)"
)


def _hook() -> dict[str, Any]:
    """The hook as a user's configuration sees it: the manifest, then their overrides."""
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = (h for h in manifest if h["id"] == HOOK_ID)
    config = yaml.safe_load((ROOT / "examples" / "pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    (override,) = repo["hooks"]
    assert override["id"] == HOOK_ID
    merged: dict[str, Any] = {**hook, **override}
    return merged


def _selected(hook: dict[str, Any], files: list[str]) -> list[str]:
    """pre-commit's filter: `files` and not `exclude` (regex search), in order."""
    include = re.compile(hook.get("files", ""))
    exclude = re.compile(hook.get("exclude", "^$"))
    return [f for f in files if include.search(f) and not exclude.search(f)]


def _user_repo(tmp_path: Path, canary: str) -> Path:
    repo = tmp_path / "config-repo"
    (repo / "halo").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "xero-single" / "halo.yaml", repo / "halo" / "acme.yaml")
    (repo / "halo" / "tenant.yaml").write_text(
        f"xero:\n  - name: Acme AU\n    enablesync: true\n    new_client_secret: {canary}\n"
    )
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "github" / "halo-plan.yml", repo / ".github" / "workflows")
    (repo / "halo" / "README.md").write_text("# Our HaloPSA configuration\n")
    (repo / "docker-compose.yml").write_text("services: {}\n")
    return repo


def test_example_config_is_a_valid_pre_commit_config() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", "examples/pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hook = _hook()
    assert hook["args"] == ["--no-env"]
    assert hook["entry"] == "halo-reconciler validate"
    assert hook["pass_filenames"] is True


def test_hook_checks_only_the_configuration_and_fails_a_bad_commit(
    tmp_path: Path, shell_env: dict[str, str], canary: str
) -> None:
    hook = _hook()
    repo = _user_repo(tmp_path, canary)
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    assert _selected(hook, files) == ["halo/acme.yaml", "halo/tenant.yaml"]
    command = [*shlex.split(hook["entry"]), *hook["args"]]

    # No XERO_CLIENT_SECRET on this laptop: --no-env lets the good file pass.
    good = subprocess.run(
        [*command, "halo/acme.yaml"],
        cwd=repo,
        env=shell_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (good.returncode, good.stderr) == (0, "")
    assert good.stdout == "Configuration valid: 1 record of 1 type in 1 file.\n"

    bad = subprocess.run(
        [*command, *_selected(hook, files)],
        cwd=repo,
        env=shell_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stderr == f"Error: 1 error in the configuration\n{BAD_MESSAGE}\n"
    assert canary not in bad.stdout + bad.stderr


def _snapshot(tmp_path: Path) -> Path:
    """This working tree (tracked and untracked, not ignored) as a git repo tagged v0.1.0."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: pre-commit needs one to install the hook from")
    source = tmp_path / "halo-reconciler"
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "-m", "snapshot"],
        ["tag", "v0.1.0"],
    ):
        _git(source, *args)
    return source


def _git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def _pre_commit_passes_good_and_fails_bad(repo: Path, env: dict[str, str], canary: str) -> None:
    """`pre-commit run` in the user repository: the good file passes (no XERO_CLIENT_SECRET
    here: --no-env), the other YAML is not passed, the literal secret fails the commit."""
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    others = (".github/workflows/halo-plan.yml", "docker-compose.yml", "halo/README.md")
    good = run("--files", "halo/acme.yaml", *others)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^halo-reconciler validate\.+Passed$", good.stdout, re.M), good.stdout

    bad = run("--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^halo-reconciler validate\.+Failed$", bad.stdout, re.M), bad.stdout
    assert BAD_MESSAGE in bad.stdout
    assert canary not in bad.stdout + bad.stderr


def test_pre_commit_runs_the_example_config(
    tmp_path: Path, shell_env: dict[str, str], canary: str
) -> None:
    """pre-commit itself, with examples/pre-commit-config.yaml pointing at this tree."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    source = _snapshot(tmp_path)
    repo = _user_repo(tmp_path, canary)
    example = (ROOT / "examples" / "pre-commit-config.yaml").read_text(encoding="utf-8")
    url = "https://github.com/OWNER/halo-reconciler"
    assert url in example
    (repo / ".pre-commit-config.yaml").write_text(example.replace(url, str(source)))
    env = dict(shell_env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    env.pop("PYTHONPATH", None)  # the hook must run what pre-commit installed
    _pre_commit_passes_good_and_fails_bad(repo, env, canary)


def test_pre_commit_runs_the_local_example_config(
    tmp_path: Path, shell_env: dict[str, str], canary: str
) -> None:
    """examples/pre-commit-config-local.yaml (`repo: local`), run by pre-commit itself with
    the halo-reconciler on PATH: no hook repository, nothing installed, nothing fetched."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: pre-commit needs it")
    repo = _user_repo(tmp_path, canary)
    shutil.copy(
        ROOT / "examples" / "pre-commit-config-local.yaml", repo / ".pre-commit-config.yaml"
    )
    env = dict(shell_env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    _pre_commit_passes_good_and_fails_bad(repo, env, canary)
