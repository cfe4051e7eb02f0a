"""The store's guarantees, on both engines: dedupe, per-record leases, ordered command claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from connector.commands import SetStage, System
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import IncomingRequest, append
from connector.leases import (
    claim_due_commands,
    records_with_pending_events,
    release_record,
    try_lease_record,
    try_lease_records,
)
from connector.outbox import enqueue
from connector.store.models import InboxEvent, OutboxCommand

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _event(event_id: str, object_id: str = "1") -> ChangeEvent:
    return ChangeEvent(
        Source.HUBSPOT,
        EventKind.UPDATED,
        ObjectType.CONTACT,
        object_id,
        event_id,
        T0,
        {"lifecyclestage": "lead"},
    )


def test_append_stores_each_event_once_across_redeliveries(store):
    batch = [_event("a"), _event("b"), _event("a")]
    with store.session() as s:
        first = append(s, batch, IncomingRequest("hubspot", "/webhooks/hubspot", b"[...]"))
    with store.session() as s:
        second = append(s, batch, IncomingRequest("hubspot", "/webhooks/hubspot", b"[...]"))
    assert (first.accepted, first.duplicates) == (2, 1)
    assert (second.accepted, second.duplicates) == (0, 3)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(InboxEvent)) == 2
        row = s.scalars(select(InboxEvent).where(InboxEvent.event_id == "a")).one()
        assert row.occurred_at == T0  # aware UTC round trip on both engines
        assert row.record_key == "hubspot:contact:1"


def test_same_event_id_from_two_sources_is_two_events(store):
    sf = ChangeEvent(Source.SALESFORCE, EventKind.UPDATED, ObjectType.LEAD, "00Q", "a", T0)
    with store.session() as s:
        result = append(s, [_event("a"), sf])
    assert result.accepted == 2


def test_record_lease_is_exclusive_until_it_expires(store):
    ttl = timedelta(seconds=30)
    with store.session() as s:
        assert try_lease_record(s, "hubspot:contact:1", "w1", T0, ttl)
    with store.session() as s:
        assert not try_lease_record(s, "hubspot:contact:1", "w2", T0 + timedelta(seconds=5), ttl)
    with store.session() as s:  # w1 died: its lease runs out and w2 takes over
        assert try_lease_record(s, "hubspot:contact:1", "w2", T0 + timedelta(seconds=31), ttl)
    with store.session() as s:
        release_record(s, "hubspot:contact:1", "w2")
    with store.session() as s:
        assert try_lease_record(s, "hubspot:contact:1", "w3", T0 + timedelta(seconds=32), ttl)


def _stage(key: str, record: str, value: str) -> SetStage:
    return SetStage(
        System.SALESFORCE,
        record,
        key,
        object_type="Lead",
        object_id=record,
        field_name="Status",
        value=value,
    )


def test_a_second_worker_is_offered_the_records_the_first_does_not_hold(store):
    """Every worker asked for the same oldest records: the first leased them, the rest won none."""
    with store.session() as s:
        append(s, [_event(f"e{i}", object_id=str(i)) for i in range(1, 5)])
    ttl = timedelta(seconds=30)
    with store.session() as s:
        oldest = records_with_pending_events(s, T0, 2, "w1")
        assert try_lease_records(s, oldest, "w1", T0, ttl) == oldest
    with store.session() as s:
        offered = records_with_pending_events(s, T0, 2, "w2")
        assert offered == ["hubspot:contact:3", "hubspot:contact:4"]
        assert try_lease_records(s, offered, "w2", T0, ttl) == offered
        # w1 still finds its own; once its leases run out, they are offered to others again
        assert records_with_pending_events(s, T0, 4, "w1") == oldest
        later = T0 + timedelta(seconds=31)
        assert len(records_with_pending_events(s, later, 4, "w3")) == 4


def test_enqueue_is_idempotent(store):
    with store.session() as s:
        assert enqueue(s, _stage("k1", "r1", "Open"))
        assert not enqueue(s, _stage("k1", "r1", "Open"))
        assert s.scalar(select(func.count()).select_from(OutboxCommand)) == 1


def test_claims_take_only_the_oldest_open_command_per_record(store):
    with store.session() as s:
        for key, record in [("k1", "r1"), ("k2", "r1"), ("k3", "r2")]:
            enqueue(s, _stage(key, record, "Open"))
    now = datetime.now(UTC) + timedelta(seconds=1)
    ttl = timedelta(seconds=60)
    with store.session() as s:
        first = [c.idempotency_key for c in claim_due_commands(s, "w1", now, ttl, 10)]
    with store.session() as s:  # r1's k2 must wait behind k1, which w1 still holds
        second = [c.idempotency_key for c in claim_due_commands(s, "w2", now, ttl, 10)]
    assert first == ["k1", "k3"]
    assert second == []
    with store.session() as s:
        row = s.scalars(select(OutboxCommand).where(OutboxCommand.idempotency_key == "k1")).one()
        row.status = "done"
    with store.session() as s:
        third = [c.idempotency_key for c in claim_due_commands(s, "w2", now, ttl, 10)]
    assert third == ["k2"]


def test_a_claim_per_system_keeps_what_the_earlier_claims_found_in_doubt(store):
    """The dispatcher claims HubSpot's quota, then Salesforce's, into one ``in_doubt`` set:
    the second claim had dropped the first one's, and a HubSpot write whose answer was lost
    went out again with no read-back (PostgreSQL fault runs: hundreds of repeated writes)."""
    hubspot = SetStage(
        System.HUBSPOT, "hubspot:contact:7", "hs-1", object_type="contacts", object_id="7",
        field_name="lifecyclestage", value="salesqualifiedlead",
    )  # fmt: skip
    salesforce = SetStage(
        System.SALESFORCE, "salesforce:lead:00Q7", "sf-1", object_type="Lead",
        object_id="00Q7", field_name="Status", value="Working - Contacted",
    )  # fmt: skip
    with store.session() as s:
        enqueue(s, hubspot)
        enqueue(s, salesforce)
    with store.session() as s:  # the HubSpot write's answer was lost: it keeps its owner
        row = s.scalars(select(OutboxCommand).where(OutboxCommand.system == "hubspot")).one()
        row.lease_owner, row.lease_until = "w1", None
        doubtful_id = row.id
    in_doubt: set[int] = set()
    now, ttl = datetime.now(UTC) + timedelta(minutes=1), timedelta(minutes=2)
    with store.session() as s:
        claimed = [
            *claim_due_commands(s, "w2", now, ttl, 10, in_doubt, system="hubspot"),
            *claim_due_commands(s, "w2", now, ttl, 10, in_doubt, system="salesforce"),
        ]
    assert len(claimed) == 2
    assert in_doubt == {doubtful_id}
