"""``baton sync``: preview what the pending events would write, or work until idle once.

The preview runs the real processor over every pending inbox event inside ONE transaction that
is always rolled back, so the decisions are exactly the worker's (same rules, same store state,
same CRM reads) and nothing persists: no event changes status, no command is queued, no link or
known state is stored. Reads may reach the CRMs (the hand-off reads the contact, the stage order
may be read from HubSpot). On SQLite the transaction holds the store's write lock while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.admin.describe import command_fields, command_target, masked
from connector.jobs.runner import JobRunner
from connector.store import Store
from connector.store.models import DeadLetter, InboxEvent, OutboxCommand


@dataclass(frozen=True, slots=True)
class SimulatedEvent:
    """How the processor would end one pending event: done, skipped, deferred or error."""

    id: int
    record_key: str
    source: str
    type: str
    status: str
    summary: str


@dataclass(frozen=True, slots=True)
class PlannedCommand:
    """A command in the outbox (already waiting, or one the pending events would add)."""

    id: int | None
    system: str
    kind: str
    record_key: str
    target: str
    fields: dict[str, Any]
    cause_event_id: int | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None


@dataclass
class DryRunReport:
    """The preview: per-event outcomes, commands they would add, and what already waits."""

    events: list[SimulatedEvent] = field(default_factory=list)
    would_enqueue: list[PlannedCommand] = field(default_factory=list)
    waiting: list[PlannedCommand] = field(default_factory=list)
    #: ids of waiting commands the new decisions would retire (superseded by newer values)
    would_supersede: list[int] = field(default_factory=list)
    #: records not simulated because ``limit`` was reached
    records_left: int = 0


def dry_run(
    store: Store, processor: JobRunner, now: datetime, *, limit: int | None = None
) -> DryRunReport:
    """Simulate the worker over the pending events of up to ``limit`` records; persist nothing."""
    report = DryRunReport()
    session = Session(store.engine, expire_on_commit=False)
    try:
        session.begin()
        report.waiting = [_planned(row) for row in _pending_commands(session)]
        baseline = session.scalar(select(func.max(OutboxCommand.id))) or 0
        keys = _records_with_pending_events(session)
        if limit is not None:
            report.records_left = max(0, len(keys) - limit)
            keys = keys[:limit]
        for key in keys:
            report.events += _simulate_record(session, processor, key, now)
        simulated = [event.id for event in report.events]
        added = session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.id > baseline, OutboxCommand.status == "pending")
            .where(OutboxCommand.cause_event_id.in_(simulated))
            .order_by(OutboxCommand.id)
        ).all()
        report.would_enqueue = [_planned(row, keep_id=False) for row in added]
        waiting_ids = [command.id for command in report.waiting if command.id is not None]
        report.would_supersede = list(
            session.scalars(
                select(OutboxCommand.id)
                .where(OutboxCommand.id.in_(waiting_ids), OutboxCommand.status == "superseded")
                .order_by(OutboxCommand.id)
            )
        )
    finally:
        session.rollback()
        session.close()
    return report


def _records_with_pending_events(session: Session) -> list[str]:
    """Every record with a pending event (deferred ones too), in the worker's order."""
    rows = session.execute(
        select(InboxEvent.record_key)
        .where(InboxEvent.status == "pending")
        .group_by(InboxEvent.record_key)
        .order_by(func.min(InboxEvent.id))
    )
    return [row[0] for row in rows]


def _simulate_record(
    session: Session, processor: JobRunner, key: str, now: datetime
) -> list[SimulatedEvent]:
    """One record's events in order, stopping where the worker would stop (defer or error)."""
    events = session.scalars(
        select(InboxEvent)
        .where(InboxEvent.record_key == key, InboxEvent.status == "pending")
        .order_by(InboxEvent.occurred_at, InboxEvent.id)
    ).all()
    outcomes = []
    for event in events:
        kind = event.provider_type or event.kind
        try:
            with session.begin_nested():
                result = processor.handle(session, event, now)
        except Exception as exc:  # the worker would retry this record later
            message = f"{type(exc).__name__}: {exc}"
            outcomes.append(SimulatedEvent(event.id, key, event.source, kind, "error", message))
            break
        outcomes.append(
            SimulatedEvent(event.id, key, event.source, kind, result.status, result.summary)
        )
        if result.status == "deferred":
            break
        event.status = result.status
    return outcomes


def _pending_commands(session: Session) -> list[OutboxCommand]:
    return list(
        session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.status == "pending")
            .order_by(OutboxCommand.id)
        )
    )


def _planned(row: OutboxCommand, *, keep_id: bool = True) -> PlannedCommand:
    payload = dict(row.payload or {})
    return PlannedCommand(
        id=row.id if keep_id else None,
        system=row.system,
        kind=row.kind,
        record_key=row.record_key,
        target=command_target(row.kind, payload),
        fields=masked(command_fields(row.kind, payload)),
        cause_event_id=row.cause_event_id,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
    )


@dataclass(frozen=True, slots=True)
class SyncBaseline:
    """Where the store stood before a run: what was pending and the highest ids seen."""

    pending_events: frozenset[int]
    pending_commands: frozenset[int]
    last_event: int
    last_command: int
    last_dead_letter: int


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What one ``baton sync`` run did."""

    idle: bool
    #: events processed during the run, by final status (done, skipped, failed)
    events: dict[str, int]
    commands_done: int
    dead_letters: int
    events_pending: int
    commands_pending: int


def baseline(store: Store) -> SyncBaseline:
    """Capture the store before a run (ids, not clocks: the worker's clock may be injected)."""
    with store.session() as session:
        return SyncBaseline(
            pending_events=frozenset(
                session.scalars(select(InboxEvent.id).where(InboxEvent.status == "pending"))
            ),
            pending_commands=frozenset(
                session.scalars(select(OutboxCommand.id).where(OutboxCommand.status == "pending"))
            ),
            last_event=session.scalar(select(func.max(InboxEvent.id))) or 0,
            last_command=session.scalar(select(func.max(OutboxCommand.id))) or 0,
            last_dead_letter=session.scalar(select(func.max(DeadLetter.id))) or 0,
        )


def summarize(store: Store, before: SyncBaseline, idle: bool) -> SyncSummary:
    """Compare the store with ``before``: events handled, writes done, letters created."""
    with store.session() as session:
        handled = (InboxEvent.id.in_(before.pending_events)) | (InboxEvent.id > before.last_event)
        by_status = session.execute(
            select(InboxEvent.status, func.count())
            .where(handled, InboxEvent.status != "pending")
            .group_by(InboxEvent.status)
        ).all()
        ran = (OutboxCommand.id.in_(before.pending_commands)) | (
            OutboxCommand.id > before.last_command
        )
        done = session.scalar(select(func.count()).where(ran, OutboxCommand.status == "done"))
        dead = session.scalar(select(func.count()).where(DeadLetter.id > before.last_dead_letter))
        events_pending = session.scalar(select(func.count()).where(InboxEvent.status == "pending"))
        commands_pending = session.scalar(
            select(func.count()).where(OutboxCommand.status == "pending")
        )
    return SyncSummary(
        idle=idle,
        events={status: count for status, count in by_status},
        commands_done=done or 0,
        dead_letters=dead or 0,
        events_pending=events_pending or 0,
        commands_pending=commands_pending or 0,
    )
