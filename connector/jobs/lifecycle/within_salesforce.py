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

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.commands import System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle import leads, salesforce_gate
from connector.jobs.lifecycle.handoff import route
from connector.jobs.lifecycle.mapping import LIFECYCLE, StageMap
from connector.jobs.lifecycle.opportunities import stage_for_opportunity
from connector.jobs.lifecycle.rules import SALESFORCE
from connector.jobs.lifecycle.writes import Target, move_forward
from connector.jobs.runner import Result
from connector.outbox import enqueue
from connector.ports import CrmReader
from connector.store.models import InboxEvent

#: Baton's memory (record state) that it holds a Lead back, valued with the held episode's start
HELD = "baton:mql_held"


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
            # the gate runs when the lead reaches the stage (no lifecycle field: every event
            # at it), and again on each change of a held lead, which a fix may release
            reached = bool(lines) or self._field is None
            commands += self._handoff(session, event, snapshot, lines, reached=reached)
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
        where = Target(SALESFORCE, key, sf_object, object_id, name)
        if not move_forward(
            session, self.stage_map, where, target, at=event.occurred_at, now=now,
            cause_event_id=event.id,
        ):  # fmt: skip
            return []
        return [f"{sf_object} {object_id} {name} → {target!r}"]

    def _handoff(
        self,
        session: Session,
        event: InboxEvent,
        snapshot: dict[str, Any],
        lines: list[str],
        *,
        reached: bool,
    ) -> int:
        """Hold a lead that fails the MQL definition; route a qualifying one (or let Salesforce's
        assignment rules decide). Enqueue dedupes every write by key, so replays and later
        snapshots of a routed lead change nothing."""
        held_since = knowledge.load_side(session, event.record_key).values.get(HELD)
        if not (reached or held_since):
            return 0
        reader = self.readers.get(System.SALESFORCE)
        lead = self._read_lead(reader, event.object_id, snapshot)
        if lead is None:
            lines.append("hand-off: the lead no longer exists in Salesforce")
            return 0
        reasons = salesforce_gate.hold_reasons(self.config.handoff, lead)
        labeller = getattr(reader, "field_labels", None) if reasons else None
        if labeller is not None:
            reasons = salesforce_gate.hold_reasons(self.config.handoff, lead, labeller("Lead"))
        if reasons:
            episode = str(held_since or event.occurred_at.isoformat())
            return self._hold(session, event, "; ".join(reasons), episode, lines)
        commands = self._release(session, event, str(held_since)) if held_since else 0
        if self.config.salesforce.use_assignment_rules:
            lines.append("hand-off: Salesforce assignment rules pick the owner")
            return commands
        # routing conditions are written in lower case (``country``): they name Lead fields here
        fields = {str(name).lower(): value for name, value in lead.items()}
        chosen = route(self.config.routing, fields, leads.round_robin_counters(session))
        if chosen.owner_id is None or chosen.owner_id[:15] == str(lead.get("OwnerId"))[:15]:
            lines.append("hand-off: owner unchanged")
            return commands
        command = UpdateFields(
            System.SALESFORCE, event.record_key, f"route:{event.object_id}",
            event.occurred_at.isoformat(), object_type="Lead", object_id=event.object_id,
            fields={"OwnerId": chosen.owner_id},
        )  # fmt: skip
        if not enqueue(session, command, event.id):
            return commands  # routed once: a later snapshot must not move it on round-robin
        if chosen.team is not None and chosen.next_counter is not None:
            leads.save_counter(session, chosen.team, chosen.next_counter)
        why = f"rule {chosen.rule} → team {chosen.team}" if chosen.rule else "fallback queue"
        lines.append(f"hand-off in Salesforce: Lead owner {chosen.owner_id} ({why})")
        return commands + 1

    def _read_lead(
        self, reader: CrmReader | None, lead_id: str, snapshot: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The Lead's current fields the gate and routing read (the snapshot as the base: an
        outbound message carries only the fields the admin picked)."""
        if reader is None:
            return snapshot
        handoff = self.config.handoff
        wanted = set(salesforce_gate.lead_fields(handoff).values())
        # the routing rules' fields too: a polled snapshot may lack them (Country), and routing
        # on a missing field falls back to the queue for good
        for rule in self.config.routing.rules:
            wanted.update(f for c in rule.when if (f := handoff.salesforce_field(c.property)))
        found = reader.read("Lead", [lead_id], sorted(wanted | {"OwnerId"})).get(lead_id)
        return {**snapshot, **found.fields} if found else None

    def _hold(
        self, session: Session, event: InboxEvent, reason: str, episode: str, lines: list[str]
    ) -> int:
        """Show marketing why (on the Lead's hold field), once per held episode and reason."""
        knowledge.remember(session, event.record_key, {HELD: episode}, event.occurred_at)
        lines.append(f"MQL held back: {reason}")
        name = self.config.salesforce.hold_reason_field
        if name is None:
            return 0
        digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
        key = f"hold:{event.object_id}:{episode}:{digest}"
        command = self._lead_update(event, key, name, reason)
        return int(enqueue(session, command, event.id))

    def _release(self, session: Session, event: InboxEvent, episode: str) -> int:
        """A held lead qualifies now: its shown reason is stale."""
        knowledge.remember(session, event.record_key, {HELD: None}, event.occurred_at)
        name = self.config.salesforce.hold_reason_field
        if name is None:
            return 0
        command = self._lead_update(event, f"release:{event.object_id}:{episode}", name, None)
        return int(enqueue(session, command, event.id))

    def _lead_update(self, event: InboxEvent, key: str, name: str, value: Any) -> UpdateFields:
        return UpdateFields(
            System.SALESFORCE, event.record_key, key, event.occurred_at.isoformat(),
            object_type="Lead", object_id=event.object_id, fields={name: value},
        )  # fmt: skip
