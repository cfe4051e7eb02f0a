"""Lead conversion as a user does it in the UI (there is no REST endpoint for it).

Creates (or reuses) an Account and a Contact, optionally an Opportunity with the contact as
primary contact role and the lead's most recent campaign as primary campaign source; moves
campaign memberships and activities to the contact; marks the lead converted (read-only from
then on) with a converted status. All in one transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .dml import Dml, WriteContext
from .errors import SalesforceApiError
from .store import StoredRecord


def convert_lead(
    dml: Dml,
    lead_id: str,
    ctx: WriteContext,
    create_opportunity: bool = True,
    account_id: str | None = None,
    contact_id: str | None = None,
    converted_status: str | None = None,
    opportunity_name: str | None = None,
) -> dict[str, str | None]:
    """Convert one lead; returns {"contact_id", "account_id", "opportunity_id"}."""
    org = dml.org
    with org.store.transaction() as tx:
        lead = dml.live_record("Lead", lead_id)
        values = lead.values
        if values.get("IsConverted"):
            raise SalesforceApiError(
                400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead"
            )
        statuses = [r for r in org.setup_rows("LeadStatus") if r["IsConverted"]]
        status = converted_status or statuses[0]["ApiName"]
        if status not in {r["ApiName"] for r in statuses}:
            raise SalesforceApiError(
                400, "INVALID_STATUS", f"invalid converted status: {status}", ["ConvertedStatus"]
            )
        owner = values["OwnerId"] if str(values["OwnerId"]).startswith("005") else ctx.actor_id
        if account_id is None:
            account_id = dml.create(
                "Account",
                {
                    "Name": values.get("Company") or values.get("Name"),
                    "OwnerId": owner,
                    "Industry": values.get("Industry"),
                    "Website": values.get("Website"),
                },
                ctx,
            )
        if contact_id is None:
            contact_id = dml.create(
                "Contact",
                {key: values.get(key) for key in _CONTACT_FIELDS}
                | {"AccountId": account_id, "OwnerId": owner},
                ctx,
            )
        opportunity_id = None
        if create_opportunity:
            opportunity_id = _create_opportunity(
                dml, ctx, lead, account_id, contact_id, owner, opportunity_name
            )
        for member in org.store.records("CampaignMember"):
            if member.values.get("LeadId") == lead.id and not member.values.get("ContactId"):
                dml.system_update(tx, member, {"ContactId": contact_id})
        for activity in [*org.store.records("Task"), *org.store.records("Event")]:
            if activity.values.get("WhoId") == lead.id:
                changes: dict[str, Any] = {"WhoId": contact_id}
                if opportunity_id and not activity.values.get("WhatId"):
                    changes["WhatId"] = opportunity_id
                dml.system_update(tx, activity, changes)
        conversion = {
            "IsConverted": True,
            "ConvertedDate": org.now().date(),
            "ConvertedAccountId": account_id,
            "ConvertedContactId": contact_id,
            "ConvertedOpportunityId": opportunity_id,
            "Status": status,
        }
        definition = dml.object_def("Lead")
        dml.save_as_platform(tx, definition, lead, {**values, **conversion}, set(conversion), ctx)
    return {"contact_id": contact_id, "account_id": account_id, "opportunity_id": opportunity_id}


_CONTACT_FIELDS = (
    "FirstName",
    "LastName",
    "Salutation",
    "Title",
    "Email",
    "Phone",
    "MobilePhone",
    "LeadSource",
    "Description",
    "HasOptedOutOfEmail",
)


def _create_opportunity(
    dml: Dml,
    ctx: WriteContext,
    lead: StoredRecord,
    account_id: str,
    contact_id: str,
    owner: str,
    name: str | None,
) -> str:
    org = dml.org
    stages = sorted(
        (r for r in org.setup_rows("OpportunityStage") if not r["IsClosed"]),
        key=lambda r: r["SortOrder"],
    )
    memberships = sorted(
        (m for m in org.store.records("CampaignMember") if m.values.get("LeadId") == lead.id),
        key=lambda m: m.values["CreatedDate"],
    )
    fields: dict[str, Any] = {
        "Name": name or f"{lead.values.get('Company') or lead.values.get('Name')}-",
        "AccountId": account_id,
        "StageName": stages[0]["ApiName"],
        "CloseDate": (org.now() + timedelta(days=30)).date().isoformat(),
        "OwnerId": owner,
        "LeadSource": lead.values.get("LeadSource"),
        "ContactId": contact_id,
    }
    if memberships:
        fields["CampaignId"] = memberships[-1].values["CampaignId"]
    opportunity_id = dml.create("Opportunity", fields, ctx)
    dml.create(
        "OpportunityContactRole",
        {"OpportunityId": opportunity_id, "ContactId": contact_id, "IsPrimary": True},
        ctx,
    )
    return opportunity_id
