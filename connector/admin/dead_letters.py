"""Dead letters: list them, send their commands back to the outbox, or drop them.

A dead letter is a command a CRM refused for good. ``retry`` puts the command back to pending,
due now, with its attempts reset, and marks the letter ``retried``; ``drop`` marks it ``dropped``
and leaves the command dead. Both are idempotent, and both check every id before changing any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import audit
from connector.store.models import DeadLetter, OutboxCommand

RETRIED = "retried"
DROPPED = "dropped"


class UnknownDeadLetters(LookupError):
    """Some asked ids are not dead letters; nothing was changed."""

    def __init__(self, missing: Sequence[int]) -> None:
        self.missing = list(missing)
        names = ", ".join(str(i) for i in self.missing)
        super().__init__(f"no dead letter with id {names}; nothing was changed")


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    """One dead letter with its command, as the admin sees it."""

    id: int
    system: str
    kind: str
    record_key: str
    payload: dict[str, Any]
    error_code: str | None
    message: str
    created_at: datetime
    attempts: int
    command_id: int
    command_status: str
    resolution: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one retry/drop did to one letter: ``changed`` or why not (``already retried`` …)."""

    id: int
    result: str


def list_dead_letters(
    session: Session, *, system: str | None = None, include_resolved: bool = False
) -> list[DeadLetterRow]:
    """Dead letters, oldest first: open ones, or all with ``include_resolved``."""
    query = select(DeadLetter, OutboxCommand).join(
        OutboxCommand, DeadLetter.command_id == OutboxCommand.id
    )
    if system:
        query = query.where(DeadLetter.system == system)
    if not include_resolved:
        query = query.where(DeadLetter.resolution.is_(None))
    rows = session.execute(query.order_by(DeadLetter.id)).all()
    return [_row(letter, command) for letter, command in rows]


def open_ids(session: Session, *, system: str | None = None) -> list[int]:
    """Ids of the letters nobody has acted on yet (for ``retry --all``)."""
    return [row.id for row in list_dead_letters(session, system=system)]


def retry(session: Session, ids: Sequence[int], now: datetime) -> list[Outcome]:
    """Send the commands back to the outbox (due ``now``, attempts reset); idempotent.

    A dropped letter may still be retried (the admin changed their mind); a letter already
    retried is left alone, and so is a command that is no longer dead (a later letter of the
    same command was retried first).

    Raises:
        UnknownDeadLetters: some id does not exist (nothing is changed).
    """
    outcomes = []
    for letter, command in _load(session, ids):
        if letter.resolution == RETRIED:
            outcomes.append(Outcome(letter.id, "already retried"))
            continue
        if command.status != "dead":  # another letter of this command was retried already
            letter.resolution, letter.resolved_at = RETRIED, now
            outcomes.append(Outcome(letter.id, f"command already {command.status}"))
            continue
        command.status = "pending"
        command.attempts = 0
        command.next_attempt_at = now
        command.lease_owner = None
        command.lease_until = None
        letter.resolution = RETRIED
        letter.resolved_at = now
        audit.record(
            session,
            command.record_key,
            "rule",
            f"dead letter #{letter.id} retried by an admin: command #{command.id} is pending again",
            command_id=command.id,
        )
        outcomes.append(Outcome(letter.id, "retried"))
    return outcomes


def drop(session: Session, ids: Sequence[int], now: datetime) -> list[Outcome]:
    """Mark letters dropped; the command stays dead. Idempotent.

    A letter already retried cannot be dropped: its command is back in the outbox.

    Raises:
        UnknownDeadLetters: some id does not exist (nothing is changed).
    """
    outcomes = []
    for letter, command in _load(session, ids):
        if letter.resolution == DROPPED:
            outcomes.append(Outcome(letter.id, "already dropped"))
            continue
        if letter.resolution == RETRIED:
            outcomes.append(Outcome(letter.id, "already retried; not dropped"))
            continue
        letter.resolution = DROPPED
        letter.resolved_at = now
        audit.record(
            session,
            command.record_key,
            "rule",
            f"dead letter #{letter.id} dropped by an admin: command #{command.id} stays dead",
            command_id=command.id,
        )
        outcomes.append(Outcome(letter.id, "dropped"))
    return outcomes


def _load(session: Session, ids: Sequence[int]) -> list[tuple[DeadLetter, OutboxCommand]]:
    wanted = list(dict.fromkeys(ids))
    rows = session.execute(
        select(DeadLetter, OutboxCommand)
        .join(OutboxCommand, DeadLetter.command_id == OutboxCommand.id)
        .where(DeadLetter.id.in_(wanted))
    ).all()
    found = {letter.id: (letter, command) for letter, command in rows}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise UnknownDeadLetters(missing)
    return [found[i] for i in wanted]


def _row(letter: DeadLetter, command: OutboxCommand) -> DeadLetterRow:
    return DeadLetterRow(
        id=letter.id,
        system=letter.system,
        kind=command.kind,
        record_key=command.record_key,
        payload=dict(command.payload or {}),
        error_code=letter.error_code,
        message=letter.message,
        created_at=letter.created_at,
        attempts=command.attempts,
        command_id=command.id,
        command_status=command.status,
        resolution=letter.resolution,
        resolved_at=letter.resolved_at,
    )
