"""Which HaloPSA a command asked for (--url, --tenant, --sandbox), and the client for it.

`open_client` turns a `Connection` into a read-only or writing client. With `sandbox`,
the bundled simulator is started (data under .halo-sandbox/) and stopped when the client
closes. Only the standard library is imported at module level: a command's --help builds
a Connection's options without paying for httpx.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

if TYPE_CHECKING:
    from reconciler.halo import Client, ReadOnlyClient, Timing


@dataclass(frozen=True, slots=True)
class Connection:
    """Where to connect: HALO_* variables with --url/--tenant over them, or the sandbox.

    The command line refuses `sandbox` with `url` or `tenant` (a usage error).
    """

    url: str | None = None
    tenant: str | None = None
    sandbox: bool = False
    timing: Timing | None = None  # the client's clock, sleep and wait listener (None: real)


@overload
def open_client(connection: Connection, *, write: Literal[False]) -> ReadOnlyClient: ...


@overload
def open_client(connection: Connection, *, write: Literal[True]) -> Client: ...


@overload
def open_client(connection: Connection, *, write: bool) -> ReadOnlyClient | Client: ...


def open_client(connection: Connection, *, write: bool) -> ReadOnlyClient | Client:
    """A client for the instance `connection` and the HALO_* variables name.

    Use it as a context manager (a sandbox stops when it closes). `write=False` gives a
    ReadOnlyClient, which has no way to POST or DELETE.
    """
    from reconciler.halo import Client, ClientOptions, ReadOnlyClient, settings_from_env

    env = os.environ
    kind = Client if write else ReadOnlyClient
    options = ClientOptions() if connection.timing is None else ClientOptions(connection.timing)
    if not connection.sandbox:
        settings = settings_from_env(env, url=connection.url, tenant=connection.tenant)
        return kind(settings, options)
    from dataclasses import replace

    from reconciler.sandbox.local import local_dir, open_local, sandbox_label
    from reconciler.sensitive import reveal

    where = local_dir()
    handle = open_local(where)
    try:
        local = {
            "HALO_URL": handle.url,
            "HALO_CLIENT_ID": handle.client_id,
            "HALO_CLIENT_SECRET": str(reveal(handle.client_secret)),
        }
        # The budget and retry settings still apply (a sandbox may rate-limit too).
        for name in ("HALO_RATE_LIMIT", "HALO_RETRY_BUDGET"):
            if name in env:
                local[name] = env[name]
        settings = replace(settings_from_env(local), label=sandbox_label(where))
        return kind(settings, options, on_close=handle.stop)
    except BaseException:
        handle.stop()
        raise
