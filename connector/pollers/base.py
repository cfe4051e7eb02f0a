"""What every poller shares: the result type, the cursor table, request pacing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from connector.events import ChangeEvent
from connector.inbox import AppendResult, append
from connector.store import Store
from connector.store.models import Cursor


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did: records read, events new to the inbox, and the cursor it left."""

    name: str
    fetched: int
    accepted: int
    duplicates: int
    cursor: str | None


class Poller(Protocol):
    """One reconciliation source; :class:`~connector.pollers.PollScheduler` runs it."""

    name: str
    interval_s: float

    def poll_once(self, now: datetime) -> PollResult:
        """Read everything changed since the cursor (minus an overlap) up to ``now``."""
        ...


def read_cursor(session: Session, name: str) -> str | None:
    """The stored high-water mark of poller ``name``, if any."""
    row = session.get(Cursor, name)
    return row.value if row is not None else None


def write_cursor(session: Session, name: str, value: str) -> None:
    """Store ``value`` as poller ``name``'s high-water mark (in the caller's transaction)."""
    row = session.get(Cursor, name)
    if row is None:
        session.add(Cursor(name=name, value=value))
    else:
        row.value = value


def store_page(
    store: Store, name: str, events: Sequence[ChangeEvent], cursor: str | None
) -> AppendResult:
    """Append one page of events and advance the cursor, atomically."""
    with store.session() as session:
        result = append(session, events)
        if cursor is not None:
            write_cursor(session, name, cursor)
    return result


class Pacer:
    """Spaces calls at least ``1 / rate_per_s`` apart (HubSpot search: 5 per second per portal).

    Thread-safe; ``clock`` and ``sleep`` are injectable so tests run without waiting.
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.interval = 1.0 / rate_per_s
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next call is allowed, then reserve that slot."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
