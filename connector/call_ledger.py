"""The CRM call counts every Baton process on one database shares (PostgreSQL layouts).

Each process's rate limiter keeps its own books (``adapters.ratelimit``); with several worker
processes those books alone would let each spend Baton's whole share. The ledger counts every
call in ``crm_call_slots`` too: before a call, one short transaction takes the system's
advisory lock (so two processes cannot both take the last slot), sums the calls in each rolling
window, and records the call if every window has room; otherwise it says how long to wait.
Slots are tenths of a second of the wall clock (a minute for the daily window), counted
conservatively: the slot the window's start falls in counts whole.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Sequence

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.store import Store
from connector.store.models import CrmCallSlot

#: (dimension, limit, window seconds, slot seconds)
Window = tuple[str, int, float, float]
#: old slots are deleted on every so many calls of a process (they no longer count anyway)
CLEAN_EVERY = 50


class SharedCallLedger:
    """``reserve`` one call against windows shared through the store."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._calls = 0

    def reserve(self, system: str, windows: Sequence[Window]) -> float:
        """Record one call of ``system`` in every window and return 0, or return the seconds
        until the fullest window has room (nothing recorded).

        Three statements: the lock, one sum per window in one query, one upsert of every
        window's slot; the old slots are deleted every ``CLEAN_EVERY`` calls."""
        if not windows:
            return 0.0
        with self.store.session() as session:
            self._lock(session, system)
            now = self.clock()
            used = self._used_by_window(session, system, windows, now)
            waits = [
                self._wait(session, system, window, now)
                for window in windows
                if used.get(window[0], 0) >= window[1]
            ]
            if waits:
                return max(waits)
            self._count_all(session, system, windows, now)
            self._calls += 1
            if self._calls % CLEAN_EVERY == 1:
                self._clean(session, system, windows, now)
        return 0.0

    def _used_by_window(
        self, session: Session, system: str, windows: Sequence[Window], now: float
    ) -> dict[str, int]:
        conditions = [
            and_(
                CrmCallSlot.dimension == dimension,
                CrmCallSlot.slot_start > _ms(now - window_s - slot_s),
            )
            for dimension, _limit, window_s, slot_s in windows
        ]
        rows = session.execute(
            select(CrmCallSlot.dimension, func.sum(CrmCallSlot.calls))
            .where(CrmCallSlot.system == system, or_(*conditions))
            .group_by(CrmCallSlot.dimension)
        )
        return {str(dimension): int(total or 0) for dimension, total in rows}

    @staticmethod
    def _count_all(session: Session, system: str, windows: Sequence[Window], now: float) -> None:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        rows = [
            {
                "system": system,
                "dimension": dimension,
                "slot_start": _ms(math.floor(now / slot_s) * slot_s),
                "calls": 1,
            }
            for dimension, _limit, _window_s, slot_s in windows
        ]
        insert = dialect.insert(CrmCallSlot).values(rows)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["system", "dimension", "slot_start"],
                set_={"calls": CrmCallSlot.calls + 1},
            )
        )

    @staticmethod
    def _clean(session: Session, system: str, windows: Sequence[Window], now: float) -> None:
        for dimension, _limit, window_s, slot_s in windows:
            session.execute(
                delete(CrmCallSlot).where(
                    CrmCallSlot.system == system,
                    CrmCallSlot.dimension == dimension,
                    CrmCallSlot.slot_start < _ms(now - window_s - 2 * slot_s),
                )
            )

    def used(self, system: str, dimension: str, window_s: float, slot_s: float = 0.1) -> int:
        """Calls counted in the window ending now (for tests and benches)."""
        with self.store.session() as session:
            return self._used(session, system, dimension, self.clock() - window_s, slot_s)

    @staticmethod
    def _lock(session: Session, system: str) -> None:
        # SQLite's BEGIN IMMEDIATE (connector.store.db) already serializes writers
        if session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"baton-crm-calls:{system}".encode())
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def _wait(self, session: Session, system: str, window: Window, now: float) -> float:
        dimension, limit, window_s, slot_s = window
        since = now - window_s
        if self._used(session, system, dimension, since, slot_s) < limit:
            return 0.0
        oldest = session.scalar(
            select(func.min(CrmCallSlot.slot_start)).where(
                CrmCallSlot.system == system,
                CrmCallSlot.dimension == dimension,
                CrmCallSlot.slot_start > _ms(since - slot_s),
            )
        )
        start = oldest / 1000.0 if oldest is not None else now
        return max(0.01, start + slot_s + window_s - now)

    @staticmethod
    def _used(session: Session, system: str, dimension: str, since: float, slot_s: float) -> int:
        total = session.scalar(
            select(func.coalesce(func.sum(CrmCallSlot.calls), 0)).where(
                CrmCallSlot.system == system,
                CrmCallSlot.dimension == dimension,
                CrmCallSlot.slot_start > _ms(since - slot_s),
            )
        )
        return int(total or 0)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
