"""Putting commands in the outbox, once each (the idempotency key is unique)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.commands import Command
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
