"""The org's rolling 24-hour API request allocation (DailyApiRequests).

Every counted REST call adds one; composite and collection requests count once. The current
figure goes out on every response as `Sforce-Limit-Info: api-usage=N/M`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


class ApiUsage:
    """Counts calls in a rolling 24 h window on the org's clock."""

    def __init__(self, limit: int, clock: Callable[[], datetime]) -> None:
        self.limit = limit
        self._clock = clock
        self._calls: deque[datetime] = deque()
        self._baseline = 0  # calls "made earlier" (set by tests), never expire
        self._lock = threading.Lock()

    def _expire(self) -> None:
        cutoff = self._clock() - WINDOW
        while self._calls and self._calls[0] <= cutoff:
            self._calls.popleft()

    def used(self) -> int:
        """Calls counted in the last 24 hours."""
        with self._lock:
            self._expire()
            return self._baseline + len(self._calls)

    def try_consume(self) -> bool:
        """Count one call; False (and nothing counted) when the allocation is exhausted."""
        with self._lock:
            self._expire()
            if self._baseline + len(self._calls) >= self.limit:
                return False
            self._calls.append(self._clock())
            return True

    def set_used(self, used: int) -> None:
        """Pretend `used` calls were already made today (to test the limit cheaply)."""
        if used < 0:
            raise ValueError("used must not be negative")
        with self._lock:
            self._calls.clear()
            self._baseline = used

    def header(self) -> str:
        """The Sforce-Limit-Info header value."""
        return f"api-usage={self.used()}/{self.limit}"
