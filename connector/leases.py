"""Claiming work across processes with expiring leases (same SQL on SQLite and PostgreSQL).

A killed worker's lease simply runs out and another worker takes the record over. Claims are
single conditional statements, so two workers can never both win the same record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connector.store.models import InboxEvent, OutboxCommand, RecordLease


def records_with_pending_events(
    session: Session, now: datetime, limit: int, owner: str | None = None
) -> list[str]:
    """Record keys that have unprocessed events due now, oldest first.

    With ``owner``, records another worker holds a live lease on are passed over: otherwise
    every worker finds the same oldest records, the first leases them all and the others win
    none, so a second worker added almost nothing (docs/BENCHMARKS.md, scaling).
    """
    query = (
        select(InboxEvent.record_key)
        .where(InboxEvent.status == "pending")
        .where(or_(InboxEvent.available_at.is_(None), InboxEvent.available_at <= now))
    )
    if owner is not None:
        held_elsewhere = (
            select(RecordLease.record_key)
            .where(RecordLease.record_key == InboxEvent.record_key)
            .where(RecordLease.lease_until >= now, RecordLease.owner != owner)
        )
        query = query.where(~held_elsewhere.exists())
    rows = session.execute(
        query.group_by(InboxEvent.record_key)
        # the record whose oldest pending event arrived first goes first
        .order_by(func.min(InboxEvent.id))
        .limit(limit)
    )
    return [row[0] for row in rows]


def try_lease_record(
    session: Session, record_key: str, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Take the lease on ``record_key`` if nobody holds a live one. Commit before relying on it."""
    until = now + ttl
    taken = session.execute(
        update(RecordLease)
        .where(RecordLease.record_key == record_key)
        .where(or_(RecordLease.lease_until < now, RecordLease.owner == owner))
        .values(owner=owner, lease_until=until)
    ).rowcount
    if taken:
        return True
    exists = session.scalar(
        select(RecordLease.record_key).where(RecordLease.record_key == record_key)
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.execute(
                insert(RecordLease).values(record_key=record_key, owner=owner, lease_until=until)
            )
    except IntegrityError:  # another worker inserted it first
        return False
    return True


def try_lease_records(
    session: Session, record_keys: Sequence[str], owner: str, now: datetime, ttl: timedelta
) -> list[str]:
    """Lease every record of ``record_keys`` nobody else holds, in two statements; the won keys.

    The set-based twin of :func:`try_lease_record` (same conditions): one UPDATE takes the
    expired or own leases, one INSERT … ON CONFLICT DO NOTHING the records with no lease row.
    A row another worker inserted or renewed in between is simply not won.
    """
    if not record_keys:
        return []
    until = now + ttl
    won = set(
        session.scalars(
            update(RecordLease)
            .where(RecordLease.record_key.in_(list(record_keys)))
            .where(or_(RecordLease.lease_until < now, RecordLease.owner == owner))
            .values(owner=owner, lease_until=until)
            .returning(RecordLease.record_key)
        ).all()
    )
    rest = [key for key in record_keys if key not in won]
    if rest:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        rows = [{"record_key": key, "owner": owner, "lease_until": until} for key in rest]
        statement = (
            dialect.insert(RecordLease)
            .on_conflict_do_nothing(index_elements=["record_key"])
            .returning(RecordLease.record_key)
        )
        won.update(session.connection().execute(statement, rows).scalars().all())
    return [key for key in record_keys if key in won]


def release_records(session: Session, record_keys: Sequence[str], owner: str) -> None:
    """Give the records back (only those we still hold), in one statement."""
    if record_keys:
        session.execute(
            delete(RecordLease)
            .where(RecordLease.record_key.in_(list(record_keys)))
            .where(RecordLease.owner == owner)
        )


def release_record(session: Session, record_key: str, owner: str) -> None:
    """Give the record back (only if we still hold it)."""
    session.execute(
        delete(RecordLease)
        .where(RecordLease.record_key == record_key)
        .where(RecordLease.owner == owner)
    )


def claim_due_commands(
    session: Session,
    owner: str,
    now: datetime,
    ttl: timedelta,
    limit: int,
    in_doubt: set[int] | None = None,
    *,
    system: str | None = None,
) -> list[OutboxCommand]:
    """Lease up to ``limit`` due commands (of ``system`` only, if given), at most the OLDEST
    open one per record.

    A record whose oldest open command is leased elsewhere or waiting for its retry time is
    skipped entirely, so writes to one record never overtake each other. The ids of claimed
    commands that an earlier claim never finished (a crash while the CRM call was in flight,
    or before it) are added to ``in_doubt``: they may have landed already.
    """
    # the columns the choice needs, not whole rows: a backlog of thousands of pending commands
    # is scanned on every pass, and loading each as an entity (its JSON payload decoded) was
    # most of a dispatch pass's time (bench/worker_burst.py)
    candidates = session.execute(
        select(
            OutboxCommand.id,
            OutboxCommand.record_key,
            OutboxCommand.system,
            OutboxCommand.lease_owner,
            OutboxCommand.lease_until,
            OutboxCommand.next_attempt_at,
        )
        .where(OutboxCommand.status == "pending")
        .order_by(OutboxCommand.id)
        .limit(limit * 20)
    ).all()
    chosen: list[int] = []
    doubtful: set[int] = set()
    seen: set[str] = set()
    for command in candidates:
        if command.record_key in seen:
            continue
        seen.add(command.record_key)
        leased_elsewhere = command.lease_until is not None and command.lease_until > now
        if leased_elsewhere or command.next_attempt_at > now:
            continue
        if system is not None and command.system != system:
            continue  # the record's oldest goes elsewhere (a notification): it waits its turn
        chosen.append(command.id)
        if command.lease_owner is not None:
            doubtful.add(command.id)
        if len(chosen) >= limit:
            break
    if not chosen:
        return []
    won = session.scalars(
        update(OutboxCommand)
        .where(OutboxCommand.id.in_(chosen))
        .where(OutboxCommand.status == "pending")
        .where(or_(OutboxCommand.lease_until.is_(None), OutboxCommand.lease_until <= now))
        .values(lease_owner=owner, lease_until=now + ttl)
        .returning(OutboxCommand.id)
    ).all()
    if not won:
        return []
    if in_doubt is not None:  # only this claim's own: the caller may claim per system
        in_doubt.update(doubtful.intersection(won))
    return list(
        session.scalars(
            select(OutboxCommand)
            .where(OutboxCommand.id.in_(won))
            .order_by(OutboxCommand.id)
            .execution_options(populate_existing=True)
        )
    )
