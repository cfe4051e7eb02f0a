"""The replay memory on both engines: one claim per digest within the window (issue 8)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

from sqlalchemy import event, func, select

from connector.config import default_config, with_changes
from connector.privacy.retention import prune
from connector.replays import first_sighting
from connector.store import Store
from connector.store.models import SeenRequest

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(days=90)


def claim(store: Store, digest: str, now: datetime, receiver: str = "hubspot_workflow") -> bool:
    with store.session() as session:
        return first_sighting(session, receiver, digest, window=WINDOW, now=now)


def test_a_digest_is_new_once_within_the_window(store: Store) -> None:
    assert claim(store, "a" * 64, T0)
    assert not claim(store, "a" * 64, T0 + timedelta(days=89))
    assert claim(store, "b" * 64, T0)
    assert claim(store, "a" * 64, T0, receiver="other")  # per receiver


def test_a_digest_past_the_window_is_new_again_before_any_prune(store: Store) -> None:
    assert claim(store, "a" * 64, T0)
    assert claim(store, "b" * 64, T0 + WINDOW + timedelta(seconds=1))
    assert claim(store, "a" * 64, T0 + WINDOW + timedelta(seconds=2)), "its old row is stale"
    assert not claim(store, "a" * 64, T0 + WINDOW + timedelta(days=1)), "and fresh again"


def test_the_webhook_claims_with_one_statement_and_the_retention_run_forgets(store: Store) -> None:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement.lstrip().split()[0].upper())

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        assert claim(store, "a" * 64, T0)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert "DELETE" not in statements and statements.count("INSERT") == 1
    assert claim(store, "b" * 64, T0 + WINDOW)
    config = with_changes(default_config(), {"hubspot.workflow_replay_window_days": WINDOW.days})
    with store.session() as session:
        counts = prune(session, config, T0 + WINDOW + timedelta(seconds=1))
    assert counts["seen_requests"] == 1
    with store.session() as session:
        assert session.scalars(select(SeenRequest.digest)).all() == ["b" * 64]


def test_racing_copies_claim_once(store: Store) -> None:
    barrier = Barrier(8)

    def race(_: int) -> bool:
        barrier.wait()
        return claim(store, "c" * 64, T0)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(race, range(8)))
    assert results.count(True) == 1
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(SeenRequest)) == 1
