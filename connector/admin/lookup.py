"""Find the person an admin asks about: by e-mail (hash), HubSpot id, Salesforce id or key.

Baton keeps no plain e-mail address, so an address is hashed exactly as the links are
(``connector.knowledge.email_hash``) and matched on ``record_links.email_hash``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from connector.config.salesforce_ids import to_18
from connector.events import ObjectType, Source, record_key
from connector.knowledge import email_hash, link_for_hubspot, link_for_salesforce
from connector.store.models import AuditEntry, InboxEvent, OutboxCommand, RecordLink, RecordState

_SALESFORCE_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_RECORD_KEY = re.compile(r"(hubspot|salesforce):([a-z_]+):(\S+)")
#: Salesforce key prefixes of the objects Baton links (Lead, Contact)
_SALESFORCE_PREFIXES = {"00Q": ObjectType.LEAD, "003": ObjectType.CONTACT}


class QueryError(ValueError):
    """The admin's input is not an e-mail address, a HubSpot id, a Salesforce id or a key."""


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """What the admin typed, understood: an e-mail hash, or one record key."""

    text: str
    email_hash: str | None = None
    record_key: str | None = None

    @property
    def label(self) -> str:
        """How the query is named back to the admin (an address is not echoed in full)."""
        if self.email_hash is not None:
            return f"e-mail (hash {self.email_hash[:12]}…)"
        return self.record_key or self.text


@dataclass(frozen=True, slots=True)
class Person:
    """One person across both CRMs: its link (if any) and every record key that belongs to it."""

    link: RecordLink | None
    record_keys: tuple[str, ...]


def parse_query(text: str) -> RecordQuery:
    """Understand ``text``: e-mail, digits (HubSpot contact), 00Q/003 id, or ``system:type:id``.

    Raises:
        QueryError: with a message that says what is accepted.
    """
    value = (text or "").strip()
    if "@" in value:
        digest = email_hash(value)
        local, _, domain = value.partition("@")
        if digest is None or not local or not domain or "@" in domain:
            raise QueryError(f"{text!r} is not an e-mail address")
        return RecordQuery(value, email_hash=digest)
    if value.isdigit():
        return RecordQuery(value, record_key=record_key(Source.HUBSPOT, ObjectType.CONTACT, value))
    keyed = _RECORD_KEY.fullmatch(value)
    if keyed:
        source, object_type, object_id = keyed.groups()
        try:
            return RecordQuery(value, record_key=record_key(source, object_type, object_id))
        except ValueError:
            raise QueryError(f"{object_type!r} is not a record type Baton knows") from None
    if _SALESFORCE_ID.fullmatch(value):
        object_type = _SALESFORCE_PREFIXES.get(value[:3])
        if object_type is None:
            raise QueryError(
                f"{value!r} is not a Lead (00Q…) or Contact (003…) id; Baton links only those"
            )
        # A 15-character id (from a Salesforce URL) is completed to the 18-character form the
        # APIs use; an 18-character id is taken as typed.
        normalized = to_18(value) if len(value) == 15 else value
        return RecordQuery(value, record_key=record_key(Source.SALESFORCE, object_type, normalized))
    raise QueryError(
        f"{text!r} is not an e-mail address, a HubSpot contact id (digits), a Salesforce "
        "Lead/Contact id (00Q…/003…) or a record key such as hubspot:contact:1001"
    )


def find_people(session: Session, query: RecordQuery) -> list[Person]:
    """Everyone the query names; empty when Baton has never seen such a record."""
    if query.email_hash is not None:
        matching = RecordLink.email_hash == query.email_hash
        links = session.scalars(select(RecordLink).where(matching).order_by(RecordLink.id)).all()
        return [Person(link, link.record_keys()) for link in links]
    assert query.record_key is not None
    link = _link_for_key(session, query.record_key)
    if link is not None:
        return [Person(link, link.record_keys())]
    if _seen(session, query.record_key):
        return [Person(None, (query.record_key,))]
    return []


def _link_for_key(session: Session, key: str) -> RecordLink | None:
    source, object_type, object_id = key.split(":", 2)
    if source == Source.HUBSPOT and object_type == ObjectType.CONTACT:
        return link_for_hubspot(session, object_id)
    if source == Source.SALESFORCE and object_type in (ObjectType.LEAD, ObjectType.CONTACT):
        return link_for_salesforce(session, object_id)
    return None


def _seen(session: Session, key: str) -> bool:
    """True when anything in the store mentions the record (events, audit, state, commands)."""
    checks = (
        exists().where(InboxEvent.record_key == key),
        exists().where(AuditEntry.record_key == key),
        exists().where(RecordState.record_key == key),
        exists().where(OutboxCommand.record_key == key),
    )
    return bool(session.scalar(select(or_(*checks))))
