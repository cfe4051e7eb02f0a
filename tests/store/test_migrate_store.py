"""``baton migrate-store``: refusals leave the target untouched; a copy is exact and verified.

The refusals and the copy's fidelity (ids, JSON ``null`` vs SQL NULL, bytes, aware times, the
sequences after explicit ids) run SQLite → SQLite everywhere and SQLite → PostgreSQL when
``BATON_TEST_POSTGRES_URL`` is set. The whole-pipeline migration is in
tests/integration/test_store_migration_journey.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from privacy_testing import postgres_schema_url
from sqlalchemy import func, select

from baton.cli import main
from connector.heartbeats import owner_name, register_live, unregister_live
from connector.store import Store, upgrade
from connector.store.models import InboxEvent, OutboxCommand, RawRequest, WorkerHeartbeat
from connector.store.transfer import checksum

T0 = datetime(2026, 11, 30, 9, 15, 30, 123456, tzinfo=UTC)


def _fill(store: Store) -> None:
    with store.session() as session:
        raw = RawRequest(
            source="hubspot",
            path="/webhooks/hubspot",
            content_type="application/json",
            headers={"x": "1"},
            body=b"\x00[{}]\xff",
            body_sha256="0" * 64,
            event_count=1,
        )
        session.add(raw)
        session.flush()
        for n, jobs_done in enumerate([None, ["lifecycle"]]):
            event = InboxEvent(
                source="hubspot",
                event_id=f"e{n}",
                kind="change",
                object_type="contact",
                object_id=str(n),
                record_key=f"hubspot:contact:{n}",
                occurred_at=T0,
                changes={"lifecyclestage": "lead"},
                raw_request_id=raw.id,
            )
            if jobs_done is not None:
                event.jobs_done = jobs_done
            session.add(event)
        session.flush()
        session.add(
            OutboxCommand(
                idempotency_key="k-1",
                system="salesforce",
                kind="set_stage",
                record_key="hubspot:contact:0",
                payload={"Status": "Open"},
                status="done",
                attempts=1,
                next_attempt_at=T0,
                done_at=T0 + timedelta(seconds=1),
                result=None,
            )
        )


@pytest.fixture
def source(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    upgrade(url)
    store = Store(url)
    _fill(store)
    store.dispose()
    yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    with postgres_schema_url() as url:
        yield url


def _migrate(source: str, target: str, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["migrate-store", "--from", source, "--to", target, *extra], env={"BATON_CONFIG": ""}
    )
    return result.exit_code, result.output


def _count(url: str) -> int:
    store = Store(url)
    try:
        with store.session() as session:
            return int(session.scalar(select(func.count()).select_from(InboxEvent)) or 0)
    finally:
        store.dispose()


def test_copy_is_exact_and_the_target_takes_new_rows(source: str, target: str) -> None:
    upgrade(target)
    code, output = _migrate(source, target, "--batch", "1")
    assert code == 0, output
    assert "inbox_events: 1/2 rows" in output and "inbox_events: 2/2 rows" in output
    assert "verified" in output and output.strip().endswith("rows copied and verified")
    src, dst = Store(source), Store(target)
    try:
        from connector.store.models import Base

        for table in Base.metadata.sorted_tables:
            with src.engine.connect() as a, dst.engine.connect() as b:
                assert checksum(a, table) == checksum(b, table), table.name
        with dst.session() as session:
            events = session.scalars(select(InboxEvent).order_by(InboxEvent.id)).all()
            assert [e.jobs_done for e in events] == [None, ["lifecycle"]]
            # SQL NULL stayed SQL NULL (the retention and replay queries test IS NULL)
            assert session.scalar(select(func.count()).where(InboxEvent.jobs_done.is_(None))) == 1
            assert events[0].occurred_at == T0
            assert session.scalars(select(RawRequest.body)).one() == b"\x00[{}]\xff"
            command = session.scalars(select(OutboxCommand)).one()
            assert (command.idempotency_key, command.status, command.attempts) == ("k-1", "done", 1)
            # the sequence starts past the copied ids
            session.add(
                InboxEvent(
                    source="hubspot",
                    event_id="e-new",
                    kind="change",
                    object_type="contact",
                    object_id="9",
                    record_key="hubspot:contact:9",
                    occurred_at=T0,
                )
            )
            session.flush()
            assert max(e.id for e in session.scalars(select(InboxEvent))) == 3
    finally:
        src.dispose()
        dst.dispose()


def test_a_target_with_rows_is_refused_and_left_as_it_was(source: str, target: str) -> None:
    upgrade(target)
    assert _migrate(source, target)[0] == 0
    code, output = _migrate(source, target)
    assert code == 1
    assert "the target is not empty (raw_requests, inbox_events, outbox hold rows)" in output
    assert _count(target) == 2


def test_an_unmigrated_or_older_target_is_refused(source: str, target: str) -> None:
    code, output = _migrate(source, target)
    assert code == 1 and "the target has no Baton schema" in output and "baton migrate" in output
    upgrade(target, "0007")
    code, output = _migrate(source, target)
    assert code == 1 and "the target is at migration ['0007']" in output
    upgrade(target)
    assert _migrate(source, target)[0] == 0


def test_an_older_source_is_refused(tmp_path: Path, target: str) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, "0006")
    upgrade(target)
    code, output = _migrate(old, target)
    assert code == 1 and "the source is at migration ['0006']" in output
    assert _count(target) == 0


def test_a_running_worker_on_the_source_is_refused(source: str, target: str) -> None:
    upgrade(target)
    owner = owner_name("worker")
    register_live(owner)
    store = Store(source)
    now = datetime.now(UTC)
    with store.session() as session:
        session.add(
            WorkerHeartbeat(
                owner=owner, started_at=now, beat_at=now, expires_at=now + timedelta(seconds=10)
            )
        )
    try:
        code, output = _migrate(source, target)
        assert code == 1 and "1 worker(s) still beat on the source" in output
        unregister_live(owner)  # it stopped (killed): its unexpired heartbeat no longer counts
        assert _migrate(source, target)[0] == 0
    finally:
        unregister_live(owner)
        store.dispose()


def test_a_value_the_target_refuses_rolls_the_whole_copy_back(source: str, target: str) -> None:
    if not target.startswith("postgresql"):
        pytest.skip("SQLite does not enforce VARCHAR lengths, so it refuses nothing here")
    upgrade(target)
    store = Store(source)
    with store.session() as session:  # SQLite keeps a 300-character source; PostgreSQL refuses
        session.add(
            OutboxCommand(
                idempotency_key="k" * 300,
                system="hubspot",
                kind="set_stage",
                record_key="r",
            )
        )
    store.dispose()
    code, output = _migrate(source, target)
    assert code == 1
    assert "migrate-store failed, the target was left as it was" in output
    assert "value too long" in output and "k" * 300 not in output
    assert _count(target) == 0
