"""Putting commands in the outbox, once each (the idempotency key is unique)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector import knowledge
from connector.commands import Command, SetStage, UpdateFields, written_fields
from connector.events import utcnow
from connector.store.models import OutboxCommand


def enqueue(session: Session, command: Command, cause_event_id: int | None = None) -> bool:
    """Store ``command`` unless one with the same idempotency key exists; True if new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxCommand)
        .values(
            idempotency_key=command.idempotency_key,
            system=command.system.value,
            kind=command.kind,
            record_key=command.record_key,
            payload=command.payload(),
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
            cause_event_id=cause_event_id,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxCommand.id)
    )
    return session.execute(statement).first() is not None


def enqueue_known(
    session: Session, command: Command, now: datetime, cause_event_id: int | None = None
) -> bool:
    """Queue a job's command and know its fields as intended, as the sync's own writes are.

    Older queued writes of the same fields on the record are retired (they would land over a
    newer decision), and the values are known at the command's logical time, so the dispatcher
    does not mistake them for a change learnt while the write was in flight (and "heal" it).
    """
    fields = written_fields(command)
    if fields:
        supersede_queued_writes(session, command.record_key, set(fields), now)
    added = enqueue(session, command, cause_event_id)
    if fields:  # a replayed decision is known again too: later ones compare with it
        at = datetime.fromisoformat(command.logical_at) if command.logical_at else now
        knowledge.remember(session, command.record_key, fields, at)
    return added


def supersede_queued_writes(
    session: Session,
    target_key: str,
    names: set[str],
    now: datetime,
    older_than: datetime | None = None,
) -> None:
    """Older queued writes of these fields would land after newer knowledge: retire them."""
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.record_key == target_key, OutboxCommand.status == "pending")
        .where(OutboxCommand.kind.in_([SetStage.kind, UpdateFields.kind]))
    ).all()
    for row in rows:
        if row.lease_until is not None and row.lease_until > now:
            continue  # in flight: the dispatcher heals it if it lands over newer knowledge
        payload = row.payload
        logical = payload.get("logical_at")
        if older_than is not None and (
            not logical or datetime.fromisoformat(logical) >= older_than
        ):
            continue
        written = set(payload.get("fields", {})) | set(payload.get("extra_fields", {}))
        if payload.get("field_name"):
            written.add(payload["field_name"])
        if written and written <= names:
            row.status = "superseded"
