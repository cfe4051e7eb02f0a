"""The recycle section: sales says "not now", and the lead goes back to marketing intact."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from connector.config.models.base import ConfigModel
from connector.config.models.fields import (
    HubSpotLeadStatus,
    HubSpotName,
    Identifier,
    SalesforceField,
    SalesforceQueueId,
)

DEFAULT_REASONS: dict[str, str] = {
    "bad_timing": "Bad timing",
    "no_budget": "No budget",
    "call_back_later": "Call back later",
}
#: reasons that end a lead for good: recorded, never nurtured or re-activated
DEFAULT_DISQUALIFY_REASONS: dict[str, str] = {
    "competitor": "Competitor",
    "student": "Student",
    "wrong_company": "Wrong company",
}


class RecycleTriggers(ConfigModel):
    """Status values that mean "not now"; either CRM may say it."""

    salesforce: tuple[str, ...] = Field(
        default=("Recycled",), description="Lead.Status API values that trigger a recycle."
    )
    hubspot: tuple[HubSpotLeadStatus, ...] = Field(
        default=("BAD_TIMING",), description="hs_lead_status values that trigger a recycle."
    )

    @model_validator(mode="after")
    def _at_least_one(self) -> RecycleTriggers:
        if not self.salesforce and not self.hubspot:
            raise ValueError("list at least one Salesforce or HubSpot status that means 'not now'")
        return self


class RecycleConfig(ConfigModel):
    """How a lead is handed back to marketing: stage, status, owner, nurture list, re-activation."""

    trigger_statuses: RecycleTriggers = Field(
        default_factory=RecycleTriggers, description="Statuses that mean 'not now'."
    )
    reasons: dict[Identifier, str] = Field(
        default_factory=lambda: dict(DEFAULT_REASONS),
        min_length=1,
        description="Allowed reason codes (values of reason_field) → labels.",
    )
    disqualify_reasons: dict[Identifier, str] = Field(
        default_factory=lambda: dict(DEFAULT_DISQUALIFY_REASONS),
        description="Reason codes that disqualify for good (no nurture, no re-activation).",
    )
    reason_field: SalesforceField = Field(
        default="Recycle_Reason__c", description="Lead field where sales picks the reason code."
    )
    disqualified_hubspot_lead_status: HubSpotLeadStatus | None = Field(
        default="UNQUALIFIED", description="hs_lead_status for a lead disqualified for good."
    )
    salesforce_history_field: SalesforceField | None = Field(
        default=None,
        description="Lead text field showing the next rep the recycle history; none = not kept.",
    )
    lost_opportunity_reason_field: SalesforceField | None = Field(
        default=None,
        description="Opportunity field with the loss reason: a lost deal with a recyclable "
        "reason recycles its contacts; none = a lost deal recycles nobody.",
    )
    reactivate_on_properties: tuple[HubSpotName, ...] = Field(
        default=("recent_conversion_date",),
        description="HubSpot properties whose genuine change re-activates a recycled contact.",
    )
    hubspot_stage: HubSpotName = Field(
        default="lead", description="lifecyclestage the contact goes back to (cleared first)."
    )
    hubspot_lead_status: HubSpotLeadStatus | None = Field(
        default=None, description="hs_lead_status set on recycle; none = leave as is."
    )
    hubspot_reason_property: HubSpotName = Field(
        default="baton_recycle_reason", description="Contact property recording the reason."
    )
    hubspot_count_property: HubSpotName = Field(
        default="baton_recycle_count", description="Contact property counting recycles."
    )
    hubspot_reactivation_property: HubSpotName = Field(
        default="baton_reactivation_date", description="Contact property: re-activation date."
    )
    nurture_list_id: str | None = Field(
        default=None, description="HubSpot list (MANUAL or SNAPSHOT) recycled contacts join."
    )
    marketing_queue_id: SalesforceQueueId | None = Field(
        default=None, description="Salesforce queue (00G…) that becomes the Lead owner."
    )
    reactivation_after_days: int = Field(
        default=90, ge=1, description="Days until a recycled lead is offered to marketing again."
    )
    max_recycles: int = Field(
        default=3, ge=1, description="More recycles than this are reported instead of done."
    )
    hand_back_to_previous_owner: bool = Field(
        default=True,
        description="HubSpot alone: a re-activated contact goes back to its previous owner "
        "while that owner is active; false (or an archived owner): routed round-robin.",
    )

    @model_validator(mode="after")
    def _reasons_apart(self) -> RecycleConfig:
        both = sorted(set(self.reasons) & set(self.disqualify_reasons))
        if both:
            raise ValueError(
                f"reason code(s) {', '.join(both)} are both in reasons and disqualify_reasons"
            )
        return self

    @field_validator("nurture_list_id")
    @classmethod
    def _list_id_digits(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError(f"{value!r} is not a HubSpot list id (digits only)")
        return value
