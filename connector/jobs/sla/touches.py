"""Touches from both CRMs in one shape: a Salesforce Task or Event, a HubSpot call, e-mail or
meeting. The SLA job asks here what the owner logged; the clock rules stay in ``job.py``.

A HubSpot engagement is the owner's when its ``hubspot_owner_id`` is the HubSpot owner whose
login e-mail is the Salesforce user's ``Email`` (HubSpot's own Salesforce integration maps users
the same way). Both addresses are read when needed and compared in memory, never stored:
:class:`OwnerMatch` reads the user's once and each owner's once per pass (one event, or one
deadline's re-read), however many engagements that owner logged. With HubSpot alone the clock's
owner is a HubSpot owner id and the two are simply compared.

A HubSpot task counts once its owner ticks it off (``hs_task_status`` COMPLETED, at its
completion date); a task Baton filed as an escalation (its subject carries ``[baton ``) never
does, whoever completes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.commands import System
from connector.events import ObjectType
from connector.ports import CrmReader, CrmRecord

#: HubSpot engagements the SLA counts as a touch when logged
ENGAGEMENTS = (ObjectType.CALL, ObjectType.EMAIL, ObjectType.MEETING)
#: and HubSpot tasks, once completed (an open task is a to-do, not an outreach)
HUBSPOT_TOUCHES = (*ENGAGEMENTS, ObjectType.TASK)
SALESFORCE_ACTIVITIES = (ObjectType.TASK, ObjectType.EVENT)
TASK_COMPLETED = "COMPLETED"
#: the mark Baton's escalation tasks carry in their subject (``adapters.notify.crm_task``)
BATON_MARK = "[baton "


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
    """A call, e-mail or meeting as a touch, logged at ``hs_createdate``; a completed task at
    its completion date (an open one is None). In ``sla_touches`` it is ``<c|e|m|t>:<id>``: ids
    are unique per object type only, and no Salesforce id has a colon."""
    fields = record.fields
    if record.object_type == ObjectType.TASK:
        if fields.get("hs_task_status") != TASK_COMPLETED:
            return None
        at = parse_time(fields.get("hs_task_completion_date")) or parse_time(
            fields.get("hs_lastmodifieddate")
        )
    else:
        at = parse_time(fields.get("hs_createdate")) or parse_time(fields.get("hs_timestamp"))
    if at is None:
        return None
    owner = str(fields.get("hubspot_owner_id") or "")
    by_baton = BATON_MARK in str(fields.get("hs_task_subject") or "")
    activity = f"{record.object_type[0]}:{record.object_id}"[:18]
    return Touch(record.object_type, activity, owner, at, by_baton=by_baton)


def contacts_of(record: CrmRecord) -> list[str]:
    """The HubSpot contact ids an engagement is associated with."""
    value = record.fields.get("contacts")
    return [str(c) for c in value] if isinstance(value, list | tuple) else []


class OwnerMatch:
    """Whether a HubSpot owner is a clock's owner, each e-mail read at most once per pass.

    Build one per clock and pass (an event, a deadline's re-read) and drop it after: it holds
    the user's address and each owner's verdict in memory only, never in the store.
    """

    def __init__(
        self, readers: Mapping[System, CrmReader], clock_owner: str, *, hubspot_alone: bool
    ) -> None:
        self.readers = readers
        self.clock_owner = clock_owner
        self.hubspot_alone = hubspot_alone
        self._user_email: str | None = None
        self._verdicts: dict[str, bool] = {}

    def __call__(self, hubspot_owner: str) -> bool:
        """True when ``hubspot_owner`` logged it for the clock's owner."""
        if not hubspot_owner:
            return False
        if self.hubspot_alone:  # the clock's owner is a HubSpot owner id
            return hubspot_owner == self.clock_owner
        if hubspot_owner not in self._verdicts:
            self._verdicts[hubspot_owner] = self._same_person(hubspot_owner)
        return self._verdicts[hubspot_owner]

    def _same_person(self, hubspot_owner: str) -> bool:
        """Same login e-mail, any case (the Salesforce user's is read on first need)."""
        hubspot, salesforce = self.readers.get(System.HUBSPOT), self.readers.get(System.SALESFORCE)
        if hubspot is None or salesforce is None:
            return False
        if self._user_email is None:
            user = salesforce.read("User", [self.clock_owner], ["Email"]).get(self.clock_owner)
            email = str(user.fields.get("Email") or "") if user is not None else ""
            self._user_email = email.strip().lower()
        if not self._user_email:
            return False
        owner_email = getattr(hubspot, "owner_email")(hubspot_owner)  # noqa: B009 (prefetch proxy)
        return bool(owner_email) and self._user_email == str(owner_email).strip().lower()


def hubspot_engagements(readers: Mapping[System, CrmReader], contact_id: str) -> list[CrmRecord]:
    """The contact's calls, e-mails, meetings and tasks (empty without a HubSpot reader)."""
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
