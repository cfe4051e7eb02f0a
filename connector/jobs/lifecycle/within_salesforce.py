"""The lifecycle when Salesforce runs marketing and sales alone (with Account Engagement).

Beside HubSpot, the stage lives in HubSpot's ``lifecyclestage``. With Salesforce alone it lives
in a field the admin names (``salesforce.lifecycle_field``) on Lead and Contact: the Lead's
status moves it through ``lifecycle.stages`` read backwards (Status value → stage), a
conversion carries the lead's stage to its Contact, and an opportunity stage moves its contact
roles forward through ``lifecycle.opportunity_stages``. A lead reaching the hand-off stage is
routed by the same rules (their conditions name Lead fields here, in lower case: ``country``
for ``Country``) and its owner set, unless
the admin chose Salesforce's assignment rules. Nothing here reads or writes HubSpot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.commands import System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle import leads
from connector.jobs.lifecycle.handoff import route
from connector.jobs.lifecycle.mapping import LIFECYCLE, StageMap
from connector.jobs.lifecycle.opportunities import stage_for_opportunity
from connector.jobs.lifecycle.rules import SALESFORCE, Write
from connector.jobs.lifecycle.writes import enqueue_write
from connector.jobs.runner import Result
from connector.outbox import enqueue
from connector.ports import CrmReader
from connector.store.models import InboxEvent, OutboxCommand


@dataclass
class WithinSalesforce:
    """The Salesforce-only half of the lifecycle job."""

    config: BatonConfig
    stage_map: StageMap
    readers: Mapping[System, CrmReader] = field(default_factory=dict)

    @property
    def _field(self) -> str | None:
        return self.config.salesforce.lifecycle_field

    def lead(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """A Lead's status (or conversion) sets the lifecycle field; the hand-off routes it."""
        snapshot = dict(event.changes)
        if str(snapshot.get("IsConverted")).lower() == "true":
            return self._converted(session, event, snapshot, now)
        status = snapshot.get("Status")
        target = self._stage_of_status(str(status or ""))
        if target is None:
            return Result("skipped", f"lead status {status!r} is not mapped to a lifecycle stage")
        lines = self._move(session, event, "Lead", event.object_id, target, now)
        commands = len(lines)
        if target == self.stage_map.handoff_stage:
            commands += self._handoff(session, event, snapshot, lines)
        summary = "; ".join(lines) or f"lifecycle already {target!r}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, commands)

    def opportunity(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """An opportunity stage moves its contact roles forward."""
        target = stage_for_opportunity(self.config.lifecycle.opportunity_stages, event.changes)
        if target is None:
            return Result("skipped", "opportunity stage not mapped to a lifecycle stage")
        contacts_of = getattr(self.readers.get(System.SALESFORCE), "contacts_of_opportunity", None)
        lines: list[str] = []
        for contact_id in contacts_of(event.object_id) if contacts_of else ():
            lines += self._move(session, event, "Contact", str(contact_id), target, now)
        summary = f"opportunity implies {target!r}: {'; '.join(lines) or 'nobody moved'}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, len(lines))

    # -- parts ---------------------------------------------------------------------------------

    def _stage_of_status(self, status: str) -> str | None:
        for entry in self.stage_map.to_hubspot("Lead", "Status", status):
            if entry.hubspot_field == LIFECYCLE:
                return entry.hubspot_value
        return None

    def _converted(
        self, session: Session, event: InboxEvent, snapshot: dict[str, Any], now: datetime
    ) -> Result:
        contact_id = str(snapshot.get("ConvertedContactId") or "")
        stage = knowledge.load_side(session, event.record_key).values.get(self._field or "")
        if not contact_id or not stage:
            return Result("skipped", "converted lead had no lifecycle stage to carry")
        lines = self._move(session, event, "Contact", contact_id, str(stage), now)
        summary = f"lead converted: {'; '.join(lines) or 'contact already there'}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, len(lines))

    def _move(
        self,
        session: Session,
        event: InboxEvent,
        sf_object: str,
        object_id: str,
        target: str,
        now: datetime,
    ) -> list[str]:
        """Queue ``lifecycle_field = target`` if it moves the record forward (or first sets it)."""
        name = self._field
        if name is None:
            return []
        kind = ObjectType.LEAD if sf_object == "Lead" else ObjectType.CONTACT
        key = record_key(Source.SALESFORCE, kind, object_id)
        current = knowledge.load_side(session, key).values.get(name)
        if current == target or self.stage_map.is_backwards(current, target):
            return []
        write = Write(SALESFORCE, {name: target}, event.occurred_at)
        enqueue_write(
            session, write, target_key=key, target_object=sf_object, target_id=object_id,
            now=now, cause_event_id=event.id,
        )  # fmt: skip
        return [f"{sf_object} {object_id} {name} → {target!r}"]

    def _handoff(
        self, session: Session, event: InboxEvent, snapshot: dict[str, Any], lines: list[str]
    ) -> int:
        """Route the lead to a rep by the same rules (unless assignment rules decide)."""
        if self.config.salesforce.use_assignment_rules:
            lines.append("hand-off: Salesforce assignment rules pick the owner")
            return 0
        key = f"route:{event.object_id}"
        if session.scalar(select(OutboxCommand.id).where(OutboxCommand.idempotency_key == key)):
            return 0  # routed once: a later snapshot must not move the lead on round-robin
        # routing conditions are written in lower case (``country``): they name Lead fields here
        fields = {str(name).lower(): value for name, value in snapshot.items()}
        chosen = route(self.config.routing, fields, leads.round_robin_counters(session))
        if chosen.owner_id is None or chosen.owner_id[:15] == str(snapshot.get("OwnerId"))[:15]:
            lines.append("hand-off: owner unchanged")
            return 0
        if chosen.team is not None and chosen.next_counter is not None:
            leads.save_counter(session, chosen.team, chosen.next_counter)
        command = UpdateFields(
            System.SALESFORCE, event.record_key, key,
            event.occurred_at.isoformat(), object_type="Lead", object_id=event.object_id,
            fields={"OwnerId": chosen.owner_id},
        )  # fmt: skip
        enqueue(session, command, event.id)
        why = f"rule {chosen.rule} → team {chosen.team}" if chosen.rule else "fallback queue"
        lines.append(f"hand-off in Salesforce: Lead owner {chosen.owner_id} ({why})")
        return 1
