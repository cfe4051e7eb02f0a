"""The client-side limiter: Baton's share of each CRM limit, waits, and header hints."""

from __future__ import annotations

import threading

import pytest

from adapters.errors import BudgetExhausted
from adapters.ratelimit import (
    LimitShare,
    RateLimiter,
    RollingCounter,
    RollingWindow,
    hubspot_limiter,
    parse_salesforce_api_usage,
    salesforce_limiter,
)


class FakeClock:
    """A clock that only moves when the limiter sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rolling_window_allows_limit_then_waits_for_oldest_to_expire() -> None:
    window = RollingWindow(3, 10.0)
    for t in (0.0, 1.0, 2.0):
        assert window.wait_s(t) == 0
        window.take(t)
    assert window.wait_s(2.5) == pytest.approx(7.5)
    assert window.wait_s(10.0) == 0  # the event at t=0 left the window


def test_rolling_counter_counts_in_buckets_and_frees_after_window() -> None:
    counter = RollingCounter(2, window_s=3600, bucket_s=60)
    counter.take(10.0)
    counter.take(70.0)
    wait = counter.wait_s(100.0)
    # The oldest bucket [0, 60) leaves the window once it is entirely older than an hour.
    assert wait == pytest.approx(60 + 3600 - 100)
    assert counter.wait_s(100.0 + wait) == 0


def test_hubspot_share_scales_burst_and_blocks_until_the_window_frees() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(
        burst_limit=10, burst_window_ms=10_000, share=0.5, clock=clock, sleep=clock.sleep
    )
    for _ in range(5):  # 50 % of 10
        limiter.acquire()
    assert clock.slept == []
    limiter.acquire()
    assert clock.slept == [pytest.approx(10.0)]
    assert limiter.calls == 6


def test_search_has_its_own_per_second_window_outside_the_burst() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(
        burst_limit=2, share=1.0, search_rps=5, clock=clock, sleep=clock.sleep
    )
    for _ in range(5):
        limiter.acquire("search")
    assert clock.slept == []  # five searches did not touch the burst window of 2
    limiter.acquire()
    limiter.acquire()
    assert clock.slept == []
    limiter.acquire("search")
    assert clock.slept == [pytest.approx(1.0)]


def test_fractional_search_rate_spaces_single_requests() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(search_rps=2.5, clock=clock, sleep=clock.sleep)
    limiter.acquire("search")
    limiter.acquire("search")
    assert clock.slept == [pytest.approx(0.4)]


def test_daily_share_spent_raises_instead_of_sleeping_for_hours() -> None:
    clock = FakeClock()
    limiter = salesforce_limiter(daily_limit=10, share=0.3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire()
    with pytest.raises(BudgetExhausted) as info:
        limiter.acquire()
    assert info.value.retry_after_s > 3600
    assert "daily share" in info.value.reason
    assert clock.slept == []


def test_share_never_rounds_down_to_zero() -> None:
    assert LimitShare(daily_limit=1, share=0.01).scaled(1) == 1
    with pytest.raises(ValueError):
        LimitShare(share=0)


def test_hubspot_remaining_header_spreads_the_last_calls_of_the_window() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(burst_limit=1000, share=1.0, clock=clock, sleep=clock.sleep)
    limiter.observe_hubspot_headers(
        {
            "x-hubspot-ratelimit-max": "190",
            "x-hubspot-ratelimit-remaining": "4",
            "x-hubspot-ratelimit-interval-milliseconds": "10000",
        }
    )
    limiter.acquire()
    assert clock.slept == [pytest.approx(10.0 / 5)]


def test_hubspot_plenty_remaining_does_not_slow_down() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(clock=clock, sleep=clock.sleep)
    limiter.observe_hubspot_headers(
        {"x-hubspot-ratelimit-max": "190", "x-hubspot-ratelimit-remaining": "150"}
    )
    limiter.acquire()
    assert clock.slept == []


def test_hubspot_daily_remaining_low_pauses_the_account() -> None:
    clock = FakeClock()
    limiter = hubspot_limiter(clock=clock, sleep=clock.sleep)
    limiter.observe_hubspot_headers(
        {"x-hubspot-ratelimit-daily": "625000", "x-hubspot-ratelimit-daily-remaining": "100"}
    )
    with pytest.raises(BudgetExhausted) as info:
        limiter.acquire()
    assert "nearly reached" in info.value.reason


def test_salesforce_limit_info_pauses_when_the_org_is_nearly_out() -> None:
    clock = FakeClock()
    limiter = salesforce_limiter(clock=clock, sleep=clock.sleep)
    limiter.observe_salesforce_limit_info("api-usage=50000/100000")
    limiter.acquire()
    limiter.observe_salesforce_limit_info("api-usage=99000/100000; api-bursts=1/750")
    with pytest.raises(BudgetExhausted):
        limiter.acquire()
    clock.now += 3601
    limiter.acquire()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api-usage=18/5000", (18, 5000)),
        ("api-usage=10018/100000; api-bursts=1/750", (10018, 100000)),
        ("per-app-api-usage=17/250(appName=x)", None),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_salesforce_api_usage(value: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_salesforce_api_usage(value) == expected


class RecordingLimiter(RateLimiter):
    """Records the clock reading of every granted slot, taken under the limiter's lock."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.granted: list[float] = []

    def _take_locked(self, now: float, kind: str) -> None:
        self.granted.append(now)
        super()._take_locked(now, kind)


def test_limiter_is_thread_safe_under_concurrent_acquire() -> None:
    # Real clock and sleep: 8 threads x 25 calls must never exceed 20 per 0.2 s window.
    limiter = RecordingLimiter("hubspot", LimitShare(burst_limit=20, burst_window_s=0.2))

    def worker() -> None:
        for _ in range(25):
            limiter.acquire()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limiter.calls == 200
    granted = sorted(limiter.granted)
    assert len(granted) == 200
    # Any 21 consecutive grants span at least one whole window.
    assert min(granted[i + 20] - granted[i] for i in range(len(granted) - 20)) >= 0.2
