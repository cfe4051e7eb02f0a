"""Retention on a frozen clock, on both engines, run by the privacy job's own timer.

Day 0 a person's data arrives; the timer fires every day. After ``keep_raw_bodies_days`` (30)
the raw bodies are gone, after ``inbox_retention_days`` and ``scrub_personal_after_days``
(both 90) the finished events are gone and audit lines, finished writes and dead letters have
lost every address and personal field, while ids, decisions and every count stay.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from people_testing import ANN, T0, seed
from privacy_testing import aggregates, where_found
from sqlalchemy import select, update

from connector.config import default_config
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.inbox import append
from connector.jobs.privacy.job import NAME, RETENTION, PrivacyJob, ensure_scheduled
from connector.jobs.runner import JobRunner
from connector.store import Store
from connector.store.models import AuditEntry, InboxEvent, OutboxCommand, RawRequest, Timer
from connector.worker import Worker


def _worker(store: Store) -> Worker:
    runner = JobRunner((PrivacyJob(default_config()),))
    return Worker(store, runner, Dispatcher(store, {}, "test"), owner="test")


def _day(store: Store, worker: Worker, day: int) -> None:
    """Travel to ``day`` (frozen) and let the due retention timer run."""
    with time_machine.travel(T0 + timedelta(days=day, minutes=1), tick=False):
        worker.fire_timers()
        worker.process_events()


def _bodies(store: Store) -> list[bytes | None]:
    with store.session() as session:
        return list(session.scalars(select(RawRequest.body)))


def _retention_timers(store: Store) -> list[str]:
    with store.session() as session:
        rows = session.scalars(
            select(Timer.status).where(Timer.job == NAME, Timer.kind == RETENTION)
        )
        return sorted(rows)


def test_bodies_then_events_go_and_kept_rows_lose_personal_fields(store: Store) -> None:
    worker = _worker(store)
    with time_machine.travel(T0, tick=False):
        seed(store, ANN)
        with store.session() as session:
            session.execute(update(InboxEvent).values(status="done", processed_at=T0))
            waiting = ChangeEvent(Source.HUBSPOT, EventKind.UPDATED, ObjectType.CONTACT, "8001",
                                  "waiting-1", T0, {"lifecyclestage": "lead"})  # fmt: skip
            append(session, [waiting])  # deferred past day 91, so still pending: never pruned
            session.execute(
                update(InboxEvent)
                .where(InboxEvent.event_id == "waiting-1")
                .values(available_at=T0 + timedelta(days=200))
            )
            assert ensure_scheduled(session, T0)
            assert not ensure_scheduled(session, T0), "one open retention timer at a time"
    counts = aggregates(store)

    _day(store, worker, 0)
    assert all(body is not None for body in _bodies(store))
    assert _retention_timers(store) == ["done", "pending"]  # the next run is scheduled

    _day(store, worker, 31)  # a run missed while stopped fires on the next start

    assert _bodies(store) and all(body is None for body in _bodies(store))
    assert ANN.email in where_found(store, [ANN.email])  # the events' period is not over
    assert _retention_timers(store).count("pending") == 1

    _day(store, worker, 91)
    found = where_found(store, [ANN.email, ANN.first_name, ANN.last_name])
    assert found == {}, found
    assert aggregates(store) == counts
    with store.session() as session:
        events = list(session.scalars(select(InboxEvent.event_id)))
        assert "waiting-1" in events and f"hs-{ANN.contact_id}-1" not in events
        assert session.scalar(select(RawRequest.id)) is None  # no event left to explain
        summaries = list(session.scalars(select(AuditEntry.summary)))
        create = session.scalar(select(OutboxCommand).where(OutboxCommand.kind == "create_lead"))
    assert "linked by e-mail [erased]" in summaries  # the decision and its record stay
    assert create.payload["hubspot_contact_id"] == ANN.contact_id
    assert create.payload["fields"] == {}  # LastName, FirstName, Email, Company: all personal
