"""Carry out due outbox commands through the adapters and record what each one caused.

CRM calls happen outside any database transaction (a lease protects the claimed commands), so
a slow CRM never holds the store's write lock. Results are applied in one transaction: DONE
commands leave their footprint (own-write memory for echo suppression, known state, links),
RETRY commands are rescheduled with backoff, DEAD ones land in ``dead_letters`` with the CRM's
own words. A command that was in flight when a worker died is read back first
(``connector.readback``) and sent again only if the CRM does not hold its values yet.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connector import audit, knowledge, preload
from connector.commands import (
    Command,
    CommandResult,
    CreateLead,
    Outcome,
    SetStage,
    System,
    UpdateFields,
    command_from_payload,
    written_fields,
)
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle.conversion import follow_conversion
from connector.jobs.lifecycle.rules import Write
from connector.jobs.lifecycle.writes import enqueue_write
from connector.leases import claim_due_commands
from connector.metrics import Metrics
from connector.observing import OBSERVED, keep_observed
from connector.ports import CrmReader, CrmWriter
from connector.privacy.fields import is_personal, quoted_values_named
from connector.readback import LANDED, UNKNOWN, landed_writes
from connector.store import Store, batched
from connector.store.models import DeadLetter, InboxEvent, OutboxCommand
from connector.store.strong import keep_loaded

log = logging.getLogger(__name__)

#: how long a written value is remembered to recognise its echo
OWN_WRITE_TTL = timedelta(hours=2)


@dataclass
class Dispatcher:
    """Runs batches of commands per system and applies their results."""

    store: Store
    writers: Mapping[System, CrmWriter]
    owner: str
    metrics: Metrics | None = None
    max_attempts: int = 10
    lease_ttl: timedelta = timedelta(minutes=2)
    #: observe mode (``connector.observing``): keep each due command as observed, send nothing
    observe: bool = False
    #: readers for the read-back of writes in doubt (none: such writes are sent again)
    readers: Mapping[System, CrmReader] = field(default_factory=dict)
    _jitter: float | None = field(default=None, init=False, repr=False)

    def dispatch(
        self, now: datetime, limit: int = 500, quotas: Mapping[str, int] | None = None
    ) -> int:
        """Run up to ``limit`` due commands; return how many were attempted.

        ``quotas`` (``dispatch_policy.LingerPolicy.quotas``): only these systems, at most so
        many of each (full batches while more are coming), instead of whatever is due.
        """
        self._jitter = random.random()  # this pass's retries are rescheduled together
        in_doubt: set[int] = set()
        with self.store.session() as session:
            if quotas is None:
                rows = claim_due_commands(session, self.owner, now, self.lease_ttl, limit, in_doubt)
            else:
                rows = [
                    row
                    for system, quota in sorted(quotas.items())
                    for row in claim_due_commands(
                        session,
                        self.owner,
                        now,
                        self.lease_ttl,
                        min(quota, limit),
                        in_doubt,
                        system=system,
                    )
                ]
            claimed = [(row.id, command_from_payload(row.kind, row.payload)) for row in rows]
            attempts = {row.id: row.attempts for row in rows}
        if not claimed:
            return 0
        if self.observe:
            return self._observe(claimed, now)
        doubtful = [command for row_id, command in claimed if row_id in in_doubt]
        results: dict[str, CommandResult] = landed_writes(self.readers, doubtful)
        for row_id, command in claimed:  # a write no read-back could settle goes, in the end
            result = results.get(command.idempotency_key)
            unknown = result is not None and result.data.get("read_back") == UNKNOWN
            if unknown and attempts[row_id] >= self.max_attempts // 2:
                del results[command.idempotency_key]
        by_system: dict[str, list[tuple[int, Command]]] = defaultdict(list)
        for row_id, command in claimed:
            if command.idempotency_key not in results:
                by_system[command.system.value].append((row_id, command))
        for system, batch in by_system.items():
            results.update(self._execute(System(system), [command for _, command in batch]))
        applied = [
            (row_id, command, results.get(command.idempotency_key) or _NO_RESULT(command))
            for row_id, command in claimed
        ]
        with self.store.session() as session:
            _preload(session, claimed)
            targets = {command.record_key for _, command in claimed}
            counted: list[tuple[str, str, str] | None] = []
            try:  # the whole batch's results in one savepoint ...
                with (
                    session.begin_nested(),
                    preload.installed(session, targets),
                    batched.inserts(session),
                ):
                    counted = [
                        self._apply(session, *one, now, one[0] in in_doubt) for one in applied
                    ]
            except Exception:  # ... one bad row must not discard the batch's other results
                counted = [
                    self._apply_alone(session, *one, now, one[0] in in_doubt) for one in applied
                ]
        if self.metrics is not None:
            for system, kind, outcome in filter(None, counted):
                self.metrics.commands.labels(system, kind, outcome).inc()
        return len(claimed)

    def _apply_alone(
        self,
        session: Session,
        row_id: int,
        command: Command,
        result: CommandResult,
        now: datetime,
        in_doubt: bool,
    ) -> tuple[str, str, str] | None:
        try:
            with session.begin_nested():
                return self._apply(session, row_id, command, result, now, in_doubt)
        except Exception:
            log.exception("could not record a result", extra={"command": row_id})
            return None

    def _observe(self, claimed: list[tuple[int, Command]], now: datetime) -> int:
        """Observe mode: no CRM or notifier is called; each command is kept and audited."""
        with self.store.session() as session:
            for row_id, command in claimed:
                row = session.get(OutboxCommand, row_id)
                if row is not None and row.status == "pending":
                    keep_observed(session, row, command, now)
                if self.metrics is not None:
                    self.metrics.commands.labels(command.system.value, command.kind, OBSERVED).inc()
        return len(claimed)

    def _execute(self, system: System, commands: list[Command]) -> dict[str, CommandResult]:
        writer = self.writers.get(system)
        if writer is None:
            return {
                c.idempotency_key: CommandResult(
                    c.idempotency_key,
                    Outcome.DEAD,
                    error_code="NOT_CONFIGURED",
                    message=f"{system} is not enabled in this Baton",
                )
                for c in commands
            }
        try:
            return {result.idempotency_key: result for result in writer.execute(commands)}
        except Exception:  # an adapter bug must not lose the batch: retry it later
            log.exception("adapter failed", extra={"system": system.value, "count": len(commands)})
            return {}

    def _apply(
        self,
        session: Session,
        row_id: int,
        command: Command,
        result: CommandResult,
        now: datetime,
        in_doubt: bool = False,
    ) -> tuple[str, str, str] | None:
        """Record one result; returns (system, kind, outcome) for the metrics, None if moot."""
        row = session.get(OutboxCommand, row_id)
        if row is None or row.status != "pending":
            return None
        if in_doubt:
            self._count_in_doubt(session, row_id, command, result)
        row.attempts += 1
        # an unanswered write keeps its owner: the next attempt knows it is in doubt
        row.lease_owner = self.owner if result.in_doubt else None
        row.lease_until = None
        outcome = result.outcome
        # a CRM's refusal may quote the name or address it refused: admins get the field name
        fields = getattr(command, "fields", None) or {}
        message = quoted_values_named(result.message, fields) if result.message else None
        if outcome is Outcome.RETRY and row.attempts >= self.max_attempts:
            outcome = Outcome.DEAD
        converted_to = result.data.get("converted_contact_id")
        if outcome is Outcome.DEAD and converted_to:
            # the Lead was converted: not a failure of this write but a move of the person
            row.status, row.last_error = "superseded", message
            follow_conversion(session, getattr(command, "object_id", ""), str(converted_to))
            return None
        if outcome is Outcome.DONE:
            row.status, row.done_at, row.result = "done", now, dict(result.data)
            self._leave_footprint(session, command, result, now)
            audit.record(
                session, command.record_key, "write", _describe(command), command_id=row_id
            )
        elif outcome is Outcome.RETRY:
            delay = max(result.retry_after_s or 0.0, _backoff(row.attempts, self._jitter))
            row.next_attempt_at = now + timedelta(seconds=delay)
            row.last_error = message
        else:
            row.status, row.last_error = "dead", message
            refused = written_fields(command)
            if refused:
                knowledge.forget(session, command.record_key, list(refused))
            session.add(
                DeadLetter(
                    command_id=row_id,
                    system=command.system.value,
                    error_code=result.error_code,
                    message=message or "refused",
                )
            )
            audit.record(
                session,
                command.record_key,
                "error",
                f"dead letter: {_describe(command)}: {result.error_code}: {message}",
                command_id=row_id,
            )
        return command.system.value, command.kind, outcome.value

    def _count_in_doubt(
        self, session: Session, row_id: int, command: Command, result: CommandResult
    ) -> None:
        """A write that may have landed: say whether the read-back spared it, could not tell
        (it waits for another read-back) or found it not landed (it went again)."""
        read_back = result.data.get("read_back")
        what, label = {
            LANDED: ("read back: it had landed, not sent again", "landed"),
            UNKNOWN: ("could not read it back: it waits for another read-back", "unknown"),
        }.get(read_back, ("sent again", "resent"))
        audit.record(
            session,
            command.record_key,
            "rule",
            f"in doubt (a worker stopped mid-call, or the CRM gave no answer): "
            f"{_describe(command)}: {what}",
            command_id=row_id,
        )
        if self.metrics is not None:
            self.metrics.in_doubt_writes.labels(command.system.value, command.kind, label).inc()

    def _leave_footprint(
        self, session: Session, command: Command, result: CommandResult, now: datetime
    ) -> None:
        """Remember what Baton wrote (echo suppression, known state), new links, and heal."""
        if isinstance(command, CreateLead):
            lead_id = str(result.data.get("id", ""))
            if not lead_id:
                return
            link = knowledge.upsert_link(
                session,
                hubspot_contact_id=command.hubspot_contact_id,
                salesforce_lead_id=lead_id,
                email=command.fields.get("Email"),
            )
            if link.salesforce_lead_id != lead_id:
                audit.record(
                    session,
                    command.record_key,
                    "error",
                    f"a second Salesforce lead {lead_id} was created for a person already linked "
                    f"to {link.salesforce_lead_id}: merge them in Salesforce",
                )
                return
            # the person's events waiting for this lead can go now, not after their deferral
            session.execute(
                update(InboxEvent)
                .where(InboxEvent.record_key == command.record_key)
                .where(InboxEvent.status == "pending")
                .values(available_at=None)
                .execution_options(synchronize_session=knowledge.BY_ROWS)
            )
            target = record_key(Source.SALESFORCE, ObjectType.LEAD, lead_id)
            logical = datetime.fromisoformat(command.logical_at) if command.logical_at else now
            # the Lead's name and address were needed to create it, not to sync it
            known = {k: v for k, v in command.fields.items() if not is_personal(k)}
            knowledge.remember(session, target, known, logical)
            self._remember_written(session, target, known, now)
            return
        fields = written_fields(command)
        if fields is None:
            return
        target = command.record_key
        cleared = isinstance(command, SetStage) and command.backwards
        self._remember_written(
            session, target, fields, now, cleared=command.field_name if cleared else None
        )  # type: ignore[union-attr]
        self._heal(session, command, target, fields, now)

    def _heal(
        self,
        session: Session,
        command: Command,
        target: str,
        written: dict,
        now: datetime,  # type: ignore[type-arg]
    ) -> None:
        """A newer change was learnt while this write was in flight: write that value back."""
        known = knowledge.load_side(session, target)
        newer = {
            name: known.values[name]
            for name in written
            if known.values.get(name) not in (None, written[name])
        }
        if not newer or known.at is None or _has_pending_write(session, target, set(newer)):
            return
        heal = Write(command.system.value, newer, known.at)
        enqueue_write(
            session,
            heal,
            target_key=target,
            target_object=getattr(command, "object_type", ""),
            target_id=getattr(command, "object_id", ""),
            now=now,
        )
        audit.record(session, target, "rule", f"healed: re-writing newer {sorted(newer)}")

    def _remember_written(
        self,
        session: Session,
        target: str,
        fields: dict,  # type: ignore[type-arg]
        now: datetime,
        cleared: str | None = None,
    ) -> None:
        """Only Baton's latest write of a field can still echo: older memories are dropped."""
        knowledge.forget_own_writes(session, target, list(fields))
        if cleared:
            _remember_own(session, target, cleared, "", now)
        for name, value in fields.items():
            _remember_own(session, target, name, value, now)
        knowledge.remember_written(session, target, fields, now)


def _NO_RESULT(command: Command) -> CommandResult:
    return CommandResult(command.idempotency_key, Outcome.RETRY, message="no result from adapter")


def _preload(session: Session, claimed: list[tuple[int, Command]]) -> None:
    """The batch's outbox rows in one SELECT, held for the session (``keep_loaded``): each
    result reads its row again by id. (The targets' states come with ``connector.preload``.)"""
    keep_loaded(session)
    ids = [row_id for row_id, _ in claimed]
    session.scalars(select(OutboxCommand).where(OutboxCommand.id.in_(ids))).all()


def _has_pending_write(session: Session, target: str, names: set[str]) -> bool:
    rows = session.scalars(
        select(OutboxCommand.payload).where(
            OutboxCommand.record_key == target, OutboxCommand.status == "pending"
        )
    ).all()
    for payload in rows:
        written = set(payload.get("fields", {})) | set(payload.get("extra_fields", {}))
        written.add(payload.get("field_name", ""))
        if names & written:
            return True
    return False


def _remember_own(session: Session, target: str, name: str, value: object, now: datetime) -> None:
    knowledge.remember_own_write(session, target, name, value, now, now + OWN_WRITE_TTL)


def _backoff(attempt: int, jitter: float | None = None) -> float:
    """Exponential backoff with full jitter, capped at 10 minutes.

    One ``jitter`` for a whole pass: the commands of a batch that failed together come back
    together (still one batch), instead of each at its own random moment.
    """
    share = random.random() if jitter is None else jitter
    return share * min(600.0, 2.0 ** min(attempt, 10))


def _describe(command: Command) -> str:
    """One line for the audit trail."""
    if isinstance(command, SetStage):
        way = " (backwards: clear then set)" if command.backwards else ""
        target = f"{command.system} {command.object_type} {command.object_id}"
        return f"{target}: {command.field_name}={command.value!r}{way}"
    if isinstance(command, UpdateFields):
        target = f"{command.system} {command.object_type} {command.object_id}"
        return f"{target}: set {sorted(command.fields)}"
    if isinstance(command, CreateLead):
        owner = command.owner_id or "assignment rules / org default"
        return f"salesforce: create lead for HubSpot contact {command.hubspot_contact_id} ({owner})"
    return f"{command.system} {command.kind}"
