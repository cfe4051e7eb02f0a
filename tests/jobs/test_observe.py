"""Observe mode in the core: the dispatcher sends nothing, keeps and audits every command, and
the observe job files a daily summary; the replay happens only on request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import select

from baton.cli import main
from connector import outbox
from connector.commands import Notify, SetStage, System
from connector.dispatcher import Dispatcher
from connector.jobs.observe.job import (
    SUMMARY_RECORD,
    ObserveJob,
    next_midnight,
    start_daily_summary,
)
from connector.jobs.runner import JobRunner
from connector.observing import (
    OBSERVED,
    ObservedSummary,
    replay_observed,
    summarize_observed,
    summary_text,
)
from connector.store.models import AuditEntry, OutboxCommand, Timer
from connector.worker import Worker

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LEAD = "salesforce:lead:00Q000000000001AAA"
CONTACT = "hubspot:contact:1001"


@pytest.fixture(autouse=True)
def at_t0():  # type: ignore[no-untyped-def]
    """Commands are queued (and due) at T0 unless a test travels on."""
    with time_machine.travel(T0, tick=False):
        yield


class RecordingWriter:
    """A writer that remembers every batch it was asked to send (observe mode: none)."""

    def __init__(self) -> None:
        self.batches: list[list[object]] = []

    def execute(self, commands):  # type: ignore[no-untyped-def]
        self.batches.append(list(commands))
        return []


def _notice(key: str = "sla:1:step2") -> Notify:
    return Notify(
        System.NOTIFY, LEAD, key, channel="email", to_user_id="005000000000002AAA",
        role="manager", lead_id="00Q000000000001AAA", step=2,
    )  # fmt: skip


def _stage(key: str, value: str) -> SetStage:
    return SetStage(
        System.HUBSPOT, CONTACT, key, object_type="contacts", object_id="1001",
        field_name="lifecyclestage", value=value,
    )  # fmt: skip


def _enqueue(store, *commands) -> None:  # type: ignore[no-untyped-def]
    with store.session() as session:
        for command in commands:
            outbox.enqueue(session, command)


def test_observe_sends_no_notice_and_no_crm_write_but_audits_each(store):
    writers = {system: RecordingWriter() for system in System}
    _enqueue(store, _notice(), _stage("stage:1", "salesqualifiedlead"))
    dispatcher = Dispatcher(store, writers, "w", observe=True)  # type: ignore[arg-type]
    assert dispatcher.dispatch(T0) == 2
    assert all(writer.batches == [] for writer in writers.values())
    with store.session() as session:
        rows = session.scalars(select(OutboxCommand).order_by(OutboxCommand.id)).all()
        assert [r.status for r in rows] == [OBSERVED, OBSERVED]
        assert rows[0].idempotency_key == f"sla:1:step2#observed:{rows[0].id}"
        lines = session.scalars(select(AuditEntry).where(AuditEntry.step == "observed")).all()
        summaries = sorted(line.summary for line in lines)
    assert summaries == [
        "observe mode, not sent: would write hubspot set_stage contacts 1001: "
        "lifecyclestage='salesqualifiedlead'",
        "observe mode, not sent: would write notify email to the manager "
        "(user 005000000000002AAA) about lead 00Q000000000001AAA, escalation step 2",
    ]
    assert Dispatcher(store, writers, "w", observe=True).dispatch(T0) == 0  # type: ignore[arg-type]


def test_an_observed_key_is_free_for_the_same_decision_later(store):
    _enqueue(store, _notice())
    Dispatcher(store, {}, "w", observe=True).dispatch(T0)
    with store.session() as session:
        assert outbox.enqueue(session, _notice()) is True  # not blocked by the observed one


def test_replay_queues_only_the_newest_decision_per_field(store):
    _enqueue(store, _stage("stage:1", "marketingqualifiedlead"))
    Dispatcher(store, {}, "w", observe=True).dispatch(T0)
    _enqueue(store, _stage("stage:2", "salesqualifiedlead"), _notice())
    Dispatcher(store, {}, "w", observe=True).dispatch(T0 + timedelta(minutes=1))
    with store.session() as session:
        report = replay_observed(session, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    assert report.queued == 2
    assert dict(report.skipped) == {"superseded by a later observed decision": 1}
    with store.session() as session:
        pending = session.scalars(select(OutboxCommand).where(OutboxCommand.status == "pending"))
        assert sorted(r.idempotency_key for r in pending) == ["sla:1:step2", "stage:2"]


def test_summary_counts_per_system_and_kind_in_the_window(store):
    _enqueue(store, _notice("a"), _notice("b"), _stage("stage:1", "customer"))
    dispatcher = Dispatcher(store, {}, "w", observe=True)
    while dispatcher.dispatch(T0):  # one open command per record at a time, as for writes
        pass
    with store.session() as session:
        found = summarize_observed(session, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
        before = summarize_observed(session, T0 - timedelta(days=2), T0 - timedelta(days=1))
    assert found.counts == {("notify", "notify"): 2, ("hubspot", "set_stage"): 1}
    assert before.total == 0
    assert summary_text(found).splitlines()[0].endswith("3 would-be writes, none sent")


def test_summary_text_when_nothing_was_kept():
    summary = ObservedSummary(T0 - timedelta(days=1), T0, {})
    assert summary_text(summary) == (
        "observe mode, 2026-12-02 09:00Z to 2026-12-03 09:00Z: nothing would have been written"
    )


def test_next_midnight_is_strictly_after():
    assert next_midnight(T0) == datetime(2026, 12, 4, tzinfo=UTC)
    assert next_midnight(datetime(2026, 12, 4, tzinfo=UTC)) == datetime(2026, 12, 5, tzinfo=UTC)


def _worker(store, observe: bool) -> Worker:  # type: ignore[no-untyped-def]
    runner = JobRunner((ObserveJob(observe=observe),))
    return Worker(store, runner, Dispatcher(store, {}, "w", observe=observe), owner="w")


def test_the_daily_timer_files_the_summary_and_sets_the_next_day(store):
    with store.session() as session:
        assert start_daily_summary(session, T0) == "scheduled"
        assert start_daily_summary(session, T0 + timedelta(hours=1)) == "unchanged"  # restart
    _enqueue(store, _notice())
    _worker(store, observe=True).run_until_idle(timeout=5)
    with time_machine.travel(next_midnight(T0) + timedelta(seconds=1), tick=False):
        _worker(store, observe=True).run_until_idle(timeout=5)
    with store.session() as session:
        lines = session.scalars(
            select(AuditEntry.summary).where(AuditEntry.record_key == SUMMARY_RECORD)
        ).all()
        timers = session.scalars(select(Timer).order_by(Timer.id)).all()
        assert [(t.status, t.due_at.replace(tzinfo=UTC)) for t in timers] == [
            ("done", datetime(2026, 12, 4, tzinfo=UTC)),
            ("pending", datetime(2026, 12, 5, tzinfo=UTC)),
        ]
    text = next(line for line in lines if line.startswith("observe mode,"))
    assert "1 would-be writes, none sent" in text and "notify" in text


def test_with_observe_off_the_last_summary_sets_no_next_day(store):
    with store.session() as session:
        start_daily_summary(session, T0)
    with time_machine.travel(next_midnight(T0) + timedelta(seconds=1), tick=False):
        _worker(store, observe=False).run_until_idle(timeout=5)
    with store.session() as session:
        assert [t.status for t in session.scalars(select(Timer))] == ["done"]


def test_cli_summary_and_replay(store):
    _enqueue(store, _notice())
    Dispatcher(store, {}, "w", observe=True).dispatch(T0)
    env = {"BATON_DATABASE_URL": store.url}
    runner = CliRunner()
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        shown = runner.invoke(main, ["observe", "summary"], env=env)
        assert shown.exit_code == 0, shown.output
        assert (
            "1 would-be writes, none sent" in shown.stdout
            and "(BATON_DATABASE_URL)" in shown.stdout
        )
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        refused = runner.invoke(main, ["observe", "replay", "--since", since], env=env, input="n\n")
        assert refused.exit_code == 1  # not confirmed: nothing queued
        replayed = runner.invoke(main, ["observe", "replay", "--since", since, "--yes"], env=env)
        assert replayed.exit_code == 0, replayed.output
        assert "queued 1 observed writes" in replayed.stdout
        with store.session() as session:
            assert session.scalar(select(OutboxCommand.status)) == "pending"


def _notice_for(n: int) -> Notify:
    lead = f"00Q{n:012d}AAA"
    return Notify(
        System.NOTIFY, f"salesforce:lead:{lead}", f"sla:{n}:step2", channel="email",
        to_user_id="005000000000002AAA", role="manager", lead_id=lead, step=2,
    )  # fmt: skip


def test_replay_asks_for_the_keys_in_use_once_whatever_the_number_of_rows(store):
    from sqlalchemy import event

    _enqueue(store, *(_notice_for(n) for n in range(30)))
    while Dispatcher(store, {}, "w", observe=True).dispatch(T0):
        pass
    _enqueue(store, _notice_for(1))  # observed a second time: only one copy may be queued
    Dispatcher(store, {}, "w", observe=True).dispatch(T0)
    _enqueue(store, _notice_for(0))  # the same decision again, after observe mode
    selects: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "idempotency_key IN" in statement:
            selects.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.session() as session:
            report = replay_observed(session, T0 - timedelta(hours=1), T0 + timedelta(hours=1))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(selects) == 1, "one query for every row's key, not one per row"
    assert report.queued == 29
    assert dict(report.skipped) == {"decided again since observe mode ended": 2}
    with store.session() as session:
        pending = session.scalars(
            select(OutboxCommand.idempotency_key).where(OutboxCommand.status == "pending")
        ).all()
    assert sorted(pending) == sorted(f"sla:{n}:step2" for n in range(30))
