"""The `--sandbox` option of plan, apply, export and drift: a sandbox in this process.

The data lives in `HALO_SANDBOX_DIR`, else `./.halo-sandbox/`, as `data.json`; a new
directory starts from the bundled seed, so a first plan shows creates, updates and
unmanaged records, and plan -> apply -> plan works across separate commands. Faults come
from the HALO_SANDBOX_* variables. Never touches sockets itself (server.py does).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import SandboxError
from reconciler.sandbox.faults import Faults
from reconciler.sandbox.server import SandboxHandle, start_in_thread

DATA_FILE = "data.json"
DEFAULT_DIR = ".halo-sandbox"


def local_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where --sandbox keeps its data: HALO_SANDBOX_DIR, else ./.halo-sandbox."""
    env = os.environ if environ is None else environ
    configured = env.get("HALO_SANDBOX_DIR", "").strip()
    return Path(configured) if configured else Path.cwd() / DEFAULT_DIR


def sandbox_label(where: Path) -> str:
    """How plans name the local sandbox: `sandbox:` and its data directory's absolute
    path. Its URL would not do: it listens on a new loopback port each run."""
    return f"sandbox:{where.resolve()}"


def open_local(dir: Path | None = None) -> SandboxHandle:
    """Start the local sandbox on a free loopback port; stop it with `.stop()`."""
    where = dir if dir is not None else local_dir()
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: see store.py
        ignore = where / ".gitignore"
        if not ignore.exists():
            # State, not configuration; and it may hold pushed secrets.
            ignore.write_text("# made by halo-reconciler --sandbox\n*\n", encoding="utf-8")
    except OSError as exc:
        raise SandboxError(f"cannot create the sandbox directory {where}: {exc.strerror}") from None
    return start_in_thread(data=where / DATA_FILE, seed="bundled", faults=Faults.from_env())
