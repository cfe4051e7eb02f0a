"""Platform rules of the Salesforce stand-in: assignment, conversion, opportunities, campaigns,
tasks, owners and campaign influence, exercised through simple-salesforce where the API is used.
"""

from __future__ import annotations

import pytest
from conftest_salesforce import *  # noqa: F403
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import SalesforceApiError, SalesforceSandbox, SalesforceSandboxConfig


def code_of(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SalesforceMalformedRequest) as error:
        call()
    return error.value.content[0]["errorCode"]


def test_assignment_rule_reruns_on_update_unless_auto_assign_false(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    rita = salesforce_sandbox.add_user("Rita Rep", "rita@example.com")
    nurture = salesforce_sandbox.add_queue("Nurture")
    salesforce_sandbox.set_assignment_rule(lambda lead: rita if lead["Country"] == "NL" else None)
    lead_id = salesforce_client.Lead.create({"LastName": "A", "Company": "B", "Country": "NL"})[
        "id"
    ]
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == rita  # rule ran on create
    salesforce_client.Lead.update(
        lead_id, {"OwnerId": nurture}, headers={"Sforce-Auto-Assign": "FALSE"}
    )
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == nurture
    salesforce_client.Lead.update(lead_id, {"Status": "Working - Contacted"})  # header absent
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == rita  # rule re-ran
    salesforce_client.Lead.update(
        lead_id, {"OwnerId": nurture}, headers={"Sforce-Auto-Assign": "TRUE"}
    )
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == rita  # even over an explicit owner


def test_assignment_rule_default_owner_and_ui_edits(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    default_queue = salesforce_sandbox.add_queue("Unassigned")
    salesforce_sandbox.set_assignment_rule(lambda lead: None, default_owner_id=default_queue)
    lead_id = salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B"})
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == salesforce_sandbox.admin_user_id
    salesforce_client.Lead.update(lead_id, {"Title": "CTO"})
    assert salesforce_sandbox.get("Lead", lead_id)["OwnerId"] == default_queue


def test_converted_lead_is_read_only_and_points_to_new_records(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    campaign = salesforce_sandbox.ui_create("Campaign", {"Name": "Webinar"})
    lead_id = salesforce_sandbox.ui_create(
        "Lead", {"LastName": "Ada", "Company": "AE", "Email": "ada@example.com"}
    )
    member = salesforce_sandbox.ui_create(
        "CampaignMember", {"CampaignId": campaign, "LeadId": lead_id}
    )
    result = salesforce_sandbox.ui_convert_lead(lead_id)
    lead = salesforce_client.Lead.get(lead_id)
    assert lead["IsConverted"] is True and lead["Status"] == "Closed - Converted"
    assert lead["ConvertedContactId"] == result["contact_id"]
    assert lead["ConvertedAccountId"] == result["account_id"]
    assert lead["ConvertedOpportunityId"] == result["opportunity_id"]
    assert len(lead["ConvertedDate"]) == 10  # a date, not a datetime
    with pytest.raises(SalesforceMalformedRequest) as refused:
        salesforce_client.Lead.update(lead_id, {"Status": "Working - Contacted"})
    assert refused.value.content[0] == {
        "message": "cannot reference converted lead",
        "errorCode": "CANNOT_UPDATE_CONVERTED_LEAD",
        "fields": [],
    }
    contact = salesforce_sandbox.get("Contact", result["contact_id"])
    assert contact["Email"] == "ada@example.com" and contact["AccountId"] == result["account_id"]
    opportunity = salesforce_sandbox.get("Opportunity", result["opportunity_id"])
    assert opportunity["CampaignId"] == campaign and opportunity["IsClosed"] is False
    assert salesforce_sandbox.get("CampaignMember", member)["ContactId"] == result["contact_id"]
    roles = salesforce_client.query(
        f"SELECT ContactId, IsPrimary FROM OpportunityContactRole "
        f"WHERE OpportunityId = '{result['opportunity_id']}'"
    )["records"]
    assert [(r["ContactId"], r["IsPrimary"]) for r in roles] == [(result["contact_id"], True)]


def test_opportunity_derives_won_and_closed_from_stage(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    assert code_of(lambda: salesforce_client.Opportunity.create({"Name": "D"})) == (
        "REQUIRED_FIELD_MISSING"
    )
    opp = salesforce_client.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30", "Amount": 1000.5}
    )["id"]
    record = salesforce_sandbox.get("Opportunity", opp)
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (False, False, 10)
    salesforce_client.Opportunity.update(opp, {"StageName": "Closed Won"})
    record = salesforce_sandbox.get("Opportunity", opp)
    assert (record["IsClosed"], record["IsWon"], record["Probability"]) == (True, True, 100)
    assert code_of(lambda: salesforce_client.Opportunity.update(opp, {"IsWon": False})) == (
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    )
    assert code_of(lambda: salesforce_client.Opportunity.update(opp, {"StageName": "Won"})) == (
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    )


def test_amount_update_is_ignored_when_the_opportunity_has_products(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    opp = salesforce_sandbox.ui_create(
        "Opportunity", {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-06-30"}
    )
    salesforce_sandbox.ui_create(
        "OpportunityLineItem", {"OpportunityId": opp, "Quantity": 2, "UnitPrice": 150}
    )
    assert salesforce_sandbox.get("Opportunity", opp)["Amount"] == 300.0
    assert salesforce_client.Opportunity.update(opp, {"Amount": 999}) == 204  # silently ignored
    record = salesforce_sandbox.get("Opportunity", opp)
    assert record["Amount"] == 300.0 and record["HasOpportunityLineItem"] is True


def test_campaign_member_status_drives_has_responded(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    campaign = salesforce_sandbox.ui_create("Campaign", {"Name": "Webinar"})
    lead_id = salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B"})
    member = salesforce_client.CampaignMember.create({"CampaignId": campaign, "LeadId": lead_id})[
        "id"
    ]
    record = salesforce_sandbox.get("CampaignMember", member)
    assert (record["Status"], record["HasResponded"], record["FirstRespondedDate"]) == (
        "Sent", False, None
    )  # fmt: skip
    assert code_of(lambda: salesforce_client.CampaignMember.update(member, {"HasResponded": True}))
    salesforce_client.CampaignMember.update(member, {"Status": "Responded"})
    record = salesforce_sandbox.get("CampaignMember", member)
    assert record["HasResponded"] is True and len(record["FirstRespondedDate"]) == 10
    assert (
        code_of(
            lambda: salesforce_client.CampaignMember.create(
                {"CampaignId": campaign, "LeadId": lead_id}
            )
        )
        == "DUPLICATE_VALUE"
    )
    assert code_of(
        lambda: salesforce_client.CampaignMember.update(member, {"Status": "Attended"})
    ) == ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")


def test_task_fields_and_completion(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    lead_id = salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B"})
    task = salesforce_client.Task.create(
        {"WhoId": lead_id, "Subject": "Call", "TaskSubtype": "Call", "ActivityDate": "2024-05-02"}
    )["id"]
    record = salesforce_client.Task.get(task)
    assert record["TaskSubtype"] == "Call" and "TaskSubType" not in record
    assert record["Status"] == "Not Started" and record["IsClosed"] is False
    assert record["ActivityDate"] == "2024-05-02" and record["CompletedDateTime"] is None
    assert code_of(lambda: salesforce_client.Task.update(task, {"TaskSubtype": "Email"})) == (
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    )
    assert code_of(
        lambda: salesforce_client.Task.update(task, {"ActivityDate": "2024-05-02T10:00:00Z"})
    )
    salesforce_client.Task.update(task, {"Status": "Completed"})
    record = salesforce_sandbox.get("Task", task)
    assert record["IsClosed"] is True and record["CompletedDateTime"].endswith("+0000")


def test_an_event_keeps_its_start_twice_and_derives_end_or_duration(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    lead_id = salesforce_client.Lead.create({"LastName": "Meet", "Company": "Acme"})["id"]
    event = salesforce_client.Event.create(
        {"WhoId": lead_id, "Subject": "Intro", "StartDateTime": "2024-05-02T10:00:00Z",
         "DurationInMinutes": 45}
    )["id"]  # fmt: skip
    record = salesforce_client.Event.get(event)
    assert record["ActivityDateTime"] == record["StartDateTime"] == "2024-05-02T10:00:00.000+0000"
    assert record["EndDateTime"] == "2024-05-02T10:45:00.000+0000"
    assert record["ActivityDate"] == "2024-05-02" and record["EventSubtype"] == "Event"
    salesforce_client.Event.update(event, {"EndDateTime": "2024-05-02T11:30:00Z"})
    assert salesforce_sandbox.get("Event", event)["DurationInMinutes"] == 90
    assert code_of(lambda: salesforce_client.Event.create({"WhoId": lead_id})) == (
        "REQUIRED_FIELD_MISSING"
    )
    timed = {"WhoId": lead_id, "StartDateTime": "2024-05-02T10:00:00Z"}
    assert code_of(lambda: salesforce_client.Event.create(timed)) == "REQUIRED_FIELD_MISSING"
    rows = salesforce_client.query(f"SELECT Id FROM Event WHERE WhoId = '{lead_id}'")["records"]
    assert [row["Id"] for row in rows] == [event]


def test_owners_must_be_active_users_or_lead_queues(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    boss = salesforce_sandbox.add_user("Bea Boss", "bea@example.com", is_active=False)
    rep = salesforce_sandbox.add_user("Rita Rep", "rita@example.com", manager_id=boss)
    queue = salesforce_sandbox.add_queue("Nurture")
    user = salesforce_client.query(
        f"SELECT Manager.Name, Manager.IsActive FROM User WHERE Id = '{rep}'"
    )["records"][0]
    assert user["Manager"]["Name"] == "Bea Boss" and user["Manager"]["IsActive"] is False
    assert (
        code_of(
            lambda: salesforce_client.Lead.create(
                {"LastName": "A", "Company": "B", "OwnerId": boss}
            )
        )
        == "INACTIVE_OWNER_OR_USER"
    )
    opportunity = {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-06-30"}
    assert (
        code_of(lambda: salesforce_client.Opportunity.create({**opportunity, "OwnerId": queue}))
        == "FIELD_INTEGRITY_EXCEPTION"
    )
    assert salesforce_client.Lead.create({"LastName": "A", "Company": "B", "OwnerId": queue})[
        "success"
    ]


def test_primary_contact_role_is_unique(salesforce_sandbox: SalesforceSandbox):
    opp = salesforce_sandbox.ui_create(
        "Opportunity", {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-06-30"}
    )
    first, second = (salesforce_sandbox.ui_create("Contact", {"LastName": n}) for n in "AB")
    role_a = salesforce_sandbox.ui_create(
        "OpportunityContactRole", {"OpportunityId": opp, "ContactId": first, "IsPrimary": True}
    )
    salesforce_sandbox.ui_create(
        "OpportunityContactRole", {"OpportunityId": opp, "ContactId": second, "IsPrimary": True}
    )
    assert salesforce_sandbox.get("OpportunityContactRole", role_a)["IsPrimary"] is False


def test_campaign_influence_only_in_custom_models(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    campaign = salesforce_sandbox.ui_create("Campaign", {"Name": "Webinar"})
    opp = salesforce_sandbox.ui_create(
        "Opportunity",
        {"Name": "D", "StageName": "Prospecting", "CloseDate": "2024-06-30", "Amount": 2000},
    )
    models = salesforce_client.query(
        "SELECT Id, DeveloperName, IsDefaultModel FROM CampaignInfluenceModel"
    )["records"]
    primary = next(m["Id"] for m in models if m["DeveloperName"] == "primaryModel")
    row = {"CampaignId": campaign, "OpportunityId": opp, "Influence": 40}
    assert (
        code_of(lambda: salesforce_client.CampaignInfluence.create({**row, "ModelId": primary}))
        == "FIELD_INTEGRITY_EXCEPTION"
    )
    custom = salesforce_sandbox.add_influence_model("Baton_W_Shaped")
    influence = salesforce_client.CampaignInfluence.create({**row, "ModelId": custom})["id"]
    assert salesforce_sandbox.get("CampaignInfluence", influence)["RevenueShare"] == 800.0
    assert (
        code_of(lambda: salesforce_client.CampaignInfluence.update(influence, {"RevenueShare": 1}))
        == "INVALID_FIELD_FOR_INSERT_UPDATE"
    )


def test_campaign_influence_absent_when_disabled():
    with SalesforceSandbox(SalesforceSandboxConfig(campaign_influence_enabled=False)) as sf:
        client = sf.client()
        with pytest.raises(SalesforceMalformedRequest) as error:
            client.query("SELECT Id FROM CampaignInfluence")
        assert error.value.content[0]["errorCode"] == "INVALID_TYPE"


def test_ui_errors_raise_salesforce_api_error(salesforce_sandbox: SalesforceSandbox):
    with pytest.raises(SalesforceApiError) as error:
        salesforce_sandbox.ui_create("Lead", {"LastName": "No company"})
    assert error.value.error_code == "REQUIRED_FIELD_MISSING"
