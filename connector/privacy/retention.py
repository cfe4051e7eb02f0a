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
    Cursor,
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
#: the cursor holding how far the scrub of kept rows has gone
SCRUBBED_UNTIL = "privacy:scrubbed_until"


def prune(session: Session, config: BatonConfig, now: datetime) -> dict[str, int]:
    """Apply every retention period at ``now``; rows changed per step."""
    privacy, store = config.privacy, config.store
    counts = {
        "raw_bodies": drop_raw_bodies(session, now - timedelta(days=privacy.keep_raw_bodies_days)),
        "inbox_events": drop_inbox_events(
            session, now - timedelta(days=store.inbox_retention_days)
        ),
        "own_writes": _rowcount(
            session, delete(OwnWrite.__table__).where(OwnWrite.__table__.c.expires_at <= now)
        ),
    }
    # rows scrubbed by an earlier run are not read again: each run takes the next slice
    since = _scrubbed_until(session)
    until = now - timedelta(days=privacy.scrub_personal_after_days)
    if since is None or since < until:
        counts["audit"] = scrub_audit(session, since, until)
        counts["dead_letters"] = scrub_dead_letters(session, since, until)
        counts["outbox"] = scrub_outbox(session, since, until)
        counts["recycle_notes"] = scrub_recycle_notes(session, since, until)
        _set_scrubbed_until(session, until)
    for table, pruner in pruners().items():
        counts[table] = pruner(session, now, config)
    return {name: count for name, count in counts.items() if count}


def drop_raw_bodies(session: Session, before: datetime) -> int:
    """Bodies received before ``before`` are dropped; the row (source, digest, time) stays."""
    raws = RawRequest.__table__
    return _rowcount(
        session,
        update(raws).where(raws.c.received_at < before, raws.c.body.is_not(None)).values(body=None),
    )


def drop_inbox_events(session: Session, before: datetime) -> int:
    """Finished events processed before ``before`` go, with raw requests left without events.

    Rows elsewhere that point at a pruned event (an audit line, a command's cause) keep their
    own content and lose only the pointer: every foreign key to ``inbox_events`` is found in the
    metadata, so a job's table added later is covered without an edit here.
    """
    done_at = func.coalesce(InboxEvent.processed_at, InboxEvent.received_at)
    events, raws = InboxEvent.__table__, RawRequest.__table__
    total = 0
    while True:
        rows = session.execute(
            select(events.c.id, events.c.raw_request_id)
            .where(events.c.status.in_(FINISHED), done_at < before)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        for table, column in _references(events):
            session.execute(update(table).where(column.in_(ids)).values({column.name: None}))
        total += _rowcount(session, delete(events).where(events.c.id.in_(ids)))
        raw_ids = {row.raw_request_id for row in rows if row.raw_request_id is not None}
        still_used = select(events.c.id).where(events.c.raw_request_id == raws.c.id).exists()
        total += _rowcount(session, delete(raws).where(raws.c.id.in_(raw_ids), ~still_used))
    return total


def scrub_audit(session: Session, since: datetime | None, until: datetime) -> int:
    """Old audit lines keep step, ids and decision; addresses and personal fields go."""
    query = select(AuditEntry).where(_between(AuditEntry.at, since, until))
    return _scrub_rows(session, query, ("summary", "detail"))


def scrub_outbox(session: Session, since: datetime | None, until: datetime) -> int:
    """A command created long ago and settled keeps kind, record and ids, not the person's
    name or address (one still pending or retrying keeps what its write needs)."""
    query = select(OutboxCommand).where(
        OutboxCommand.status.in_(SETTLED), _between(OutboxCommand.created_at, since, until)
    )
    return _scrub_rows(session, query, ("payload", "last_error"))


def scrub_dead_letters(session: Session, since: datetime | None, until: datetime) -> int:
    """A CRM's refusal text may quote what it refused: the command's name or address goes.

    Runs before the outbox scrub, while the command still holds the values to look for.
    """
    rows = session.execute(
        select(DeadLetter, OutboxCommand.payload)
        .join(OutboxCommand, OutboxCommand.id == DeadLetter.command_id)
        .where(_between(DeadLetter.created_at, since, until))
    )
    changed = 0
    for letter, payload in rows:
        cleaned = EMAIL_IN_TEXT.sub(
            ERASED, quoted_values_named(letter.message, payload.get("fields") or {})
        )
        if cleaned != letter.message:
            letter.message, changed = cleaned, changed + 1
    return changed


def scrub_recycle_notes(session: Session, since: datetime | None, until: datetime) -> int:
    """A recycle note is Baton's own words, but may quote a value: no address stays in it."""
    query = select(RecycleEpisode).where(_between(RecycleEpisode.recycled_at, since, until))
    return _scrub_rows(session, query, ("note",))


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


def _between(column, since: datetime | None, until: datetime):  # type: ignore[no-untyped-def]
    return column < until if since is None else and_(column >= since, column < until)


def _scrubbed_until(session: Session) -> datetime | None:
    row = session.get(Cursor, SCRUBBED_UNTIL)
    return datetime.fromisoformat(row.value) if row is not None else None


def _set_scrubbed_until(session: Session, until: datetime) -> None:
    row = session.get(Cursor, SCRUBBED_UNTIL)
    if row is None:
        session.add(Cursor(name=SCRUBBED_UNTIL, value=until.isoformat()))
    else:
        row.value = until.isoformat()


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
