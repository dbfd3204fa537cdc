"""stdout for a process whose reader may go away first: `plan | head -1`.

click turns a broken pipe into exit 1, and Python's final flush into 120, so a script
reading only the first line of `drift` would see "error" where drift said "differs" (2).
Here the rest of the output goes to /dev/null instead and the command ends with its own
exit code. Imports only the standard library.
"""

from __future__ import annotations

import io
import os
import sys


class _ClosableStdout(io.TextIOWrapper):
    """stdout that, once its reader has gone (`plan | head -1`), quietly sends the rest
    to /dev/null: the command runs to its end and exits with its own code (2 for drift),
    not click's 1 for a broken pipe nor Python's 120 from the final flush."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            self._discard()
            return len(text)

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            self._discard()
            super().flush()

    def _discard(self) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self.fileno())
        finally:
            os.close(devnull)


def keep_exit_code_when_stdout_closes() -> None:
    """Make sys.stdout a _ClosableStdout (the `halo-reconciler` process only: run())."""
    stdout = sys.stdout
    buffer = getattr(stdout, "buffer", None)
    if not isinstance(stdout, io.TextIOWrapper) or buffer is None:
        return  # not a real file (an embedding host's own stream): left alone
    stdout.flush()
    sys.stdout = _ClosableStdout(
        buffer,
        encoding=stdout.encoding,
        errors=stdout.errors,
        line_buffering=stdout.line_buffering,
    )
