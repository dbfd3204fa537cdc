"""The --sandbox machinery: a data directory that survives between commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SandboxError
from reconciler.sandbox.local import local_dir, open_local

from .conftest import Connect


def test_a_new_directory_starts_from_the_bundled_seed(sandbox_dir: Path, connect: Connect) -> None:
    with open_local() as handle:
        assert handle.data_path == sandbox_dir / "data.json"
        client = connect(handle)
        assert len(client.get("/api/XeroDetails").json()) == 3
        client.post("/api/FortnoxDetails", json=[{"name": "New"}])
    assert sorted(p.name for p in sandbox_dir.iterdir()) == [".gitignore", "data.json"]
    assert (sandbox_dir / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    # The next command sees what the last one did (plan -> apply -> plan).
    with open_local() as handle:
        assert [r["name"] for r in handle.store.list("fortnox")] == ["New"]


def test_the_default_directory_is_dot_halo_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert local_dir() == tmp_path / ".halo-sandbox"
    assert local_dir({"HALO_SANDBOX_DIR": "/x/y"}) == Path("/x/y")
    with open_local() as handle:
        assert handle.data_path == tmp_path / ".halo-sandbox" / "data.json"


def test_an_explicit_directory_wins(tmp_path: Path, sandbox_dir: Path) -> None:
    with open_local(tmp_path / "mine") as handle:
        assert handle.data_path == tmp_path / "mine" / "data.json"
    assert not sandbox_dir.exists()


def test_faults_come_from_the_environment(
    sandbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALO_SANDBOX_RATE_LIMIT", "10/60")
    monkeypatch.setenv("HALO_SANDBOX_TOKEN_TTL", "30")
    with open_local() as handle:
        assert (handle.faults.rate_limit, handle.faults.token_ttl) == ("10/60", 30)


def test_a_directory_that_cannot_be_made_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(SandboxError) as info:
        open_local(blocker / "sub")
    assert (
        str(info.value) == f"cannot create the sandbox directory {blocker / 'sub'}: Not a directory"
    )
