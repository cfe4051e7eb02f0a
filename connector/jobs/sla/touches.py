"""Touches from both CRMs in one shape: a Salesforce Task or Event, a HubSpot call, e-mail or
meeting. The SLA job asks here what the owner logged; the clock rules stay in ``job.py``.

A HubSpot engagement is the owner's when its ``hubspot_owner_id`` is the HubSpot owner whose
login e-mail is the Salesforce user's ``Email`` (HubSpot's own Salesforce integration maps users
the same way). Both addresses are read when needed and compared in memory, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.commands import System
from connector.events import ObjectType
from connector.ports import CrmReader, CrmRecord

#: HubSpot engagements the SLA counts as a first touch (a task is a to-do, not an outreach)
ENGAGEMENTS = (ObjectType.CALL, ObjectType.EMAIL, ObjectType.MEETING)
SALESFORCE_ACTIVITIES = (ObjectType.TASK, ObjectType.EVENT)


@dataclass(frozen=True, slots=True)
class Touch:
    """One logged activity: what it was, its id in ``sla_touches``, who logged it, and when."""

    kind: str
    activity_id: str
    owner: str
    at: datetime
    #: a Salesforce activity Baton's integration user created (an escalation Task)
    by_baton: bool = False


def from_salesforce(record: CrmRecord, integration_user: str | None) -> Touch | None:
    """A Task or Event row (``activities_of``) as a touch; None without a creation time."""
    at = parse_time(record.fields.get("CreatedDate"))
    if at is None:
        return None
    creator = str(record.fields.get("CreatedById") or "")
    return Touch(
        record.object_type.lower(),
        record.object_id,
        str(record.fields.get("OwnerId") or ""),
        at,
        by_baton=bool(creator and integration_user) and creator[:15] == integration_user[:15],
    )


def from_hubspot(record: CrmRecord) -> Touch | None:
    """A call, e-mail or meeting as a touch, logged at ``hs_createdate``. In ``sla_touches`` it
    is ``<c|e|m>:<id>``: ids are unique per object type only, and no Salesforce id has a colon."""
    at = parse_time(record.fields.get("hs_createdate")) or parse_time(
        record.fields.get("hs_timestamp")
    )
    if at is None:
        return None
    owner = str(record.fields.get("hubspot_owner_id") or "")
    return Touch(record.object_type, f"{record.object_type[0]}:{record.object_id}"[:18], owner, at)


def contacts_of(record: CrmRecord) -> list[str]:
    """The HubSpot contact ids an engagement is associated with."""
    value = record.fields.get("contacts")
    return [str(c) for c in value] if isinstance(value, list | tuple) else []


def is_owner(readers: Mapping[System, CrmReader], user_id: str, hubspot_owner: str) -> bool:
    """True when the HubSpot owner is the Salesforce user (same login e-mail, any case)."""
    hubspot, salesforce = readers.get(System.HUBSPOT), readers.get(System.SALESFORCE)
    if not hubspot_owner or hubspot is None or salesforce is None:
        return False
    user = salesforce.read("User", [user_id], ["Email"]).get(user_id)
    email = str(user.fields.get("Email") or "") if user is not None else ""
    owner_email = getattr(hubspot, "owner_email")(hubspot_owner)  # noqa: B009 (prefetch proxy)
    return bool(email) and bool(owner_email) and email.strip().lower() == owner_email.lower()


def hubspot_engagements(readers: Mapping[System, CrmReader], contact_id: str) -> list[CrmRecord]:
    """The contact's calls, e-mails and meetings (empty without a HubSpot reader)."""
    reader = readers.get(System.HUBSPOT)
    engagements_of = getattr(reader, "engagements_of", None)
    return list(engagements_of(contact_id)) if engagements_of is not None else []


def first(touches: Iterable[Touch]) -> Touch | None:
    """The earliest touch."""
    return min(touches, key=lambda t: t.at, default=None)


def parse_time(value: Any) -> datetime | None:
    """An ISO time (Salesforce, HubSpot v3) or epoch milliseconds (HubSpot) as an aware UTC
    datetime; None for anything else, including out-of-range values."""
    if value in (None, ""):
        return None
    text = str(value)
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
