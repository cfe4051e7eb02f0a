"""The lifecycle when HubSpot runs marketing and sales alone: hand-off and stage sync inside it.

Beside Salesforce, a hand-off creates a Salesforce Lead and the stages follow the Salesforce
Lead and Opportunity. With HubSpot alone the same MQL gate and routing rules assign the
**contact owner** (the team's HubSpot owner ids) and, where the portal uses it, create a record
of the **Leads object** as the rep's work item; then the Leads stage, the contact's lead status
and the deal stage move ``lifecyclestage`` forward per ``lifecycle.within_hubspot``.
Nothing here reads or writes Salesforce, which has no client in this mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.commands import CreateHubSpotLead, System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle import leads
from connector.jobs.lifecycle.handoff import Route, route
from connector.jobs.lifecycle.leads import HOLD_REASON_PROPERTY
from connector.jobs.lifecycle.mapping import LEAD_STATUS, LIFECYCLE, StageMap
from connector.jobs.lifecycle.rules import HUBSPOT
from connector.jobs.lifecycle.writes import Target, move_forward
from connector.jobs.runner import Result
from connector.outbox import enqueue
from connector.ports import CrmReader
from connector.store.models import InboxEvent

OWNER_PROPERTY = "hubspot_owner_id"
LEAD_STAGE_PROPERTY = "hs_pipeline_stage"
DEAL_STAGE_PROPERTY = "dealstage"


def move_contacts(
    session: Session,
    stage_map: StageMap,
    contact_ids: Iterable[str],
    target: str,
    event: InboxEvent,
    now: datetime,
) -> list[str]:
    """Move each HubSpot contact's ``lifecyclestage`` forward to ``target``; the ids moved."""
    moved: list[str] = []
    for contact_id in contact_ids:
        key = record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id)
        where = Target(HUBSPOT, key, "contacts", contact_id, LIFECYCLE)
        if move_forward(
            session, stage_map, where, target, at=event.occurred_at, now=now,
            cause_event_id=event.id,
        ):  # fmt: skip
            moved.append(contact_id)
    return moved


@dataclass
class WithinHubSpot:
    """The HubSpot-only half of the lifecycle job (``SyncProcessor`` hands it HubSpot events)."""

    config: BatonConfig
    stage_map: StageMap
    readers: Mapping[System, CrmReader] = field(default_factory=dict)

    @property
    def _reader(self) -> CrmReader | None:
        return self.readers.get(System.HUBSPOT)

    # -- contacts ---------------------------------------------------------------------------

    def contact(
        self, session: Session, event: InboxEvent, genuine: dict[str, Any], now: datetime
    ) -> Result:
        """A contact's genuine change: a hand-off, a lead status that implies a stage, or state."""
        knowledge.remember_genuine(session, event.record_key, genuine, event.occurred_at)
        if genuine.get(LIFECYCLE) == self.stage_map.handoff_stage:
            return self._handoff(session, event, now)
        target = self.config.lifecycle.within_hubspot.lead_status.get(
            str(genuine.get(LEAD_STATUS, ""))
        )
        if LEAD_STATUS in genuine and target:
            return self._moved(session, event, now, [event.object_id], target, "lead status")
        return Result("done", "HubSpot only: state recorded (nothing to mirror)")

    def _handoff(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        contact_id = event.object_id
        properties = leads.contact_properties(
            self._reader, self.config, contact_id, (OWNER_PROPERTY,)
        )
        if properties is None:
            return Result("skipped", "contact no longer exists in HubSpot")
        reasons = leads.hold_reasons(self._reader, self.config, properties)
        if reasons:
            reason = "; ".join(reasons)
            hold = leads.hold_reason_command(self.config, event, contact_id, properties, reason)
            enqueue(session, hold, event.id)
            audit.record(
                session, event.record_key, "rule", f"MQL held back: {reason}", event_id=event.id
            )
            return Result("done", f"MQL held back: {reason}", 1)
        chosen = route(
            self.config.routing, properties, leads.round_robin_counters(session), in_hubspot=True
        )
        episode = leads.mql_episode(self.config, event, properties)
        commands = handoff_commands(
            self.config, contact_id, properties, chosen, episode, event.occurred_at.isoformat()
        )
        added = [enqueue(session, command, event.id) for command in commands]
        if any(added) and chosen.team is not None and chosen.next_counter is not None:
            leads.save_counter(session, chosen.team, chosen.next_counter)  # a replay: not again
        owner = chosen.owner_id or properties.get(OWNER_PROPERTY) or "unchanged"
        why = f"rule {chosen.rule} → team {chosen.team}" if chosen.rule else "no rule matched"
        work_item = ", Leads record created" if self.config.hubspot.leads_object.enabled else ""
        summary = f"hand-off in HubSpot: contact owner {owner} ({why}){work_item}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, len(commands))

    # -- Leads records and deals --------------------------------------------------------------

    def lead_object(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """A Leads record changed stage: its contacts move to the mapped lifecycle stage."""
        stage = event.changes.get(LEAD_STAGE_PROPERTY)
        target = self.config.lifecycle.within_hubspot.lead_stages.get(str(stage or ""))
        if not target:
            return Result("skipped", f"lead stage {stage!r} is not mapped to a lifecycle stage")
        contacts = self._associated("leads", event.object_id)
        return self._moved(session, event, now, contacts, target, f"lead stage {stage}")

    def deal(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """A deal changed stage (won, say): its contacts move to the mapped lifecycle stage."""
        stage = event.changes.get(DEAL_STAGE_PROPERTY)
        target = self.config.lifecycle.within_hubspot.deal_stages.get(str(stage or ""))
        if not target:
            return Result("skipped", f"deal stage {stage!r} is not mapped to a lifecycle stage")
        contacts = self._associated("deals", event.object_id)
        return self._moved(session, event, now, contacts, target, f"deal stage {stage}")

    def _associated(self, object_type: str, object_id: str) -> list[str]:
        associated = getattr(self._reader, "associated_ids", None)
        return list(associated(object_type, object_id, "contacts")) if associated else []

    def _moved(
        self,
        session: Session,
        event: InboxEvent,
        now: datetime,
        contacts: list[str],
        target: str,
        cause: str,
    ) -> Result:
        moved = move_contacts(session, self.stage_map, contacts, target, event, now)
        summary = f"{cause} implies {target!r}: moving HubSpot contacts {moved or 'none'}"
        audit.record(session, event.record_key, "rule", summary, event_id=event.id)
        return Result("done", summary, len(moved))


def handoff_commands(
    config: BatonConfig,
    contact_id: str,
    properties: Mapping[str, Any],
    chosen: Route,
    episode: str,
    logical_at: str,
) -> list[UpdateFields | CreateHubSpotLead]:
    """A qualifying contact's hand-off inside HubSpot, once per ``episode``: its owner (when it
    changes), a stale hold reason cleared, and a Leads record where the portal uses them."""
    key = record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id)
    fields: dict[str, Any] = {}
    if chosen.owner_id and chosen.owner_id != str(properties.get(OWNER_PROPERTY) or ""):
        fields[OWNER_PROPERTY] = chosen.owner_id
    if properties.get(HOLD_REASON_PROPERTY):
        fields[HOLD_REASON_PROPERTY] = ""  # it qualifies now: the old reason is stale
    commands: list[UpdateFields | CreateHubSpotLead] = []
    if fields:
        assign = UpdateFields(
            System.HUBSPOT, key, f"assign:{contact_id}:{episode}",
            object_type="contacts", object_id=contact_id, fields=fields,
        )  # fmt: skip
        commands.append(assign)
    settings = config.hubspot.leads_object
    if settings.enabled:
        owner = chosen.owner_id or properties.get(OWNER_PROPERTY)
        create = CreateHubSpotLead(
            System.HUBSPOT, key, f"create_hubspot_lead:{contact_id}:{episode}", logical_at,
            contact_id=contact_id, properties=new_lead(config, contact_id, properties, owner),
            closed_stages=settings.closed_stages,
        )  # fmt: skip
        commands.append(create)
    return commands


def new_lead(
    config: BatonConfig, contact_id: str, properties: Mapping[str, Any], owner: Any = None
) -> dict[str, Any]:
    """A new Leads record's properties: named after its contact (HubSpot requires
    ``hs_lead_name``; the UI does the same), in the configured pipeline's first stage."""
    settings = config.hubspot.leads_object
    name = " ".join(str(properties.get(p) or "").strip() for p in ("firstname", "lastname"))
    lead = {
        "hs_lead_name": name.strip() or f"Contact {contact_id}",
        "hs_pipeline": settings.pipeline,
        LEAD_STAGE_PROPERTY: settings.stage,
        OWNER_PROPERTY: owner,
        "hs_lead_type": settings.lead_type,
    }
    return {k: v for k, v in lead.items() if v not in (None, "")}
