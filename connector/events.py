"""The one internal event type every receiver and poller produces.

HubSpot webhooks, Salesforce outbound messages, Salesforce JSON callouts and the reconciliation
pollers all normalize into :class:`ChangeEvent`, so the worker and the rules never see a
provider's wire format (the anymail ``AnymailTrackingEvent`` pattern).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    """Which system reported the change."""

    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"


class EventKind(StrEnum):
    """What happened to the record, provider-neutral."""

    #: a record was created
    CREATED = "created"
    #: one or more fields changed (HubSpot: one property; Salesforce: a snapshot of fields)
    UPDATED = "updated"
    #: a record was deleted (HubSpot: recycle bin; Salesforce: IsDeleted)
    DELETED = "deleted"
    #: a GDPR/privacy deletion: erase what Baton keeps about the person
    PRIVACY_DELETED = "privacy_deleted"
    #: records were merged; ``related_ids`` holds the ids that stopped resolving
    MERGED = "merged"
    #: an association between two records was added or removed
    ASSOCIATION = "association"
    #: a deleted record was restored
    RESTORED = "restored"
    #: an authentic event of a type Baton does not handle; stored and acknowledged, never bounced
    UNKNOWN = "unknown"
    #: a job's timer came due (``connector.timers``): delivered as an event of its record
    TIMER = "timer"


class ObjectType(StrEnum):
    """Record types Baton reasons about, in provider-neutral names."""

    CONTACT = "contact"  # HubSpot contact or Salesforce Contact
    LEAD = "lead"  # Salesforce Lead
    HUBSPOT_LEAD = "hubspot_lead"  # a record of HubSpot's Leads object (0-136)
    DEAL = "deal"  # HubSpot deal
    OPPORTUNITY = "opportunity"  # Salesforce Opportunity
    COMPANY = "company"  # HubSpot company or Salesforce Account
    TASK = "task"  # Salesforce Task (a call, an e-mail, a to-do)
    EVENT = "event"  # Salesforce Event (a meeting on the calendar)
    CALL = "call"  # HubSpot call engagement (calls, 0-48)
    EMAIL = "email"  # HubSpot e-mail engagement (emails, 0-49)
    MEETING = "meeting"  # HubSpot meeting engagement (meetings, 0-47)
    CAMPAIGN_MEMBER = "campaign_member"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change reported by a CRM, in provider-neutral form.

    ``event_id`` is the delivery-stable dedupe key chosen per source (HubSpot's ``eventId`` is not
    unique on its own, so its key combines several fields; Salesforce uses the notification Id;
    pollers build synthetic ids from record id + modstamp). The inbox is unique on
    ``(source, event_id)``, which is what makes redelivery harmless.
    """

    source: Source
    kind: EventKind
    object_type: ObjectType
    object_id: str
    event_id: str
    occurred_at: datetime
    #: field -> new value; for Salesforce snapshots every populated field of the record
    changes: Mapping[str, Any] = field(default_factory=dict)
    #: True when ``changes`` is a full snapshot (Salesforce outbound message, poller read)
    is_snapshot: bool = False
    #: who made the change, e.g. "INTEGRATION:54321", "CRM_UI:userId:7", a Salesforce user id
    actor: str | None = None
    #: the change was written by Baton itself and came back (echo suppression)
    is_echo: bool = False
    #: merged ids (MERGED) or the other side of an association (ASSOCIATION)
    related_ids: tuple[str, ...] = ()
    #: HubSpot portal id or Salesforce organization id
    account_id: str | None = None
    #: the provider's own event name, kept for UNKNOWN events and for explain output
    provider_type: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("ChangeEvent.occurred_at must be timezone-aware")

    @property
    def record_key(self) -> str:
        """The per-record ordering key: events with the same key apply one at a time, in order."""
        return record_key(self.source, self.object_type, self.object_id)


def record_key(source: Source | str, object_type: ObjectType | str, object_id: str) -> str:
    """Build the canonical key of one record in one system."""
    return f"{Source(source).value}:{ObjectType(object_type).value}:{object_id}"


def utc_from_ms(ms: int | float) -> datetime:
    """Convert an epoch-milliseconds stamp (HubSpot's unit) to an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def utcnow() -> datetime:
    """Aware 'now' in UTC; the only clock the core reads, so tests can patch one place."""
    return datetime.now(UTC)
