"""The exception tree: every error raised on purpose, and nothing else.

    ReconcilerError                  raised on purpose -> "Error: ...", exit 1
    ├── ConfigError                  .issues: every problem found, each with file:line:col
    ├── ConnectionSettingsError      missing HALO_URL, http:// to a non-loopback host, ...
    ├── HaloError                    .method .path .status .halo_message
    │   ├── AuthenticationError      the token endpoint refused the credentials (or 401 twice)
    │   ├── HaloRequestError         HaloPSA answered 4xx
    │   │   └── RecordNotFound       HaloPSA answered 404
    │   ├── HaloUnavailable          429/5xx/connection errors outlasted the retry budget
    │   └── OutcomeUnknown           a POST was sent but no answer came back: it may have landed
    ├── SandboxError                 the sandbox cannot start (unreadable or corrupt data file)
    ├── PlanError                    .problems: config and live records do not match one-to-one
    ├── PlanFileError                unreadable plan file, unknown format_version
    ├── StalePlanError               .changed: addresses whose live record moved since the plan
    └── PlanRefused                  .reasons: prevent_destroy, max_deletes, digest mismatch

Messages are built from structured fields, never from a library's own text, which may
embed a value (jsonschema's messages contain repr(instance); a secret would leak).
A programming error is not a ReconcilerError: the CLI reports it as an internal error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ReconcilerError(Exception):
    """Raised on purpose; the CLI prints `Error: <message>` and exits 1."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One configuration problem, located: `file:line:column: path: message`.

    Line 0 means the file as a whole (missing, unreadable): `file: message`.
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(ReconcilerError):
    """Raised when a configuration is invalid; carries every issue of the run, sorted."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(
            sorted(issues, key=lambda i: (i.file, i.line, i.column, i.path, i.message))
        )
        count = len(self.issues)
        head = f"{count} error{'s' if count != 1 else ''} in the configuration"
        super().__init__("\n".join([head, *(str(i) for i in self.issues)]))


class ConnectionSettingsError(ReconcilerError):
    """Raised when HALO_* settings are missing or unsafe (http:// to a remote host)."""


class HaloError(ReconcilerError):
    """Raised when a HaloPSA request fails; the message never holds a secret."""

    def __init__(self, method: str, path: str, status: int | None, halo_message: str = "") -> None:
        self.method = method
        self.path = path
        self.status = status
        self.halo_message = halo_message
        code = f"HTTP {status}" if status is not None else "no answer"
        text = f"{method} {path}: {code}"
        super().__init__(f"{text}: {halo_message}" if halo_message else text)


class AuthenticationError(HaloError):
    """Raised when HaloPSA refuses the client credentials or the token."""


class HaloRequestError(HaloError):
    """Raised when HaloPSA answers 4xx (other than an auth failure)."""


class RecordNotFound(HaloRequestError):
    """Raised when HaloPSA answers 404."""


class HaloUnavailable(HaloError):
    """Raised when 429/5xx answers or connection errors outlast the retry budget."""


class OutcomeUnknown(HaloError):
    """Raised when a POST was sent but its answer was lost: it may or may not have landed.

    Never retried blindly: the apply engine re-reads and sends only what did not land.
    """


class SandboxError(ReconcilerError):
    """Raised when the sandbox cannot start (unreadable or corrupt data file, bad seed)."""


class PlanError(ReconcilerError):
    """Raised when a plan cannot be computed: records match ambiguously (every problem).

    Two config records that match one live record, a config record that matches two live
    records, an `id` no live record has, an unknown --target type.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} matching the configuration to HaloPSA"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class PlanFileError(ReconcilerError):
    """Raised when a saved plan cannot be read or has an unknown format_version."""


class StalePlanError(ReconcilerError):
    """Raised when records a saved plan touches changed since it was computed."""

    def __init__(self, changed: Sequence[str]) -> None:
        self.changed = tuple(changed)
        lines = "\n".join(f"  {a}" for a in self.changed)
        super().__init__(
            "the saved plan is stale: these records changed since it was made "
            f"(run plan again):\n{lines}"
        )


class PlanRefused(ReconcilerError):
    """Raised when a plan may not be applied (prevent_destroy, max_deletes, digest)."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("apply refused:\n" + "\n".join(f"  {r}" for r in self.reasons))
