"""sObject REST resources of the Salesforce stand-in, through simple-salesforce over HTTPS."""

from __future__ import annotations

import pytest
import requests
from conftest_salesforce import *  # noqa: F403
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from sandbox.salesforce import SalesforceSandbox, SalesforceSandboxConfig
from sandbox.salesforce.ids import checksum_suffix, normalize_id


def new_lead(client: Salesforce, **fields: object) -> str:
    body = {"LastName": "Lovelace", "Company": "Analytical Engines", **fields}
    return client.Lead.create(body)["id"]


def test_versions_resource_lists_the_configured_version(salesforce_sandbox: SalesforceSandbox):
    session = salesforce_sandbox.session()
    versions = session.get(f"{salesforce_sandbox.instance_url}/services/data/").json()
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert versions[-1]["version"] == "59.0"


def test_plain_http_is_not_served(salesforce_sandbox: SalesforceSandbox):
    plain = salesforce_sandbox.instance_url.replace("https://", "http://")
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.ConnectionError):
        session.get(f"{plain}/services/data/", timeout=5)


def test_create_returns_201_shape_and_record_has_system_fields(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    result = salesforce_client.Lead.create({"LastName": "Lovelace", "Company": "AE"})
    assert result["success"] is True and result["errors"] == []
    lead_id = result["id"]
    assert lead_id.startswith("00Q") and len(lead_id) == 18
    assert normalize_id(lead_id) == lead_id  # valid case-safe suffix
    record = salesforce_client.Lead.get(lead_id)
    assert record["attributes"] == {
        "type": "Lead",
        "url": f"/services/data/v59.0/sobjects/Lead/{lead_id}",
    }
    assert record["Status"] == "Open - Not Contacted"  # the LeadStatus marked IsDefault
    assert record["OwnerId"] == salesforce_sandbox.integration_user_id
    assert record["CreatedById"] == salesforce_sandbox.integration_user_id
    assert record["IsConverted"] is False and record["IsDeleted"] is False
    assert record["CreatedDate"].endswith("+0000") and "T" in record["CreatedDate"]
    assert record["Name"] == "Lovelace"
    assert salesforce_sandbox.requests[0].status == 201


def test_get_with_fields_parameter_returns_only_those(salesforce_client: Salesforce):
    lead_id = new_lead(salesforce_client, Email="ada@example.com")
    record = salesforce_client.Lead.get(lead_id, params={"fields": "email,Status"})
    assert list(record) == ["attributes", "Email", "Status"]
    with pytest.raises(SalesforceMalformedRequest) as bad:
        salesforce_client.Lead.get(lead_id, params={"fields": "Emial"})
    assert bad.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_update_returns_204_and_sends_headers(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    lead_id = new_lead(salesforce_client)
    status = salesforce_client.Lead.update(
        lead_id, {"Status": "Working - Contacted"}, headers={"Sforce-Auto-Assign": "FALSE"}
    )
    assert status == 204
    assert salesforce_sandbox.get("Lead", lead_id)["Status"] == "Working - Contacted"
    patch = salesforce_sandbox.requests[-1]
    assert patch.method == "PATCH" and patch.headers["Sforce-Auto-Assign"] == "FALSE"


def test_fifteen_char_ids_are_accepted(salesforce_client: Salesforce):
    lead_id = new_lead(salesforce_client)
    assert salesforce_client.Lead.get(lead_id[:15])["Id"] == lead_id


def test_restricted_picklist_refuses_unknown_status(salesforce_client: Salesforce):
    lead_id = new_lead(salesforce_client)
    with pytest.raises(SalesforceMalformedRequest) as error:
        salesforce_client.Lead.update(lead_id, {"Status": "Marketing Qualified"})
    assert error.value.status == 400
    assert error.value.content == [
        {
            "message": "Status: bad value for restricted picklist field: Marketing Qualified",
            "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "fields": ["Status"],
        }
    ]


def test_localized_lead_statuses_come_from_configuration():
    config = SalesforceSandboxConfig(
        lead_statuses=[("Nieuw", False, True), ("Gekwalificeerd", False, False),
                       ("Omgezet", True, False)],
    )  # fmt: skip
    with SalesforceSandbox(config) as sf:
        client = sf.client()
        lead_id = new_lead(client)
        assert client.Lead.get(lead_id)["Status"] == "Nieuw"
        status_field = next(f for f in client.Lead.describe()["fields"] if f["name"] == "Status")
        assert [v["value"] for v in status_field["picklistValues"]] == [
            "Nieuw", "Gekwalificeerd", "Omgezet"
        ]  # fmt: skip
        assert status_field["restrictedPicklist"] is True
        with pytest.raises(SalesforceMalformedRequest):
            client.Lead.update(lead_id, {"Status": "Open - Not Contacted"})
        rows = client.query("SELECT ApiName, IsConverted FROM LeadStatus WHERE IsConverted = true")
        assert [r["ApiName"] for r in rows["records"]] == ["Omgezet"]


def test_unknown_field_is_invalid_field(salesforce_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as error:
        salesforce_client.Lead.create({"LastName": "X", "Company": "Y", "Nope__c": 1})
    assert error.value.content[0]["errorCode"] == "INVALID_FIELD"
    assert "Nope__c" in error.value.content[0]["message"]


def test_required_and_read_only_fields(salesforce_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as missing:
        salesforce_client.Lead.create({"FirstName": "Ada"})
    assert missing.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert sorted(missing.value.content[0]["fields"]) == ["Company", "LastName"]
    lead_id = new_lead(salesforce_client)
    with pytest.raises(SalesforceMalformedRequest) as read_only:
        salesforce_client.Lead.update(lead_id, {"IsConverted": True})
    assert read_only.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_bad_values_are_refused_with_salesforce_codes(salesforce_client: Salesforce):
    lead_id = new_lead(salesforce_client)
    cases = {
        "INVALID_EMAIL_ADDRESS": {"Email": "not-an-email"},
        "STRING_TOO_LONG": {"PostalCode": "1" * 21},
        "JSON_PARSER_ERROR": {"NumberOfEmployees": "many"},
        "MALFORMED_ID": {"OwnerId": "nonsense"},
        "FIELD_INTEGRITY_EXCEPTION": {"OwnerId": lead_id},
    }
    for code, fields in cases.items():
        with pytest.raises(SalesforceMalformedRequest) as error:
            salesforce_client.Lead.update(lead_id, fields)
        assert error.value.content[0]["errorCode"] == code, fields


def test_malformed_missing_and_deleted_ids(salesforce_client: Salesforce):
    lead_id = new_lead(salesforce_client)
    bad_suffix = lead_id[:15] + ("AAA" if checksum_suffix(lead_id[:15]) != "AAA" else "BBB")
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        salesforce_client.Lead.get(bad_suffix)
    assert malformed.value.content[0]["errorCode"] == "MALFORMED_ID"
    with pytest.raises(SalesforceResourceNotFound) as missing:
        salesforce_client.Lead.get("00Q000000000000")
    assert missing.value.content[0]["errorCode"] == "NOT_FOUND"
    assert salesforce_client.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as deleted:
        salesforce_client.Lead.update(lead_id, {"FirstName": "Ada"})
    assert deleted.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_upsert_by_external_id_creates_then_updates(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_sandbox.add_custom_field("Lead", "HubSpot_Id__c", external_id=True)
    lead = salesforce_client.Lead
    created = lead.upsert(
        "HubSpot_Id__c/hs-1", {"LastName": "A", "Company": "B"}, raw_response=True
    )
    assert created.status_code == 201 and created.json()["created"] is True
    updated = lead.upsert("HubSpot_Id__c/hs-1", {"FirstName": "Ada"}, raw_response=True)
    assert updated.status_code == 200 and updated.json()["created"] is False
    assert updated.json()["id"] == created.json()["id"]
    assert lead.get_by_custom_id("HubSpot_Id__c", "hs-1")["FirstName"] == "Ada"
    with pytest.raises(SalesforceResourceNotFound):
        lead.upsert("Email/x@example.com", {"LastName": "A", "Company": "B"})


def test_describe_reports_exact_field_names(salesforce_client: Salesforce):
    fields = {f["name"]: f for f in salesforce_client.Task.describe()["fields"]}
    assert "TaskSubtype" in fields and "TaskSubType" not in fields
    assert fields["TaskSubtype"]["updateable"] is False
    assert fields["ActivityDate"]["type"] == "date"
    opportunity = {f["name"]: f for f in salesforce_client.Opportunity.describe()["fields"]}
    stages = [v["value"] for v in opportunity["StageName"]["picklistValues"]]
    assert stages[0] == "Prospecting" and "Closed Won" in stages
    assert opportunity["IsWon"]["updateable"] is False


def test_sforce_limit_info_is_parsed_into_api_usage(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_client.query("SELECT Id FROM Lead")
    salesforce_client.query("SELECT Id FROM Lead")
    usage = salesforce_client.api_usage["api-usage"]
    assert (usage.used, usage.total) == (2, 100_000)
    limits = salesforce_client.limits()
    assert limits["DailyApiRequests"] == {"Max": 100_000, "Remaining": 100_000 - 3}


def test_exhausted_daily_limit_is_403_without_retry_after():
    with SalesforceSandbox(SalesforceSandboxConfig(daily_api_limit=3)) as sf:
        client = sf.client()
        for _ in range(3):
            client.query("SELECT Id FROM Lead")
        with pytest.raises(SalesforceRefusedRequest) as refused:
            client.query("SELECT Id FROM Lead")
        assert refused.value.status == 403
        assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
        raw = sf.session().get(
            f"{sf.instance_url}/services/data/v59.0/limits",
            headers={"Authorization": f"Bearer {sf.config.session_id}"},
        )
        assert raw.status_code == 403 and "Retry-After" not in raw.headers
        assert raw.headers["Sforce-Limit-Info"] == "api-usage=3/3"


def test_bad_session_is_401_invalid_session_id(salesforce_sandbox: SalesforceSandbox):
    client = Salesforce(
        instance_url=salesforce_sandbox.instance_url,
        session_id="expired",
        session=salesforce_sandbox.session(),
        version="59.0",
    )
    with pytest.raises(SalesforceExpiredSession) as expired:
        client.query("SELECT Id FROM Lead")
    assert expired.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_newer_api_version_than_the_org_is_not_found(salesforce_sandbox: SalesforceSandbox):
    client = Salesforce(
        instance_url=salesforce_sandbox.instance_url,
        session_id=salesforce_sandbox.config.session_id,
        session=salesforce_sandbox.session(),
        version="99.0",
    )
    with pytest.raises(SalesforceResourceNotFound):
        client.query("SELECT Id FROM Lead")


def test_injected_faults_hit_matching_requests_only(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    lead_id = new_lead(salesforce_client)
    salesforce_sandbox.inject(400, "UNABLE_TO_LOCK_ROW", count=1, path_prefix="sobjects/Lead")
    salesforce_client.query("SELECT Id FROM Lead")  # not under the prefix
    with pytest.raises(SalesforceMalformedRequest) as locked:
        salesforce_client.Lead.update(lead_id, {"FirstName": "A"})
    assert locked.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert salesforce_client.Lead.update(lead_id, {"FirstName": "A"}) == 204
    salesforce_sandbox.inject(503, "SERVER_UNAVAILABLE", count=2)
    for _ in range(2):
        with pytest.raises(Exception) as unavailable:
            salesforce_client.query("SELECT Id FROM Lead")
        assert unavailable.value.status == 503


def test_duplicate_rule_blocks_or_alerts(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_sandbox.enable_duplicate_rule("Lead", "Email", block=False)
    first = new_lead(salesforce_client, Email="dup@example.com")
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        new_lead(salesforce_client, Email="DUP@example.com")
    error = duplicate.value.content[0]
    assert error["errorCode"] == "DUPLICATES_DETECTED"
    match = error["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"]
    assert match["Id"] == first
    allowed = salesforce_client.Lead.create(
        {"LastName": "B", "Company": "C", "Email": "dup@example.com"},
        headers={"Sforce-Duplicate-Rule-Header": "allowSave=true"},
    )
    assert allowed["success"] is True


def test_validation_rule_reports_custom_exception(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_sandbox.add_validation_rule(
        "Lead",
        lambda lead: (
            "Disqualified leads need a reason"
            if lead["Status"] == "Closed - Not Converted" and not lead.get("Description")
            else None
        ),
        fields=["Description"],
    )
    lead_id = new_lead(salesforce_client)
    with pytest.raises(SalesforceMalformedRequest) as invalid:
        salesforce_client.Lead.update(lead_id, {"Status": "Closed - Not Converted"})
    assert invalid.value.content == [
        {
            "message": "Disqualified leads need a reason",
            "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            "fields": ["Description"],
        }
    ]
    salesforce_client.Lead.update(
        lead_id, {"Status": "Closed - Not Converted", "Description": "No budget"}
    )
    assert salesforce_sandbox.get("Lead", lead_id)["Status"] == "Closed - Not Converted"


def test_concurrent_clients_are_served_consistently(salesforce_sandbox: SalesforceSandbox):
    from concurrent.futures import ThreadPoolExecutor

    def create(i: int) -> str:
        client = salesforce_sandbox.client()
        return client.Lead.create({"LastName": f"L{i}", "Company": "Parallel"})["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    assert sorted(r["Id"] for r in salesforce_sandbox.all("Lead")) == sorted(ids)
    assert salesforce_sandbox.api_calls_used == 40


def test_business_hours_and_holidays_are_queryable(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    from datetime import date

    weekdays = {day: ("09:00", "17:30") for day in ("Monday", "Tuesday", "Wednesday")}
    hours_id = salesforce_sandbox.add_business_hours("Amsterdam", "Europe/Amsterdam", weekdays)
    salesforce_sandbox.add_holiday("Koningsdag", date(2024, 4, 27))
    row = salesforce_client.query(
        "SELECT Id, TimeZoneSidKey, MondayStartTime, MondayEndTime, SundayStartTime "
        "FROM BusinessHours WHERE Name = 'Amsterdam'"
    )["records"][0]
    assert row["Id"] == hours_id and row["TimeZoneSidKey"] == "Europe/Amsterdam"
    assert (row["MondayStartTime"], row["MondayEndTime"]) == ("09:00:00.000Z", "17:30:00.000Z")
    assert row["SundayStartTime"] is None
    holiday = salesforce_client.query("SELECT ActivityDate, IsAllDay FROM Holiday")["records"][0]
    assert holiday["ActivityDate"] == "2024-04-27" and holiday["IsAllDay"] is True
    default = salesforce_client.query("SELECT Name FROM BusinessHours WHERE IsDefault = true")
    assert [r["Name"] for r in default["records"]] == ["Default"]


def test_lead_status_labels_differ_from_the_api_values_the_api_takes():
    config = SalesforceSandboxConfig(lead_status_labels={"Working - Contacted": "In behandeling"})
    with SalesforceSandbox(config) as sf:
        client = sf.client()
        lead_id = new_lead(client)
        status_field = next(f for f in client.Lead.describe()["fields"] if f["name"] == "Status")
        working = next(v for v in status_field["picklistValues"] if v["label"] == "In behandeling")
        assert working["value"] == "Working - Contacted"
        rows = client.query("SELECT ApiName, MasterLabel FROM LeadStatus WHERE SortOrder = 2")
        assert rows["records"][0]["MasterLabel"] == "In behandeling"
        with pytest.raises(SalesforceMalformedRequest):  # the label is no value
            client.Lead.update(lead_id, {"Status": "In behandeling"})
        client.Lead.update(lead_id, {"Status": "Working - Contacted"})
        assert client.Lead.get(lead_id)["Status"] == "Working - Contacted"
    with pytest.raises(ValueError, match="names no lead status"):
        SalesforceSandboxConfig(lead_status_labels={"Nope": "Nee"}).validate()
