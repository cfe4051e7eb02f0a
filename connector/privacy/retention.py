"""Retention: what Baton had to keep for a while is dropped or scrubbed when its period ends.

Run by the privacy job's daily timer (``connector.jobs.privacy``). Raw bodies go after
``privacy.keep_raw_bodies_days``; processed inbox events (and raw requests left without any)
after ``store.inbox_retention_days``; audit lines and finished outbox commands keep their ids
and decisions but lose personal fields after ``privacy.scrub_personal_after_days``. Counts
(scorecard, recycle, credit) are read from tables that hold no personal data and are kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Table, and_, delete, func, select, update
from sqlalchemy.orm import Session

from connector.config import BatonConfig
from connector.privacy.fields import (
    EMAIL_IN_TEXT,
    ERASED,
    quoted_values_named,
    without_personal,
)
from connector.privacy.registry import pruners
from connector.store.models import (
    AuditEntry,
    Base,
    DeadLetter,
    InboxEvent,
    OutboxCommand,
    OwnWrite,
    RawRequest,
    RecycleEpisode,
)

#: inbox states that are finished (a pending or deferred event is never pruned)
FINISHED = ("done", "skipped", "failed")
#: outbox states no dispatcher will send again
SETTLED = ("done", "superseded", "dead", "erased")
BATCH = 1000


def prune(session: Session, config: BatonConfig, now: datetime) -> dict[str, int]:
    """Apply every retention period at ``now``; rows changed per step."""
    privacy, store = config.privacy, config.store
    counts = {
        "raw_bodies": drop_raw_bodies(session, now - timedelta(days=privacy.keep_raw_bodies_days)),
        "inbox_events": drop_inbox_events(
            session, now - timedelta(days=store.inbox_retention_days)
        ),
        "own_writes": _rowcount(session, delete(OwnWrite).where(OwnWrite.expires_at <= now)),
    }
    scrub_before = now - timedelta(days=privacy.scrub_personal_after_days)
    counts["audit"] = scrub_audit(session, scrub_before)
    counts["dead_letters"] = scrub_dead_letters(session, scrub_before)
    counts["outbox"] = scrub_outbox(session, scrub_before)
    counts["recycle_notes"] = scrub_recycle_notes(session, scrub_before)
    for table, pruner in pruners().items():
        counts[table] = pruner(session, now, config)
    return {name: count for name, count in counts.items() if count}


def drop_raw_bodies(session: Session, before: datetime) -> int:
    """Bodies received before ``before`` are dropped; the row (source, digest, time) stays."""
    return _rowcount(
        session,
        update(RawRequest)
        .where(RawRequest.received_at < before, RawRequest.body.is_not(None))
        .values(body=None),
    )


def drop_inbox_events(session: Session, before: datetime) -> int:
    """Finished events processed before ``before`` go, with raw requests left without events.

    Rows elsewhere that point at a pruned event (an audit line, a command's cause) keep their
    own content and lose only the pointer: every foreign key to ``inbox_events`` is found in the
    metadata, so a job's table added later is covered without an edit here.
    """
    done_at = func.coalesce(InboxEvent.processed_at, InboxEvent.received_at)
    total = 0
    while True:
        ids = list(
            session.scalars(
                select(InboxEvent.id)
                .where(InboxEvent.status.in_(FINISHED), done_at < before)
                .limit(BATCH)
            )
        )
        if not ids:
            break
        for table, column in _references(InboxEvent.__table__):
            session.execute(update(table).where(column.in_(ids)).values({column.name: None}))
        total += _rowcount(session, delete(InboxEvent).where(InboxEvent.id.in_(ids)))
    orphans = select(InboxEvent.id).where(InboxEvent.raw_request_id == RawRequest.id).exists()
    total += _rowcount(
        session, delete(RawRequest).where(and_(RawRequest.received_at < before, ~orphans))
    )
    return total


def scrub_audit(session: Session, before: datetime) -> int:
    """Old audit lines keep step, ids and decision; addresses and personal fields go."""
    return _scrub_rows(
        session,
        select(AuditEntry).where(AuditEntry.at < before),
        ("summary", "detail"),
    )


def scrub_outbox(session: Session, before: datetime) -> int:
    """A command settled long ago keeps kind, record and ids, not the person's name or address."""
    settled_at = func.coalesce(OutboxCommand.done_at, OutboxCommand.created_at)
    return _scrub_rows(
        session,
        select(OutboxCommand).where(OutboxCommand.status.in_(SETTLED), settled_at < before),
        ("payload", "last_error"),
    )


def scrub_dead_letters(session: Session, before: datetime) -> int:
    """A CRM's refusal text may quote what it refused: the command's name or address goes.

    Runs before the outbox scrub, while the command still holds the values to look for.
    """
    rows = session.execute(
        select(DeadLetter, OutboxCommand.payload)
        .join(OutboxCommand, OutboxCommand.id == DeadLetter.command_id)
        .where(DeadLetter.created_at < before)
    )
    changed = 0
    for letter, payload in rows:
        cleaned = EMAIL_IN_TEXT.sub(
            ERASED, quoted_values_named(letter.message, payload.get("fields") or {})
        )
        if cleaned != letter.message:
            letter.message, changed = cleaned, changed + 1
    return changed


def scrub_recycle_notes(session: Session, before: datetime) -> int:
    """A recycle note is Baton's own words, but may quote a value: no address stays in it."""
    return _scrub_rows(
        session, select(RecycleEpisode).where(RecycleEpisode.recycled_at < before), ("note",)
    )


def _scrub_rows(session: Session, query, columns: tuple[str, ...]) -> int:  # type: ignore[no-untyped-def]
    changed = 0
    for row in session.scalars(query.execution_options(yield_per=BATCH)):
        for column in columns:
            value = getattr(row, column)
            cleaned = without_personal(value)
            if cleaned != value:
                setattr(row, column, cleaned)
                changed += 1
    session.flush()
    return changed


def _references(target: Table) -> list[tuple[Table, object]]:
    """Every (table, column) with a foreign key to ``target``'s primary key."""
    found = []
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table is target:
                found.append((table, fk.parent))
    return found


def _rowcount(session: Session, statement) -> int:  # type: ignore[no-untyped-def]
    return session.execute(statement).rowcount or 0
