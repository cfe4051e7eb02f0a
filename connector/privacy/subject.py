"""Who is being erased or exported: every id and value Baton may hold about one person.

``baton forget`` is given an e-mail address or a CRM id; the person's link joins their HubSpot
contact, Salesforce lead and contact. Their names are found where Baton had to keep them (the
payload of the command that created their Lead, older inbox events) so they can be removed too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from connector.commands import CreateLead
from connector.events import ObjectType, Source, record_key
from connector.privacy import PSEUDONYM_PREFIX, email_hash
from connector.store.models import InboxEvent, OutboxCommand, RecordLink

_NAME_FIELDS = ("firstname", "lastname", "name")
_EMAIL_FIELDS = ("email",)


@dataclass
class Subject:
    """One person's identifiers (ids, e-mail hashes) and personal values (addresses, names)."""

    hubspot_ids: set[str] = field(default_factory=set)
    lead_ids: set[str] = field(default_factory=set)
    contact_ids: set[str] = field(default_factory=set)
    email_hashes: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    #: the store knew the person (a link, their Lead's creation or an event of theirs matched)
    found: bool = False

    @property
    def ids(self) -> set[str]:
        """Every CRM id of the person."""
        return self.hubspot_ids | self.lead_ids | self.contact_ids

    @property
    def record_keys(self) -> set[str]:
        """The person's records as Baton keys them (``hubspot:contact:…``, …)."""
        keys = {record_key(Source.HUBSPOT, ObjectType.CONTACT, i) for i in self.hubspot_ids}
        keys |= {record_key(Source.SALESFORCE, ObjectType.LEAD, i) for i in self.lead_ids}
        keys |= {record_key(Source.SALESFORCE, ObjectType.CONTACT, i) for i in self.contact_ids}
        return keys

    @property
    def pseudonyms(self) -> set[str]:
        """The e-mail hashes as stored (bare, and as ``sha256:`` pseudonyms)."""
        return self.email_hashes | {f"{PSEUDONYM_PREFIX}{h}" for h in self.email_hashes}

    @property
    def identifiers(self) -> list[tuple[str, str]]:
        """(kind, value) of what an erasure record is keyed by."""
        pairs = [("email", h) for h in self.email_hashes]
        pairs += [("hubspot", i) for i in self.hubspot_ids]
        pairs += [("salesforce", i) for i in self.lead_ids | self.contact_ids]
        return sorted(pairs)


def resolve(session: Session, who: str) -> Subject:
    """The person known by ``who`` (an e-mail address, a HubSpot id, a Salesforce 00Q/003 id)."""
    who = who.strip()
    if not who:
        raise ValueError("say who: an e-mail address or a CRM id")
    subject = Subject()
    if "@" in who:
        subject.emails.add(who.lower())
        subject.email_hashes.add(email_hash(who) or "")
    elif who.startswith("00Q"):
        subject.lead_ids.add(who)
    elif who.startswith("003"):
        subject.contact_ids.add(who)
    elif who:
        subject.hubspot_ids.add(who)
    _add_links(session, subject)
    _add_created_leads(session, subject)
    _add_link_ids_again(session, subject)
    _add_values_from_events(session, subject)
    subject.email_hashes.discard("")
    return subject


def _add_links(session: Session, subject: Subject) -> None:
    conditions = []
    if subject.hubspot_ids:
        conditions.append(RecordLink.hubspot_contact_id.in_(subject.hubspot_ids))
    if subject.lead_ids | subject.contact_ids:
        sf = subject.lead_ids | subject.contact_ids
        conditions += [RecordLink.salesforce_lead_id.in_(sf)]
        conditions += [RecordLink.salesforce_contact_id.in_(sf)]
    if subject.email_hashes:
        conditions.append(RecordLink.email_hash.in_(subject.email_hashes))
    if not conditions:
        return
    for link in session.scalars(select(RecordLink).where(or_(*conditions))):
        subject.found = True
        _add(subject.hubspot_ids, link.hubspot_contact_id)
        _add(subject.lead_ids, link.salesforce_lead_id)
        _add(subject.contact_ids, link.salesforce_contact_id)
        _add(subject.email_hashes, link.email_hash)


def _add_link_ids_again(session: Session, subject: Subject) -> None:
    """A second pass: an e-mail found in a Lead payload may lead to a link not seen before."""
    _add_links(session, subject)


def _add_created_leads(session: Session, subject: Subject) -> None:
    """The Lead Baton created for the person holds their name and address (needed to create it)."""
    keys = [f"create_lead:{i}" for i in subject.hubspot_ids]
    query = select(OutboxCommand).where(OutboxCommand.kind == CreateLead.kind)
    if not subject.email_hashes:  # by id alone: only the person's own command
        if not keys:
            return
        query = query.where(OutboxCommand.idempotency_key.in_(keys))
    for row in session.scalars(query):
        fields = dict(row.payload.get("fields", {}))
        email = _field(fields, _EMAIL_FIELDS)
        mine = row.idempotency_key in keys or (
            email is not None and email_hash(email) in subject.email_hashes
        )
        if not mine:
            continue
        subject.found = True
        _add(subject.hubspot_ids, row.payload.get("hubspot_contact_id"))
        _add(subject.lead_ids, (row.result or {}).get("id"))
        if email:
            subject.emails.add(email.lower())
            _add(subject.email_hashes, email_hash(email))
        for name in _NAME_FIELDS:
            _add(subject.names, _field(fields, (name,)))


def _add_values_from_events(session: Session, subject: Subject) -> None:
    keys = subject.record_keys
    if not keys:
        return
    rows = session.scalars(select(InboxEvent.changes).where(InboxEvent.record_key.in_(keys)))
    for changes in rows:
        subject.found = True
        for name in _NAME_FIELDS:
            _add(subject.names, _field(changes, (name,)))
        email = _field(changes, _EMAIL_FIELDS)
        if email and not email.startswith(PSEUDONYM_PREFIX):
            subject.emails.add(email.lower())


def _field(values: dict, names: tuple[str, ...]) -> str | None:  # type: ignore[type-arg]
    for key, value in values.items():
        if key.lower() in names and isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _add(target: set[str], value: object) -> None:
    if value not in (None, ""):
        target.add(str(value))
