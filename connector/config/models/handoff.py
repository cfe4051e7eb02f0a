"""The hand-off section: when a HubSpot contact becomes a Salesforce Lead, and with what context."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from connector.config.models.base import ConfigModel
from connector.config.models.criteria import Criterion, Threshold
from connector.config.models.fields import HubSpotName, SalesforceField, find_duplicates

#: HubSpot property → Salesforce Lead field copied on hand-off, so the rep sees why the lead is hot.
DEFAULT_CONTEXT_FIELDS: dict[str, str] = {
    "hs_analytics_source": "HubSpot_Original_Source__c",
    "hs_latest_source": "HubSpot_Latest_Source__c",
    "recent_conversion_event_name": "HubSpot_Last_Conversion__c",
    "recent_conversion_date": "HubSpot_Last_Conversion_Date__c",
    "hs_analytics_first_url": "HubSpot_First_Page__c",
    "hs_analytics_last_url": "HubSpot_Last_Page__c",
    # HubSpot's contact numemployees is a range ("100-500"), not a number: a text field, never
    # Salesforce's integer NumberOfEmployees (which would refuse the whole lead)
    "numemployees": "HubSpot_Company_Size__c",
}


#: Salesforce alone: the Lead field a standard HubSpot-style MQL name reads (``email`` → Email),
#: so the default definition (email, company) works unchanged; others go in
#: ``handoff.salesforce_lead_fields``.
STANDARD_LEAD_FIELDS: dict[str, str] = {
    "email": "Email",
    "company": "Company",
    "firstname": "FirstName",
    "lastname": "LastName",
    "jobtitle": "Title",
    "phone": "Phone",
    "mobilephone": "MobilePhone",
    "website": "Website",
    "industry": "Industry",
    "country": "Country",
    "state": "State",
    "city": "City",
    "numemployees": "NumberOfEmployees",
    "annualrevenue": "AnnualRevenue",
    "hs_lead_status": "Status",
}


class MqlDefinition(ConfigModel):
    """What a contact must have to be handed to sales; all parts must hold."""

    required_properties: tuple[HubSpotName, ...] = Field(
        default=("email", "company"), description="Properties that must be filled in."
    )
    criteria: tuple[Criterion, ...] = Field(
        default=(), description="Conditions on properties, all of which must hold."
    )
    behaviour: tuple[Threshold, ...] = Field(
        default=(), description="Engagement minimums, e.g. page views ≥ 3."
    )

    @field_validator("required_properties")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeats = sorted({value[i] for i in find_duplicates(list(value))})
        if repeats:
            raise ValueError(f"listed twice: {', '.join(repeats)}")
        return value

    def named_properties(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every property the definition reads, with its config path (for mapping checks)."""
        named: list[tuple[tuple[str | int, ...], str]] = [
            (("required_properties", i), name) for i, name in enumerate(self.required_properties)
        ]
        named += [(("criteria", i, "property"), c.property) for i, c in enumerate(self.criteria)]
        named += [(("behaviour", i, "property"), t.property) for i, t in enumerate(self.behaviour)]
        return named


class HandoffConfig(ConfigModel):
    """The moment marketing hands a contact to sales (creates or updates the Salesforce Lead)."""

    stage: HubSpotName = Field(
        default="marketingqualifiedlead", description="lifecyclestage that triggers the hand-off."
    )
    mql_definition: MqlDefinition = Field(
        default_factory=MqlDefinition, description="Checks a contact must pass first."
    )
    context_fields: dict[HubSpotName, SalesforceField] = Field(
        default_factory=lambda: dict(DEFAULT_CONTEXT_FIELDS),
        description="HubSpot property → Lead field copied at hand-off.",
    )
    create_as: Literal["Lead"] = Field(
        default="Lead", description="Salesforce object created for a new hand-off."
    )

    @field_validator("context_fields")
    @classmethod
    def _one_source_per_field(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for hubspot_property, lead_field in value.items():
            if lead_field in seen:
                raise ValueError(
                    f"{hubspot_property} and {seen[lead_field]} both write Lead.{lead_field}"
                )
            seen[lead_field] = hubspot_property
        return value

    salesforce_lead_fields: dict[HubSpotName, SalesforceField] = Field(
        default_factory=dict,
        description="Salesforce alone: MQL definition property → Lead field it reads "
        "(standard names such as email, company, jobtitle are known).",
    )

    def salesforce_field(self, name: str) -> str | None:
        """The Lead field an MQL definition property reads in Salesforce-only mode."""
        return self.salesforce_lead_fields.get(name) or STANDARD_LEAD_FIELDS.get(name)
