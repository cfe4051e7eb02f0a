"""Heartbeats on both engines: a worker that stopped beating loses its claims in seconds, a
process of this machine that is gone loses them at once, and a live worker keeps its own."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from connector import heartbeats
from connector.commands import SetStage, System
from connector.leases import claim_due_commands, try_lease_record
from connector.outbox import enqueue
from connector.store.models import OutboxCommand, RecordLease, WorkerHeartbeat

LEASE = timedelta(minutes=2)


def _stage(key: str, record: str) -> SetStage:
    return SetStage(
        System.SALESFORCE, record, key, object_type="Lead", object_id="00Q1",
        field_name="Status", value="Open",
    )  # fmt: skip


def _claim(store, owner: str, record: str, now: datetime) -> None:  # type: ignore[no-untyped-def]
    with store.session() as s:
        enqueue(s, _stage(f"cmd-{record}", record))
    with store.session() as s:
        assert claim_due_commands(s, owner, now, LEASE, 10)
        assert try_lease_record(s, f"event-{record}", owner, now, LEASE)


def test_an_expired_heartbeat_frees_its_owners_claims_and_marks_them_in_doubt(store):
    now = datetime.now(UTC) + timedelta(seconds=1)
    with store.session() as s:
        heartbeats.beat(s, "other-host:1:a", now)
        heartbeats.beat(s, "other-host:2:b", now)
    _claim(store, "other-host:1:a", "r1", now)
    _claim(store, "other-host:2:b", "r2", now)
    later = now + heartbeats.HEARTBEAT_TTL + timedelta(seconds=1)
    with store.session() as s:
        heartbeats.beat(s, "other-host:2:b", later)  # b still lives
    with store.session() as s:
        assert heartbeats.take_back_claims(s, later) == 2  # a's command and a's record
    with store.session() as s:
        owners = set(s.scalars(select(RecordLease.owner)))
        assert owners == {"other-host:2:b"}
        assert set(s.scalars(select(WorkerHeartbeat.owner))) == {"other-host:2:b"}
    grace = heartbeats.IN_FLIGHT_GRACE
    with store.session() as s:  # what a had sent may still be carried out: not yet
        assert claim_due_commands(s, "me", later, LEASE, 10) == []
    with store.session() as s:  # found dead again meanwhile: not put off once more
        assert heartbeats.take_back_claims(s, later + grace / 2) == 0
    in_doubt: set[int] = set()
    with store.session() as s:
        (row,) = claim_due_commands(s, "me", later + grace, LEASE, 10, in_doubt)
        assert row.record_key == "r1"
        assert in_doubt == {row.id}, "it was in flight with the dead worker"


def test_an_ended_process_of_this_machine_loses_its_claims_at_once(store):
    now = datetime.now(UTC) + timedelta(seconds=1)
    earlier_life = f"{socket.gethostname()}:{os.getpid()}:1:gone"  # this pid, not registered
    live = heartbeats.owner_name("live")
    heartbeats.register_live(live)
    _claim(store, earlier_life, "r1", now)
    _claim(store, live, "r2", now)
    with store.session() as s:
        assert heartbeats.take_back_claims(s, now) == 2
    with store.session() as s:
        soon = now + heartbeats.IN_FLIGHT_GRACE  # r1's lease ends then (what it sent lands)
        leased = s.scalars(select(OutboxCommand).where(OutboxCommand.lease_until > soon)).all()
        assert [row.record_key for row in leased] == ["r2"]
        assert set(s.scalars(select(RecordLease.owner))) == {live}
