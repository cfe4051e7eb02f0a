"""The audit trail: every event, rule decision and write that touched a record, in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from connector.events import utcnow
from connector.store import batched
from connector.store.models import AuditEntry


def record(
    session: Session,
    record_key: str,
    step: str,
    summary: str,
    *,
    event_id: int | None = None,
    command_id: int | None = None,
    **detail: Any,
) -> None:
    """Append one line to a record's history (``step``: event, rule, write or error).

    Inside a batch (``store.batched.inserts``) the line is held and written with the batch's.
    """
    line = {
        "at": utcnow(),
        "record_key": record_key,
        "step": step,
        "summary": summary,
        "detail": detail,
        "event_id": event_id,
        "command_id": command_id,
    }
    if not batched.hold(session, AuditEntry, line):
        session.add(AuditEntry(**line))


def record_many(session: Session, lines: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Append many lines in one executemany: (record key, step, summary, ids such as event_id)."""
    if lines:
        rows = [
            {"record_key": key, "step": step, "summary": summary, "detail": {}, **ids}
            for key, step, summary, ids in lines
        ]
        session.execute(insert(AuditEntry), rows)


def history(session: Session, record_keys: list[str]) -> list[AuditEntry]:
    """All audit lines of the given records, oldest first (what ``baton explain`` prints)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.record_key.in_(record_keys))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
