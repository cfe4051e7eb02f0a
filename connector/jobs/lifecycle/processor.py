"""Apply one inbox event: load what Baton knows, ask the pure rules, enqueue commands, audit.

This is the only sync module that reads the store or the CRMs. Every outcome is written to the
audit trail so ``baton explain`` can say why a record moved, or why it did not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.commands import System
from connector.config import BatonConfig
from connector.events import EventKind, ObjectType, Source, record_key
from connector.jobs.lifecycle import lead_mirror, leads
from connector.jobs.lifecycle.conversion import REPLAY_ACTOR, follow_conversion
from connector.jobs.lifecycle.handoff import route
from connector.jobs.lifecycle.leads import HOLD_REASON_PROPERTY
from connector.jobs.lifecycle.mapping import LIFECYCLE, StageMap
from connector.jobs.lifecycle.opportunities import stage_for_opportunity
from connector.jobs.lifecycle.rules import HUBSPOT, SALESFORCE, Change, decide
from connector.jobs.lifecycle.within_hubspot import WithinHubSpot, move_contacts
from connector.jobs.lifecycle.within_salesforce import WithinSalesforce
from connector.jobs.lifecycle.writes import enqueue_write, supersede_older
from connector.jobs.runner import Result
from connector.outbox import enqueue
from connector.ports import CrmReader
from connector.store.models import InboxEvent, OutboxCommand, RecordLink, RecordState

#: what an echo of Baton's own write comes to (also when settled in bulk: ``LifecycleJob``)
ECHO_SUMMARY = "echo of Baton's own write"


@dataclass
class SyncProcessor:
    """Turns inbox events into commands using the admin's config and the CRMs' current data."""

    config: BatonConfig
    stage_map: StageMap
    readers: Mapping[System, CrmReader] = field(default_factory=dict)

    def handle(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """Process one event inside the caller's transaction."""
        if event.kind == EventKind.UNKNOWN:
            return Result("skipped", f"event type {event.provider_type!r} is not used by Baton")
        if event.is_echo:
            for name, value in event.changes.items():  # this echo is spent: forget the memory
                knowledge.consume_own_write(session, event.record_key, name, value, now)
            return Result("skipped", ECHO_SUMMARY)
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.CONTACT:
            return self._hubspot_contact(session, event, now)
        if not self.config.hubspot.enabled and event.source == Source.SALESFORCE:
            alone = WithinSalesforce(self.config, self.stage_map, self.readers)
            if event.object_type == ObjectType.LEAD:  # Salesforce alone: stages inside it
                return alone.lead(session, event, now)
            if event.object_type == ObjectType.OPPORTUNITY:
                return alone.opportunity(session, event, now)
        if event.source == Source.SALESFORCE and event.object_type in (
            ObjectType.LEAD,
            ObjectType.CONTACT,
        ):
            return self._salesforce_person(session, event, now)
        if event.source == Source.SALESFORCE and event.object_type == ObjectType.OPPORTUNITY:
            return self._opportunity(session, event, now)
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.HUBSPOT_LEAD:
            return self._within_hubspot().lead_object(session, event, now)
        if event.source == Source.HUBSPOT and event.object_type == ObjectType.DEAL:
            return self._within_hubspot().deal(session, event, now)
        return Result("skipped", f"{event.source} {event.object_type} is not synced")

    # -- HubSpot contacts ---------------------------------------------------------------------

    def _hubspot_contact(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        contact_id = event.object_id
        if event.kind == EventKind.MERGED:
            return self._merge(session, contact_id, event.related_ids)
        if event.kind in (EventKind.DELETED, EventKind.PRIVACY_DELETED):
            return self._forget_hubspot(session, event)
        changes = {k: v for k, v in event.changes.items() if k in self.stage_map.hubspot_fields}
        if event.kind == EventKind.CREATED and not changes:
            changes = self._read_hubspot_stage(contact_id)
        key = event.record_key
        if event.is_snapshot:  # a poll or workflow snapshot: only values that differ changed
            seen = knowledge.observed(session, key)
            knowledge.observe(session, key, changes, event.occurred_at)
            changes = {k: v for k, v in changes.items() if seen.get(k) != v}
        if not changes:
            return Result("skipped", "no synced property changed")
        replay = event.actor == REPLAY_ACTOR  # Baton's own replay: its values are not echoes
        genuine = {
            name: value
            for name, value in changes.items()
            if replay or not knowledge.consume_own_write(session, key, name, value, now)
        }
        if not genuine:
            return Result("skipped", "echo of Baton's own write (remembered value)")
        if not self.config.salesforce.enabled:  # HubSpot alone: hand-off and stages inside it
            return self._within_hubspot().contact(session, event, genuine, now)
        link = knowledge.link_for_hubspot(session, contact_id)
        if link is None or not (link.salesforce_lead_id or link.salesforce_contact_id):
            if self._create_lead_pending(session, contact_id):
                return Result("deferred", "waiting for the Salesforce lead being created")
            if genuine.get(LIFECYCLE) == self.stage_map.handoff_stage:
                return self._handoff(session, event, contact_id, now)
            knowledge.remember_genuine(session, key, genuine, event.occurred_at)
            return Result("done", "not linked to Salesforce and not a hand-off; state recorded")
        return self._sync_changes(session, event, link, HUBSPOT, genuine, now)

    def _within_hubspot(self) -> WithinHubSpot:
        return WithinHubSpot(self.config, self.stage_map, self.readers)

    def _read_hubspot_stage(self, contact_id: str) -> dict[str, Any]:
        reader = self.readers.get(System.HUBSPOT)
        if reader is None:
            return {}
        fields = sorted(self.stage_map.hubspot_fields)
        # the hand-off's properties too: a contact created at the hand-off stage is handed off
        # next, and its read is then answered from this one (``prefetch``: one call, not two)
        wider = sorted(set(fields) | leads.handoff_properties(self.config))
        found = reader.read("contacts", [contact_id], wider).get(contact_id)
        return {k: v for k, v in (found.fields if found else {}).items() if k in fields and v}

    def _create_lead_pending(self, session: Session, contact_id: str) -> bool:
        return (
            session.scalar(
                select(OutboxCommand.id)
                .where(OutboxCommand.idempotency_key == f"create_lead:{contact_id}")
                .where(OutboxCommand.status == "pending")
            )
            is not None
        )

    def _handoff(
        self, session: Session, event: InboxEvent, contact_id: str, now: datetime
    ) -> Result:
        handoff = self.config.handoff
        key = event.record_key
        knowledge.remember_genuine(session, key, {LIFECYCLE: handoff.stage}, event.occurred_at)
        properties = leads.contact_properties(
            self.readers.get(System.HUBSPOT), self.config, contact_id
        )
        if properties is None:
            return Result("skipped", "contact no longer exists in HubSpot")
        existing = leads.find_salesforce_person(
            self.readers.get(System.SALESFORCE), properties.get("email")
        )
        if existing is not None:
            sf_object, sf_id = existing
            link = knowledge.upsert_link(
                session,
                hubspot_contact_id=contact_id,
                email=properties.get("email"),
                **{"salesforce_lead_id" if sf_object == "Lead" else "salesforce_contact_id": sf_id},
            )
            audit.record(
                session, key, "rule", f"linked by e-mail to Salesforce {sf_object} {sf_id}"
            )
            result = self._sync_changes(
                session, event, link, HUBSPOT, {LIFECYCLE: handoff.stage}, now
            )
            at = event.occurred_at.isoformat()
            mirror = lead_mirror.at_handoff(self.config, contact_id, properties, at)
            if sf_object == "Lead" and mirror is not None and enqueue(session, mirror, event.id):
                summary = f"{result.summary}; HubSpot lead mirror created"
                return Result(result.status, summary, result.commands + 1)
            return result
        reasons = leads.hold_reasons(self.readers.get(System.HUBSPOT), self.config, properties)
        if reasons:
            reason = "; ".join(reasons)
            enqueue(
                session,
                leads.hold_reason_command(self.config, event, contact_id, properties, reason),
                event.id,
            )
            audit.record(session, key, "rule", f"MQL held back: {reason}", event_id=event.id)
            return Result("done", f"MQL held back: {reason}", 1)
        return self._create_lead(session, event, contact_id, properties)

    def _create_lead(
        self, session: Session, event: InboxEvent, contact_id: str, properties: dict[str, Any]
    ) -> Result:
        chosen = route(self.config.routing, properties, leads.round_robin_counters(session))
        command = leads.create_lead_command(
            self.config, self.stage_map, contact_id, properties, chosen, event.occurred_at
        )
        if enqueue(session, command, event.id) and chosen.team and chosen.next_counter:
            leads.save_counter(session, chosen.team, chosen.next_counter)  # a replay: not again
        commands = 1
        at = event.occurred_at.isoformat()
        mirror = lead_mirror.at_handoff(self.config, contact_id, properties, at)
        if mirror is not None:
            commands += int(enqueue(session, mirror, event.id))
        if properties.get(HOLD_REASON_PROPERTY):
            clear = leads.hold_reason_command(self.config, event, contact_id, properties, "")
            enqueue(session, clear, event.id)
            commands += 1
        why = f"rule {chosen.rule} → team {chosen.team}" if chosen.rule else "no rule matched"
        summary = (
            f"hand-off: create Salesforce lead, owner {chosen.owner_id or 'org default'} ({why})"
        )
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, commands)

    def _merge(self, session: Session, primary: str, merged_ids: list[Any]) -> Result:
        """HubSpot merged contacts: the losers' ids stop resolving, so links move to the winner."""
        moved = 0
        for merged in (str(m) for m in merged_ids):
            link = knowledge.link_for_hubspot(session, merged)
            if link is None or merged == primary:
                continue
            if knowledge.link_for_hubspot(session, primary) is None:
                link.hubspot_contact_id = primary
                moved += 1
            else:
                link.hubspot_contact_id = None
        return Result("done", f"merge into {primary}: {moved} link(s) re-pointed")

    def _forget_hubspot(self, session: Session, event: InboxEvent) -> Result:
        state = session.get(RecordState, event.record_key)
        if (
            event.kind == EventKind.PRIVACY_DELETED
            and self.config.privacy.erase_on_privacy_deletion
        ):
            # the privacy job (registered last) erases the person from every table
            return Result("done", "privacy deletion: the privacy job erases the person")
        if state is not None:
            state.deleted = True
        return Result("done", "contact deleted in HubSpot; nothing synced")

    # -- Salesforce leads and contacts --------------------------------------------------------

    def _salesforce_person(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        if event.object_type != ObjectType.LEAD or not lead_mirror.enabled(self.config):
            return self._salesforce_change(session, event, now)
        moved = self._mirror(session, event)  # before the sync records what it observed
        result = self._salesforce_change(session, event, now)
        if not moved:
            return result
        status = "done" if result.status == "skipped" else result.status
        return Result(status, f"{result.summary}; {moved}", result.commands + 1)

    def _mirror(self, session: Session, event: InboxEvent) -> str:
        """Move the contact's HubSpot lead mirror when the Lead's Status changed (or it was
        converted); a snapshot sent for another edit repeats the Status and moves nothing."""
        link = knowledge.link_for_salesforce(session, event.object_id)
        snapshot = event.changes
        stage = lead_mirror.stage_for(self.config, snapshot)
        if link is None or not link.hubspot_contact_id or stage is None:
            return ""
        converted = _is_true(snapshot.get("IsConverted"))
        seen = knowledge.observed(session, event.record_key).get("Status")
        if not converted and seen == snapshot.get("Status"):
            return ""
        at = event.occurred_at.isoformat()
        command = lead_mirror.follow(
            self.config, link.hubspot_contact_id, event.object_id, stage, at
        )
        if not enqueue(session, command, event.id):
            return ""
        line = f"HubSpot lead mirror of contact:{link.hubspot_contact_id} → stage {stage}"
        audit.record(session, event.record_key, "rule", line, event_id=event.id)
        return line

    def _salesforce_change(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        sf_object = "Lead" if event.object_type == ObjectType.LEAD else "Contact"
        snapshot = dict(event.changes)
        link = knowledge.link_for_salesforce(session, event.object_id)
        if sf_object == "Lead" and _is_true(snapshot.get("IsConverted")):
            contact_id = snapshot.get("ConvertedContactId")
            synced = self.stage_map.salesforce_fields("Lead")
            final = {k: v for k, v in snapshot.items() if k in synced}
            if final:  # the lead's last status ("Closed - Converted"), for reports and explain
                knowledge.remember_genuine(session, event.record_key, final, event.occurred_at)
            if contact_id and follow_conversion(session, event.object_id, str(contact_id)):
                return Result("done", f"lead converted; link now follows Contact {contact_id}")
        if link is None:
            link = self._link_salesforce(session, event, sf_object, snapshot)
        synced = self.stage_map.salesforce_fields(sf_object)
        changes = {k: v for k, v in snapshot.items() if k in synced}
        if not changes:
            return Result("skipped", "no synced field in the notification")
        seen = knowledge.observed(session, event.record_key)
        knowledge.observe(session, event.record_key, changes, event.occurred_at)
        changes = {k: v for k, v in changes.items() if seen.get(k) != v}
        changes = {
            k: v
            for k, v in changes.items()
            if not knowledge.consume_own_write(session, event.record_key, k, v, now)
        }
        if not changes:
            return Result("skipped", "synced fields unchanged (or Baton's own write)")
        if link is None or not link.hubspot_contact_id:
            knowledge.remember_genuine(session, event.record_key, changes, event.occurred_at)
            return Result("done", "no linked HubSpot contact; state recorded")
        return self._sync_changes(session, event, link, SALESFORCE, changes, now, sf_object)

    def _link_salesforce(
        self, session: Session, event: InboxEvent, sf_object: str, snapshot: dict[str, Any]
    ) -> RecordLink | None:
        hubspot_id = snapshot.get(self.config.salesforce.hubspot_id_field)
        link = knowledge.link_for_hubspot(session, str(hubspot_id)) if hubspot_id else None
        link = link or knowledge.link_for_email(session, snapshot.get("Email"))
        if link is None and not hubspot_id:
            return None
        ids = {
            "salesforce_lead_id"
            if sf_object == "Lead"
            else "salesforce_contact_id": event.object_id
        }
        return knowledge.upsert_link(
            session,
            hubspot_contact_id=str(hubspot_id) if hubspot_id else link.hubspot_contact_id,  # type: ignore[union-attr]
            email=snapshot.get("Email"),
            **ids,
        )

    # -- Salesforce opportunities ---------------------------------------------------------------

    def _opportunity(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        target = stage_for_opportunity(self.config.lifecycle.opportunity_stages, event.changes)
        if target is None:
            return Result("skipped", "opportunity stage not mapped to a lifecycle stage")
        reader = self.readers.get(System.SALESFORCE)
        contacts_of = getattr(reader, "contacts_of_opportunity", None)
        if contacts_of is None:
            return Result("skipped", "Salesforce is not connected: contact roles unknown")
        linked = (knowledge.link_for_salesforce(session, c) for c in contacts_of(event.object_id))
        hubspot_ids = [
            link.hubspot_contact_id for link in linked if link and link.hubspot_contact_id
        ]
        moved = move_contacts(session, self.stage_map, hubspot_ids, target, event, now)
        # "contact:<id>", as record keys name them: an erasure finds the person's id here
        names = ", ".join(f"contact:{contact}" for contact in moved) or "none"
        summary = f"opportunity implies {target!r}: moving HubSpot {names}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, len(moved))

    # -- both directions ------------------------------------------------------------------------

    def _sync_changes(
        self,
        session: Session,
        event: InboxEvent,
        link: RecordLink,
        source: str,
        changes: dict[str, Any],
        now: datetime,
        sf_object: str | None = None,
    ) -> Result:
        hs_key = record_key(Source.HUBSPOT, ObjectType.CONTACT, link.hubspot_contact_id or "")
        sf_id = link.salesforce_contact_id or link.salesforce_lead_id or ""
        person_object = "Contact" if link.salesforce_contact_id else "Lead"
        sf_type = ObjectType.CONTACT if link.salesforce_contact_id else ObjectType.LEAD
        sf_key = record_key(Source.SALESFORCE, sf_type, sf_id)
        own_key, other_key = (hs_key, sf_key) if source == HUBSPOT else (event.record_key, hs_key)
        other_object = person_object if source == HUBSPOT else "contacts"
        summaries: list[str] = []
        commands = 0
        for name, value in changes.items():
            own = knowledge.load_side(session, own_key)
            other = knowledge.load_side(session, other_key)
            change = Change(source, name, value, event.occurred_at, sf_object or person_object)
            decision = decide(change, own, other, self.stage_map, other_object)
            if decision.record:
                knowledge.remember_genuine(session, own_key, {name: value}, event.occurred_at)
                # a queued write of an older change must not land over this newer one
                supersede_older(session, own_key, {name}, event.occurred_at, now)
            for write in decision.writes:
                to_salesforce = write.side == SALESFORCE
                added = enqueue_write(
                    session,
                    write,
                    target_key=sf_key if to_salesforce else hs_key,
                    target_object=person_object if to_salesforce else "contacts",
                    target_id=sf_id if to_salesforce else link.hubspot_contact_id or "",
                    now=now,
                    cause_event_id=event.id,
                )
                commands += int(added)
            line = f"{source} {name}={value!r}: {decision.reason}"
            summaries.append(line)
            audit.record(session, event.record_key, "rule", line, event_id=event.id)
        return Result("done", "; ".join(summaries), commands)


def _is_true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
