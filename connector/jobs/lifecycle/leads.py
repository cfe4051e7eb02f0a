"""The hand-off's I/O helpers: read the contact, look for the person in Salesforce, build the lead.

Kept apart from the processor so the hand-off reads as one story there; the decisions themselves
(definition, routing) are the pure functions in ``handoff.py``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.commands import CreateLead, System, UpdateFields
from connector.config import BatonConfig
from connector.events import ObjectType, Source, record_key
from connector.jobs.lifecycle.handoff import Route, mql_hold_reasons
from connector.jobs.lifecycle.mapping import LIFECYCLE, StageMap
from connector.ports import CrmReader
from connector.store.models import Cursor, InboxEvent

#: HubSpot contact property where a held-back MQL's reason is shown to marketing.
HOLD_REASON_PROPERTY = "baton_hold_reason"
_BASE_CONTACT_PROPERTIES = ("email", "firstname", "lastname", "company", HOLD_REASON_PROPERTY)
_COUNTER_PREFIX = "routing:rr:"


def contact_properties(
    reader: CrmReader | None,
    config: BatonConfig,
    contact_id: str,
    extra: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """Every property the definition, routing and context need, in one read (None: gone)."""
    if reader is None:
        return {}
    wanted = handoff_properties(config) | set(extra)
    found = reader.read("contacts", [contact_id], sorted(wanted)).get(contact_id)
    return dict(found.fields) if found else None


def handoff_properties(config: BatonConfig) -> set[str]:
    """The contact properties a hand-off reads: its definition, routing and context."""
    handoff = config.handoff
    wanted = set(_BASE_CONTACT_PROPERTIES) | set(handoff.mql_definition.required_properties)
    wanted |= {c.property for c in handoff.mql_definition.criteria}
    wanted |= {t.property for t in handoff.mql_definition.behaviour}
    wanted |= set(handoff.context_fields)
    wanted.add(f"hs_v2_date_entered_{handoff.stage}")  # identifies the MQL episode
    for rule in config.routing.rules:
        wanted |= {c.property for c in rule.when}
    return wanted


def hold_reasons(
    reader: CrmReader | None, config: BatonConfig, properties: dict[str, Any]
) -> list[str]:
    """The MQL gate's reasons, naming properties by their HubSpot labels.

    Labels are read only when something is held (``property_labels``: cached by the reader,
    {} when unavailable, so the API names stand in); a reader without labels names them by API.
    """
    definition = config.handoff.mql_definition
    reasons = mql_hold_reasons(definition, properties)
    labeller = getattr(reader, "property_labels", None) if reasons and reader else None
    if labeller is None:
        return reasons
    return mql_hold_reasons(definition, properties, labeller("contacts"))


def find_salesforce_person(reader: CrmReader | None, email: str | None) -> tuple[str, str] | None:
    """An existing Contact, else an unconverted Lead, with this e-mail: link instead of create."""
    if reader is None or not email:
        return None
    for sf_object in ("Contact", "Lead"):
        matches = reader.find_by_email(
            sf_object, email, ["Id", "IsConverted"] if sf_object == "Lead" else ["Id"]
        )
        if sf_object == "Lead":
            matches = [m for m in matches if str(m.fields.get("IsConverted")).lower() != "true"]
        if matches:
            return sf_object, matches[0].object_id
    return None


def create_lead_command(
    config: BatonConfig,
    stage_map: StageMap,
    contact_id: str,
    properties: dict[str, Any],
    chosen: Route,
    occurred_at: datetime,
) -> CreateLead:
    """The Lead for a handed-off contact: who it is, the mapped status, context, routed owner."""
    fields: dict[str, Any] = {
        "LastName": properties.get("lastname") or "(unknown)",
        "FirstName": properties.get("firstname") or None,
        "Company": properties.get("company") or "(unknown)",
        "Email": properties.get("email") or None,
        config.salesforce.hubspot_id_field: contact_id,
    }
    entry = stage_map.to_salesforce(LIFECYCLE, config.handoff.stage, "Lead")
    if entry is not None:
        fields[entry.salesforce_field] = entry.salesforce_value
    for hs_property, sf_field in config.handoff.context_fields.items():
        value = properties.get(hs_property)
        if value not in (None, ""):
            fields[sf_field] = value
    use_rules = config.salesforce.use_assignment_rules
    return CreateLead(
        System.SALESFORCE,
        record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id),
        f"create_lead:{contact_id}",
        occurred_at.isoformat(),
        hubspot_contact_id=contact_id,
        fields={k: v for k, v in fields.items() if v is not None},
        owner_id=None if use_rules else chosen.owner_id,
        use_assignment_rules=use_rules,
    )


def mql_episode(config: BatonConfig, event: InboxEvent, properties: dict[str, Any]) -> str:
    """One MQL episode's key: the date HubSpot stamps on entering the hand-off stage, which the
    creation event and the stage change of one episode share (else the event's own id)."""
    stage = config.handoff.stage
    return str(properties.get(f"hs_v2_date_entered_{stage}") or event.event_id)


def hold_reason_command(
    config: BatonConfig,
    event: InboxEvent,
    contact_id: str,
    properties: dict[str, Any],
    reason: str,
) -> UpdateFields:
    """Show (or clear, with "") why an MQL was held back, once per MQL episode."""
    episode = mql_episode(config, event, properties)
    digest = hashlib.sha256(reason.encode()).hexdigest()[:16]
    return UpdateFields(
        System.HUBSPOT,
        record_key(Source.HUBSPOT, ObjectType.CONTACT, contact_id),
        f"hold:{contact_id}:{episode}:{digest}",
        object_type="contacts",
        object_id=contact_id,
        fields={HOLD_REASON_PROPERTY: reason},
    )


def round_robin_counters(session: Session) -> dict[str, int]:
    """Each team's round-robin position (persisted, so a replay picks the same owner order)."""
    rows = session.scalars(select(Cursor).where(Cursor.name.like(f"{_COUNTER_PREFIX}%")))
    return {row.name.removeprefix(_COUNTER_PREFIX): int(row.value) for row in rows}


def save_counter(session: Session, team: str, value: int) -> None:
    """Store a team's next round-robin position."""
    name = f"{_COUNTER_PREFIX}{team}"
    row = session.get(Cursor, name)
    if row is None:
        session.add(Cursor(name=name, value=str(value)))
    else:
        row.value = str(value)
