"""Engine and session set-up for the two supported engines.

SQLite (the zero-setup default) runs in WAL mode with a busy timeout so the web threads and the
worker share one file safely; PostgreSQL is selected by a ``postgresql://`` URL (the
``BATON_DATABASE_URL`` environment variable wins over the config file).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from connector.store.writer_queue import WriterQueue

DEFAULT_DATABASE_URL = "sqlite:///var/baton.db"
#: a connection whose transaction holds this process's turn for SQLite's write lock
_QUEUED = "baton_writer_turn"


def resolve_database_url(configured: str | None = None) -> str:
    """Pick the database URL: environment first, then config, then the embedded default."""
    return os.environ.get("BATON_DATABASE_URL") or configured or DEFAULT_DATABASE_URL


def create_store_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine tuned for Baton's access pattern on either engine."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    if parsed.drivername in {"postgresql", "postgres"}:
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(
        url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failed statement's message (logged, stored as an event's outcome)
    # must not quote the values it carried, which may be a person's
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets readers proceed while the worker writes; NORMAL sync is durable in WAL mode
        # across application crashes (only an OS crash can lose the last transactions).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    writers = WriterQueue()

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:  # type: ignore[no-untyped-def]
        # Take the write lock at BEGIN so two writers queue on busy_timeout instead of failing
        # with "database is locked" when a read transaction tries to upgrade; this process's
        # threads queue in arrival order first (``writer_queue``: intake is not starved).
        if writers.enter():
            conn.info[_QUEUED] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave(conn)
            raise

    def _leave(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.info.pop(_QUEUED, False):
            writers.leave()

    event.listen(engine, "commit", _leave)
    event.listen(engine, "rollback", _leave)

    # Let SQLAlchemy's 'begin' event issue BEGIN itself instead of pysqlite's implicit one.
    @event.listens_for(engine, "connect", insert=True)
    def _no_implicit_begin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    return engine


class Store:
    """The engine plus a session factory; one per process, shared by web threads and the worker."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self.engine.dispose()
