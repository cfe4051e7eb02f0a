"""The set-up endpoints of the stand-ins, through the official clients."""

from __future__ import annotations

import pytest
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate
from hubspot.crm.properties.exceptions import ApiException
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig
from sandbox.salesforce import SalesforceSandbox


def test_hubspot_groups_token_info_and_group_checked_on_create() -> None:
    with HubSpotSandbox(HubSpotSandboxConfig(scopes=("crm.objects.contacts.read",))) as hs:
        client = hs.client()
        groups = client.crm.properties.groups_api
        body = PropertyCreate(
            name="x_one", label="X", type="string", field_type="text", group_name="nope"
        )
        with pytest.raises(ApiException) as refused:
            client.crm.properties.core_api.create("contacts", body)
        assert refused.value.status == 400 and "Create the group first" in refused.value.body
        groups.create("contacts", PropertyGroupCreate(name="baton", label="Baton"))
        with pytest.raises(ApiException) as duplicate:
            groups.create("contacts", PropertyGroupCreate(name="baton", label="Baton"))
        assert duplicate.value.status == 409
        assert "baton" in {g.name for g in groups.get_all("contacts").results}
        body.group_name = "baton"
        client.crm.properties.core_api.create("contacts", body)
        answer = client.api_request(
            {
                "method": "POST",
                "base_url": hs.base_url,
                "path": "/oauth/v2/private-apps/get/access-token-info",
                "body": {"tokenKey": hs.config.access_token},
            }
        )
        assert answer.json() == {
            "userId": 1,
            "hubId": 62515,
            "appId": 54321,
            "scopes": ["crm.objects.contacts.read"],
        }
        assert answer.headers["X-HubSpot-RateLimit-Daily"] == "625000"


def test_salesforce_tooling_custom_field_create_query_and_describe() -> None:
    with SalesforceSandbox() as sf:
        client = sf.client()
        meta = {"label": "HubSpot Id", "type": "Text", "length": 40, "externalId": True}
        created = client.toolingexecute(
            "sobjects/CustomField/",
            method="POST",
            data={"FullName": "Lead.HS_Id__c", "Metadata": meta},
        )
        assert created["success"] is True and created["id"].startswith("00N")
        with pytest.raises(SalesforceMalformedRequest) as duplicate:
            client.toolingexecute(
                "sobjects/CustomField/",
                method="POST",
                data={"FullName": "Lead.HS_Id__c", "Metadata": meta},
            )
        assert duplicate.value.content[0]["errorCode"] == "DUPLICATE_VALUE"
        rows = client.toolingexecute(
            "query/?q=SELECT+Id,+DeveloperName+FROM+CustomField+WHERE+TableEnumOrId+=+'Lead'"
        )["records"]
        assert {"Id": created["id"], "DeveloperName": "HS_Id"} in [
            {k: r[k] for k in ("Id", "DeveloperName")} for r in rows
        ]
        # hidden from every user until field-level security grants it, as in a real org
        assert "HS_Id__c" not in {f["name"] for f in client.Lead.describe()["fields"]}
        with pytest.raises(SalesforceMalformedRequest):
            client.query("SELECT Id, HS_Id__c FROM Lead")
        permission_set = client.PermissionSet.create({"Name": "Baton", "Label": "Baton"})["id"]
        client.PermissionSetAssignment.create(
            {"PermissionSetId": permission_set, "AssigneeId": sf.integration_user_id}
        )
        grant = {"ParentId": permission_set, "SobjectType": "Lead", "Field": "Lead.HS_Id__c"}
        with pytest.raises(SalesforceMalformedRequest) as edit_only:
            client.FieldPermissions.create({**grant, "PermissionsEdit": True})
        assert "depends on permission(s): Read" in str(edit_only.value.content)
        granted = client.FieldPermissions.create(
            {**grant, "PermissionsRead": True, "PermissionsEdit": True}
        )["id"]
        field = next(f for f in client.Lead.describe()["fields"] if f["name"] == "HS_Id__c")
        assert field["externalId"] is True and field["length"] == 40
        assert client.query("SELECT Id, HS_Id__c FROM Lead")["done"] is True
        client.FieldPermissions.delete(granted)
        assert "HS_Id__c" not in {f["name"] for f in client.Lead.describe()["fields"]}
        with pytest.raises(SalesforceMalformedRequest):
            client.toolingexecute(
                "sobjects/CustomField/",
                method="POST",
                data={
                    "FullName": "Lead.Bad__c",
                    "Metadata": {"label": "B", "type": "Text", "length": 999},
                },
            )
        assert client.limits()["DailyApiRequests"]["Max"] == sf.config.daily_api_limit
