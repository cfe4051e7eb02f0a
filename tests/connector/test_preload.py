"""A chunk's reads loaded up front (``connector.preload``) and its appends held (``store.batched``).

What must hold: the answers are the store's answers, what the batch changes is seen by its later
steps, a write claimed meanwhile by another process is never retired, and nothing held is lost
or written when the batch took it back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from connector import audit, knowledge, preload
from connector.commands import SetStage, System
from connector.events import EventKind
from connector.outbox import enqueue, supersede_queued_writes
from connector.store import batched
from connector.store.models import AuditEntry, InboxEvent, OutboxCommand, OwnWrite
from connector.store.strong import keep_loaded

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
CONTACT, LEAD = "hubspot:contact:101", "salesforce:lead:00Q000000000000AAA"


def _seed(store) -> None:  # type: ignore[no-untyped-def]
    with store.session() as s:
        knowledge.upsert_link(s, hubspot_contact_id="101", salesforce_lead_id="00Q000000000000AAA")
        knowledge.remember(s, CONTACT, {"lifecyclestage": "marketingqualifiedlead"}, NOW)
        knowledge.remember(s, LEAD, {"Status": "Open - Not Contacted"}, NOW)
        knowledge.remember_own_write(s, LEAD, "Status", "Working", NOW, NOW + timedelta(hours=2))


def _write(key: str, value: str, at: datetime) -> SetStage:
    return SetStage(
        System.SALESFORCE,
        key,
        f"sync:{key}:Status={value}@{at.isoformat()}",
        at.isoformat(),
        object_type="Lead",
        object_id=key.rsplit(":", 1)[1],
        field_name="Status",
        value=value,
    )


def _statements(store) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_four_selects_then_the_chunk_reads_nothing_more(store):
    _seed(store)
    with store.session() as s:
        keep_loaded(s)
        seen = _statements(store)
        with preload.installed(s, [CONTACT, "hubspot:contact:unknown"]):
            selects = [st for st in seen if st.startswith("SELECT")]
            assert len(selects) == 4  # links, states, memories, queued writes
            link = knowledge.link_for_hubspot(s, "101")
            assert link is not None and link.salesforce_lead_id == "00Q000000000000AAA"
            assert knowledge.link_for_salesforce(s, "00Q000000000000AAA") is link
            assert knowledge.load_side(s, LEAD).values == {"Status": "Open - Not Contacted"}
            assert knowledge.load_side(s, "hubspot:contact:unknown").values == {}
            assert not knowledge.consume_own_write(s, LEAD, "Status", "Qualified", NOW)
            supersede_queued_writes(s, LEAD, {"Status"}, NOW)
            assert [st for st in seen if not st.startswith(("BEGIN", "SAVEPOINT"))] == selects
        # the partner's state was loaded through the link: the same answers as the store's
    with store.session() as s:
        assert knowledge.load_side(s, LEAD).values == {"Status": "Open - Not Contacted"}


def test_what_the_chunk_adds_is_seen_by_its_later_steps(store):
    _seed(store)
    with store.session() as s, preload.installed(s, [CONTACT, "hubspot:contact:202"]):
        keep_loaded(s)
        knowledge.remember(s, "hubspot:contact:202", {"lifecyclestage": "lead"}, NOW)
        assert knowledge.load_side(s, "hubspot:contact:202").values == {"lifecyclestage": "lead"}
        made = knowledge.upsert_link(s, hubspot_contact_id="202", salesforce_lead_id="00Q2")
        assert knowledge.link_for_hubspot(s, "202") is made
        assert knowledge.link_for_salesforce(s, "00Q2") is made
        assert enqueue(s, _write(LEAD, "Working", NOW))
        supersede_queued_writes(s, LEAD, {"Status"}, NOW + timedelta(seconds=1))
    with store.session() as s:
        statuses = s.scalars(select(OutboxCommand.status)).all()
        assert statuses == ["superseded"]
        assert s.scalar(select(func.count()).select_from(OwnWrite)) == 1


def test_own_write_memories_are_spent_as_the_store_would_spend_them(store):
    _seed(store)
    with store.session() as s, preload.installed(s, [LEAD]):
        keep_loaded(s)
        later = NOW + timedelta(hours=3)  # expired by then: not an echo
        assert not knowledge.consume_own_write(s, LEAD, "Status", "Working", later)
        assert knowledge.consume_own_write(s, LEAD, "Status", "Working", NOW)
        assert not knowledge.consume_own_write(s, LEAD, "Status", "Working", NOW)  # spent once
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(OwnWrite)) == 0


def test_a_write_another_process_claimed_after_the_load_is_not_retired(store):
    _seed(store)
    with store.session() as s:
        enqueue(s, _write(LEAD, "Working", NOW))
        enqueue(s, _write(LEAD, "Nurture", NOW))
    with store.session() as s, preload.installed(s, [LEAD]):
        keep_loaded(s)
        # another worker's dispatcher claims one meanwhile (on PostgreSQL it can: READ COMMITTED)
        first = s.scalars(select(OutboxCommand.id).order_by(OutboxCommand.id)).first()
        s.execute(
            update(OutboxCommand)
            .where(OutboxCommand.id == first)
            .values(lease_owner="w2", lease_until=NOW + timedelta(minutes=1))
        )
        supersede_queued_writes(s, LEAD, {"Status"}, NOW, older_than=NOW + timedelta(seconds=1))
    with store.session() as s:
        rows = s.execute(select(OutboxCommand.id, OutboxCommand.status).order_by(OutboxCommand.id))
        assert [status for _, status in rows] == ["pending", "superseded"]


def test_only_plain_changes_are_preloaded():
    def made(kind: EventKind) -> InboxEvent:
        return InboxEvent(kind=kind.value)

    assert preload.preloadable([made(EventKind.CREATED), made(EventKind.UPDATED)])
    assert not preload.preloadable([made(EventKind.UPDATED), made(EventKind.MERGED)])
    assert not preload.preloadable([made(EventKind.PRIVACY_DELETED)])


def test_a_memory_made_and_forgotten_in_one_batch_is_never_written(store):
    _seed(store)
    with store.session() as s:
        keep_loaded(s)
        until = NOW + timedelta(hours=1)
        with preload.installed(s, [LEAD]), batched.inserts(s):
            knowledge.remember_own_write(s, LEAD, "Status", "Nurture", NOW, until)
            knowledge.forget_own_writes(s, LEAD, ["Status"])  # a later write of the same field
            knowledge.remember_own_write(s, LEAD, "Status", "Closed", NOW, until)
    with store.session() as s:
        values = s.scalars(select(OwnWrite.value)).all()
        assert values == ["Closed"]


def test_held_audit_lines_are_written_in_one_insert_in_order(store):
    with store.session() as s:
        seen = _statements(store)
        with batched.inserts(s):
            for index in range(5):
                audit.record(s, CONTACT, "rule", f"line {index}")
            assert seen == []
        assert sum(st.startswith("INSERT INTO audit") for st in seen) == 1
    with store.session() as s:
        lines = [e.summary for e in audit.history(s, [CONTACT])]
        assert lines == [f"line {index}" for index in range(5)]


def test_held_lines_of_a_batch_that_failed_are_not_written(store):
    with store.session() as s:
        audit.record(s, CONTACT, "rule", "before")
    with pytest.raises(RuntimeError), store.session() as s, batched.inserts(s):
        audit.record(s, CONTACT, "rule", "held")
        raise RuntimeError("the batch failed")
    with store.session() as s:
        assert s.scalars(select(AuditEntry.summary)).all() == ["before"]


@pytest.mark.postgres
def test_a_preload_holds_its_states_until_the_chunk_ends(pg_store):
    """Two workers' chunks may share a partner (one's Lead is the other's write target): the
    second must wait for the first, or one of their updates to the shared state is lost."""
    from sqlalchemy.exc import OperationalError

    from connector.store.models import RecordState

    _seed(pg_store)
    with pg_store.session() as first:
        keep_loaded(first)
        with (
            preload.installed(first, [CONTACT]),  # the contact's chunk reaches its Lead
            pg_store.session() as second,
            pytest.raises(OperationalError, match="lock"),
        ):
            second.execute(
                select(RecordState)
                .where(RecordState.record_key == LEAD)
                .with_for_update(nowait=True)
            )
    with pg_store.session() as after:  # the chunk's end lets it go
        locked = after.execute(
            select(RecordState.record_key)
            .where(RecordState.record_key == LEAD)
            .with_for_update(nowait=True)
        )
        assert locked.scalar_one() == LEAD
