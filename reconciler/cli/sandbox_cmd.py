"""`halo-reconciler sandbox`: serve the HaloPSA simulator until interrupted.

Thin adapter: parse flags, start the sandbox, print the three dotenv lines, wait for
SIGINT/SIGTERM, stop, exit 0. Imports only click and the stdlib at module level.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

RATE_HELP = "Share of requests (0-1)"


def _loopback(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from reconciler.instance import is_loopback

    if not is_loopback(value):
        raise click.BadParameter(
            f"{value!r} is not a loopback address: the sandbox has fixed credentials, so it "
            "only listens on 127.0.0.1, ::1 or localhost"
        )
    return value


@click.command(name="sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, callback=_loopback,
              help="Loopback address to listen on.")  # fmt: skip
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port; 0 picks a free one.")  # fmt: skip
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file the records persist in (created from the seed when new). "
              "Default: in memory only.")  # fmt: skip
@click.option("--seed", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Seed YAML for a new store. Default: the bundled seed.")  # fmt: skip
@click.option("--empty", is_flag=True, help="Start a new store with no records (no seed).")
@click.option("--latency-ms", type=click.FloatRange(min=0),
              help="Delay every request by this many milliseconds. "
              "[env: HALO_SANDBOX_LATENCY_MS]")  # fmt: skip
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    help=f"{RATE_HELP} answered 500/502/503. [env: HALO_SANDBOX_FAIL_RATE]",
)
@click.option("--rate-limit", metavar="N/S",
              help="Answer 429 with Retry-After beyond N /api requests per rolling S "
              "seconds. [env: HALO_SANDBOX_RATE_LIMIT]")  # fmt: skip
@click.option("--drop-rate", type=click.FloatRange(0, 1),
              help=f"{RATE_HELP} whose connection is closed without an answer. "
              "[env: HALO_SANDBOX_DROP_RATE]")  # fmt: skip
@click.option("--post-commit-drop-rate", type=click.FloatRange(0, 1),
              help="Share of POSTs saved, then left unanswered (connection closed). "
              "[env: HALO_SANDBOX_POST_COMMIT_DROP_RATE]")  # fmt: skip
@click.option("--token-ttl", type=click.IntRange(min=0),
              help="expires_in of issued tokens, seconds (default 3600). "
              "[env: HALO_SANDBOX_TOKEN_TTL]")  # fmt: skip
@click.option(
    "--random-seed",
    type=int,
    help="Seed of the fault injection's random choices. [env: HALO_SANDBOX_SEED]",
)
@click.option("--list-shape", type=click.Choice(["array", "wrapper", "paged"]),
              help="Lists as a bare array (default), a wrapper with record_count, or "
              "paged wrappers. [env: HALO_SANDBOX_LIST_SHAPE]")  # fmt: skip
@click.option("--list-rows", type=click.Choice(["full", "summary"]),
              help="summary: list rows lack mapping arrays (only GET /X/{id}"
              "?includedetails=true has them). [env: HALO_SANDBOX_LIST_ROWS]")  # fmt: skip
@click.option("--post-answer", type=click.Choice(["array", "object", "empty"]),
              help="A POST answers the saved records (default), the last one saved, or "
              "an empty body. [env: HALO_SANDBOX_POST_ANSWER]")  # fmt: skip
@click.option("--extra-fields", is_flag=True, default=None,
              help="Answer records with fields the schemas do not know. "
              "[env: HALO_SANDBOX_EXTRA_FIELDS=1]")  # fmt: skip
@click.option("--tenant", help="Require this tenant on token requests (default: any).")
@click.option("--quiet", "-q", is_flag=True, help="Do not log requests to stderr.")
def command(**opts: Any) -> None:
    """Serve a HaloPSA simulator on loopback until interrupted (Ctrl-C or SIGTERM).

    The first three lines on stdout are HALO_URL=..., HALO_CLIENT_ID=... and
    HALO_CLIENT_SECRET=... (dotenv form). The credentials are HALO_SANDBOX_CLIENT_ID and
    HALO_SANDBOX_CLIENT_SECRET from the environment when set (never HALO_CLIENT_*, which
    may be a real instance's), else sandbox-client /
    sandbox-secret. Flags override the HALO_SANDBOX_* variables.
    """
    from reconciler.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, start_in_thread
    from reconciler.sandbox.faults import Faults, parse_rate_limit
    from reconciler.sandbox.log import LogEntry

    if opts["rate_limit"] is not None:
        try:
            parse_rate_limit(opts["rate_limit"])
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--rate-limit'") from None
    if opts["empty"] and opts["seed"] is not None:
        raise click.UsageError("--empty and --seed exclude each other")
    faults = Faults.from_env()
    for name in ("latency_ms", "fail_rate", "rate_limit", "drop_rate", "post_commit_drop_rate",
                 "token_ttl", "list_shape", "list_rows", "post_answer",
                 "extra_fields"):  # fmt: skip
        if opts[name] is not None:
            setattr(faults, name, opts[name])
    if opts["random_seed"] is not None:
        faults.seed = opts["random_seed"]

    def show(entry: LogEntry) -> None:
        query = "&".join(f"{k}={v}" for k, v in entry.query.items())
        status = "no answer" if entry.status is None else str(entry.status)
        fault = f" [fault: {entry.fault}]" if entry.fault else ""
        target = f"{entry.path}?{query}" if query else entry.path
        with contextlib.suppress(OSError):  # a closed stderr must not fail requests
            click.echo(f"{entry.method} {target} -> {status}{fault}", err=True)

    handle = start_in_thread(
        data=opts["data"],
        seed=None if opts["empty"] else (opts["seed"] or "bundled"),
        host=opts["host"],
        port=opts["port"],
        faults=faults,
        # Never HALO_CLIENT_*: a shell may hold a real instance's, which would be printed.
        client_id=os.environ.get("HALO_SANDBOX_CLIENT_ID") or DEFAULT_CLIENT_ID,
        client_secret=os.environ.get("HALO_SANDBOX_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET,
        tenant=opts["tenant"],
        on_request=None if opts["quiet"] else show,
    )
    stop = threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, frame: stop.set())
    try:
        # The banner goes out before the URL: nobody can send a request (whose log line
        # would then race the banner on stderr) before reading HALO_URL.
        where = str(handle.data_path) if handle.data_path else "in memory only"
        total = sum(handle.store.counts().values())
        click.echo(f"sandbox: {total} records ({where}); stop with Ctrl-C", err=True)
        sys.stderr.flush()
        click.echo(f"HALO_URL={handle.url}")
        click.echo(f"HALO_CLIENT_ID={handle.client_id}")
        click.echo(f"HALO_CLIENT_SECRET={handle.client_secret}")
        sys.stdout.flush()
        while not stop.wait(3600):
            pass
    finally:
        handle.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo("sandbox: stopped", err=True)
