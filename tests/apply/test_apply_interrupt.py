"""Ctrl-C during apply (issue 18 item 6): the first interrupt starts nothing new, lets the
requests in flight end and prints the report of what was done, exit 130; the second
stops at once.

The engine is tested with its RunControl directly. The command is tested in a child
process that gets a real SIGINT while its first POST is in flight: the sandbox holds
that POST's answer (an on_request hook) until the child has said it was interrupted, so
the order of events is fixed without any timing. Every wait is bounded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from apply_support import ENV, VirtualTime, client_for, plan_for, seed, write_config, writes

from reconciler.apply import Status, apply_plan
from reconciler.apply.control import RunControl
from reconciler.cli.terminal import INTERRUPT_NOTICE
from reconciler.sandbox import LogEntry, start_in_thread

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 60.0  # seconds any wait here may take at most


def test_after_an_interrupt_nothing_new_starts_and_every_record_is_reported(
    tmp_path: Path,
) -> None:
    with start_in_thread() as handle, client_for(handle) as client:
        seed(handle)
        plan = plan_for(client, write_config(tmp_path))
        control = RunControl(sleep=VirtualTime().sleep)

        def progress(outcome: object) -> None:
            control.interrupt()  # Ctrl-C as soon as the first record is done

        before = len(writes(handle))
        report = apply_plan(
            plan, client, env=ENV, allow_deletes=True, parallelism=1, progress=progress,
            control=control,
        )  # fmt: skip
    lines = [o.line() for o in report.outcomes]
    assert len(lines) == 12  # every record has its line
    # xero went first: its POST was in flight and ended; its deletion was not started, and
    # nothing of the other eight types was.
    assert lines[:3] == [
        "xero/Acme NZ: updated (id 1) (not read back: apply was interrupted (Ctrl-C))",
        "xero/Beta NZ: created (id 3) (not read back: apply was interrupted (Ctrl-C))",
        "xero/Old tenant: delete skipped: not started: apply was interrupted (Ctrl-C)",
    ]
    assert all(o.status is Status.SKIPPED for o in report.outcomes[3:]), lines
    assert lines[3] == (
        "quickbooks/Acme US: update skipped: not started: apply was interrupted (Ctrl-C)"
    )
    assert writes(handle)[before:] == [("POST", "/api/XeroDetails")]


class _Child:
    """`halo-reconciler apply` in a child process, its stderr read as it comes."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "reconciler", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **env, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
            text=True,
        )
        self.err: list[str] = []
        self.ended = False
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._seen:
                self.err.append(line)
                self._seen.notify_all()
        with self._seen:
            self.ended = True
            self._seen.notify_all()

    def wait_for(self, text: str) -> None:
        with self._seen:
            assert self._seen.wait_for(lambda: any(text in x for x in self.err), LIMIT), text

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> tuple[int, str, str]:
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()  # (stderr has its own reader: never read it here)
        code = self.proc.wait(timeout=LIMIT)
        with self._seen:  # stderr read to its end
            assert self._seen.wait_for(lambda: self.ended, LIMIT)
        self.proc.stdout.close()
        assert self.proc.stderr is not None
        self.proc.stderr.close()
        return code, out, "".join(self.err)


def _on_first_post(action: Callable[[], None]) -> Callable[[LogEntry], None]:
    done = threading.Event()

    def hook(entry: LogEntry) -> None:
        if entry.method == "POST" and entry.path.startswith("/api/") and not done.is_set():
            done.set()
            action()  # runs before the POST's answer is sent

    return hook


def _run_interrupted(tmp_path: Path, times: int) -> tuple[int, str, str, list[tuple[str, str]]]:
    child: list[_Child] = []

    def ctrl_c() -> None:
        child[0].interrupt()
        child[0].wait_for(INTERRUPT_NOTICE)
        if times == 2:
            child[0].interrupt()
            child[0].wait_for("Interrupted.\n")

    with start_in_thread(on_request=_on_first_post(ctrl_c)) as handle:
        seed(handle)
        env = {
            "HALO_URL": handle.url,
            "HALO_CLIENT_ID": handle.client_id,
            "HALO_CLIENT_SECRET": handle.client_secret,
            **ENV,
        }
        args = ["apply", str(write_config(tmp_path)), "--auto-approve", "--allow-deletes"]
        child.append(_Child([*args, "--parallelism", "1"], tmp_path, env))
        code, out, err = child[0].finish()
        return code, out, err, writes(handle)


def test_first_ctrl_c_ends_in_flight_work_prints_the_report_and_exits_130(
    tmp_path: Path,
) -> None:
    code, out, err, sent = _run_interrupted(tmp_path, times=1)
    assert code == 130, err
    assert sent == [("POST", "/api/XeroDetails")]  # nothing new after the interrupt
    assert "Apply results:\n  xero/Acme NZ: updated (id 1) (not read back" in out
    assert "  avalara/Acme US Tax: update skipped: not started: apply was interrupted" in out
    assert out.endswith("Apply complete: 2 applied, 0 failed, 10 skipped.\n")
    assert f"\n{INTERRUPT_NOTICE}\n" in err
    assert "Aborted" not in err


def test_second_ctrl_c_stops_at_once(tmp_path: Path) -> None:
    code, out, err, sent = _run_interrupted(tmp_path, times=2)
    assert code == 130, err
    assert err.endswith("Interrupted.\n"), repr(err)
    assert "Apply results" not in out  # stopped: no report
    assert sent == [("POST", "/api/XeroDetails")]
