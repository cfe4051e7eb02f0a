"""Create records of HubSpot's Leads object (``leads``, 0-136) for handed-off contacts.

A lead must carry ``hs_lead_name`` and be created associated to a contact (association type
578, lead → primary contact; developers.hubspot.com/docs/api-reference/crm-leads-v3/guide).
Creating is not idempotent in HubSpot, so before each create the contact's leads are read: an
open one (its stage not among the command's closed stages) is the work item already, and the
command is DONE with that lead's id — a retry after a lost answer never makes two. A mirror
of a Salesforce Lead (``move_to_stage``) moves that open lead to the stage instead, closing it
when the stage is a closed one; the move is a plain update, safe to repeat.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from adapters.hubspot.batch_ops import HubSpotBatchOps, Results
from adapters.retrying import CallFailed
from connector.commands import CommandResult, CreateHubSpotLead, Outcome

LEADS_OBJECT = "leads"
#: HUBSPOT_DEFINED association type: lead → primary contact
LEAD_TO_PRIMARY_CONTACT = 578
_STAGE = "hs_pipeline_stage"


def create_leads(ops: HubSpotBatchOps, commands: list[CreateHubSpotLead], results: Results) -> None:
    """Create each command's lead unless its contact has an open one (a mirror's command moves
    that one instead); one result per command."""
    for command in commands:
        try:
            data = _carry_out(ops, command)
        except CallFailed as failed:
            results[id(command)] = failed.result_for(command.idempotency_key)
            continue
        results[id(command)] = CommandResult(command.idempotency_key, Outcome.DONE, data)


def _carry_out(ops: HubSpotBatchOps, command: CreateHubSpotLead) -> dict[str, Any]:
    existing = _open_lead(ops, command)
    target = command.move_to_stage
    if existing is not None:
        lead_id, stage = existing
        if target is None or target == stage:
            return {"lead_id": lead_id, "existing": True}
        outcome = ops.update(LEADS_OBJECT, [(lead_id, {_STAGE: target})]).get(lead_id)
        if isinstance(outcome, CallFailed):
            raise outcome
        return {"lead_id": lead_id, "moved_to": target}
    if target is not None and target in command.closed_stages:
        return {"lead_id": None, "no_open_lead": True}  # nothing open to close
    properties = {**command.properties, **({_STAGE: target} if target else {})}
    create = partial(
        ops.client.create_associated,
        LEADS_OBJECT,
        properties,
        command.contact_id,
        LEAD_TO_PRIMARY_CONTACT,
    )
    return {"lead_id": ops.call(create)["id"]}


def _open_lead(ops: HubSpotBatchOps, command: CreateHubSpotLead) -> tuple[str, str] | None:
    """The contact's open lead (its id and stage), the oldest first; None if all are closed."""
    ids = ops.call(partial(ops.client.associated_ids, "contacts", command.contact_id, LEADS_OBJECT))
    if not ids:
        return None
    found = ops.read(LEADS_OBJECT, ids, [_STAGE])
    for lead_id in sorted(found, key=lambda i: (len(i), i)):
        stage = found[lead_id].get(_STAGE)
        if stage not in command.closed_stages:
            return lead_id, str(stage or "")
    return None
