"""No duplicate from a slow commit or from two applies at once (issue 18 items 1 and 2).

- A POST that commits after the client stopped waiting: the create is re-read after a
  short wait, and when it has not appeared it is reported as outcome unknown and never
  sent again in that run (sending it again is how both copies commit).
- A record that appeared since the plan is not created again.
- Read-back fails a written record whose identity several live records share; when this
  run made the newer copy, that copy is deleted at once.
Time is virtual where the engine waits; the slow commit needs a real read timeout, kept
short (0.3 s) and never asserted on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apply_support import ENV, VirtualTime, duplicates
from slow_commit import SlowCommitProxy

from reconciler.apply import Status, apply_plan
from reconciler.halo import Client, ClientOptions, settings_from_env
from reconciler.plan import Action, FieldChange, Instance, Plan, ResourceChange
from reconciler.sandbox import LogEntry, SandboxHandle, start_in_thread


def _create(key: str, name: str, **fields: Any) -> ResourceChange:
    changes = tuple(FieldChange(n, None, v) for n, v in {"name": name, **fields}.items())
    return ResourceChange(f"{key}/{name}", key, name, None, Action.CREATE, changes)


def _client(url: str, handle: SandboxHandle, clock: VirtualTime, read_timeout: float) -> Client:
    env = {
        "HALO_URL": url,
        "HALO_CLIENT_ID": handle.client_id,
        "HALO_CLIENT_SECRET": handle.client_secret,
    }
    options = ClientOptions(timing=clock.timing(), read_timeout=read_timeout)
    return Client(settings_from_env(env), options)


def _names(handle: SandboxHandle, key: str) -> list[str]:
    return [r["name"] for r in handle.store.list(key)]


def test_a_slow_commit_is_not_sent_again(tmp_path: Path) -> None:
    clock = VirtualTime()
    with (
        start_in_thread() as handle,
        SlowCommitProxy(handle.url) as proxy,
        _client(proxy.url, handle, clock, read_timeout=0.3) as client,
    ):
        plan = Plan(Instance(proxy.url), (_create("xero", "Slow NZ", enablesync=True),))
        report = apply_plan(plan, client, env=ENV)
        assert [o.line() for o in report.outcomes] == [
            "xero/Slow NZ: create outcome unknown, not re-sent; run apply again to check "
            "(POST /api/XeroDetails: no answer: no answer (read timeout) after the request was "
            "sent: it may have been applied)"
        ]
        assert report.outcomes[0].status is Status.UNKNOWN
        assert not report.ok
        assert report.summary == (
            "Apply complete: 0 applied, 0 failed, 0 skipped, 1 outcome unknown."
        )
        assert proxy.posts == 1  # never sent again
        assert clock.slept[-2:] == [1.0, 3.0]  # re-read after a short wait, then again
        proxy.release()  # the slow commit lands after all
        assert _names(handle, "xero") == ["Slow NZ"]
        # The next run finds it: nothing to create, nothing sent.
        again = apply_plan(plan, client, env=ENV)
        assert [o.line() for o in again.outcomes] == [
            'xero/Slow NZ: create failed: not created: a record with name "Slow NZ" appeared '
            "in HaloPSA since the plan (#1); run plan again"
        ]
        assert proxy.posts == 1
        assert duplicates(handle) == []


def test_a_record_that_appeared_since_the_plan_is_not_created() -> None:
    with start_in_thread() as handle:
        clock = VirtualTime()
        with _client(handle.url, handle, clock, read_timeout=5.0) as client:
            plan = Plan(
                Instance(handle.url),
                (_create("kashflow", "Kash"), _create("kashflow", "Other")),
            )
            handle.store.create("kashflow", {"name": "Kash"})  # another apply got there first
            report = apply_plan(plan, client, env=ENV)
        assert [o.line() for o in report.outcomes] == [
            'kashflow/Kash: create failed: not created: a record with name "Kash" appeared '
            "in HaloPSA since the plan (#1); run plan again",
            "kashflow/Other: created (id 2)",
        ]
        posts = [
            e.body
            for e in handle.log.entries()
            if e.path == "/api/KashflowDetails" and e.method == "POST"
        ]
        assert posts == [[{"name": "Other"}]]
        assert duplicates(handle) == []


def _after(method: str, path: str, nth: int, action: Any) -> Any:
    """An on_request hook running `action` after the nth `method path` request."""
    seen = []

    def hook(entry: LogEntry) -> None:
        if entry.method == method and entry.path == path:
            seen.append(entry)
            if len(seen) == nth:
                action()

    return hook


def test_read_back_fails_a_record_whose_identity_two_live_records_have() -> None:
    # Someone creates the same record just after this run's POST committed.
    def other() -> None:
        handle.store.create("fortnox", {"name": "Fort"})

    with start_in_thread(on_request=_after("POST", "/api/FortnoxDetails", 1, other)) as handle:
        with _client(handle.url, handle, VirtualTime(), read_timeout=5.0) as client:
            report = apply_plan(
                Plan(Instance(handle.url), (_create("fortnox", "Fort"),)), client, env=ENV
            )
        assert [o.line() for o in report.outcomes] == [
            'fortnox/Fort: create failed: inconsistent result: 2 live records have name "Fort" '
            "(#1, #2), a duplicate; run plan to check"
        ]
        # This run's copy is the older one: it is kept; the other is not this run's to delete.
        assert sorted(r["id"] for r in handle.store.list("fortnox")) == [1, 2]


def test_read_back_deletes_the_newer_copy_this_run_made() -> None:
    # Another apply creates the record between this run's re-read and its POST.
    def other() -> None:
        handle.store.create("fortnox", {"name": "Fort"})

    with start_in_thread(on_request=_after("GET", "/api/FortnoxDetails", 1, other)) as handle:
        with _client(handle.url, handle, VirtualTime(), read_timeout=5.0) as client:
            report = apply_plan(
                Plan(Instance(handle.url), (_create("fortnox", "Fort"),)), client, env=ENV
            )
        assert [o.line() for o in report.outcomes] == [
            'fortnox/Fort: create failed: inconsistent result: 2 live records have name "Fort" '
            "(#1, #2), a duplicate; #2, the copy this run created, was deleted; run plan to "
            "check"
        ]
        assert [r["id"] for r in handle.store.list("fortnox")] == [1]
        assert duplicates(handle) == []
