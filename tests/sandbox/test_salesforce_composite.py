"""sObject Collections and Composite requests of the Salesforce stand-in via simple-salesforce."""

from __future__ import annotations

import pytest
from conftest_salesforce import *  # noqa: F403
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce import SalesforceSandbox


def lead_rows(n: int, **extra: object) -> list[dict]:
    return [
        {"attributes": {"type": "Lead"}, "LastName": f"L{i}", "Company": "Acme", **extra}
        for i in range(n)
    ]


def test_collection_of_201_records_is_refused(salesforce_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as refused:
        salesforce_client.restful(
            "composite/sobjects", method="POST", json={"records": lead_rows(201)}
        )
    assert refused.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    created = salesforce_client.restful(
        "composite/sobjects", method="POST", json={"records": lead_rows(200)}
    )
    assert len(created) == 200 and all(row["success"] for row in created)


def test_collection_counts_one_api_call(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_client.restful("composite/sobjects", method="POST", json={"records": lead_rows(50)})
    assert salesforce_sandbox.api_calls_used == 1
    assert salesforce_sandbox.requests[-1].n_records == 50
    assert len(salesforce_sandbox.all("Lead")) == 50


def test_mixed_update_results_are_200_with_status_codes(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    good = salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B"})
    rows = [
        {"attributes": {"type": "Lead"}, "id": good, "Status": "Working - Contacted"},
        {"attributes": {"type": "Lead"}, "id": "garbage", "Status": "Working - Contacted"},
        {"attributes": {"type": "Lead"}, "id": good, "Status": "Nope"},
    ]
    results = salesforce_client.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": False, "records": rows}
    )
    assert salesforce_sandbox.requests[-1].status == 200
    assert results[0] == {"id": good, "success": True, "errors": []}
    assert results[1]["success"] is False
    assert results[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert "errorCode" not in results[1]["errors"][0]
    assert results[2]["errors"][0] == {
        "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        "message": "Status: bad value for restricted picklist field: Nope",
        "fields": ["Status"],
    }
    assert salesforce_sandbox.get("Lead", good)["Status"] == "Working - Contacted"


def test_all_or_none_rolls_back_every_row(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    rows = [*lead_rows(2), {"attributes": {"type": "Lead"}, "LastName": "No company"}]
    results = salesforce_client.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": rows}
    )
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert salesforce_sandbox.all("Lead") == []


def test_collection_rows_need_a_type_and_updates_need_an_id(salesforce_client: Salesforce):
    results = salesforce_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [{"LastName": "x"}, {"attributes": {"type": "Lead"}, "LastName": "y"}]},
    )
    assert results[0]["errors"][0]["statusCode"] == "INVALID_TYPE"
    assert results[1]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"


def test_collection_retrieve_and_delete(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    a = salesforce_sandbox.ui_create("Lead", {"LastName": "A", "Company": "B", "Email": "a@b.co"})
    missing = "00Q000000000000"
    records = salesforce_client.restful(
        "composite/sobjects/Lead", params={"ids": f"{a},{missing}", "fields": "Email"}
    )
    assert records[0]["Email"] == "a@b.co" and records[1] is None
    deleted = salesforce_client.restful(
        "composite/sobjects", method="DELETE", params={"ids": f"{a},{a}"}
    )
    assert deleted[0] == {"id": a, "success": True, "errors": []}
    assert deleted[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_composite_with_references_is_one_call(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    body = {
        "compositeRequest": [
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Account",
                "referenceId": "acct",
                "body": {"Name": "Acme"},
            },
            {
                "method": "POST",
                "url": "/services/data/v59.0/sobjects/Contact",
                "referenceId": "buyer",
                "body": {"LastName": "Buyer", "AccountId": "@{acct.id}"},
            },
            {
                "method": "GET",
                "url": "/services/data/v59.0/query/?q=SELECT+Id,AccountId+FROM+Contact",
                "referenceId": "found",
            },
            {
                "method": "PATCH",
                "url": "/services/data/v59.0/sobjects/Contact/@{found.records[0].Id}",
                "referenceId": "touch",
                "body": {"Title": "CFO"},
            },
        ]
    }
    result = salesforce_client.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [201, 201, 200, 204]
    account_id = result[0]["body"]["id"]
    assert result[0]["httpHeaders"]["Location"].endswith(f"/sobjects/Account/{account_id}")
    contact = salesforce_sandbox.get("Contact", result[1]["body"]["id"])
    assert contact["AccountId"] == account_id and contact["Title"] == "CFO"
    assert salesforce_sandbox.api_calls_used == 1


def test_composite_all_or_none_halts_and_rolls_back(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    body = {
        "allOrNone": True,
        "compositeRequest": [
            {"method": "POST", "url": "/services/data/v59.0/sobjects/Account",
             "referenceId": "ok", "body": {"Name": "Acme"}},
            {"method": "POST", "url": "/services/data/v59.0/sobjects/Lead",
             "referenceId": "bad", "body": {"LastName": "No company"}},
            {"method": "POST", "url": "/services/data/v59.0/sobjects/Account",
             "referenceId": "later", "body": {"Name": "Never"}},
        ],
    }  # fmt: skip
    result = salesforce_client.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [400, 400, 400]
    assert result[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert result[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert result[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert salesforce_sandbox.all("Account") == []


def test_composite_without_all_or_none_keeps_independent_work(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    body = {
        "compositeRequest": [
            {"method": "POST", "url": "/services/data/v59.0/sobjects/Lead",
             "referenceId": "bad", "body": {"LastName": "No company"}},
            {"method": "PATCH", "url": "/services/data/v59.0/sobjects/Lead/@{bad.id}",
             "referenceId": "dependent", "body": {"FirstName": "x"}},
            {"method": "POST", "url": "/services/data/v59.0/sobjects/Account",
             "referenceId": "independent", "body": {"Name": "Kept"}},
        ],
    }  # fmt: skip
    result = salesforce_client.restful("composite", method="POST", json=body)["compositeResponse"]
    assert [r["httpStatusCode"] for r in result] == [400, 400, 201]
    assert result[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert [a["Name"] for a in salesforce_sandbox.all("Account")] == ["Kept"]


def test_composite_limits_subrequests(salesforce_client: Salesforce):
    subrequests = [
        {"method": "GET", "url": "/services/data/v59.0/limits", "referenceId": f"r{i}"}
        for i in range(26)
    ]
    with pytest.raises(SalesforceMalformedRequest):
        salesforce_client.restful(
            "composite", method="POST", json={"compositeRequest": subrequests}
        )
    queries = [
        {"method": "GET", "url": "/services/data/v59.0/query?q=SELECT+Id+FROM+Lead",
         "referenceId": f"q{i}"}
        for i in range(6)
    ]  # fmt: skip
    with pytest.raises(SalesforceMalformedRequest):
        salesforce_client.restful("composite", method="POST", json={"compositeRequest": queries})


def test_injected_row_errors_fail_single_rows(
    salesforce_client: Salesforce, salesforce_sandbox: SalesforceSandbox
):
    salesforce_sandbox.inject_row_errors("UNABLE_TO_LOCK_ROW", count=1, sobject="Lead")
    results = salesforce_client.restful(
        "composite/sobjects", method="POST", json={"records": lead_rows(3)}
    )
    assert [r["success"] for r in results] == [False, True, True]
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert len(salesforce_sandbox.all("Lead")) == 2
