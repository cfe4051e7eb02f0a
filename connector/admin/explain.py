"""Gather everything Baton knows about one person, in time order (``baton explain``).

The timeline merges four sources on Baton's own clock: inbox events (when received), audit lines
(rule decisions, writes, errors), and dead letters. The audit line a worker writes for each
processed event is folded into the event's entry (its status and outcome say the same), and the
dispatcher's "dead letter" error line into the dead letter's entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import audit
from connector.admin.describe import command_fields, describe_command, iso, masked
from connector.admin.lookup import Person, RecordQuery, find_people
from connector.observing import OBSERVED, OBSERVED_STEP, observed_line
from connector.store.models import DeadLetter, InboxEvent, OutboxCommand, RecordState

#: order of entries that share one instant: an event is received before it is decided on
_KIND_ORDER = {"event": 0, "rule": 1, "write": 2, "observed": 2, "error": 3, "dead_letter": 4}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened to the person, on Baton's clock."""

    at: datetime
    kind: str  # event | rule | write | observed (observe mode: not sent) | error | dead_letter
    record_key: str
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)
    order: int = 0

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        """Time, then events before decisions before writes, then insertion order."""
        return (self.at, _KIND_ORDER.get(self.kind, 9), self.order)


@dataclass(frozen=True, slots=True)
class KnownState:
    """What Baton believes one side holds now (``record_states``)."""

    record_key: str
    values: dict[str, Any]
    as_of: datetime | None
    written: dict[str, Any]
    written_at: datetime | None
    deleted: bool
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """An outbox command not yet carried out."""

    id: int
    description: str
    fields: dict[str, Any]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Explanation:
    """One person: link, known state per side, history and writes still waiting."""

    link: dict[str, Any] | None
    record_keys: tuple[str, ...]
    states: list[KnownState]
    timeline: list[TimelineEntry]
    pending: list[PendingWrite]


def explain(session: Session, query: RecordQuery) -> list[Explanation]:
    """One explanation per person the query names (empty: unknown record)."""
    return [explain_person(session, person) for person in find_people(session, query)]


def explain_person(session: Session, person: Person) -> Explanation:
    """Collect the link, states, timeline and pending writes of one person."""
    keys = list(person.record_keys)
    link = None
    if person.link is not None:
        link = {
            "id": person.link.id,
            "hubspot_contact_id": person.link.hubspot_contact_id,
            "salesforce_lead_id": person.link.salesforce_lead_id,
            "salesforce_contact_id": person.link.salesforce_contact_id,
            "has_email_hash": person.link.email_hash is not None,
            "created_at": iso(person.link.created_at),
            "updated_at": iso(person.link.updated_at),
        }
    return Explanation(
        link=link,
        record_keys=person.record_keys,
        states=_states(session, keys),
        timeline=sorted(_timeline(session, keys), key=lambda entry: entry.sort_key),
        pending=_pending(session, keys),
    )


def _states(session: Session, keys: list[str]) -> list[KnownState]:
    found = session.scalars(select(RecordState).where(RecordState.record_key.in_(keys)))
    rows = {row.record_key: row for row in found}
    states = []
    for key in keys:
        row = rows.get(key)
        if row is None:
            continue
        data = row.fields or {}
        written_at = data.get("written_at")
        states.append(
            KnownState(
                record_key=key,
                values=masked(data.get("values", {})),
                as_of=row.stage_changed_at,
                written=masked(data.get("written", {})),
                written_at=datetime.fromisoformat(written_at) if written_at else None,
                deleted=row.deleted,
                updated_at=row.updated_at,
            )
        )
    return states


def _timeline(session: Session, keys: list[str]) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    events = session.scalars(select(InboxEvent).where(InboxEvent.record_key.in_(keys))).all()
    shown_events = {event.id for event in events}
    for event in events:
        entries.append(_event_entry(event))
    letters = session.execute(
        select(DeadLetter, OutboxCommand)
        .join(OutboxCommand, DeadLetter.command_id == OutboxCommand.id)
        .where(OutboxCommand.record_key.in_(keys))
    ).all()
    dead_commands = {command.id for _, command in letters}
    for letter, command in letters:
        entries.append(_dead_letter_entry(letter, command))
    observed = _observed_commands(session, keys)
    for line in audit.history(session, keys):
        if line.step == "event" and line.event_id in shown_events:
            continue  # the event's own entry carries its status and outcome
        dead = line.command_id in dead_commands and line.summary.startswith("dead letter")
        if line.step == "error" and dead:
            continue  # the dead letter's entry says it, with its id and resolution
        summary = line.summary
        if line.step == OBSERVED_STEP and line.command_id in observed:
            summary = observed[line.command_id]  # the values, from the outbox row
        entries.append(
            TimelineEntry(
                at=line.at,
                kind=line.step,
                record_key=line.record_key,
                summary=summary,
                detail={
                    "event_id": line.event_id,
                    "command_id": line.command_id,
                    **masked(line.detail or {}),
                },
                order=line.id,
            )
        )
    return entries


def _observed_commands(session: Session, keys: list[str]) -> dict[int, str]:
    """Observe mode's kept commands of these records, as explain shows them (not notices:
    their audit line says it better)."""
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.record_key.in_(keys), OutboxCommand.status == OBSERVED)
        .where(OutboxCommand.kind != "notify")
    )
    return {row.id: observed_line(row.kind, row.payload) for row in rows}


def _event_entry(event: InboxEvent) -> TimelineEntry:
    kind = event.provider_type or event.kind
    summary = f"{event.source} {kind} ({event.kind}) -> {event.status}"
    if event.outcome:
        summary += f": {event.outcome}"
    return TimelineEntry(
        at=event.received_at,
        kind="event",
        record_key=event.record_key,
        summary=summary,
        detail={
            "id": event.id,
            "source": event.source,
            "event_id": event.event_id,
            "type": kind,
            "kind": event.kind,
            "occurred_at": iso(event.occurred_at),
            "received_at": iso(event.received_at),
            "status": event.status,
            "outcome": event.outcome,
            "attempts": event.attempts,
            "echo": event.is_echo,
            "actor": event.actor,
            "changes": masked(dict(event.changes or {})),
        },
        order=event.id,
    )


def _dead_letter_entry(letter: DeadLetter, command: OutboxCommand) -> TimelineEntry:
    state = letter.resolution or "open"
    summary = (
        f"dead letter #{letter.id}: {describe_command(command.kind, command.payload)} refused: "
        f"{letter.error_code or '-'}: {letter.message} [{state}]"
    )
    return TimelineEntry(
        at=letter.created_at,
        kind="dead_letter",
        record_key=command.record_key,
        summary=summary,
        detail={
            "id": letter.id,
            "command_id": command.id,
            "system": letter.system,
            "error_code": letter.error_code,
            "message": letter.message,
            "resolution": letter.resolution,
            "resolved_at": iso(letter.resolved_at),
        },
        order=letter.id,
    )


def _pending(session: Session, keys: list[str]) -> list[PendingWrite]:
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.record_key.in_(keys), OutboxCommand.status == "pending")
        .order_by(OutboxCommand.id)
    ).all()
    return [
        PendingWrite(
            id=row.id,
            description=describe_command(row.kind, row.payload),
            fields=masked(command_fields(row.kind, row.payload)),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
        )
        for row in rows
    ]
