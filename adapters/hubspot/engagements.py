"""HubSpot engagements (calls, e-mails, meetings, tasks) as the SLA job reads them: who logged what,
when, on which contacts.

A generic ``object.creation`` webhook (objectTypeId 0-48 calls, 0-49 emails, 0-47 meetings)
and a search poll carry the engagement's id but not its contacts, so the job reads the
engagement with its contact associations (one GET). At a deadline the job lists a contact's
engagements instead (one v4 association page per kind, one batch read per kind): a missed SLA is
the absence of an event, so a lost webhook must not read as one.

Tasks (0-27) are read too, with their status and subject: a task counts once completed, and
never when Baton filed it as an escalation.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.batching import chunked
from adapters.hubspot.client import BATCH_LIMIT, HubSpotClient
from connector.events import ObjectType
from connector.ports import CrmRecord

#: Map ObjectType: the engagement object's API name
KINDS: Mapping[ObjectType, str] = {
    ObjectType.CALL: "calls",
    ObjectType.EMAIL: "emails",
    ObjectType.MEETING: "meetings",
    ObjectType.TASK: "tasks",
}
#: what the touch rule needs: the owner who logged it and when it was logged
PROPERTIES = ("hubspot_owner_id", "hs_createdate", "hs_timestamp")
#: a task's too: whether (and when) it was completed, and whether Baton filed it
TASK_PROPERTIES = (
    *PROPERTIES,
    "hs_task_status",
    "hs_task_completion_date",
    "hs_task_subject",
    "hs_lastmodifieddate",
)


def properties_of(kind: ObjectType) -> tuple[str, ...]:
    """The properties read for one kind of engagement."""
    return TASK_PROPERTIES if kind == ObjectType.TASK else PROPERTIES


def engagement(client: HubSpotClient, kind: ObjectType, engagement_id: str) -> CrmRecord | None:
    """One engagement, its ``contacts`` (ids) among its fields; None if it is gone."""
    found = client.get_with_associations(
        KINDS[kind], engagement_id, properties_of(kind), "contacts"
    )
    if found is None:
        return None
    return CrmRecord(
        str(kind), found["id"], {**found["properties"], "contacts": found["associated"]}
    )


def engagements_of(client: HubSpotClient, contact_id: str) -> list[CrmRecord]:
    """Every call, e-mail, meeting and task associated with the contact, oldest first."""
    found: list[CrmRecord] = []
    for kind, api_name in KINDS.items():
        ids = client.associated_ids("contacts", contact_id, api_name)
        for chunk in chunked(ids, BATCH_LIMIT):
            answer = client.batch_read(api_name, chunk, properties_of(kind))
            for row in answer.results:
                fields = {**row["properties"], "contacts": [str(contact_id)]}
                found.append(CrmRecord(str(kind), str(row["id"]), fields))
    return sorted(found, key=lambda record: str(record.fields.get("hs_createdate") or ""))
