"""The standard objects Baton touches, with the real field names, types and permissions.

Only the fields an integration of this kind reads or writes are modelled; anything else is an
unknown field (INVALID_FIELD), as a field missing from a real org would be. Custom fields are
added at run time with `SalesforceSandbox.add_custom_field`.
"""

from __future__ import annotations

from .schema import FieldDef, Schema
from .schema_builders import add_object, fd, picklist, readonly, ref
from .setup_objects import DAYS, add_activity_and_people, add_permission_objects, add_setup_objects

__all__ = ["DAYS", "build_standard_schema", "fd"]

USER_OR_QUEUE = ("User", "Group")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = ("Agriculture", "Banking", "Consulting", "Education", "Technology", "Other")


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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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
    add_object(
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


def build_standard_schema(campaign_influence: bool = True) -> Schema:
    """Return a fresh schema with every standard object Baton uses."""
    schema = Schema()
    _sales_objects(schema)
    _marketing_objects(schema)
    add_activity_and_people(schema)
    add_setup_objects(schema)
    add_permission_objects(schema)
    if not campaign_influence:
        schema.remove("CampaignInfluence")
        schema.remove("CampaignInfluenceModel")
    schema.link_children()
    return schema
