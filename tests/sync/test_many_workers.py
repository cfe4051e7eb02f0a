"""Several workers on one store: each record's events apply one at a time, in order, once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from connector.commands import System
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.jobs.lifecycle.job import LifecycleJob
from connector.jobs.lifecycle.processor import SyncProcessor
from connector.jobs.lifecycle.setup import build_stage_map
from connector.jobs.runner import JobRunner
from connector.store.models import AuditEntry, InboxEvent
from connector.worker import Worker
from tests.sync.fakes import FakeHubSpot, FakeSalesforce, TickingClock
from tests.sync.harness import loop_config

RECORDS = 12
CHANGES_PER_RECORD = 8
STAGES = ["lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity"]


class SlowProcessor(SyncProcessor):
    """Widens the race window: a pause inside every event's handling."""

    def handle(self, session, event, now):  # type: ignore[no-untyped-def]
        threading.Event().wait(0.002)
        return super().handle(session, event, now)


def _workers(store, count):  # type: ignore[no-untyped-def]
    config = loop_config()
    clock = TickingClock(datetime.now(UTC))
    hubspot, salesforce = FakeHubSpot(clock), FakeSalesforce(clock)
    crms = {System.HUBSPOT: hubspot, System.SALESFORCE: salesforce}
    stage_map = build_stage_map(config, crms)
    workers = []
    for n in range(count):
        processor = JobRunner((LifecycleJob(SlowProcessor(config, stage_map, crms)),), crms)
        dispatcher = Dispatcher(store, crms, f"w{n}")
        workers.append(Worker(store, processor, dispatcher, owner=f"w{n}"))
    return workers


def test_two_workers_keep_per_record_order_and_handle_each_event_once(store):
    base = datetime.now(UTC)
    events = [
        ChangeEvent(
            Source.HUBSPOT,
            EventKind.UPDATED,
            ObjectType.CONTACT,
            str(9000 + r),
            f"ev-{r}-{i}",
            base + timedelta(seconds=i),
            {"lifecyclestage": STAGES[i % len(STAGES)]},
            actor="CRM_UI:userId:1",
            provider_type="contact.propertyChange",
        )
        for r in range(RECORDS)
        for i in range(CHANGES_PER_RECORD)
    ]
    with store.session() as session:  # arrival order scrambled across records and within them
        append(session, list(reversed(events)))
    workers = _workers(store, 2)
    stop = threading.Event()
    threads = [threading.Thread(target=w.run_until_idle, kwargs={"timeout": 60}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    stop.set()
    with store.session() as session:
        rows = session.scalars(select(InboxEvent)).all()
        assert {row.status for row in rows} <= {"done", "skipped"}  # none failed or left
        assert all(row.attempts == 1 for row in rows)  # nobody handled an event twice
        for r in range(RECORDS):
            key = f"hubspot:contact:{9000 + r}"
            handled = session.scalars(
                select(AuditEntry.event_id)
                .where(AuditEntry.record_key == key, AuditEntry.step == "event")
                .order_by(AuditEntry.id)
            ).all()
            by_id = {row.id: row for row in rows if row.record_key == key}
            times = [by_id[event_id].occurred_at for event_id in handled]
            assert len(times) == CHANGES_PER_RECORD
            assert times == sorted(times), f"{key} applied out of order"
