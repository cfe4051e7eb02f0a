"""Client-side rate limiting: spend only Baton's configured SHARE of each CRM's API limits.

HubSpot counts requests in a rolling 10-second window per app and a daily budget per portal
(shared by every app), and search separately at 5 requests/s; Salesforce counts a rolling
24-hour allocation per org (shared by every integration). A 429 or a REQUEST_LIMIT_EXCEEDED
hurts everyone on the account, so Baton keeps its own books and waits *before* calling.

The limiter also listens to what the CRM says about the whole account
(``X-HubSpot-RateLimit-Remaining``/``-Daily-Remaining``, ``Sforce-Limit-Info``) and slows down
early when the account as a whole runs low, even if Baton's own share is not spent.

With a ``shared`` ledger (``connector.call_ledger``, on PostgreSQL) every call is also counted
in the store, against the same windows, so all of Baton's processes on one database together
spend one share of each limit; without it (SQLite: one process) the books are this process's.

Thread-safe; the clock and the sleep are injectable so tests run without waiting.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from adapters.errors import BudgetExhausted

DEFAULT_KIND = "default"
SEARCH_KIND = "search"


class RollingWindow:
    """At most ``limit`` events in any ``window_s`` seconds: an exact sliding log.

    Used for short windows (HubSpot's 10 s burst, search per second) where the log is small.
    """

    def __init__(self, limit: int, window_s: float) -> None:
        if limit <= 0 or window_s <= 0:
            raise ValueError(f"rolling window needs positive limit and window: {limit}, {window_s}")
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.window_s:
            self._times.popleft()

    def wait_s(self, now: float) -> float:
        """Seconds until one more event is allowed (0 when allowed now)."""
        self._expire(now)
        if len(self._times) < self.limit:
            return 0.0
        return max(0.0, self._times[0] + self.window_s - now)

    def take(self, now: float) -> None:
        """Record one event at ``now``."""
        self._times.append(now)


class RollingCounter:
    """At most ``limit`` events per rolling ``window_s``, counted in buckets (for 24 h windows).

    A sliding log of a day's worth of calls would hold hundreds of thousands of floats; buckets of
    ``bucket_s`` seconds keep the memory fixed and err on the safe side by at most one bucket.
    """

    def __init__(self, limit: int, window_s: float, bucket_s: float = 60.0) -> None:
        if limit <= 0 or window_s <= 0 or bucket_s <= 0:
            raise ValueError("a rolling counter needs positive limit, window_s and bucket_s")
        self.limit = limit
        self.window_s = window_s
        self.bucket_s = bucket_s
        self._buckets: deque[list[float]] = deque()  # [bucket start, count]
        self._total = 0

    def _expire(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] + self.bucket_s <= now - self.window_s:
            self._total -= int(self._buckets.popleft()[1])

    def wait_s(self, now: float) -> float:
        """Seconds until one more event is allowed (0 when allowed now)."""
        self._expire(now)
        if self._total < self.limit:
            return 0.0
        oldest_start = self._buckets[0][0]
        return max(0.0, oldest_start + self.bucket_s + self.window_s - now)

    def take(self, now: float) -> None:
        """Record one event at ``now``."""
        start = math.floor(now / self.bucket_s) * self.bucket_s
        if self._buckets and self._buckets[-1][0] == start:
            self._buckets[-1][1] += 1
        else:
            self._buckets.append([start, 1])
        self._total += 1


class CallLedger(Protocol):
    """Call counts shared by several processes (``connector.call_ledger.SharedCallLedger``)."""

    def reserve(self, system: str, windows: Sequence[tuple[str, int, float, float]]) -> float:
        """Record one call in every window and return 0, or the seconds to wait."""
        ...


#: slot sizes of the shared windows: short windows in tenths of a second, the day in minutes
SHORT_SLOT_S = 0.1
DAILY_SLOT_S = 60.0


@dataclass(frozen=True, slots=True)
class LimitShare:
    """A CRM's limits and the share Baton may use; None disables that dimension."""

    burst_limit: int | None = None
    burst_window_s: float = 10.0
    daily_limit: int | None = None
    daily_window_s: float = 86_400.0
    search_per_s: float | None = None
    share: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError(f"share must be within (0, 1], got {self.share}")

    def scaled(self, limit: int | None) -> int | None:
        """Baton's part of ``limit``: rounded down, but at least one request."""
        return None if limit is None else max(1, math.floor(limit * self.share))


class RateLimiter:
    """Baton's books for one CRM: burst and search windows, a daily counter, header hints.

    ``acquire()`` blocks while a short window is full (at most ``max_wait_s``) and raises
    :class:`BudgetExhausted` when the wait would be longer (the daily share is spent, or the
    account reported itself nearly out): the outbox then reschedules instead of a thread
    sleeping for hours.
    """

    def __init__(
        self,
        system: str,
        limits: LimitShare,
        *,
        low_water: float = 0.05,
        daily_pause_s: float = 3600.0,
        max_wait_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        shared: CallLedger | None = None,
    ) -> None:
        self.system = system
        self.limits = limits
        self.shared = shared
        self.low_water = low_water
        self.daily_pause_s = daily_pause_s
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        burst = limits.scaled(limits.burst_limit)
        daily = limits.scaled(limits.daily_limit)
        self._burst = RollingWindow(burst, limits.burst_window_s) if burst else None
        self._daily = RollingCounter(daily, limits.daily_window_s) if daily else None
        self._search = _per_second_window(limits.search_per_s) if limits.search_per_s else None
        self._not_before = 0.0  # header hint: spread the account's last calls out
        self._paused_until = 0.0  # header hint: the account is nearly out for the day
        self.calls = 0

    def acquire(self, kind: str = DEFAULT_KIND) -> None:
        """Take one request slot of ``kind`` ("default" or "search"), waiting if needed.

        Raises:
            BudgetExhausted: the wait would exceed ``max_wait_s``.
        """
        while True:
            with self._lock:
                now = self._clock()
                wait, reason = self._wait_locked(now, kind)
                if wait <= 0 and self.shared is not None:
                    wait = self.shared.reserve(self.system, self._shared_windows(kind))
                    reason = "Baton's share spent by all its processes"
                if wait <= 0:
                    self._take_locked(now, kind)
                    return
            if wait > self.max_wait_s:
                raise BudgetExhausted(self.system, reason, wait)
            self._sleep(wait)

    def _shared_windows(self, kind: str) -> list[tuple[str, int, float, float]]:
        """The windows a call of ``kind`` counts against (as ``_take_locked`` counts them)."""
        windows: list[tuple[str, int, float, float]] = []
        if self._daily is not None:
            windows.append(("daily", self._daily.limit, self._daily.window_s, DAILY_SLOT_S))
        if kind == SEARCH_KIND:
            if self._search is not None:
                search = self._search
                windows.append(("search", search.limit, search.window_s, SHORT_SLOT_S))
        elif self._burst is not None:
            windows.append(("burst", self._burst.limit, self._burst.window_s, SHORT_SLOT_S))
        return windows

    def _wait_locked(self, now: float, kind: str) -> tuple[float, str]:
        if now < self._paused_until:
            return self._paused_until - now, "account daily limit nearly reached"
        waits: list[tuple[float, str]] = [(self._not_before - now, "account burst nearly spent")]
        if self._daily is not None:
            waits.append((self._daily.wait_s(now), "daily share spent"))
        if kind == SEARCH_KIND and self._search is not None:
            waits.append((self._search.wait_s(now), "search rate"))
        # Search requests count towards the daily budget but not the burst window
        # (HubSpot's search limit is separate); everything else counts towards the burst.
        elif kind != SEARCH_KIND and self._burst is not None:
            waits.append((self._burst.wait_s(now), "burst share spent"))
        return max(waits)

    def _take_locked(self, now: float, kind: str) -> None:
        self.calls += 1
        if self._daily is not None:
            self._daily.take(now)
        if kind == SEARCH_KIND:
            if self._search is not None:
                self._search.take(now)
        elif self._burst is not None:
            self._burst.take(now)

    def observe_hubspot_headers(self, headers: Mapping[str, str]) -> None:
        """Slow down when HubSpot says the app's burst or the portal's day is nearly spent.

        ``headers`` has lower-cased names. Search responses carry no such headers; nothing
        happens then.
        """
        remaining = _int_header(headers, "x-hubspot-ratelimit-remaining")
        maximum = _int_header(headers, "x-hubspot-ratelimit-max")
        interval_ms = _int_header(headers, "x-hubspot-ratelimit-interval-milliseconds") or 10_000
        daily_remaining = _int_header(headers, "x-hubspot-ratelimit-daily-remaining")
        daily = _int_header(headers, "x-hubspot-ratelimit-daily")
        with self._lock:
            now = self._clock()
            if remaining is not None and maximum and remaining <= self.low_water * maximum:
                # Spread what is left of the window over the window instead of bursting into 429s.
                spacing = interval_ms / 1000.0 / (remaining + 1)
                self._not_before = max(self._not_before, now + spacing)
            if daily_remaining is not None and daily and daily_remaining <= self.low_water * daily:
                self._paused_until = max(self._paused_until, now + self.daily_pause_s)

    def observe_salesforce_limit_info(self, value: str | None) -> None:
        """Pause when ``Sforce-Limit-Info: api-usage=N/M`` shows the org nearly out for the day."""
        usage = parse_salesforce_api_usage(value)
        if usage is None:
            return
        used, total = usage
        if total > 0 and total - used <= self.low_water * total:
            with self._lock:
                self._paused_until = max(self._paused_until, self._clock() + self.daily_pause_s)

    def pause(self, seconds: float) -> None:
        """Stop all calls for ``seconds`` (a CRM answered with a daily-limit refusal)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def _per_second_window(rate: float) -> RollingWindow:
    """n requests per second as a window; a fractional rate spaces single requests 1/rate apart."""
    if float(rate).is_integer():
        return RollingWindow(int(rate), 1.0)
    return RollingWindow(1, 1.0 / rate)


_API_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")


def parse_salesforce_api_usage(value: str | None) -> tuple[int, int] | None:
    """(used, total) from a ``Sforce-Limit-Info`` header value, or None when absent/garbled."""
    if not value:
        return None
    match = _API_USAGE.search(value)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


def hubspot_limiter(
    *,
    burst_limit: int = 190,
    burst_window_ms: int = 10_000,
    daily_limit: int = 625_000,
    share: float = 0.5,
    search_rps: float = 5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    max_wait_s: float = 30.0,
    shared: CallLedger | None = None,
) -> RateLimiter:
    """A limiter for one HubSpot portal: ``share`` of the burst and daily limits, search apart.

    The search limit (5/s per portal) is not scaled: the config documents ``share`` as applying
    to the burst and daily limits, and ``search_rps`` is already Baton's own number.
    """
    limits = LimitShare(
        burst_limit=burst_limit,
        burst_window_s=burst_window_ms / 1000.0,
        daily_limit=daily_limit,
        search_per_s=search_rps,
        share=share,
    )
    return RateLimiter(
        "hubspot", limits, clock=clock, sleep=sleep, max_wait_s=max_wait_s, shared=shared
    )


def salesforce_limiter(
    *,
    daily_limit: int = 100_000,
    share: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    max_wait_s: float = 30.0,
    shared: CallLedger | None = None,
) -> RateLimiter:
    """A limiter for one Salesforce org: ``share`` of the rolling 24-hour API allocation."""
    limits = LimitShare(daily_limit=daily_limit, share=share)
    return RateLimiter(
        "salesforce", limits, clock=clock, sleep=sleep, max_wait_s=max_wait_s, shared=shared
    )
