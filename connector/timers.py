"""Durable timers: a job asks for a future moment; when it comes, the record gets an event.

A due timer is not run on the side. Firing it writes an inbox event of its record in the same
transaction that marks it fired, so the timer goes through the worker like a CRM change: under
the record's lease, in order with the record's other events, retried on failure and audited.

Exactly once: the fire is one conditional ``pending → fired`` update per timer (on PostgreSQL
behind ``FOR UPDATE SKIP LOCKED``, so two workers never wait on each other's rows) and the
inbox event is unique per (timer, due time). A crash before the commit leaves the timer pending;
after it, the event is in the inbox. Delivery marks the timer ``done`` inside the handling
transaction, so a failed handling is retried and a cancelled or rescheduled timer's stale event
is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.events import EventKind, ObjectType
from connector.store.models import InboxEvent, Timer

#: inbox ``source`` of fired timers (the CRM sources are ``hubspot`` and ``salesforce``)
TIMER_SOURCE = "timer"
#: timer states that a schedule or cancel can still change
_OPEN = ("pending", "fired")


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Fire ``kind`` at ``due_at``. The same ``key`` on the same record is the same timer:
    scheduling it again moves an open timer to the new time and leaves a spent one alone."""

    kind: str
    key: str
    due_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    #: the record whose event the timer becomes; default: the record being handled
    record_key: str | None = None


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Cancel the timer ``key`` of a record (a no-op when it is already spent or unknown)."""

    key: str
    record_key: str | None = None


def timer_key(job: str, record_key: str, key: str) -> str:
    """The timer's unique idempotency key: one timer per job, record and job-chosen key."""
    return f"{job}|{record_key}|{key}"[:255]


def schedule(session: Session, job: str, request: SetTimer, record_key: str) -> str:
    """Create or move the timer; returns scheduled, rescheduled, unchanged or spent."""
    key = timer_key(job, record_key, request.key)
    payload = dict(request.payload)
    due_at = request.due_at.astimezone(UTC)
    timer = session.scalar(select(Timer).where(Timer.idempotency_key == key))
    if timer is None:
        _insert_timer(session, job, key, request.kind, due_at, record_key, payload)
        return "scheduled"
    if timer.status not in _OPEN:
        return "spent"  # fired and handled, or cancelled: a replayed schedule changes nothing
    if timer.due_at == due_at and timer.payload == payload:
        return "unchanged"
    # a fired timer whose event is not handled yet goes back to pending: that event is stale
    timer.due_at, timer.payload, timer.status = due_at, payload, "pending"
    return "rescheduled"


def cancel(session: Session, job: str, request: CancelTimer, record_key: str) -> bool:
    """Cancel an open timer; True when one was open."""
    key = timer_key(job, record_key, request.key)
    return bool(
        session.execute(
            update(Timer)
            .where(Timer.idempotency_key == key, Timer.status.in_(_OPEN))
            .values(status="cancelled")
        ).rowcount
    )


def fire_due(session: Session, now: datetime, owner: str, limit: int = 500) -> list[int]:
    """Fire up to ``limit`` due timers (oldest first) into the inbox; return their ids.

    The caller commits. Uses the ``ix_timers_due`` (status, due_at) index, so the scan costs
    the due timers, not every open one.
    """
    due = (
        select(Timer.id)
        .where(Timer.status == "pending", Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    won = list(
        session.scalars(
            update(Timer)
            .where(Timer.id.in_(ids), Timer.status == "pending")
            .values(status="fired", fired_at=now, lease_owner=owner)
            .returning(Timer.id)
        )
    )
    if won:
        timers = session.scalars(
            select(Timer).where(Timer.id.in_(won)).execution_options(populate_existing=True)
        )
        rows = [_event_row(timer, now) for timer in timers]
        session.execute(_INSERT_EVENTS[session.get_bind().dialect.name], rows)
    return sorted(won)


def take_for_delivery(session: Session, event: InboxEvent) -> Timer | None:
    """The timer behind a fired-timer event, marked done; None when cancelled or moved since."""
    timer_id, _, due = event.event_id.partition("@")
    timer = session.get(Timer, int(timer_id)) if timer_id.isdigit() else None
    if timer is None or timer.status != "fired" or timer.due_at.isoformat() != due:
        return None
    timer.status = "done"
    return timer


def next_due(session: Session) -> datetime | None:
    """When the earliest open timer comes due (for idle checks and ``baton`` status lines)."""
    return session.scalar(
        select(Timer.due_at).where(Timer.status == "pending").order_by(Timer.due_at).limit(1)
    )


def _insert_timer(
    session: Session,
    job: str,
    key: str,
    kind: str,
    due_at: datetime,
    record_key: str,
    payload: dict[str, Any],
) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Timer)
        .values(
            idempotency_key=key,
            job=job,
            kind=kind[:64],
            record_key=record_key,
            due_at=due_at,
            payload=payload,
            status="pending",
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


def _event_row(timer: Timer, now: datetime) -> dict[str, Any]:
    """The inbox event a fired timer becomes: its record, its job (``actor``), its payload."""
    object_type, object_id = _object_of(timer.record_key)
    return {
        "source": TIMER_SOURCE,
        "event_id": f"{timer.id}@{timer.due_at.isoformat()}",
        "account_id": None,
        "kind": EventKind.TIMER.value,
        "provider_type": timer.kind,
        "object_type": object_type,
        "object_id": object_id,
        "record_key": timer.record_key,
        "occurred_at": timer.due_at,
        "received_at": now,
        "changes": dict(timer.payload),
        "is_snapshot": False,
        "actor": timer.job,
        "is_echo": False,
        "related_ids": [],
        "raw_request_id": None,
        "status": "pending",
        "attempts": 0,
    }


def _object_of(record_key: str) -> tuple[str, str]:
    """("lead", "00Q…") from "salesforce:lead:00Q…"; other keys are kept whole as OTHER."""
    _, _, rest = record_key.partition(":")
    object_type, _, object_id = rest.partition(":")
    if object_type in ObjectType.__members__.values() and object_id:
        return object_type, object_id[:64]
    return ObjectType.OTHER.value, record_key[-64:]


def _insert_event(dialect):  # type: ignore[no-untyped-def]
    return dialect.insert(InboxEvent.__table__).on_conflict_do_nothing(
        index_elements=["source", "event_id"]
    )


_INSERT_EVENTS = {"sqlite": _insert_event(sqlite), "postgresql": _insert_event(postgresql)}
