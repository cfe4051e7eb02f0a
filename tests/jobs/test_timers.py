"""Durable timers on both engines: schedule, move, cancel, fire once, survive a crash."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from connector import timers
from connector.dispatcher import Dispatcher
from connector.jobs.base import JobContext, Outcome
from connector.jobs.runner import JobRunner
from connector.store.models import InboxEvent, Timer
from connector.timers import CancelTimer, SetTimer
from connector.worker import Worker

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEAD = "salesforce:lead:00Q000000000001AAA"


def _set(store, key="first", due=T0, record=LEAD, payload=None) -> str:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return timers.schedule(
            session, "sla", SetTimer("sla.breach", key, due, payload or {}), record
        )


def _fire(store, now, owner="w1") -> list[int]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return timers.fire_due(session, now, owner)


def _timer_events(store) -> list[InboxEvent]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return list(session.scalars(select(InboxEvent).where(InboxEvent.source == "timer")))


def test_schedule_is_idempotent_moves_open_timers_and_leaves_spent_ones(store):
    assert _set(store) == "scheduled"
    assert _set(store) == "unchanged"
    assert _set(store, due=T0 + timedelta(hours=1)) == "rescheduled"
    assert _fire(store, T0 + timedelta(minutes=30)) == [], "moved past now"
    (fired,) = _fire(store, T0 + timedelta(hours=1))
    with store.session() as session:
        session.get(Timer, fired).status = "done"
    assert _set(store, due=T0 + timedelta(days=1)) == "spent", "a replayed schedule is a no-op"
    with store.session() as session:
        assert timers.cancel(session, "sla", CancelTimer("first"), LEAD) is False


def test_a_due_timer_becomes_one_event_of_its_record(store):
    _set(store, payload={"policy": "default"})
    _set(store, key="later", due=T0 + timedelta(days=3))
    assert _fire(store, T0 - timedelta(seconds=1)) == []
    assert len(_fire(store, T0)) == 1
    assert _fire(store, T0 + timedelta(hours=1)) == [], "fired once"
    (event,) = _timer_events(store)
    assert (event.record_key, event.object_type, event.object_id) == (
        LEAD,
        "lead",
        "00Q000000000001AAA",
    )
    assert (event.kind, event.provider_type, event.actor) == ("timer", "sla.breach", "sla")
    assert event.changes == {"policy": "default"}
    assert event.occurred_at == T0


def test_a_crash_before_the_commit_leaves_the_timer_to_fire_again(store):
    _set(store)
    with pytest.raises(RuntimeError), store.session() as session:
        assert timers.fire_due(session, T0, "dying") != []
        raise RuntimeError("killed before commit")
    assert _timer_events(store) == []
    assert len(_fire(store, T0, "restarted")) == 1
    assert len(_timer_events(store)) == 1


def test_a_timer_moved_after_firing_delivers_only_its_new_time(store):
    _set(store)
    _fire(store, T0)
    assert _set(store, due=T0 + timedelta(hours=2)) == "rescheduled"
    (stale,) = _timer_events(store)
    with store.session() as session:
        event = session.get(InboxEvent, stale.id)
        assert timers.take_for_delivery(session, event) is None
    _fire(store, T0 + timedelta(hours=2))
    fresh = [e for e in _timer_events(store) if e.id != stale.id]
    with store.session() as session:
        delivered = timers.take_for_delivery(session, session.get(InboxEvent, fresh[0].id))
        assert delivered is not None and delivered.status == "done"


@dataclass
class Tally:
    """A job that counts the timers delivered to it (from any worker thread)."""

    name: str = "sla"
    delivered: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wants(self, event: InboxEvent) -> bool:
        return False

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        with self.lock:
            self.delivered[event.event_id.partition("@")[0]] += 1
        return Outcome(summary="counted")


def _worker(store, job, owner) -> Worker:  # type: ignore[no-untyped-def]
    return Worker(store, JobRunner((job,)), Dispatcher(store, {}, owner), owner=owner)


def test_the_worker_fires_and_delivers_a_timer_once_across_a_restart(store):
    _set(store)
    job = Tally()
    with time_machine.travel(T0 - timedelta(minutes=5), tick=False):
        assert _worker(store, job, "before").run_until_idle(timeout=5)
    assert not job.delivered
    with time_machine.travel(T0 + timedelta(seconds=1), tick=False):
        assert _worker(store, job, "after-restart").run_until_idle(timeout=5)
        assert _worker(store, job, "after-second-restart").run_until_idle(timeout=5)
    assert list(job.delivered.values()) == [1]


@pytest.mark.postgres
def test_two_postgresql_workers_fire_and_deliver_each_timer_once(pg_store):
    """Fails if the claim goes: both workers would return and deliver the same timers."""
    count = 300
    with pg_store.session() as session:
        for n in range(count):
            record = f"salesforce:lead:00Q{n:015d}"
            timers.schedule(session, "sla", SetTimer("sla.breach", "first", T0), record)
    job = Tally()
    fired: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def run(owner: str) -> None:
        worker = _worker(pg_store, job, owner)
        barrier.wait()
        ids: list[int] = []
        with time_machine.travel(T0 + timedelta(seconds=1), tick=True):
            for _ in range(200):
                with pg_store.session() as session:
                    ids += timers.fire_due(session, T0 + timedelta(seconds=1), owner, limit=7)
                worker.process_events(limit=5)
                if len(job.delivered) == count:
                    break
        fired[owner] = ids

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert set(fired["w0"]).isdisjoint(fired["w1"]), "a timer was claimed by both workers"
    assert len(fired["w0"]) + len(fired["w1"]) == count
    assert fired["w0"] and fired["w1"], "both workers took part"
    assert len(job.delivered) == count and set(job.delivered.values()) == {1}
    with pg_store.session() as session:
        assert session.scalar(select(func.count()).where(InboxEvent.source == "timer")) == count
