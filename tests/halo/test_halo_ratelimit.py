"""The shared rate budget: N requests per rolling S seconds, across threads (fake clock)."""

from __future__ import annotations

import threading

import pytest
from halo_support import FakeTime, connect, sandbox_env

from reconciler.halo import RateBudget
from reconciler.sandbox import SandboxHandle


class RecordingBudget(RateBudget):
    """A RateBudget that keeps the clock time of every slot it grants."""

    def __init__(self, count: int, seconds: float, fake: FakeTime) -> None:
        super().__init__(count, seconds, clock=fake.clock, sleep=fake.sleep)
        self.granted: list[float] = []
        self._record = threading.Lock()

    def acquire(self) -> float:
        at = super().acquire()
        with self._record:
            self.granted.append(at)
        return at


def _most_in_any_window(times: list[float], seconds: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + seconds) for t in times)


def test_waits_for_the_oldest_slot_to_leave_the_window() -> None:
    fake = FakeTime(start=0.0)
    budget = RateBudget(3, 10, clock=fake.clock, sleep=fake.sleep)
    grants = [budget.acquire() for _ in range(3)]
    fake.advance(4)
    grants.append(budget.acquire())  # waits until 0 + 10, when all three t=0 slots free
    grants.append(budget.acquire())
    grants.append(budget.acquire())
    fake.advance(1)
    grants.append(budget.acquire())  # the slot granted at 10 leaves at 20
    assert grants == [0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 20.0]
    assert fake.sleeps == [6.0, 9.0]


def test_rejects_a_nonsense_budget() -> None:
    with pytest.raises(ValueError, match="a rate budget needs N >= 1 and S > 0, got 0/10"):
        RateBudget(0, 10)


def test_settings_budget_is_used_and_counts_the_token_request(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    env = sandbox_env(sandbox, HALO_RATE_LIMIT="2/60")
    with connect(sandbox, fake, env=env) as client:
        client.list("xero")  # token + list: the two slots
        client.list("xero")  # waits a full minute
    assert fake.sleeps == [60.0]


def test_budget_holds_under_four_threads(sandbox: SandboxHandle) -> None:
    fake = FakeTime()
    budget = RecordingBudget(5, 10, fake)
    with connect(sandbox, fake, budget=budget) as client:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(5):
                    client.list("xero")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert len(budget.granted) == 21  # one token request + 20 lists
    assert len(sandbox.log.entries()) == 21
    assert _most_in_any_window(budget.granted, 10) == 5
    assert max(budget.granted) - min(budget.granted) >= 40  # 21 requests need 5 windows
