"""The fault-injection flags of `halo-reconciler sandbox`, one decorator for them all.

Each flag overrides its HALO_SANDBOX_* variable (sandbox.faults.ENV_VARS); the command
passes them to Faults.from_env(overrides=...). Imports only click at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
RATE_HELP = "Share of requests (0-1)"


def _rate_limit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from reconciler.sandbox.faults import parse_rate_limit

    try:
        if value is not None:
            parse_rate_limit(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


FAULT_OPTIONS = (
    click.option(
        "--latency-ms",
        type=click.FloatRange(min=0),
        help="Delay every request by this many milliseconds. [env: HALO_SANDBOX_LATENCY_MS]",
    ),
    click.option(
        "--fail-rate",
        type=click.FloatRange(0, 1),
        help=f"{RATE_HELP} answered 500/502/503. [env: HALO_SANDBOX_FAIL_RATE]",
    ),
    click.option(
        "--rate-limit",
        metavar="N/S",
        callback=_rate_limit,
        help="Answer 429 with Retry-After beyond N /api requests per rolling S "
        "seconds. [env: HALO_SANDBOX_RATE_LIMIT]",
    ),
    click.option(
        "--drop-rate",
        type=click.FloatRange(0, 1),
        help=f"{RATE_HELP} whose connection is closed without an answer. "
        "[env: HALO_SANDBOX_DROP_RATE]",
    ),
    click.option(
        "--post-commit-drop-rate",
        type=click.FloatRange(0, 1),
        help="Share of POSTs saved, then left unanswered (connection closed). "
        "[env: HALO_SANDBOX_POST_COMMIT_DROP_RATE]",
    ),
    click.option(
        "--token-ttl",
        type=click.IntRange(min=0),
        help="expires_in of issued tokens, seconds (default 3600). [env: HALO_SANDBOX_TOKEN_TTL]",
    ),
    click.option(
        "--random-seed",
        type=int,
        help="Seed of the fault injection's random choices. [env: HALO_SANDBOX_SEED]",
    ),
    click.option(
        "--list-shape",
        type=click.Choice(["array", "wrapper", "paged"]),
        help="Lists as a bare array (default), a wrapper with record_count, or "
        "paged wrappers. [env: HALO_SANDBOX_LIST_SHAPE]",
    ),
    click.option(
        "--list-rows",
        type=click.Choice(["full", "summary"]),
        help="summary: list rows lack mapping arrays (only GET /X/{id}"
        "?includedetails=true has them). [env: HALO_SANDBOX_LIST_ROWS]",
    ),
    click.option(
        "--post-answer",
        type=click.Choice(["array", "object", "empty"]),
        help="A POST answers the saved records (default), the last one saved, or "
        "an empty body. [env: HALO_SANDBOX_POST_ANSWER]",
    ),
    click.option(
        "--extra-fields",
        is_flag=True,
        default=None,
        help="Answer records with fields the schemas do not know. "
        "[env: HALO_SANDBOX_EXTRA_FIELDS=1]",
    ),
)


def fault_options(f: F) -> F:
    """Add every fault flag (passed by name: latency_ms, fail_rate, ..., random_seed)."""
    for option in reversed(FAULT_OPTIONS):
        f = option(f)
    return f
