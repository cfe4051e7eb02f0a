"""HubSpot's API limits: a rolling burst window, a daily budget and the search limit.

Pure bookkeeping over a clock; the app decides what to answer.

``adapters/ratelimit.py`` has a similar rolling window on Baton's side. They are kept apart on
purpose: the stand-in is the oracle the adapter's limiter is tested against, and one shared
implementation would let a bug in it pass its own test.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LimitDecision:
    """Outcome of asking for one request: allowed or not, and what the headers should say."""

    allowed: bool
    policy: str | None  # "TEN_SECONDLY_ROLLING" | "DAILY" | "SECONDLY" when refused
    burst_remaining: int
    daily_remaining: int
    retry_after_s: float  # time until the refusing window frees a slot (0 when allowed)


class RollingWindow:
    """At most `limit` events in any `window_s` seconds: a sliding log, like HubSpot's."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._times: deque[float] = deque()

    def _expire(self, now: float) -> None:
        if self._times and self._times[-1] > now:
            # The clock went back (a test travelled in time and returned): events stamped in
            # the future cannot be in the window, and left at the front of the log they would
            # stop every later event from ever expiring.
            self._times = deque(t for t in self._times if t <= now)
        while self._times and self._times[0] <= now - self.window_s:
            self._times.popleft()

    def remaining(self, now: float) -> int:
        """Slots left at `now`."""
        self._expire(now)
        return max(0, self.limit - len(self._times))

    def wait_s(self, now: float) -> float:
        """Seconds until one slot frees up."""
        self._expire(now)
        if len(self._times) < self.limit:
            return 0.0
        return max(0.0, self._times[0] + self.window_s - now)

    def take(self, now: float) -> None:
        """Record one event at `now`."""
        self._times.append(now)


class RateLimiter:
    """The portal's limits: burst per rolling window, daily budget, search per second."""

    def __init__(
        self,
        *,
        burst_limit: int,
        burst_window_ms: int,
        daily_limit: int,
        search_rps: int,
        clock: Callable[[], float],
    ) -> None:
        self.burst = RollingWindow(burst_limit, burst_window_ms / 1000.0)
        self.search = RollingWindow(search_rps, 1.0)
        self.daily_limit = daily_limit
        self._daily_used = 0
        self._day = None
        self._clock = clock
        self._lock = threading.Lock()

    def _roll_day(self, now: float) -> None:
        day = int(now // 86_400)
        if day != self._day:
            self._day = day
            self._daily_used = 0

    def acquire(self, *, is_search: bool) -> LimitDecision:
        """Spend one request from the budgets, or say which policy refuses it."""
        with self._lock:
            now = self._clock()
            self._roll_day(now)
            daily_remaining = self.daily_limit - self._daily_used
            if daily_remaining <= 0:
                return LimitDecision(
                    False, "DAILY", self.burst.remaining(now), 0, 86_400 - now % 86_400
                )
            window = self.search if is_search else self.burst
            if window.remaining(now) <= 0:
                policy = "SECONDLY" if is_search else "TEN_SECONDLY_ROLLING"
                return LimitDecision(
                    False, policy, self.burst.remaining(now), daily_remaining, window.wait_s(now)
                )
            window.take(now)
            self._daily_used += 1
            return LimitDecision(True, None, self.burst.remaining(now), daily_remaining - 1, 0.0)

    def exhaust_daily(self) -> None:
        """Use up the rest of today's budget (tests of the DAILY policy)."""
        with self._lock:
            self._roll_day(self._clock())
            self._daily_used = self.daily_limit

    def peek(self) -> tuple[int, int]:
        """(burst remaining, daily remaining) without spending anything."""
        with self._lock:
            now = self._clock()
            self._roll_day(now)
            return self.burst.remaining(now), self.daily_limit - self._daily_used
