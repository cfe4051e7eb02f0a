"""Following a person when Salesforce converts their Lead into a Contact.

The Lead becomes read-only and the person's stage lives on the Contact, in a field the admin maps
separately (Lead.Status does not exist on Contact). When Baton learns of the conversion — from the
outbound message, or from a write the Lead refused because a change raced the conversion — it
re-points the link and replays the person's latest HubSpot state through the inbox, so the
normal rules decide the Contact's write from the mapping for Contacts, with the audit trail.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.events import ChangeEvent, EventKind, ObjectType, Source, record_key
from connector.inbox import append

#: actor of replayed events: the processor must not take their values for Baton's own echoes
REPLAY_ACTOR = "baton:replay"


def follow_conversion(session: Session, lead_id: str, contact_id: str) -> bool:
    """Re-point the link from the Lead to its Contact and replay HubSpot's state; True if linked."""
    link = knowledge.link_for_salesforce(session, lead_id)
    if link is None:
        return False
    if link.salesforce_contact_id == contact_id:
        return True
    link.salesforce_contact_id = contact_id
    lead_key = record_key(Source.SALESFORCE, ObjectType.LEAD, lead_id)
    audit.record(
        session, lead_key, "rule", f"lead converted: link now follows Contact {contact_id}"
    )
    if not link.hubspot_contact_id:
        return True
    hubspot_key = record_key(Source.HUBSPOT, ObjectType.CONTACT, link.hubspot_contact_id)
    known = knowledge.load_side(session, hubspot_key)
    changes = {name: value for name, value in known.values.items() if value}
    if changes and known.at is not None:
        replay = ChangeEvent(
            Source.HUBSPOT,
            EventKind.UPDATED,
            ObjectType.CONTACT,
            link.hubspot_contact_id,
            f"replay:converted:{lead_id}:{contact_id}",
            known.at,
            changes,
            actor=REPLAY_ACTOR,
            provider_type="baton.replay_after_conversion",
        )
        append(session, [replay])
    return True
