"""Two applies of the same saved plan against one sandbox, interleaved request by request:
whatever the order, no identity is left on two live records (issue 18, acceptance 2).

Each apply runs the saved-plan route (check_saved, then apply_plan) in a thread of its
own, through a client whose every request waits for its turn in a schedule of "A" and
"B", so the two runs interleave exactly as the schedule says: deterministic and bounded
(each run makes about ten requests; every wait has a limit). Schedules: one run after
the other both ways, strict alternation, pairs, and seeded random orders. Three things
work together: staleness (a create that already exists is refused), the re-read just
before a POST, and read-back deleting the newer copy when both runs created a record
between one's re-read and its POST.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from apply_support import ENV, client_for, duplicates, plan_for, write_config

from reconciler.apply import apply_plan
from reconciler.apply.saved import check_saved
from reconciler.errors import StalePlanError
from reconciler.halo import Client
from reconciler.halo.timing import Timing
from reconciler.instance import Instance
from reconciler.plan import Plan
from reconciler.sandbox import SandboxHandle, start_in_thread

LIMIT = 30.0  # seconds any one wait may take
CONFIG = """\
xero:
  - name: Acme NZ
    enablesync: true
  - name: Beta NZ
    tenant_id: t-beta
kashflow:
  - name: Kash
"""
WANTED = {"xero": ["Acme NZ", "Beta NZ"], "kashflow": ["Kash"]}


class Schedule:
    """Whose turn the next request is. A run that has finished gives up its turns."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.pos = 0
        self.done: set[str] = set()
        self.cond = threading.Condition()

    def _current(self) -> str | None:
        while self.pos < len(self.order) and self.order[self.pos] in self.done:
            self.pos += 1
        return self.order[self.pos] if self.pos < len(self.order) else None

    @contextmanager
    def turn(self, who: str) -> Iterator[None]:
        with self.cond:
            assert self.cond.wait_for(lambda: self._current() in (who, None), LIMIT)
        try:
            yield
        finally:
            with self.cond:
                if self._current() == who:
                    self.pos += 1
                self.cond.notify_all()

    def finish(self, who: str) -> None:
        with self.cond:
            self.done.add(who)
            self.cond.notify_all()


class Scheduled:
    """A real client whose requests take turns (what apply and check_saved need of it)."""

    def __init__(self, client: Client, who: str, schedule: Schedule) -> None:
        self.client, self.who, self.schedule = client, who, schedule

    def list(self, key: str, /) -> Sequence[Mapping[str, Any]]:
        with self.schedule.turn(self.who):
            return self.client.list(key)

    def detail(self, key: str, id: int, /) -> Mapping[str, Any]:
        with self.schedule.turn(self.who):
            return self.client.detail(key, id)

    def post(self, key: str, records: Sequence[Mapping[str, Any]], /) -> Sequence[Any]:
        with self.schedule.turn(self.who):
            return self.client.post(key, records)

    def delete(self, key: str, record_id: int, /) -> None:
        with self.schedule.turn(self.who):
            self.client.delete(key, record_id)

    @property
    def timing(self) -> Timing:
        return self.client.timing

    @property
    def instance(self) -> Instance:
        return self.client.instance


def _schedules() -> list[str]:
    fixed = ["A" * 20 + "B" * 20, "B" * 20 + "A" * 20, "AB" * 20, "BA" * 20, "AABB" * 10]
    fixed += ["ABBA" * 10, "AAAB" * 10, "BBBA" * 10]
    rng = random.Random(18)
    return fixed + ["".join(rng.choice("AB") for _ in range(40)) for _ in range(16)]


SCHEDULES = _schedules()


def _race(handle: SandboxHandle, saved: Plan, order: str) -> list[BaseException]:
    schedule = Schedule(order)
    errors: list[BaseException] = []

    def run(who: str) -> None:
        try:
            with client_for(handle) as real:
                client = Scheduled(real, who, schedule)
                try:
                    check_saved(saved, client, max_workers=1)
                except StalePlanError:
                    return  # the other run got there first: nothing to do
                apply_plan(saved, client, env=ENV, parallelism=1)
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)
        finally:
            schedule.finish(who)

    threads = [threading.Thread(target=run, args=(who,)) for who in "AB"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(LIMIT * 4)
    assert not any(t.is_alive() for t in threads), order
    return errors


def _play(order: str, tmp_path: Path) -> int:
    """Race two applies in `order`; check the outcome; the DELETEs read-back sent."""
    with start_in_thread() as handle:
        handle.store.create("xero", {"name": "Acme NZ", "enablesync": False})
        with client_for(handle) as client:
            plan = plan_for(client, write_config(tmp_path, CONFIG))
        saved = Plan.from_json(plan.to_json())  # as `plan --out` writes it, read back
        assert saved.summary.create == 2 and saved.summary.update == 1
        errors = _race(handle, saved, order)
        assert errors == [], (order, errors)
        assert duplicates(handle) == [], order
        for key, names in WANTED.items():
            assert sorted(r["name"] for r in handle.store.list(key)) == names, order
        return sum(1 for e in handle.log.entries() if e.method == "DELETE")


@pytest.mark.parametrize("order", SCHEDULES)
def test_two_applies_of_one_saved_plan_leave_no_duplicate(order: str, tmp_path: Path) -> None:
    _play(order, tmp_path)


def test_alternation_reaches_the_race_that_read_back_resolves(tmp_path: Path) -> None:
    # Both runs pass xero's re-read before either POSTs: both create Beta NZ, and the run
    # whose copy is newer deletes it at read-back.
    assert _play("AB" * 20, tmp_path) >= 1
