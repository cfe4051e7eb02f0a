"""What `baton doctor` and `baton setup` read from and create in a Salesforce org.

Describe (fields and picklist values as the integration user sees them), Lead Status values,
users and queues, ``/limits``, and custom fields through the Tooling API's ``CustomField``
(create + query). Every call goes through :class:`SalesforceClient` (metered, rate-limited,
errors as :class:`~adapters.errors.CrmCallError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote as url_quote

from adapters.batching import chunked
from adapters.errors import CrmCallError
from adapters.salesforce import soql
from adapters.salesforce.client import SalesforceClient


class SalesforceAdmin:
    """Schema, people and limits of one org, for set-up and health checks."""

    def __init__(self, client: SalesforceClient) -> None:
        self.client = client

    def limits(self) -> dict[str, dict[str, int]]:
        """GET /limits: ``{"DailyApiRequests": {"Max": …, "Remaining": …}, …}``."""
        sf = self.client.sf
        return dict(self.client.call(sf.limits))

    def organization_id(self) -> str:
        """The org's id (00D…): outbound messages carry it, the allow-list must hold it."""
        rows = self.client.query_all("SELECT Id FROM Organization")
        return str(rows[0]["Id"])

    def describe(self, sobject: str) -> dict[str, dict[str, Any]]:
        """Field name → ``{"type", "label", "picklist": [(value, label, active)],
        "externalId"}``."""
        sf = self.client.sf
        answer = self.client.call(getattr(sf, soql.identifier(sobject)).describe)
        return {
            str(f["name"]): {
                "type": f.get("type"),
                "label": f.get("label"),
                "picklist": [
                    (
                        str(v.get("value")),
                        str(v.get("label") or v.get("value")),
                        bool(v.get("active")),
                    )
                    for v in f.get("picklistValues") or []
                ],
                "externalId": bool(f.get("externalId")),
            }
            for f in answer.get("fields", [])
        }

    def lead_statuses(self) -> list[tuple[str, str]]:
        """The org's Lead Status values as (API name, label), in picklist order."""
        rows = self.client.query_all(
            "SELECT ApiName, MasterLabel FROM LeadStatus ORDER BY SortOrder"
        )
        return [
            (str(r.get("ApiName") or r.get("MasterLabel")), str(r.get("MasterLabel") or ""))
            for r in rows
        ]

    def influence_model(self, developer_name: str) -> str | None:
        """The CampaignInfluenceModel's Id by DeveloperName (None: no such model, or the
        feature is off and the object does not exist)."""
        where = f"DeveloperName = {soql.quote(developer_name)}"
        try:
            rows = self.client.query_all(soql.select("CampaignInfluenceModel", [], where))
        except CrmCallError as exc:
            if exc.error_code == "INVALID_TYPE":
                return None
            raise
        return str(rows[0]["Id"]) if rows else None

    def users(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """User id (15-character key) → ``{"IsActive", "ManagerId"}`` for those that exist."""
        return self._by_id("User", ["IsActive", "ManagerId"], ids)

    def queues(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Queue id (15-character key) → its row, for the ids that are lead queues."""
        rows = self._by_id("Group", ["Type"], ids)
        return {key: row for key, row in rows.items() if row.get("Type") == "Queue"}

    def custom_fields(self) -> set[str]:
        """``Object.Field__c`` of every custom field (Tooling API query on CustomField)."""
        sf = self.client.sf
        query = "SELECT DeveloperName, TableEnumOrId FROM CustomField"
        answer = self.client.call(
            lambda: sf.toolingexecute("query/?q=" + url_quote(query, safe=""))
        )
        return {
            f"{row['TableEnumOrId']}.{row['DeveloperName']}__c" for row in answer.get("records", [])
        }

    def create_custom_field(self, full_name: str, metadata: Mapping[str, Any]) -> str:
        """POST tooling/sobjects/CustomField; returns the new field's id (00N…)."""
        sf = self.client.sf
        body = {"FullName": full_name, "Metadata": dict(metadata)}
        answer = self.client.call(
            lambda: sf.toolingexecute("sobjects/CustomField/", method="POST", data=body)
        )
        return str(answer.get("id"))

    def permission_set_id(self, name: str) -> str | None:
        """The Id of the permission set with this API name (None: none such)."""
        where = f"Name = {soql.quote(name)}"
        rows = self.client.query_all(soql.select("PermissionSet", [], where))
        return str(rows[0]["Id"]) if rows else None

    def is_assigned(self, permission_set_id: str, user_id: str) -> bool:
        """Whether the permission set is assigned to the user."""
        where = (
            f"PermissionSetId = {soql.quote(soql.record_id(permission_set_id))} AND "
            f"AssigneeId = {soql.quote(soql.record_id(user_id))}"
        )
        return bool(self.client.query_all(soql.select("PermissionSetAssignment", [], where)))

    def create_permission_set(self, name: str, label: str) -> str:
        """POST sobjects/PermissionSet; returns its Id."""
        sf = self.client.sf
        answer = self.client.call(lambda: sf.PermissionSet.create({"Name": name, "Label": label}))
        return str(answer["id"])

    def assign_permission_set(self, name: str, user_id: str) -> None:
        """POST sobjects/PermissionSetAssignment of the named set to ``user_id``."""
        sf = self.client.sf
        body = {"PermissionSetId": self._permission_set(name), "AssigneeId": user_id}
        self.client.call(lambda: sf.PermissionSetAssignment.create(body))

    def grant_field(self, name: str, sobject: str, field: str) -> None:
        """POST sobjects/FieldPermissions: read and edit on ``field`` (``Lead.X__c``)."""
        sf = self.client.sf
        body = {
            "ParentId": self._permission_set(name),
            "SobjectType": sobject,
            "Field": field,
            "PermissionsRead": True,
            "PermissionsEdit": True,
        }
        self.client.call(lambda: sf.FieldPermissions.create(body))

    def _permission_set(self, name: str) -> str:
        found = self.permission_set_id(name)
        if found is None:
            raise ValueError(f"no permission set {name}")
        return found

    def _by_id(
        self, sobject: str, fields: Sequence[str], ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        wanted = list(dict.fromkeys(soql.record_id(i) for i in ids))
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunked(wanted, soql.IDS_PER_QUERY):
            query = soql.select(sobject, fields, soql.in_list("Id", chunk))
            for row in self.client.query_all(query):
                found[str(row["Id"])[:15]] = row
        return found
