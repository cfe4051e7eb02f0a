"""Small in-memory CRMs for worker-level tests of the sync loop (no HTTP).

They keep the two behaviours the sync logic must survive: HubSpot silently ignores a backwards
``lifecyclestage`` write unless the field was cleared first, and every write Baton makes comes
back as an event (marked as an echo, as the intake marks INTEGRATION/integration-user changes).
The HTTP-level fidelity is the sandboxes' job; these keep the property-based tests fast.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.commands import (
    Command,
    CommandResult,
    CreateLead,
    Outcome,
    SetStage,
    System,
    UpdateFields,
)
from connector.events import ChangeEvent, EventKind, ObjectType, Source
from connector.jobs.lifecycle.mapping import DEFAULT_LIFECYCLE_ORDER
from connector.ports import CrmRecord

#: ids unique across every fake in the test run, as real event and record ids are
_GLOBAL_IDS = itertools.count(1)


class TickingClock:
    """Every read moves time on by one second, so each action has its own instant."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class FakeCrm:
    """Shared mechanics: records, emitted events, failure injection."""

    clock: TickingClock
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    outbox: list[ChangeEvent] = field(default_factory=list)
    fail_next: int = 0
    dead_fields: set[str] = field(default_factory=set)
    #: every write Baton made: (record id, fields)
    writes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    #: opportunity id -> contact ids with a role (Salesforce only)
    roles: dict[str, list[str]] = field(default_factory=dict)
    calls: int = 0
    _ids: itertools.count = field(default_factory=lambda: _GLOBAL_IDS)

    def take_events(self) -> list[ChangeEvent]:
        """Events the CRM has sent since the last call."""
        events, self.outbox = self.outbox, []
        return events

    def _failure(self, command: Command) -> CommandResult | None:
        fields = set(getattr(command, "fields", {}) or {}) | {getattr(command, "field_name", "")}
        if fields & self.dead_fields:
            return CommandResult(
                command.idempotency_key,
                Outcome.DEAD,
                error_code="INVALID",
                message="refused by validation rule",
            )
        if self.fail_next > 0:
            self.fail_next -= 1
            return CommandResult(
                command.idempotency_key, Outcome.RETRY, retry_after_s=0, message="429 rate limited"
            )
        return None


class FakeHubSpot(FakeCrm):
    """HubSpot contacts with the forward-only lifecycle rule."""

    system = System.HUBSPOT
    order = DEFAULT_LIFECYCLE_ORDER

    def ui_set(self, contact_id: str, **props: Any) -> None:
        """A marketer edits the contact in HubSpot (a genuine change)."""
        self.records.setdefault(contact_id, {}).update(props)
        for name, value in props.items():
            self._emit(contact_id, name, value, echo=False)

    def _emit(self, contact_id: str, name: str, value: Any, *, echo: bool) -> None:
        self.outbox.append(
            ChangeEvent(
                Source.HUBSPOT,
                EventKind.UPDATED,
                ObjectType.CONTACT,
                contact_id,
                f"hs-{next(self._ids)}",
                self.clock(),
                {name: value},
                actor="INTEGRATION:54321" if echo else "CRM_UI:userId:1",
                is_echo=echo,
                provider_type="contact.propertyChange",
            )
        )

    def _write(self, contact_id: str, name: str, value: Any) -> None:
        current = self.records[contact_id].get(name)
        if name == "lifecyclestage" and current and value and self._is_backwards(current, value):
            return  # HubSpot answers success and ignores it
        if current == value:
            return
        self.records[contact_id][name] = value
        self._emit(contact_id, name, value, echo=True)

    def _is_backwards(self, current: str, target: str) -> bool:
        order = {s: i for i, s in enumerate(self.order)}
        return current in order and target in order and order[target] < order[current]

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        self.calls += 1
        results = []
        for command in commands:
            failure = self._failure(command)
            if failure:
                results.append(failure)
                continue
            assert isinstance(command, SetStage | UpdateFields)
            if isinstance(command, SetStage):
                current = self.records[command.object_id].get(command.field_name)
                # Baton's known stage can be stale, so the real writer verifies every lifecycle
                # write by reading back and repairs an ignored one with clear-then-set.
                if command.backwards or self._is_backwards(current or "", command.value):
                    self._write(command.object_id, command.field_name, "")
                self._write(command.object_id, command.field_name, command.value)
                for name, value in command.extra_fields.items():
                    self._write(command.object_id, name, value)
            else:
                for name, value in command.fields.items():
                    self._write(command.object_id, name, value)
            results.append(CommandResult(command.idempotency_key, Outcome.DONE))
        return results

    def read(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        return {
            i: CrmRecord(object_type, i, {f: self.records[i].get(f) for f in fields})
            for i in ids
            if i in self.records
        }

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        return [
            CrmRecord(object_type, i, r)
            for i, r in self.records.items()
            if (r.get("email") or "").lower() == email.lower()
        ]

    def lifecycle_stage_order(self) -> list[str]:
        return list(self.order)


class FakeSalesforce(FakeCrm):
    """Salesforce leads; an outbound message is a snapshot of the populated fields."""

    system = System.SALESFORCE

    def ui_set(self, lead_id: str, **fields: Any) -> None:
        """A rep edits the lead in Salesforce (a genuine change)."""
        self.records.setdefault(lead_id, {}).update(fields)
        self._emit(lead_id, echo=False)

    def _emit(self, lead_id: str, *, echo: bool) -> None:
        snapshot = {k: v for k, v in self.records[lead_id].items() if v not in (None, "")}
        self.outbox.append(
            ChangeEvent(
                Source.SALESFORCE,
                EventKind.UPDATED,
                ObjectType.LEAD,
                lead_id,
                f"04l{next(self._ids):015d}",
                self.clock(),
                snapshot,
                is_snapshot=True,
                actor="005INTEGRATION" if echo else "005REP",
                is_echo=echo,
                provider_type="Lead",
            )
        )

    def execute(self, commands: Sequence[Command]) -> list[CommandResult]:
        self.calls += 1
        results = []
        for command in commands:
            failure = self._failure(command)
            if failure:
                results.append(failure)
                continue
            if isinstance(command, CreateLead):
                lead_id = f"00Q{next(self._ids):015d}"
                self.records[lead_id] = {**command.fields, "OwnerId": command.owner_id}
                self._emit(lead_id, echo=True)
                results.append(
                    CommandResult(command.idempotency_key, Outcome.DONE, {"id": lead_id})
                )
                continue
            assert isinstance(command, SetStage | UpdateFields)
            fields = (
                {command.field_name: command.value, **command.extra_fields}
                if isinstance(command, SetStage)
                else dict(command.fields)
            )
            self.records[command.object_id].update(fields)
            self.writes.append((command.object_id, fields))
            self._emit(command.object_id, echo=True)
            results.append(CommandResult(command.idempotency_key, Outcome.DONE))
        return results

    def read(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        return {i: CrmRecord(object_type, i, self.records[i]) for i in ids if i in self.records}

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        if object_type != "Lead":
            return []
        return [
            CrmRecord("Lead", i, r)
            for i, r in self.records.items()
            if (r.get("Email") or "").lower() == email.lower()
        ]

    def win_opportunity(self, opportunity_id: str, contact_ids: list[str], stage: str) -> None:
        """A rep moves a deal with these contact roles (an Opportunity outbound message)."""
        self.roles[opportunity_id] = list(contact_ids)
        won = stage == "Closed Won"
        self.outbox.append(
            ChangeEvent(
                Source.SALESFORCE,
                EventKind.UPDATED,
                ObjectType.OPPORTUNITY,
                opportunity_id,
                f"04l{next(self._ids):015d}",
                self.clock(),
                {"StageName": stage, "IsWon": "true" if won else "false"},
                is_snapshot=True,
                actor="005REP",
                provider_type="Opportunity",
            )
        )

    def contacts_of_opportunity(self, opportunity_id: str) -> list[str]:
        """Contact ids with a role on the opportunity."""
        return self.roles.get(opportunity_id, [])
