"""Observe mode: decide everything, write nothing, and keep what would have been written.

An admin switches Baton on beside CRMs already full of data and habits. With
``service.observe: true`` (or ``baton serve --observe``) receivers, inbox, worker, jobs and
timers all run, but the dispatcher hands no command to a CRM or notifier: each due command is
kept in the outbox as ``observed`` with an audit line ("would write …"), so ``baton explain``
shows it where the write would have been and ``baton observe summary`` counts them per kind.

Why the idempotency key is set aside: commands are stored once per key, and some keys are
stable per person (``create_lead:<contact>``). Kept under its key, an observed decision would
block the same decision for good once observe mode is switched off. The original key stays in
the payload, so :func:`replay_observed` can put it back when an admin asks for the replay.
Switching observe off replays nothing by itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.admin.describe import command_fields, command_target, describe_command
from connector.commands import Command, Notify, written_fields
from connector.store.models import OutboxCommand

#: outbox status of a command observe mode kept instead of writing
OBSERVED = "observed"
#: audit step of the line that says what would have been written
OBSERVED_STEP = "observed"


def observed_key(original: str, row_id: int) -> str:
    """The set-aside idempotency key: unique per row, never produced by a rule."""
    suffix = f"#observed:{row_id}"
    return original[: 255 - len(suffix)] + suffix


def keep_observed(session: Session, row: OutboxCommand, command: Command, now: datetime) -> None:
    """Mark a claimed row as observed (not sent) and say in the audit what it would write.

    The fields it would have written are marked unknown again (the CRM never got them), so later
    decisions compare with what the CRM really holds, as after a refused write.
    """
    row.status = OBSERVED
    row.idempotency_key = observed_key(row.idempotency_key, row.id)
    row.lease_owner = row.lease_until = None
    row.done_at = now
    row.result = {"observed": True}
    fields = written_fields(command)
    if fields:
        knowledge.forget(session, command.record_key, list(fields))
    audit.record(
        session,
        command.record_key,
        OBSERVED_STEP,
        f"{OBSERVED_PREFIX}{would_write(command)}",
        command_id=row.id,
        fields=sorted(command_fields(command.kind, command.payload())),
    )


#: how every observed audit line starts (``baton explain`` fills in the values from the outbox)
OBSERVED_PREFIX = "observe mode, not sent: would write "


def would_write(command: Command) -> str:
    """One line naming the write for the audit, which keeps ids, not personal data. Pure.

    Stage and status values are shown; other fields only by name (a new Lead's fields hold a
    name and an address): ``baton explain`` shows their values from the outbox row, which the
    personal-data erasure reaches.
    """
    if isinstance(command, Notify):
        to = f"user {command.to_user_id}" if command.to_user_id else "a configured address"
        return (
            f"notify {command.channel} to the {command.role} ({to}) about lead "
            f"{command.lead_id or '?'}, escalation step {command.step}"
        )
    payload = command.payload()
    if command.kind == "set_stage":
        return describe_command(command.kind, payload)
    names = ", ".join(sorted(command_fields(command.kind, payload))) or "(no fields)"
    return f"{command.system} {command.kind} {command_target(command.kind, payload)}: {names}"


def observed_line(kind: str, payload: dict[str, Any]) -> str:
    """The observed audit line as ``baton explain`` shows it: with the values (e-mail hidden)."""
    return f"{OBSERVED_PREFIX}{describe_command(kind, payload)}"


@dataclass(frozen=True, slots=True)
class ObservedSummary:
    """Would-be writes in a window, counted per (system, command kind)."""

    since: datetime
    until: datetime
    counts: dict[tuple[str, str], int]

    @property
    def total(self) -> int:
        """Every would-be write in the window."""
        return sum(self.counts.values())


def summarize_observed(session: Session, since: datetime, until: datetime) -> ObservedSummary:
    """Count the commands observe mode kept between ``since`` and ``until`` (by decision time)."""
    rows = session.execute(
        select(OutboxCommand.system, OutboxCommand.kind, func.count())
        .where(OutboxCommand.status == OBSERVED)
        .where(OutboxCommand.done_at >= since, OutboxCommand.done_at < until)
        .group_by(OutboxCommand.system, OutboxCommand.kind)
    ).all()
    return ObservedSummary(since, until, {(s, k): n for s, k, n in rows})


def summary_text(summary: ObservedSummary) -> str:
    """The daily summary an admin reads: one line per kind of would-be write. Pure."""
    window = f"{summary.since:%Y-%m-%d %H:%MZ} to {summary.until:%Y-%m-%d %H:%MZ}"
    if not summary.total:
        return f"observe mode, {window}: nothing would have been written"
    lines = [f"observe mode, {window}: {summary.total} would-be writes, none sent"]
    for (system, kind), count in sorted(summary.counts.items()):
        lines.append(f"  {system:<10} {kind:<28} {count}")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay of observed decisions did."""

    queued: int
    skipped: Counter[str]


def replay_observed(session: Session, since: datetime, now: datetime) -> ReplayReport:
    """Queue the observed commands decided since ``since`` as real writes, oldest first.

    Only on an admin's request (``baton observe replay``): an observed decision may be stale
    by now. A command is skipped when a command under its original key exists again (the same
    decision was made after observe mode ended) or a later observed command of the same record
    writes the same fields (only the newest decision would land).
    """
    rows = session.scalars(
        select(OutboxCommand)
        .where(OutboxCommand.status == OBSERVED, OutboxCommand.done_at >= since)
        .order_by(OutboxCommand.id.desc())
    ).all()
    skipped: Counter[str] = Counter()
    newest: dict[str, set[str]] = {}
    taken = _keys_in_use(session, {str(row.payload.get("idempotency_key") or "") for row in rows})
    queued = 0
    for row in rows:  # newest first, so an older write of the same fields is seen as stale
        original = str(row.payload.get("idempotency_key") or "")
        names = _written_names(row)
        covered = newest.setdefault(row.record_key, set())
        if names and names <= covered:
            skipped["superseded by a later observed decision"] += 1
            continue
        covered |= names
        if not original or original in taken:
            skipped["decided again since observe mode ended"] += 1
            continue
        taken.add(original)  # an older observed copy of the same decision is not queued twice
        row.idempotency_key = original
        row.status, row.next_attempt_at, row.done_at, row.result = "pending", now, None, None
        row.attempts = 0
        audit.record(
            session, row.record_key, "rule", "observed decision replayed on request: queued"
        )
        queued += 1
    session.flush()
    return ReplayReport(queued, skipped)


#: keys per IN list (SQLite takes 32,766 parameters; PostgreSQL plans long lists slowly)
_KEYS_PER_QUERY = 1000


def _keys_in_use(session: Session, keys: set[str]) -> set[str]:
    """Which of ``keys`` a command holds again: one query per thousand keys, not one per row."""
    wanted = sorted(key for key in keys if key)
    found: set[str] = set()
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        chunk = wanted[start : start + _KEYS_PER_QUERY]
        found.update(
            session.scalars(
                select(OutboxCommand.idempotency_key).where(
                    OutboxCommand.idempotency_key.in_(chunk)
                )
            )
        )
    return found


def _written_names(row: OutboxCommand) -> set[str]:
    payload = row.payload
    names = set(payload.get("fields") or {}) | set(payload.get("extra_fields") or {})
    if payload.get("field_name"):
        names.add(payload["field_name"])
    return names
