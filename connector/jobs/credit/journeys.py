"""The recorded journeys of closed deals (``credit_journeys``): record, withdraw, read a window.

One row per deal: a re-sent "won" or "lost" finds the same path and writes nothing; a deal
closed again with another outcome or path is updated in place; a re-opened or deleted deal's
journey is withdrawn (``withdrawn_at``) and counts again only when the deal closes again. So no
deal is ever counted twice, whatever order its events come in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from connector.events import utcnow
from connector.jobs.credit.history import JOURNEY_VERSION, Snapshot, Step, snapshot
from connector.store.models import CreditJourney


def record(
    session: Session, deal_id: str, *, won: bool, path: tuple[Step, ...], closed_at: datetime,
    at: datetime,
) -> bool:  # fmt: skip
    """Record (or update) the deal's journey; False when it was recorded like this already."""
    steps = [list(step) for step in path]
    row = session.get(CreditJourney, deal_id)
    if row is None:
        session.add(
            CreditJourney(
                deal_id=deal_id, won=won, path=steps, closed_at=closed_at,
                version=JOURNEY_VERSION, recorded_at=at, changes=1,
            )
        )  # fmt: skip
        return True
    same = (row.won, row.path, row.closed_at, row.version, row.withdrawn_at) == (
        won, steps, closed_at, JOURNEY_VERSION, None,
    )  # fmt: skip
    if same:
        return False
    row.won, row.path, row.closed_at, row.version = won, steps, closed_at, JOURNEY_VERSION
    row.recorded_at, row.withdrawn_at = at, None
    row.changes += 1
    return True


def withdraw(session: Session, deal_id: str, at: datetime) -> bool:
    """Take the deal's journey out of the history (re-opened, deleted); False if not counted."""
    row = session.get(CreditJourney, deal_id)
    if row is None or row.withdrawn_at is not None:
        return False
    row.withdrawn_at = at
    row.changes += 1
    return True


class Snapshots:
    """The window's snapshot, read again only when a journey changed since the last read.

    Reading thousands of journeys costs far more than fitting them, and deals closing on the
    same day share a window. Every change to the table stamps ``recorded_at`` or
    ``withdrawn_at`` (rows are never deleted), so (rows, latest stamps) tells whether the table
    changed; the deal's own journey is then taken out of the shared snapshot.
    """

    def __init__(self) -> None:
        self._cached: dict[tuple[datetime, int], tuple[tuple[object, ...], Snapshot]] = {}

    def get(
        self, session: Session, until: datetime, lookback_days: int, *, excluding: str
    ) -> Snapshot:
        """The same snapshot as :func:`window` with ``excluding`` left out."""
        session.flush()
        version = tuple(
            session.execute(
                select(func.count(), func.coalesce(func.sum(CreditJourney.changes), 0))
            ).one()
        )
        key = (until, lookback_days)
        found = self._cached.get(key)
        if found is None or found[0] != version:
            if len(self._cached) > 32:
                self._cached.clear()
            found = self._cached[key] = (version, window(session, until, lookback_days))
        shared = found[1]
        own = session.get(CreditJourney, excluding)
        if own is None or own.withdrawn_at is not None:
            return shared
        if not shared.since <= own.closed_at <= shared.until:
            return shared
        return shared.without(tuple(str(step[0]) for step in own.path), own.won)


def window(
    session: Session, until: datetime, lookback_days: int, *, excluding: str | None = None
) -> Snapshot:
    """The counted journeys closed in [until - lookback_days, until], ``excluding`` left out."""
    session.flush()  # the rows are read on the connection, past the session's own changes
    since = until - timedelta(days=lookback_days)
    query = select(CreditJourney.path, CreditJourney.won).where(
        CreditJourney.withdrawn_at.is_(None),
        CreditJourney.closed_at >= since,
        CreditJourney.closed_at <= until,
    )
    if excluding is not None:
        query = query.where(CreditJourney.deal_id != excluding)
    rows = session.connection().execute(query)  # plain rows: no ORM bookkeeping per journey
    paths = (([str(step[0]) for step in path], bool(won)) for path, won in rows)
    return snapshot(paths, since, until)


@dataclass(frozen=True, slots=True)
class Counted:
    """How many journeys count now (for check-config and ``baton credit journeys``)."""

    won: int
    lost: int

    @property
    def total(self) -> int:
        """Won plus lost."""
        return self.won + self.lost


def counted(session: Session, since: datetime | None = None) -> Counted:
    """Counted (not withdrawn) journeys closed since ``since`` (None: all)."""
    query = select(CreditJourney.won, func.count()).where(CreditJourney.withdrawn_at.is_(None))
    if since is not None:
        query = query.where(CreditJourney.closed_at >= since)
    found = {bool(won): int(n) for won, n in session.execute(query.group_by(CreditJourney.won))}
    return Counted(int(found.get(True, 0)), int(found.get(False, 0)))


def count_in_store(database_url: str | None, lookback_days: int) -> Counted | None:
    """The journeys closed in the last ``lookback_days``, read from the store at
    ``database_url`` for check-config; None when it cannot be read (an absent SQLite file is
    not created, an unmigrated store has no journeys table)."""
    from connector.store.db import resolve_database_url

    url = resolve_database_url(database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:") or not Path(parsed.database).exists():
            return None
        # a plain reader: no WAL pragma, no BEGIN IMMEDIATE (the server's write lock)
        engine = create_engine(url, connect_args={"timeout": 3}, hide_parameters=True)
    else:  # a server that does not answer must not hold check-config up
        if parsed.drivername in {"postgresql", "postgres"}:
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, connect_args={"connect_timeout": 3}, hide_parameters=True)
    try:
        with Session(engine) as session:
            return counted(session, utcnow() - timedelta(days=lookback_days))
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
