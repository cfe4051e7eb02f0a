"""Joining existing records during a backfill: the Salesforce HubSpot-id field first, then e-mail.

An e-mail match only joins a Salesforce record to a HubSpot contact that has no Salesforce
record yet and whose hash is unique (two contacts with one address are left for an admin), the
same caution the processor's ``link_for_email`` takes. A link never steals an id another link
holds: such a clash is counted as a conflict and left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from connector import knowledge
from connector.admin.backfill_sources import SourceRecord
from connector.store.models import RecordLink

BY_ID_FIELD = "id_field"
BY_EMAIL = "email"
BY_CONVERSION = "conversion"
ALREADY = "already"
CONFLICT = "conflict"
NONE = "none"
NEW = "new"


@dataclass(frozen=True, slots=True)
class Linked:
    """How a record was joined (one of the constants above) and the link, if any."""

    how: str
    link: RecordLink | None


def link_hubspot_contact(session: Session, record: SourceRecord) -> Linked:
    """Make sure the contact has a link row carrying its e-mail hash (the e-mail match key)."""
    email = record.fields.get("email")
    link = knowledge.link_for_hubspot(session, record.object_id)
    if link is not None:
        if link.email_hash is None and knowledge.email_hash(email):
            link.email_hash = knowledge.email_hash(email)
        return Linked(ALREADY, link)
    link = RecordLink(hubspot_contact_id=record.object_id, email_hash=knowledge.email_hash(email))
    session.add(link)
    session.flush()
    return Linked(NEW, link)


def link_salesforce_record(session: Session, record: SourceRecord, hubspot_id_field: str) -> Linked:
    """Join a Lead or Contact to its HubSpot contact's link (see the module docstring)."""
    slot = "salesforce_lead_id" if record.object_type == "Lead" else "salesforce_contact_id"
    existing = knowledge.link_for_salesforce(session, record.object_id)
    converted_to = _converted_contact(record)
    if existing is not None:
        if converted_to and not existing.salesforce_contact_id:
            _fill(session, existing, "salesforce_contact_id", converted_to)
        return Linked(ALREADY, existing)
    if converted_to:
        follows = knowledge.link_for_salesforce(session, converted_to)
        if follows is not None:
            return _join(session, follows, slot, record, BY_CONVERSION)
    hubspot_id = _text(record.fields.get(hubspot_id_field))
    if hubspot_id:
        link = knowledge.link_for_hubspot(session, hubspot_id)
        if link is None:
            link = RecordLink(hubspot_contact_id=hubspot_id)
            session.add(link)
        joined = _join(session, link, slot, record, BY_ID_FIELD)
        if joined.how != CONFLICT and converted_to:
            _fill(session, link, "salesforce_contact_id", converted_to)
        return joined
    candidate = knowledge.link_for_email(session, _text(record.fields.get("Email")))
    if candidate is None:
        return Linked(NONE, None)
    if candidate.salesforce_lead_id or candidate.salesforce_contact_id:
        return Linked(CONFLICT, None)  # that contact already has a Salesforce record
    joined = _join(session, candidate, slot, record, BY_EMAIL)
    if joined.how != CONFLICT and converted_to:
        _fill(session, candidate, "salesforce_contact_id", converted_to)
    return joined


def _join(session: Session, link: RecordLink, slot: str, record: SourceRecord, how: str) -> Linked:
    current = getattr(link, slot)
    if current not in (None, record.object_id):
        return Linked(CONFLICT, None)  # the contact is linked to another Lead/Contact
    setattr(link, slot, record.object_id)
    if link.email_hash is None:
        link.email_hash = knowledge.email_hash(_text(record.fields.get("Email")))
    session.flush()
    return Linked(how, link)


def _fill(session: Session, link: RecordLink, slot: str, record_id: str) -> None:
    """Set a converted lead's contact id unless another link already holds it."""
    holder = knowledge.link_for_salesforce(session, record_id)
    if holder is None and getattr(link, slot) is None:
        setattr(link, slot, record_id)
        session.flush()


def _converted_contact(record: SourceRecord) -> str | None:
    if record.object_type != "Lead":
        return None
    converted = record.fields.get("IsConverted")
    if converted is True or str(converted).lower() == "true":
        return _text(record.fields.get("ConvertedContactId"))
    return None


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None
