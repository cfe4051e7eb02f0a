"""Per-object behaviour of the real platform: defaults, derived fields and cross-record effects.

`before_save` completes and checks one record (it may raise SalesforceApiError);
`after_save` and `after_delete` keep related records consistent inside the same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from .errors import SalesforceApiError
from .field_security import GRANT_OBJECTS, before_field_permissions, refresh_visibility
from .org import Org
from .store import StoredRecord, Transaction

Values = dict[str, Any]


class SystemWriter(Protocol):
    """What after-save rules need from the DML layer to touch related records."""

    def system_insert(self, tx: Transaction, sobject: str, values: Values) -> str:
        """Insert a record as the platform (no API checks)."""

    def system_update(self, tx: Transaction, record: StoredRecord, changes: Values) -> None:
        """Change fields of a related record as the platform (bumps SystemModstamp)."""


def _person_name(values: Values) -> str:
    return " ".join(part for part in (values.get("FirstName"), values.get("LastName")) if part)


def _setup_row(org: Org, sobject: str, api_name: Any) -> Values | None:
    return next((r for r in org.setup_rows(sobject) if r["ApiName"] == api_name), None)


def _default_api_name(org: Org, sobject: str) -> str:
    return next(r["ApiName"] for r in org.setup_rows(sobject) if r.get("IsDefault"))


def _check_owner(org: Org, sobject: str, values: Values, queue_allowed: bool) -> None:
    owner = org.live(values.get("OwnerId"))
    if owner is None:
        return  # reference checks already reported malformed or missing ids
    if owner.sobject == "Group":
        if not queue_allowed or owner.values.get("Type") != "Queue":
            raise SalesforceApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Owner ID: id value of incorrect type: {owner.id}",
                ["OwnerId"],
            )
    elif not owner.values.get("IsActive"):
        raise SalesforceApiError(
            400,
            "INACTIVE_OWNER_OR_USER",
            f"operation performed with inactive user [{owner.id}] as owner of {sobject.lower()}",
        )


def before_save(org: Org, sobject: str, old: Values | None, new: Values, changed: set[str]) -> None:
    """Fill defaults and derived fields of `new`; raise when the platform would refuse."""
    handler = _BEFORE.get(sobject)
    if sobject in ("Lead", "Contact", "User") and ("FirstName" in new or "LastName" in new):
        new["Name"] = _person_name(new)
    if handler:
        handler(org, old, new, changed)
    definition = org.schema.get(sobject)
    if definition is not None and definition.has_owner and "OwnerId" in changed:
        _check_owner(org, sobject, new, queue_allowed=sobject == "Lead")


def _before_lead(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if old is not None and old.get("IsConverted"):
        raise SalesforceApiError(
            400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead"
        )
    if old is None and new.get("Status") is None:
        new["Status"] = _default_api_name(org, "LeadStatus")
        changed.add("Status")


def _before_opportunity(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if old is not None and old.get("HasOpportunityLineItem") and "Amount" in changed:
        # "Any attempt to update this field, if the record has products, will be ignored."
        new["Amount"] = old.get("Amount")
        changed.discard("Amount")
    stage = _setup_row(org, "OpportunityStage", new.get("StageName"))
    if stage is None:
        return
    new["IsClosed"] = bool(stage["IsClosed"])
    new["IsWon"] = bool(stage["IsWon"])
    new["ForecastCategory"] = stage["ForecastCategory"]
    if old is None or "StageName" in changed:
        new["ForecastCategoryName"] = stage["ForecastCategoryName"]
    if "StageName" in changed and "Probability" not in changed:
        new["Probability"] = stage["DefaultProbability"]


def _before_task(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if old is None and new.get("Status") is None:
        new["Status"] = _default_api_name(org, "TaskStatus")
        changed.add("Status")
    status = _setup_row(org, "TaskStatus", new.get("Status"))
    is_closed = bool(status and status["IsClosed"])
    was_closed = bool(old and old.get("IsClosed"))
    new["IsClosed"] = is_closed
    if is_closed and not was_closed:
        new["CompletedDateTime"] = org.now()
    elif not is_closed:
        new["CompletedDateTime"] = None


def _before_event(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    """A timed event needs its start and a duration or an end; the platform keeps the start in
    both StartDateTime and ActivityDateTime and derives the other of end and duration. An
    all-day event needs ActivityDate and lasts whole days (1440 minutes each)."""
    if new.get("IsAllDayEvent"):
        begins = new.get("StartDateTime")
        day = new.get("ActivityDate") or (begins.date() if begins is not None else None)
        if day is None:
            raise _missing("ActivityDate")
        new["ActivityDate"] = day
        new["DurationInMinutes"] = new.get("DurationInMinutes") or 1440
        return
    start = new.get("StartDateTime") if "StartDateTime" in changed else None
    start = start or new.get("ActivityDateTime") or new.get("StartDateTime")
    if start is None:
        raise _missing("ActivityDateTime")
    end, minutes = new.get("EndDateTime"), new.get("DurationInMinutes")
    if "EndDateTime" in changed and end is not None:
        minutes = int((end - start).total_seconds() // 60)
    elif minutes is not None:
        end = start + timedelta(minutes=int(minutes))
    elif end is not None:
        minutes = int((end - start).total_seconds() // 60)
    else:
        raise _missing("DurationInMinutes")
    if minutes < 0:
        raise SalesforceApiError(
            400, "FIELD_INTEGRITY_EXCEPTION", "End time must be after start time", ["EndDateTime"]
        )
    new.update(
        StartDateTime=start,
        ActivityDateTime=start,
        EndDateTime=end,
        DurationInMinutes=minutes,
        ActivityDate=start.date(),
    )


def _missing(field: str) -> SalesforceApiError:
    return SalesforceApiError(
        400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{field}]", [field]
    )


def _before_campaign_member(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if old is None:
        if not new.get("LeadId") and not new.get("ContactId"):
            raise SalesforceApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [LeadId, ContactId]",
                ["LeadId", "ContactId"],
            )
        for member in org.store.records("CampaignMember"):
            same_campaign = member.values["CampaignId"] == new.get("CampaignId")
            same_person = (new.get("LeadId") and member.values.get("LeadId") == new["LeadId"]) or (
                new.get("ContactId") and member.values.get("ContactId") == new["ContactId"]
            )
            if same_campaign and same_person:
                raise SalesforceApiError(400, "DUPLICATE_VALUE", "Already a campaign member.")
    statuses = [
        r
        for r in org.setup_rows("CampaignMemberStatus")
        if r["CampaignId"] == new.get("CampaignId")
    ]
    if new.get("Status") is None:
        default = next(
            (r for r in statuses if r.get("IsDefault")), statuses[0] if statuses else None
        )
        new["Status"] = default["Label"] if default else None
    row = next((r for r in statuses if r["Label"] == new.get("Status")), None)
    new["HasResponded"] = bool(row and row.get("HasResponded"))
    if new["HasResponded"] and not new.get("FirstRespondedDate"):
        new["FirstRespondedDate"] = org.now().date()


def _before_line_item(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if "TotalPrice" not in changed and new.get("UnitPrice") is not None:
        new["TotalPrice"] = round(float(new.get("Quantity") or 0) * float(new["UnitPrice"]), 2)


def _before_influence(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    model = org.live(new.get("ModelId"))
    if model is not None and model.values.get("DeveloperName") == "primaryModel":
        raise SalesforceApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "You can't create or edit campaign influence records for the Primary Campaign "
            "Source model. Use a custom model.",
            ["ModelId"],
        )
    if old is None:
        for other in org.store.records("CampaignInfluence"):
            key = ("ModelId", "OpportunityId", "CampaignId", "ContactId")
            if all(other.values.get(k) == new.get(k) for k in key):
                raise SalesforceApiError(
                    400,
                    "DUPLICATE_VALUE",
                    "duplicate value found: "
                    "campaign influence for this model, opportunity, "
                    f"campaign and contact already exists: {other.id}",
                )
    opportunity = org.live(new.get("OpportunityId"))
    amount = opportunity.values.get("Amount") if opportunity else None
    influence = new.get("Influence")
    new["RevenueShare"] = (
        round(float(amount) * float(influence) / 100, 2)
        if amount is not None and influence is not None
        else None
    )


def _before_user(org: Org, old: Values | None, new: Values, changed: set[str]) -> None:
    if new.get("ManagerId") and new.get("ManagerId") == new.get("Id"):
        raise SalesforceApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "A user can't be his or her own manager",
            ["ManagerId"],
        )


_BEFORE = {
    "Lead": _before_lead,
    "Opportunity": _before_opportunity,
    "Task": _before_task,
    "Event": _before_event,
    "CampaignMember": _before_campaign_member,
    "OpportunityLineItem": _before_line_item,
    "CampaignInfluence": _before_influence,
    "User": _before_user,
    "FieldPermissions": before_field_permissions,
}


def after_save(
    org: Org, tx: Transaction, writer: SystemWriter, old: Values | None, record: StoredRecord
) -> None:
    """Keep related records consistent after `record` was inserted or updated."""
    values = record.values
    if record.sobject in GRANT_OBJECTS:
        refresh_visibility(org)
    if record.sobject == "Campaign" and old is None:
        for order, (label, responded, default) in enumerate(
            (("Sent", False, True), ("Responded", True, False)), start=1
        ):
            writer.system_insert(
                tx,
                "CampaignMemberStatus",
                {
                    "CampaignId": record.id,
                    "Label": label,
                    "HasResponded": responded,
                    "IsDefault": default,
                    "SortOrder": order,
                },
            )
    elif record.sobject == "CampaignMemberStatus" and values.get("IsDefault"):
        _clear_flag(org, tx, writer, record, "CampaignId", "IsDefault")
    elif record.sobject == "OpportunityContactRole" and values.get("IsPrimary"):
        _clear_flag(org, tx, writer, record, "OpportunityId", "IsPrimary")
    elif record.sobject == "OpportunityLineItem":
        recompute_opportunity_amount(org, tx, writer, values.get("OpportunityId"))
    elif record.sobject == "Opportunity" and (
        old is None or old.get("Amount") != values.get("Amount")
    ):
        for influence in org.store.records("CampaignInfluence"):
            if influence.values.get("OpportunityId") == record.id:
                share = influence.values.get("Influence")
                amount = values.get("Amount")
                revenue = (
                    None if share is None or amount is None else round(amount * share / 100, 2)
                )
                writer.system_update(tx, influence, {"RevenueShare": revenue})


def _clear_flag(
    org: Org, tx: Transaction, writer: SystemWriter, record: StoredRecord, parent: str, flag: str
) -> None:
    for other in org.store.records(record.sobject):
        same_parent = other.values.get(parent) == record.values.get(parent)
        if other.id != record.id and same_parent and other.values.get(flag):
            writer.system_update(tx, other, {flag: False})


def recompute_opportunity_amount(
    org: Org, tx: Transaction, writer: SystemWriter, opportunity_id: str | None
) -> None:
    """Opportunity.Amount is the sum of its products' TotalPrice while it has products."""
    opportunity = org.live(opportunity_id)
    if opportunity is None:
        return
    items = [
        r
        for r in org.store.records("OpportunityLineItem")
        if r.values.get("OpportunityId") == opportunity.id
    ]
    changes: Values = {"HasOpportunityLineItem": bool(items)}
    if items:
        changes["Amount"] = round(sum(float(r.values.get("TotalPrice") or 0) for r in items), 2)
    if any(opportunity.values.get(k) != v for k, v in changes.items()):
        writer.system_update(tx, opportunity, changes)


#: Map parent object: (child object, lookup field) rows deleted together with the parent.
CASCADE_DELETE = {
    "Account": (("Contact", "AccountId"), ("Opportunity", "AccountId")),
    "Opportunity": (
        ("OpportunityContactRole", "OpportunityId"),
        ("OpportunityLineItem", "OpportunityId"),
        ("CampaignInfluence", "OpportunityId"),
    ),
    "Lead": (("CampaignMember", "LeadId"), ("Task", "WhoId"), ("Event", "WhoId")),
    "Contact": (
        ("CampaignMember", "ContactId"),
        ("OpportunityContactRole", "ContactId"),
        ("Task", "WhoId"),
        ("Event", "WhoId"),
    ),
    "Campaign": (("CampaignMember", "CampaignId"), ("CampaignMemberStatus", "CampaignId")),
}
