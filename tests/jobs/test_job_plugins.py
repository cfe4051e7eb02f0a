"""A job that exists only in this module plugs into the real worker: events, timers, commands.

Nothing here edits the worker, the runner or the lifecycle job: the test job is handed to the
runner beside the lifecycle job, exactly as ``connector.jobs.registry`` does for real jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from connector.commands import System, UpdateFields
from connector.dispatcher import Dispatcher
from connector.jobs.base import DEFERRED, JobContext, Outcome, is_timer
from connector.jobs.runner import JobRunner
from connector.store.models import AuditEntry, InboxEvent, Timer
from connector.timers import CancelTimer, SetTimer
from connector.worker import Worker
from tests.sync.harness import Loop

MQL = "marketingqualifiedlead"


@dataclass
class FollowUpJob:
    """Asks for a follow-up an hour after a contact becomes an MQL; a 'lead' move cancels it."""

    name: str = "follow_up"
    seen: list[tuple[str, str]] = field(default_factory=list)

    def wants(self, event: InboxEvent) -> bool:
        return event.source == "hubspot" and "lifecyclestage" in event.changes

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        if is_timer(event):
            self.seen.append(("timer", event.object_id))
            write = UpdateFields(
                System.HUBSPOT,
                event.record_key,
                f"follow-up:{event.object_id}:{event.changes['episode']}",
                object_type="contacts",
                object_id=event.object_id,
                fields={"baton_follow_up": "due"},
            )
            return Outcome(summary="follow-up due", commands=(write,), audit=("follow-up due",))
        self.seen.append(("event", event.changes["lifecyclestage"]))
        if event.changes["lifecyclestage"] == MQL:
            due = SetTimer("follow_up.due", "mql", ctx.now + timedelta(hours=1), {"episode": 1})
            return Outcome(summary="follow-up in an hour", timers=(due,))
        return Outcome(summary="no follow-up needed", timers=(CancelTimer("mql"),))


def _with_job(loop: Loop, job: object) -> None:
    """Hand the test job to the loop's worker beside the lifecycle job."""
    runner = loop.worker.processor
    loop.worker.processor = JobRunner((*runner.jobs, job), runner.readers)  # type: ignore[arg-type]


def _restart(loop: Loop, job: object) -> None:
    """A new worker process on the same store (nothing carried over in memory)."""
    old = loop.worker
    dispatcher = Dispatcher(loop.store, old.processor.readers, "restarted", max_attempts=20)
    runner = JobRunner((old.processor.jobs[0], job), old.processor.readers)  # type: ignore[arg-type]
    loop.worker = Worker(loop.store, runner, dispatcher, owner="restarted", clock=loop.clock)


def test_a_job_defined_in_a_test_gets_events_and_its_own_timer(sqlite_store):
    loop = Loop(sqlite_store)
    job = FollowUpJob()
    _with_job(loop, job)

    lead_id = loop.handed_off_pair("101")
    assert loop.salesforce.records[lead_id]["Status"], "the lifecycle job still hands off"
    assert job.seen == [("event", MQL)]

    loop.clock.now += timedelta(minutes=59)
    loop.settle()
    assert ("timer", "101") not in job.seen, "not due yet"

    loop.clock.now += timedelta(minutes=2)
    loop.settle()
    assert job.seen.count(("timer", "101")) == 1
    assert loop.hubspot.records["101"]["baton_follow_up"] == "due"
    with sqlite_store.session() as session:
        timer = session.scalars(select(Timer)).one()
        assert (timer.job, timer.status) == ("follow_up", "done")
        lines = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.record_key == "hubspot:contact:101")
        ).all()
    assert any(line.startswith("timer follow_up.due (mql) scheduled") for line in lines)
    assert any(line.startswith("timer follow_up.due -> done: follow-up due") for line in lines)

    loop.clock.now += timedelta(days=2)
    loop.settle()
    assert job.seen.count(("timer", "101")) == 1, "a timer fires once"


def test_a_restart_between_scheduling_and_firing_fires_once(sqlite_store):
    loop = Loop(sqlite_store)
    job = FollowUpJob()
    _with_job(loop, job)
    loop.handed_off_pair("101")

    fresh = FollowUpJob()
    _restart(loop, fresh)
    loop.clock.now += timedelta(hours=2)
    loop.settle()
    _restart(loop, fresh)  # and again, after it fired
    loop.settle()
    assert fresh.seen == [("timer", "101")]
    assert job.seen == [("event", MQL)]


def test_a_cancelled_timer_never_reaches_its_job(sqlite_store):
    loop = Loop(sqlite_store)
    job = FollowUpJob()
    _with_job(loop, job)
    loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="lead")
    loop.settle()

    loop.clock.now += timedelta(hours=2)
    loop.settle()
    assert ("timer", "101") not in job.seen
    with sqlite_store.session() as session:
        assert session.scalars(select(Timer.status)).one() == "cancelled"


@dataclass
class WaitsOnceJob:
    """Defers each event once, then finishes it; counts how often it was asked."""

    name: str = "waits_once"
    calls: int = 0

    def wants(self, event: InboxEvent) -> bool:
        return event.source == "hubspot"

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        self.calls += 1
        if self.calls == 1:
            return Outcome(DEFERRED, "waiting once")
        return Outcome(summary="done after waiting")


@dataclass
class CountingJob:
    name: str = "counting"
    calls: int = 0

    def wants(self, event: InboxEvent) -> bool:
        return event.source == "hubspot"

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        self.calls += 1
        return Outcome(summary="counted")


def test_a_deferral_replays_only_the_jobs_that_did_not_finish(sqlite_store):
    loop = Loop(sqlite_store)
    counting, waiting = CountingJob(), WaitsOnceJob()
    _with_job(loop, counting)
    _with_job(loop, waiting)
    loop.hubspot.ui_set("101", lastname="Visser")  # one property: one event
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()
    with sqlite_store.session() as session:
        event = session.scalars(select(InboxEvent)).first()
        assert (event.status, event.jobs_done) == ("pending", ["lifecycle", "counting"])

    loop.clock.now += timedelta(seconds=10)
    loop.worker.process_events()
    assert (counting.calls, waiting.calls) == (1, 2)
    with sqlite_store.session() as session:
        event = session.scalars(select(InboxEvent)).first()
        assert event.status == "done"
        assert "waits_once: done after waiting" in (event.outcome or "")
