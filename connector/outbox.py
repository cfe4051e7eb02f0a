"""Putting commands in the outbox, once each (the idempotency key is unique)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite import Insert
from sqlalchemy.orm import Session

from connector import knowledge, preload
from connector.commands import Command, written_fields
from connector.events import utcnow
from connector.store.models import OutboxCommand


def enqueue(session: Session, command: Command, cause_event_id: int | None = None) -> bool:
    """Store ``command`` unless one with the same idempotency key exists; True if new."""
    now = utcnow()
    row = {
        "idempotency_key": command.idempotency_key,
        "system": command.system.value,
        "kind": command.kind,
        "record_key": command.record_key,
        "payload": command.payload(),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "cause_event_id": cause_event_id,
    }
    with session.no_autoflush:  # the row stands alone: the batch's changes flush together later
        added = session.execute(_insert_once(session.get_bind().dialect.name), row).first()
    loaded = preload.of(session)
    retirable = command.kind in preload.FIELD_WRITES  # a later decision in the batch may retire it
    if added is not None and loaded is not None and retirable and loaded.covers(command.record_key):
        loaded.queued[command.record_key].append(
            preload.QueuedWrite(added[0], row["payload"], None)
        )
    return added is not None


@cache
def _insert_once(dialect: str) -> Insert:
    """The outbox INSERT, built once per dialect: building it per command (``.values()`` with
    every column coerced again) was a third of a genuine change's time (bench/worker_burst.py).
    It goes to the table, not the mapped class, so the ORM's bulk-insert path is skipped too."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = OutboxCommand.__table__
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )


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
    loaded = preload.of(session)
    if loaded is not None and loaded.covers(target_key):
        _supersede_preloaded(session, loaded, target_key, names, now, older_than)
        return
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.record_key == target_key, OutboxCommand.status == "pending")
        .where(OutboxCommand.kind.in_(preload.FIELD_WRITES))
    ).all()
    for row in rows:
        if row.lease_until is not None and row.lease_until > now:
            continue  # in flight: the dispatcher heals it if it lands over newer knowledge
        if _retired_by(row.payload, names, older_than):
            row.status = "superseded"


def _supersede_preloaded(
    session: Session,
    loaded: preload.Preloaded,
    target_key: str,
    names: set[str],
    now: datetime,
    older_than: datetime | None,
) -> None:
    """As :func:`supersede_queued_writes`, from the batch's preload: no SELECT, and an UPDATE
    only when something is retired. The UPDATE checks status and lease again, since another
    process's dispatcher may have claimed or finished a write since it was loaded."""
    queued = loaded.queued.get(target_key, [])
    retired = [
        write
        for write in queued
        if not (write.lease_until is not None and write.lease_until > now)
        and _retired_by(write.payload, names, older_than)
    ]
    if not retired:
        return
    session.execute(
        update(OutboxCommand)
        .where(OutboxCommand.id.in_([write.id for write in retired]))
        .where(OutboxCommand.status == "pending")
        .where(or_(OutboxCommand.lease_until.is_(None), OutboxCommand.lease_until <= now))
        .values(status="superseded")
        .execution_options(synchronize_session=False)
    )
    loaded.queued[target_key] = [write for write in queued if write not in retired]


def _retired_by(payload: dict[str, Any], names: set[str], older_than: datetime | None) -> bool:
    """True when a queued write's fields are all among ``names`` (and, with ``older_than``,
    its decision is older than that)."""
    logical = payload.get("logical_at")
    if older_than is not None and (not logical or datetime.fromisoformat(logical) >= older_than):
        return False
    written = set(payload.get("fields", {})) | set(payload.get("extra_fields", {}))
    if payload.get("field_name"):
        written.add(payload["field_name"])
    return bool(written) and written <= names
