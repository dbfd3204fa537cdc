"""The `halo-reconciler` group and the one place that maps exceptions to exit codes.

Exit codes: 0 success; 1 any error (usage errors too); 130 after Ctrl-C; plan and drift
return 2 of their own. Commands are imported lazily (`--help` and `validate` never import
httpx); logging is set here, --debug only. bench_plan.py (1,000 records): `run()`'s
collector threshold saves ~10 ms, its freeze ~20 ms. Nothing relies on a prompt collection
(files and sockets are closed where used); tests call main(), not run() (CPython defaults).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from reconciler.cli.streams import keep_exit_code_when_stdout_closes
from reconciler.cli.terminal import INTERRUPTED
from reconciler.errors import ReconcilerError
from reconciler.printable import printable

# command name -> module under reconciler.cli defining `command`
COMMANDS: dict[str, str] = {
    "apply": "apply_cmd",
    "doctor": "doctor_cmd",
    "drift": "drift_cmd",
    "export": "export_cmd",
    "plan": "plan_cmd",
    "sandbox": "sandbox_cmd",
    "show": "show_cmd",
    "status": "status_cmd",
    "validate": "validate_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands are imported only when listed or run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        found: click.Command = importlib.import_module(f"reconciler.cli.{module}").command
        return found


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Log requests (never secrets) and show tracebacks.")
@click.version_option(package_name="halo-reconciler")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Terraform-style configuration as code for HaloPSA's accounting integrations.

    validate checks YAML offline; plan shows changes (show, a saved one); apply makes
    HaloPSA match; drift fails when HaloPSA moved; export adopts an instance; doctor and
    status check the connection and its health; sandbox serves a HaloPSA simulator.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if debug:
        import logging  # only here: --help and plain runs do not pay for it

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s: %(message)s")
        # httpx logs full URLs at INFO; our own client logs what is safe.
        for noisy in ("httpx", "httpcore"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the project's exit code (never click's 2 for usage)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    code = 0
    try:
        result: Any = cli.main(args=args, prog_name="halo-reconciler", standalone_mode=False)
        if isinstance(result, int):
            code = result
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C (KeyboardInterrupt) into Abort: that is an interrupt
        interrupted = isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt)
        click.echo("Interrupted." if interrupted else "Aborted.", err=True)
        code = INTERRUPTED if interrupted else 1
    except click.ClickException as exc:  # usage errors and the like
        exc.show()
        code = 1
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except ReconcilerError as exc:
        click.echo("Error: " + "\n".join(map(printable, str(exc).split("\n"))), err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = INTERRUPTED
    except Exception as exc:  # a bug: say so, without echoing values that may be secret
        click.echo(f"internal error: {type(exc).__name__} (run with --debug for details)", err=True)
        if debug:
            import traceback

            traceback.print_exc()
        code = 1
    sys.exit(code)


# A run allocates its imports and records once and keeps them to the end, so CPython's
# frequent young-generation passes (every 700 allocations) found nothing to free.
YOUNG_THRESHOLD = 50_000


def run() -> None:
    """The `halo-reconciler` script and `python -m reconciler`: main(), in a process that
    ends with it, with the collector tuned (module docstring). Nothing is skipped that
    matters: atexit handlers run, standard streams are flushed, the OS reclaims memory.
    """
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    keep_exit_code_when_stdout_closes()
    try:
        main()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            # Ctrl-C: end now. A second Ctrl-C leaves apply's workers inside a request,
            # and the interpreter would wait for them on its way out; the report (after
            # a first Ctrl-C) is already written. Streams are flushed; files we write are
            # replaced atomically, so none is left half written.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(INTERRUPTED)
        raise
    finally:
        gc.freeze()
