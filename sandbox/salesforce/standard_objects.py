"""The standard objects Baton touches, with the real field names, types and permissions.

Only the fields an integration of this kind reads or writes are modelled; anything else is an
unknown field (INVALID_FIELD), as a field missing from a real org would be. Custom fields are
added at run time with `SalesforceSandbox.add_custom_field`.
"""

from __future__ import annotations

import re
from typing import Any

from .schema import FieldDef, ObjectDef, Schema

USER_OR_QUEUE = ("User", "Group")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = ("Agriculture", "Banking", "Consulting", "Education", "Technology", "Other")
TASK_SUBTYPES = ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _label(name: str) -> str:
    base = name[:-3] if name.endswith("__c") else name
    base = base[:-2] if base.endswith("Id") and len(base) > 2 else base
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", base).replace("_", " ")


def fd(name: str, field_type: str = "string", **options: Any) -> FieldDef:
    """Build a FieldDef with a label derived from the API name."""
    options.setdefault("label", _label(name))
    if field_type == "boolean":
        options.setdefault("nillable", False)
        options.setdefault("default", False)
    return FieldDef(name=name, type=field_type, **options)


def readonly(name: str, field_type: str = "string", **options: Any) -> FieldDef:
    """A field the API computes: neither createable nor updateable."""
    return fd(name, field_type, createable=False, updateable=False, **options)


def ref(name: str, targets: tuple[str, ...] | str, relationship: str, **options: Any) -> FieldDef:
    """A lookup field with its relationship name."""
    targets = (targets,) if isinstance(targets, str) else targets
    return fd(
        name,
        "reference",
        reference_to=targets,
        relationship_name=relationship,
        polymorphic=len(targets) > 1,
        length=18,
        **options,
    )


def picklist(name: str, values: tuple[str, ...] = (), **options: Any) -> FieldDef:
    """A picklist with fixed values (unrestricted unless told)."""
    return fd(name, "picklist", picklist_values=values, **options)


def _system_fields(owner_targets: tuple[str, ...] | None) -> list[FieldDef]:
    fields = [
        readonly("Id", "id", nillable=False, length=18),
        readonly("IsDeleted", "boolean"),
        readonly("CreatedDate", "datetime", nillable=False),
        ref("CreatedById", "User", "CreatedBy", createable=False, updateable=False),
        readonly("LastModifiedDate", "datetime", nillable=False),
        ref("LastModifiedById", "User", "LastModifiedBy", createable=False, updateable=False),
        readonly("SystemModstamp", "datetime", nillable=False),
    ]
    if owner_targets:
        fields.append(ref("OwnerId", owner_targets, "Owner", nillable=False))
    return fields


def _object(
    schema: Schema,
    name: str,
    prefix: str,
    fields: list[FieldDef],
    owner: tuple[str, ...] | None = None,
    **options: Any,
) -> ObjectDef:
    definition = ObjectDef(name=name, key_prefix=prefix, label=_label(name), has_owner=bool(owner))
    for key, value in options.items():
        setattr(definition, key, value)
    for item in _system_fields(owner) + fields:
        definition.add(item)
    schema.register(definition)
    return definition


def _person_fields() -> list[FieldDef]:
    return [
        fd("FirstName", length=40),
        fd("LastName", length=80, nillable=False, required=True),
        picklist("Salutation", ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
        readonly("Name", length=121, nillable=False),
        fd("Title", length=128),
        fd("Email", "email", length=80),
        fd("Phone", "phone", length=40),
        fd("MobilePhone", "phone", length=40),
        fd("Description", "textarea", length=32000),
        picklist("LeadSource", LEAD_SOURCES),
        fd("HasOptedOutOfEmail", "boolean"),
        readonly("LastActivityDate", "date"),
    ]


def _sales_objects(schema: Schema) -> None:
    _object(
        schema,
        "Lead",
        "00Q",
        [
            *_person_fields(),
            fd("Company", length=255, nillable=False, required=True),
            fd("Website", "url"),
            fd("Street", "textarea"),
            fd("City", length=40),
            fd("State", length=80),
            fd("PostalCode", length=20),
            fd("Country", length=80),
            fd("Status", "picklist", picklist_source="LeadStatus", restricted=True, nillable=False),
            picklist("Industry", INDUSTRIES),
            picklist("Rating", ("Hot", "Warm", "Cold")),
            fd("AnnualRevenue", "currency", scale=0),
            fd("NumberOfEmployees", "int"),
            fd("IsUnreadByOwner", "boolean"),
            readonly("IsConverted", "boolean"),
            readonly("ConvertedDate", "date"),
            ref(
                "ConvertedAccountId",
                "Account",
                "ConvertedAccount",
                createable=False,
                updateable=False,
            ),
            ref(
                "ConvertedContactId",
                "Contact",
                "ConvertedContact",
                createable=False,
                updateable=False,
            ),
            ref(
                "ConvertedOpportunityId",
                "Opportunity",
                "ConvertedOpportunity",
                createable=False,
                updateable=False,
            ),
        ],
        owner=USER_OR_QUEUE,
    )
    _object(
        schema,
        "Contact",
        "003",
        [
            *_person_fields(),
            ref("AccountId", "Account", "Account"),
            ref("ReportsToId", "Contact", "ReportsTo"),
            fd("Department", length=80),
            fd("MailingStreet", "textarea"),
            fd("MailingCity", length=40),
            fd("MailingState", length=80),
            fd("MailingPostalCode", length=20),
            fd("MailingCountry", length=80),
        ],
        owner=("User",),
    )
    _object(
        schema,
        "Account",
        "001",
        [
            fd("Name", length=255, nillable=False, required=True),
            picklist("Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Other")),
            picklist("Industry", INDUSTRIES),
            fd("Website", "url"),
            fd("Phone", "phone", length=40),
            fd("BillingStreet", "textarea"),
            fd("BillingCity", length=40),
            fd("BillingState", length=80),
            fd("BillingPostalCode", length=20),
            fd("BillingCountry", length=80),
            fd("NumberOfEmployees", "int"),
            fd("AnnualRevenue", "currency", scale=0),
            fd("Description", "textarea", length=32000),
            ref("ParentId", "Account", "Parent"),
            readonly("LastActivityDate", "date"),
        ],
        owner=("User",),
    )
    _object(
        schema,
        "Opportunity",
        "006",
        [
            fd("Name", length=120, nillable=False, required=True),
            ref("AccountId", "Account", "Account"),
            fd(
                "StageName",
                "picklist",
                picklist_source="OpportunityStage",
                restricted=True,
                nillable=False,
                required=True,
            ),
            fd("CloseDate", "date", nillable=False, required=True),
            fd("Amount", "currency", scale=2),
            fd("Probability", "percent", scale=0),
            readonly("IsClosed", "boolean"),
            readonly("IsWon", "boolean"),
            readonly("ForecastCategory", "picklist"),
            fd("ForecastCategoryName", "picklist"),
            picklist(
                "Type",
                ("New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"),
            ),
            picklist("LeadSource", LEAD_SOURCES),
            ref("CampaignId", "Campaign", "Campaign"),
            ref("ContactId", "Contact", "Contact", updateable=False),
            fd("Description", "textarea", length=32000),
            fd("NextStep", length=255),
            readonly("HasOpportunityLineItem", "boolean"),
            readonly("LastActivityDate", "date"),
        ],
        owner=("User",),
    )
    _object(
        schema,
        "OpportunityContactRole",
        "00K",
        [
            ref(
                "OpportunityId",
                "Opportunity",
                "Opportunity",
                nillable=False,
                required=True,
                updateable=False,
            ),
            ref("ContactId", "Contact", "Contact", nillable=False, required=True),
            picklist(
                "Role", ("Business User", "Decision Maker", "Economic Buyer", "Influencer", "Other")
            ),
            fd("IsPrimary", "boolean"),
        ],
    )
    _object(
        schema,
        "OpportunityLineItem",
        "00k",
        [
            ref(
                "OpportunityId",
                "Opportunity",
                "Opportunity",
                nillable=False,
                required=True,
                updateable=False,
            ),
            fd("Quantity", "double", scale=2, nillable=False, required=True),
            fd("UnitPrice", "currency", scale=2),
            fd("TotalPrice", "currency", scale=2),
            fd("Description", length=255),
        ],
    )


def _marketing_objects(schema: Schema) -> None:
    _object(
        schema,
        "Campaign",
        "701",
        [
            fd("Name", length=80, nillable=False, required=True),
            picklist("Type", ("Conference", "Webinar", "Email", "Advertisement", "Other")),
            picklist("Status", ("Planned", "In Progress", "Completed", "Aborted")),
            fd("IsActive", "boolean"),
            fd("StartDate", "date"),
            fd("EndDate", "date"),
            ref("ParentId", "Campaign", "Parent"),
            fd("Description", "textarea", length=32000),
            fd("ActualCost", "currency", scale=2),
            fd("BudgetedCost", "currency", scale=2),
        ],
        owner=("User",),
    )
    _object(
        schema,
        "CampaignMember",
        "00v",
        [
            ref(
                "CampaignId",
                "Campaign",
                "Campaign",
                nillable=False,
                required=True,
                updateable=False,
            ),
            ref("LeadId", "Lead", "Lead", updateable=False),
            ref("ContactId", "Contact", "Contact", updateable=False),
            fd("Status", "picklist", length=40),
            readonly("HasResponded", "boolean"),
            readonly("FirstRespondedDate", "date"),
        ],
    )
    _object(
        schema,
        "CampaignMemberStatus",
        "01Y",
        [
            ref(
                "CampaignId",
                "Campaign",
                "Campaign",
                nillable=False,
                required=True,
                updateable=False,
            ),
            fd("Label", length=765, nillable=False, required=True),
            fd("HasResponded", "boolean"),
            fd("IsDefault", "boolean"),
            fd("SortOrder", "int"),
        ],
    )
    _object(
        schema,
        "CampaignInfluenceModel",
        "03M",
        [
            readonly("DeveloperName", length=80),
            readonly("MasterLabel", length=80),
            readonly("IsActive", "boolean"),
            readonly("IsDefaultModel", "boolean"),
            readonly("IsModelLocked", "boolean"),
            readonly("ModelDescription", "textarea"),
            readonly("RecordPreference", "picklist"),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )
    _object(
        schema,
        "CampaignInfluence",
        "0sB",
        [
            ref(
                "CampaignId",
                "Campaign",
                "Campaign",
                nillable=False,
                required=True,
                updateable=False,
            ),
            ref(
                "OpportunityId",
                "Opportunity",
                "Opportunity",
                nillable=False,
                required=True,
                updateable=False,
            ),
            ref("ContactId", "Contact", "Contact", updateable=False),
            ref(
                "ModelId",
                "CampaignInfluenceModel",
                "Model",
                nillable=False,
                required=True,
                updateable=False,
            ),
            fd("Influence", "percent", scale=2),
            readonly("RevenueShare", "currency", scale=2),
            ref("CampaignMemberId", "CampaignMember", "CampaignMember", updateable=False),
        ],
    )


def _activity_and_people(schema: Schema) -> None:
    _object(
        schema,
        "Task",
        "00T",
        [
            ref("WhoId", ("Lead", "Contact"), "Who"),
            ref("WhatId", ("Account", "Opportunity", "Campaign"), "What"),
            fd("Subject", "combobox", length=255),
            fd("Status", "picklist", picklist_source="TaskStatus", restricted=True, nillable=False),
            picklist("Priority", ("High", "Normal", "Low"), nillable=False, default="Normal"),
            fd("ActivityDate", "date"),
            fd("Description", "textarea", length=32000),
            picklist("Type", ("Call", "Email", "Meeting", "Other")),
            picklist(
                "TaskSubtype", TASK_SUBTYPES, restricted=True, updateable=False, default="Task"
            ),
            readonly("IsClosed", "boolean"),
            readonly("CompletedDateTime", "datetime"),
            picklist("CallType", ("Internal", "Inbound", "Outbound")),
            fd("CallDurationInSeconds", "int"),
        ],
        owner=("User",),
    )
    _object(
        schema,
        "User",
        "005",
        [
            fd("Username", length=80, nillable=False, required=True),
            fd("FirstName", length=40),
            fd("LastName", length=80, nillable=False, required=True),
            readonly("Name", length=121),
            fd("Email", "email", length=128, nillable=False, required=True),
            fd("Alias", length=8),
            fd("IsActive", "boolean", default=True),
            ref("ManagerId", "User", "Manager"),
            fd("Title", length=80),
            fd("Department", length=80),
            fd("TimeZoneSidKey", "picklist", length=40, default="America/Los_Angeles"),
            readonly("UserType", "picklist", default="Standard"),
        ],
        createable=False,
        deletable=False,
    )
    _object(
        schema,
        "Group",
        "00G",
        [
            readonly("Name", length=40),
            readonly("DeveloperName", length=80),
            readonly("Type", "picklist"),
            readonly("Email", "email"),
        ],
        createable=False,
        updateable=False,
        deletable=False,
    )


def _setup_objects(schema: Schema) -> None:
    picklist_common = [readonly("ApiName"), readonly("MasterLabel"), readonly("SortOrder", "int")]
    setup_options = {"createable": False, "updateable": False, "deletable": False}
    _object(
        schema,
        "LeadStatus",
        "01J",
        [*picklist_common, readonly("IsConverted", "boolean"), readonly("IsDefault", "boolean")],
        **setup_options,
    )
    _object(
        schema,
        "OpportunityStage",
        "01J",
        [
            *picklist_common,
            readonly("IsActive", "boolean"),
            readonly("IsClosed", "boolean"),
            readonly("IsWon", "boolean"),
            readonly("DefaultProbability", "percent"),
            readonly("ForecastCategory", "picklist"),
            readonly("ForecastCategoryName", "picklist"),
        ],
        **setup_options,
    )
    _object(
        schema,
        "TaskStatus",
        "01J",
        [*picklist_common, readonly("IsClosed", "boolean"), readonly("IsDefault", "boolean")],
        **setup_options,
    )
    hours = [readonly(f"{day}{edge}Time", "time") for day in DAYS for edge in ("Start", "End")]
    _object(
        schema,
        "BusinessHours",
        "01m",
        [
            readonly("Name", length=80),
            readonly("IsActive", "boolean"),
            readonly("IsDefault", "boolean"),
            readonly("TimeZoneSidKey", "picklist"),
            *hours,
        ],
        **setup_options,
    )
    _object(
        schema,
        "Holiday",
        "0C0",
        [
            readonly("Name", length=80),
            readonly("Description", length=100),
            readonly("ActivityDate", "date"),
            readonly("IsAllDay", "boolean"),
            readonly("IsRecurrence", "boolean"),
            readonly("StartTimeInMinutes", "int"),
            readonly("EndTimeInMinutes", "int"),
            readonly("RecurrenceType", "picklist"),
        ],
        **setup_options,
    )
    _object(
        schema,
        "Organization",
        "00D",
        [
            readonly("Name", length=80),
            readonly("IsSandbox", "boolean"),
            readonly("OrganizationType", "picklist"),
            readonly("InstanceName", length=5),
            readonly("TimeZoneSidKey", "picklist"),
        ],
        **setup_options,
    )


def build_standard_schema(campaign_influence: bool = True) -> Schema:
    """Return a fresh schema with every standard object Baton uses."""
    schema = Schema()
    _sales_objects(schema)
    _marketing_objects(schema)
    _activity_and_people(schema)
    _setup_objects(schema)
    if not campaign_influence:
        schema.remove("CampaignInfluence")
        schema.remove("CampaignInfluenceModel")
    schema.link_children()
    return schema
