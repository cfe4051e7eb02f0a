"""A disqualified record of HubSpot's Leads object as a recycle trigger (HubSpot-only mode).

Where the portal works leads in the Leads object, the rep's "not now" is moving the lead to the
disqualified stage with a disqualification reason (``hs_lead_disqualification_reason``). That
reason goes through the same reason rules as a Salesforce Lead's; the lead's contacts are the
people recycled. Reads go through the job's prefetching reader (outside any transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.config import BatonConfig
from connector.jobs.recycle.rules import Trigger
from connector.ports import CrmReader
from connector.store.models import InboxEvent

STAGE_PROPERTY = "hs_pipeline_stage"
REASON_PROPERTY = "hs_lead_disqualification_reason"
_OWNER_PROPERTY = "hubspot_owner_id"


@dataclass(frozen=True, slots=True)
class DisqualifiedLead:
    """What a disqualified lead means for recycling: the trigger, its people, its owner."""

    trigger: Trigger
    contact_ids: tuple[str, ...]
    owner_id: str | None


def is_disqualified(config: BatonConfig, event: InboxEvent) -> bool:
    """True when this Leads-object change moved a lead to the disqualified stage."""
    stage = event.changes.get(STAGE_PROPERTY)
    return stage is not None and stage == config.hubspot.leads_object.disqualified_stage


def read_disqualified(reader: CrmReader | None, event: InboxEvent) -> DisqualifiedLead | None:
    """The lead's reason, owner and contacts, read now (None: HubSpot is not connected)."""
    associated = getattr(reader, "associated_ids", None)
    if reader is None or associated is None:
        return None
    lead_id = event.object_id
    found = reader.read("leads", [lead_id], [REASON_PROPERTY, _OWNER_PROPERTY]).get(lead_id)
    fields = found.fields if found else {}
    reason = str(fields.get(REASON_PROPERTY) or "").strip() or None
    status = f"lead disqualified ({event.changes.get(STAGE_PROPERTY)})"
    trigger = Trigger("hubspot", status, reason, event.occurred_at)
    owner = str(fields.get(_OWNER_PROPERTY) or "") or None
    return DisqualifiedLead(trigger, tuple(associated("leads", lead_id, "contacts")), owner)
