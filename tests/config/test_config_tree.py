"""A configuration directory is read whole or not at all (issue 18, item 3).

A file left out looks like records removed, and a pruned type would delete them: so an
entry that cannot be read, a symbolic link leading out of the directory, a YAML name that
is no regular file and an oversized file are errors, never skipped. Links inside the
directory are followed. No message quotes what a link points at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.config import load
from reconciler.errors import ConfigError

RECORD = "xero:\n  - name: Acme NZ\n"
OUTSIDE = "xero:\n  - name: TOP-SECRET-CONTENT\n"


def _errors(*paths: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load([str(p) for p in paths], env={})
    return [str(i) for i in info.value.issues]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "config"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.yaml").write_text(RECORD)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "b.yaml").write_text(OUTSIDE)
    return root


def test_links_inside_the_tree_are_followed(tree: Path) -> None:
    (tree / "shared").mkdir()
    (tree / "shared" / "c.yml").write_text("quickbooks:\n  - name: Q\n")
    (tree / "linked").symlink_to(tree / "shared", target_is_directory=True)
    (tree / "loop").symlink_to(tree, target_is_directory=True)
    (tree / "again.yaml").symlink_to(tree / "sub" / "a.yaml")
    config = load([str(tree)], env={})
    assert sorted(r.identity or "" for r in config.records) == ["Acme NZ", "Q"]


@pytest.mark.parametrize("kind", ["directory", "file"])
def test_a_link_out_of_the_tree_is_refused(tree: Path, kind: str) -> None:
    outside = tree.parent / "outside"
    if kind == "directory":
        (tree / "more").symlink_to(outside, target_is_directory=True)
        name = "more"
    else:
        (tree / "b.yaml").symlink_to(outside / "b.yaml")
        name = "b.yaml"
    errors = _errors(tree)
    assert errors == [
        f"{tree / name}: symbolic link to a {kind} outside {tree}: refused (copy it in)"
    ]
    assert "TOP-SECRET" not in "".join(errors)


def test_a_link_to_a_device_or_nothing_is_refused(tree: Path) -> None:
    (tree / "null.yaml").symlink_to("/dev/null")
    (tree / "gone.yaml").symlink_to(tree / "nowhere.yaml")
    os.mkfifo(tree / "pipe.yaml")
    assert _errors(tree) == [
        f"{tree / 'gone.yaml'}: broken symbolic link: it points at nothing",
        f"{tree / 'null.yaml'}: symbolic link to a file outside {tree}: refused (copy it in)",
        f"{tree / 'pipe.yaml'}: not a regular file (a FIFO, socket or device): refused",
    ]
    (tree / "null.yaml").unlink()
    (tree / "gone.yaml").unlink()
    (tree / "dev.yaml").symlink_to(tree / "pipe.yaml")  # inside the tree, but no file
    assert _errors(tree)[0] == (
        f"{tree / 'dev.yaml'}: not a regular file (a FIFO, socket or device): refused"
    )


def test_an_unreadable_directory_is_an_error(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, who reads everything: the refusal is simulated at the OS call.
    real = os.scandir
    locked = str(tree / "sub")

    def scandir(path: str) -> object:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert _errors(tree) == [f"{locked}: cannot read this directory: permission denied"]


def test_an_oversized_file_is_refused(tree: Path) -> None:
    big = tree / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(20 * 2**20 + 1)  # sparse: costs no disk
    assert _errors(tree) == [
        f"{big}: larger than 20 MB: split the configuration into several files"
    ]
