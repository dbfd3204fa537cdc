"""Shared fixtures: a clean environment for every test, and sandboxes on loopback ports.

- Every test starts with no HALO_* variable set (so a developer's real credentials or
  sandbox settings never leak in) and with `HALO_TEST_CANARY` set to `CANARY`: a secret
  that must never show up in output, logs, plan files or exception text.
- `sandbox` / `sandbox_seeded`: a sandbox on a free port (empty / bundled seed), stopped
  after the test. Starting one takes about a millisecond.
- `sandbox_env` / `sandbox_seeded_env`: the same, with HALO_URL, HALO_CLIENT_ID and
  HALO_CLIENT_SECRET set to it; the client secret is the canary.
- `sandbox_dir`: HALO_SANDBOX_DIR pointed at a fresh temporary directory (for --sandbox).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import SandboxHandle, start_in_thread

CANARY = "CANARY-9f3b2a7c-secret"


@pytest.fixture(autouse=True)
def _clean_halo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HALO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HALO_TEST_CANARY", CANARY)


@pytest.fixture
def canary() -> str:
    """The canary secret (also in HALO_TEST_CANARY and the *_env sandboxes' secret)."""
    return CANARY


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    """An empty in-memory sandbox on a free loopback port."""
    with start_in_thread() as handle:
        yield handle


@pytest.fixture
def sandbox_seeded() -> Iterator[SandboxHandle]:
    """An in-memory sandbox holding the bundled seed (examples/sandbox-seed.yaml)."""
    with start_in_thread(seed="bundled") as handle:
        yield handle


def _export(monkeypatch: pytest.MonkeyPatch, handle: SandboxHandle) -> None:
    monkeypatch.setenv("HALO_URL", handle.url)
    monkeypatch.setenv("HALO_CLIENT_ID", handle.client_id)
    monkeypatch.setenv("HALO_CLIENT_SECRET", handle.client_secret)


@pytest.fixture
def sandbox_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    """An empty sandbox whose URL and credentials (secret: the canary) are in HALO_*."""
    with start_in_thread(client_secret=CANARY) as handle:
        _export(monkeypatch, handle)
        yield handle


@pytest.fixture
def sandbox_seeded_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    """A bundled-seed sandbox whose URL and credentials (secret: the canary) are in HALO_*."""
    with start_in_thread(seed="bundled", client_secret=CANARY) as handle:
        _export(monkeypatch, handle)
        yield handle


@pytest.fixture
def sandbox_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HALO_SANDBOX_DIR set to a new, not yet created directory (what --sandbox uses)."""
    path = tmp_path / "halo-sandbox"
    monkeypatch.setenv("HALO_SANDBOX_DIR", str(path))
    return path
