"""SalesforceReader: current records for the rules via SOQL, plus the org's LeadStatus values.

Ids are read in chunks (``WHERE Id IN (...)``, 200 a query); e-mail lookups use SOQL equality,
which Salesforce compares case-insensitively. Every value is validated or quoted (``soql.py``).
A read that still fails after the in-call retries raises
:class:`~adapters.retrying.CallFailed`, so the worker retries the event instead of deciding on
missing data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from adapters.batching import chunked
from adapters.retrying import CallFailed, RetryPolicy
from adapters.salesforce import soql
from adapters.salesforce.client import SalesforceClient
from adapters.salesforce.sobject_collections import salesforce_call
from connector.commands import System
from connector.ports import CrmRecord

log = logging.getLogger(__name__)
#: field labels change rarely (an admin renames one): read them at most hourly per object
LABELS_TTL_S = 3600.0


@dataclass(frozen=True, slots=True)
class LeadStatusValue:
    """One value of the org's Lead Status picklist (customisable and localisable per org)."""

    api_name: str
    label: str
    is_converted: bool
    is_default: bool
    sort_order: int


class SalesforceReader:
    """CrmReader for Salesforce."""

    system = System.SALESFORCE

    def __init__(self, client: SalesforceClient, *, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()
        self._labels: dict[str, tuple[float, dict[str, str]]] = {}

    def read(
        self, object_type: str, object_ids: Sequence[str], fields: Sequence[str]
    ) -> dict[str, CrmRecord]:
        """Records that exist, keyed by the id as asked (15- or 18-character form; a record
        asked in both forms is answered under both)."""
        asked = list(dict.fromkeys(soql.record_id(i) for i in object_ids))
        by_prefix: dict[str, list[str]] = {}
        for record_id in asked:
            by_prefix.setdefault(record_id[:15], []).append(record_id)
        found: dict[str, CrmRecord] = {}
        policy = self.policy.for_one_batch()
        for chunk in chunked([forms[0] for forms in by_prefix.values()], soql.IDS_PER_QUERY):
            query = soql.select(object_type, fields, soql.in_list("Id", chunk))
            for row in self._query(query, policy):
                for key in by_prefix.get(str(row["Id"])[:15], []):
                    found[key] = CrmRecord(object_type, key, row)
        return found

    def find_by_email(self, object_type: str, email: str, fields: Sequence[str]) -> list[CrmRecord]:
        """Records whose ``Email`` equals ``email`` (Salesforce compares case-insensitively)."""
        value = _check_email(email)
        query = soql.select(object_type, [*fields, "Email"], f"Email = {soql.quote(value)}")
        return [CrmRecord(object_type, str(row["Id"]), row) for row in self._query(query)]

    def find_by_emails(
        self, object_type: str, emails: Sequence[str], fields: Sequence[str]
    ) -> dict[str, list[CrmRecord]]:
        """``find_by_email`` for many addresses in one query per 200 (``Email IN (...)``),
        keyed by each address as asked; Salesforce compares them case-insensitively."""
        by_lower: dict[str, list[str]] = {}
        for value in dict.fromkeys(emails):
            by_lower.setdefault(_check_email(value).lower(), []).append(value)
        found: dict[str, list[CrmRecord]] = {v: [] for values in by_lower.values() for v in values}
        policy = self.policy.for_one_batch()
        for chunk in chunked(list(by_lower), soql.IDS_PER_QUERY):
            query = soql.select(object_type, [*fields, "Email"], soql.in_list("Email", chunk))
            for row in self._query(query, policy):
                for value in by_lower.get(str(row.get("Email") or "").lower(), []):
                    found[value].append(CrmRecord(object_type, str(row["Id"]), row))
        return found

    def contacts_of_opportunity(self, opportunity_id: str) -> list[str]:
        """Contact ids with a role on the opportunity (OpportunityContactRole), primary first."""
        where = f"OpportunityId = {soql.quote(soql.record_id(opportunity_id))}"
        rows = self._query(
            soql.select("OpportunityContactRole", ["ContactId", "IsPrimary"], where)
            + " ORDER BY IsPrimary DESC"
        )
        return [str(row["ContactId"]) for row in rows if row.get("ContactId")]

    def activities_of(self, who_id: str) -> list[CrmRecord]:
        """The Tasks and Events logged on a Lead or Contact, oldest first (the SLA re-checks
        touches at a deadline, since an outbound message can be late or lost)."""
        where = f"WhoId = {soql.quote(soql.record_id(who_id))}"
        found: list[CrmRecord] = []
        for sobject in ("Task", "Event"):
            query = soql.select(sobject, ["OwnerId", "CreatedDate", "CreatedById"], where)
            found += [CrmRecord(sobject, str(row["Id"]), row) for row in self._query(query)]
        return sorted(found, key=lambda record: str(record.fields.get("CreatedDate") or ""))

    def business_hours_named(self, name: str, fields: Sequence[str]) -> CrmRecord | None:
        """The active BusinessHours record called ``name`` (the SLA's per-owner calendars)."""
        where = f"Name = {soql.quote(name)} AND IsActive = true"
        rows = self._query(soql.select("BusinessHours", fields, where))
        return CrmRecord("BusinessHours", str(rows[0]["Id"]), rows[0]) if rows else None

    def holidays(self, fields: Sequence[str]) -> list[CrmRecord]:
        """The org's Holiday records (days the org is closed), by date."""
        where = "ActivityDate != null"
        rows = self._query(soql.select("Holiday", fields, where) + " ORDER BY ActivityDate")
        return [CrmRecord("Holiday", str(row["Id"]), row) for row in rows]

    def campaign_responses(self, contact_ids: Sequence[str]) -> list[dict[str, Any]]:
        """CampaignMember responses of these contacts and of the leads converted to them.

        A member row keeps its Id when its lead is converted (Salesforce adds the ContactId), so
        rows found both ways are one. Each row: Id, CampaignId, ContactId, LeadId,
        FirstRespondedDate and the campaign's Type (``Campaign.Type``).
        """
        contacts = list(dict.fromkeys(soql.record_id(i) for i in contact_ids))
        if not contacts:
            return []
        leads: list[str] = []
        for chunk in chunked(contacts, soql.IDS_PER_QUERY):
            query = soql.select(
                "Lead", ["ConvertedContactId"], soql.in_list("ConvertedContactId", chunk)
            )
            leads += [str(row["Id"]) for row in self._query(query)]
        fields = ["CampaignId", "ContactId", "LeadId", "FirstRespondedDate", "Campaign.Type"]
        rows: dict[str, dict[str, Any]] = {}
        for column, ids in (("ContactId", contacts), ("LeadId", leads)):
            for chunk in chunked(ids, soql.IDS_PER_QUERY):
                where = f"HasResponded = true AND {soql.in_list(column, chunk)}"
                for row in self._query(soql.select("CampaignMember", fields, where)):
                    campaign = row.get("Campaign")
                    kind = campaign.get("Type") if isinstance(campaign, dict) else None
                    rows[str(row["Id"])[:15]] = {
                        **{k: v for k, v in row.items() if k != "Campaign"},
                        "CampaignType": kind,
                    }
        return sorted(rows.values(), key=lambda row: str(row["Id"]))

    def field_names(self, sobject: str) -> set[str]:
        """The API names of ``sobject``'s fields in this org (one describe call): features
        such as multi-currency add fields (``CurrencyIsoCode``) that a query must not name
        in an org without them."""
        describe = partial(self.client.describe, soql.identifier(sobject))
        described = salesforce_call(self.client, self.policy, describe)
        return {str(field["name"]) for field in described.get("fields", [])}

    def field_labels(self, sobject: str) -> dict[str, str]:
        """Field labels by API name (from the describe) for reasons people read.

        Labels are a courtesy: a failed describe answers {} (callers fall back to API names)
        and is tried again on the next call; a good answer is kept for LABELS_TTL_S.
        """
        cached = self._labels.get(sobject)
        if cached is not None and time.monotonic() - cached[0] < LABELS_TTL_S:
            return cached[1]
        describe = partial(self.client.describe, soql.identifier(sobject))
        try:
            described = salesforce_call(self.client, self.policy, describe)
        except Exception as exc:  # never fail or defer an event on a label
            log.warning("field labels unavailable", extra={"error": str(exc)[:200]})
            return {}
        labels = {str(f["name"]): str(f.get("label") or f["name"]) for f in described["fields"]}
        self._labels[sobject] = (time.monotonic(), labels)
        return labels

    def influence_model_id(self, developer_name: str) -> str | None:
        """The CampaignInfluenceModel's Id by DeveloperName; None when the org has none such
        (or Customizable Campaign Influence is off, so the object does not exist)."""
        query = soql.select(
            "CampaignInfluenceModel",
            ["DeveloperName"],
            f"DeveloperName = {soql.quote(developer_name)}",
        )
        try:
            rows = self._query(query)
        except CallFailed as failed:
            if failed.error_code == "INVALID_TYPE":
                return None
            raise
        return str(rows[0]["Id"]) if rows else None

    def lead_statuses(self) -> list[LeadStatusValue]:
        """The org's Lead Status values in picklist order (they are customisable per org)."""
        rows = self._query(
            "SELECT Id, ApiName, MasterLabel, IsConverted, IsDefault, SortOrder "
            "FROM LeadStatus ORDER BY SortOrder"
        )
        return [
            LeadStatusValue(
                api_name=str(row.get("ApiName") or row.get("MasterLabel")),
                label=str(row.get("MasterLabel") or row.get("ApiName")),
                is_converted=bool(row.get("IsConverted")),
                is_default=bool(row.get("IsDefault")),
                sort_order=int(row.get("SortOrder") or 0),
            )
            for row in rows
        ]

    def _query(self, query: str, policy: RetryPolicy | None = None) -> list[dict[str, Any]]:
        run = partial(self.client.query_all, query)
        return salesforce_call(self.client, policy or self.policy, run)


def _check_email(email: str) -> str:
    """The trimmed address, or ValueError: a lookup by something else would match nothing."""
    value = (email or "").strip()
    if value.count("@") != 1 or value.startswith("@") or value.endswith("@"):
        raise ValueError(f"not an e-mail address: {email!r}")
    return value
