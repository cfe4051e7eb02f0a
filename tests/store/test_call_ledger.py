"""The CRM call ledger: Baton's processes on one database spend one share of a limit together.

Two rate limiters stand for two processes (each with its own books, as in two ``baton worker``
processes); they share only the store. On SQLite and, with ``BATON_TEST_POSTGRES_URL``, on
PostgreSQL, where the advisory lock keeps two processes from taking the last slot twice.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from adapters.errors import BudgetExhausted
from adapters.ratelimit import hubspot_limiter, salesforce_limiter
from connector.call_ledger import SharedCallLedger
from connector.store import Store
from tests.conftest import POSTGRES_URL


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _limiters(store: Store, clock: Clock, n: int = 2) -> list:
    ledger = SharedCallLedger(store, clock=clock)
    return [
        hubspot_limiter(
            burst_limit=20,
            share=0.5,
            clock=clock,
            sleep=clock.sleep,
            max_wait_s=0.0,
            shared=ledger,
        )
        for _ in range(n)
    ]


def test_two_processes_share_one_burst_share(store: Store) -> None:
    clock = Clock()
    first, second = _limiters(store, clock)
    for _ in range(6):
        first.acquire()
    for _ in range(4):
        second.acquire()  # 10 = half of 20 per 10 s, for both together
    for limiter in (first, second):
        with pytest.raises(BudgetExhausted) as refused:
            limiter.acquire()
        assert "all its processes" in refused.value.reason
    clock.now += 10.2  # the window (and its first slot) has passed
    first.acquire()
    assert SharedCallLedger(store, clock=clock).used("hubspot", "burst", 10.0) == 1


def test_waiting_for_the_shared_window_sleeps_until_it_has_room(store: Store) -> None:
    clock = Clock()
    ledger = SharedCallLedger(store, clock=clock)
    limiter = hubspot_limiter(
        burst_limit=4, share=0.5, clock=clock, sleep=clock.sleep, max_wait_s=30, shared=ledger
    )
    other = hubspot_limiter(burst_limit=4, share=0.5, clock=clock, sleep=clock.sleep, shared=ledger)
    other.acquire()
    other.acquire()
    start = clock.now
    limiter.acquire()  # the other process spent the share: wait out its window
    assert 10.0 <= clock.now - start <= 10.3


def test_search_and_daily_windows_are_shared_too(store: Store) -> None:
    clock = Clock()
    ledger = SharedCallLedger(store, clock=clock)
    searchers = [
        hubspot_limiter(search_rps=2, clock=clock, sleep=clock.sleep, max_wait_s=0, shared=ledger)
        for _ in range(2)
    ]
    searchers[0].acquire("search")
    searchers[1].acquire("search")
    with pytest.raises(BudgetExhausted):
        searchers[0].acquire("search")
    orgs = [
        salesforce_limiter(daily_limit=6, share=0.5, clock=clock, sleep=clock.sleep, shared=ledger)
        for _ in range(2)
    ]
    orgs[0].acquire()
    orgs[1].acquire()
    orgs[1].acquire()
    with pytest.raises(BudgetExhausted) as refused:
        orgs[0].acquire()
    assert refused.value.retry_after_s > 3600  # the daily window: hours, so the outbox waits


SCRIPT = textwrap.dedent(
    """
    import sys, time
    from adapters.errors import BudgetExhausted
    from adapters.ratelimit import hubspot_limiter
    from connector.call_ledger import SharedCallLedger
    from connector.store import Store

    store = Store(sys.argv[1])
    limiter = hubspot_limiter(
        burst_limit=40, burst_window_ms=120_000, share=0.5, max_wait_s=0.0,
        shared=SharedCallLedger(store),
    )
    taken = refused = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and refused < 20:  # until the share is plainly spent
        try:
            limiter.acquire()
            taken += 1
            refused = 0
        except BudgetExhausted:
            refused += 1
            time.sleep(0.02)
    print(taken)
    """
)


@pytest.mark.postgres
def test_four_processes_together_never_take_more_than_the_share(tmp_path: Path) -> None:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set BATON_TEST_POSTGRES_URL to run these tests")
    from privacy_testing import postgres_schema_url

    from connector.store import upgrade

    with postgres_schema_url() as url:
        upgrade(url)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", SCRIPT, url],
                stdout=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
            for _ in range(4)
        ]
        taken = [int(p.communicate(timeout=60)[0].strip()) for p in procs]
    # all inside one 2-minute window: 20 calls (half of 40) for the four processes together
    assert sum(taken) == 20, taken
