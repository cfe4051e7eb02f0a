"""Read-only views of Baton's own health: what is waiting, what failed, what it decided lately.

These answer the admin's questions ("is Baton keeping up?", "what did a CRM refuse?", "what
happened just now?") from the store alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store.models import AuditEntry, DeadLetter, InboxEvent, OutboxCommand


@dataclass(frozen=True, slots=True)
class Backlog:
    """Counts of work by state: what is still open and what ended badly."""

    events_total: int
    events_pending: int
    events_failed: int
    commands_pending: int
    commands_dead: int
    dead_letters_open: int

    @property
    def open_work(self) -> int:
        """Events and commands Baton still has to handle (due now or later)."""
        return self.events_pending + self.commands_pending


def backlog(session: Session) -> Backlog:
    """The inbox and outbox by state, plus unresolved dead letters."""
    events = dict(
        session.execute(select(InboxEvent.status, func.count()).group_by(InboxEvent.status)).all()
    )
    commands = dict(
        session.execute(
            select(OutboxCommand.status, func.count()).group_by(OutboxCommand.status)
        ).all()
    )
    open_letters = session.scalar(
        select(func.count()).select_from(DeadLetter).where(DeadLetter.resolved_at.is_(None))
    )
    return Backlog(
        events_total=sum(events.values()),
        events_pending=events.get("pending", 0),
        events_failed=events.get("failed", 0),
        commands_pending=commands.get("pending", 0),
        commands_dead=commands.get("dead", 0),
        dead_letters_open=open_letters or 0,
    )


@dataclass(frozen=True, slots=True)
class IntakeCount:
    """Events received from one source, split by how they ended."""

    source: str
    total: int
    echoes: int
    by_status: dict[str, int]


def intake(session: Session) -> list[IntakeCount]:
    """Events per source (webhooks and polls alike), echoes of Baton's own writes counted apart."""
    rows = session.execute(
        select(InboxEvent.source, InboxEvent.status, InboxEvent.is_echo, func.count()).group_by(
            InboxEvent.source, InboxEvent.status, InboxEvent.is_echo
        )
    ).all()
    sources: dict[str, dict[str, int]] = {}
    echoes: dict[str, int] = {}
    for source, status, is_echo, count in rows:
        by_status = sources.setdefault(source, {})
        by_status[status] = by_status.get(status, 0) + count
        if is_echo:
            echoes[source] = echoes.get(source, 0) + count
    return [
        IntakeCount(
            source, sum(counts.values()), echoes.get(source, 0), dict(sorted(counts.items()))
        )
        for source, counts in sorted(sources.items())
    ]


@dataclass(frozen=True, slots=True)
class DeadLetterLine:
    """A write a CRM refused for good, in the CRM's own words."""

    id: int
    system: str
    command_kind: str
    record_key: str
    error_code: str | None
    message: str
    at: datetime


def dead_letters(session: Session, limit: int = 50) -> list[DeadLetterLine]:
    """Unresolved dead letters, newest first."""
    rows = session.execute(
        select(DeadLetter, OutboxCommand.kind, OutboxCommand.record_key)
        .join(OutboxCommand, OutboxCommand.id == DeadLetter.command_id)
        .where(DeadLetter.resolved_at.is_(None))
        .order_by(DeadLetter.id.desc())
        .limit(limit)
    ).all()
    return [
        DeadLetterLine(
            letter.id,
            letter.system,
            kind,
            key,
            letter.error_code,
            letter.message,
            letter.created_at,
        )
        for letter, kind, key in rows
    ]


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One line of the audit trail."""

    at: datetime
    record_key: str
    step: str
    summary: str


def recent_audit(
    session: Session, limit: int = 30, *, steps: tuple[str, ...] = ()
) -> list[AuditLine]:
    """The latest audit lines, newest first (only ``steps`` such as ``rule``/``error`` if given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if steps:
        query = query.where(AuditEntry.step.in_(steps))
    return [AuditLine(e.at, e.record_key, e.step, e.summary) for e in session.scalars(query)]
