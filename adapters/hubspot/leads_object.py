"""Create records of HubSpot's Leads object (``leads``, 0-136) for handed-off contacts.

A lead must carry ``hs_lead_name`` and be created associated to a contact (association type
578, lead → primary contact; developers.hubspot.com/docs/api-reference/crm-leads-v3/guide).
Creating is not idempotent in HubSpot, so before each create the contact's leads are read: an
open one (its stage not among the command's closed stages) is the work item already, and the
command is DONE with that lead's id — a retry after a lost answer never makes two.
"""

from __future__ import annotations

from functools import partial

from adapters.hubspot.batch_ops import HubSpotBatchOps, Results
from adapters.retrying import CallFailed
from connector.commands import CommandResult, CreateHubSpotLead, Outcome

LEADS_OBJECT = "leads"
#: HUBSPOT_DEFINED association type: lead → primary contact
LEAD_TO_PRIMARY_CONTACT = 578
_STAGE = "hs_pipeline_stage"


def create_leads(ops: HubSpotBatchOps, commands: list[CreateHubSpotLead], results: Results) -> None:
    """Create each command's lead unless its contact has an open one; one result per command."""
    for command in commands:
        try:
            existing = _open_lead(ops, command)
            if existing is not None:
                data = {"lead_id": existing, "existing": True}
            else:
                create = partial(
                    ops.client.create_associated,
                    LEADS_OBJECT,
                    command.properties,
                    command.contact_id,
                    LEAD_TO_PRIMARY_CONTACT,
                )
                data = {"lead_id": ops.call(create)["id"]}
        except CallFailed as failed:
            results[id(command)] = failed.result_for(command.idempotency_key)
            continue
        results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)


def _open_lead(ops: HubSpotBatchOps, command: CreateHubSpotLead) -> str | None:
    ids = ops.call(partial(ops.client.associated_ids, "contacts", command.contact_id, LEADS_OBJECT))
    if not ids:
        return None
    found = ops.read(LEADS_OBJECT, ids, [_STAGE])
    for lead_id in sorted(found, key=lambda i: (len(i), i)):
        if found[lead_id].get(_STAGE) not in command.closed_stages:
            return lead_id
    return None
