"""The lifecycle section: how HubSpot stages and statuses map to the org's Salesforce values."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from connector.config.issues import Path, ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.fields import (
    HubSpotLeadStatus,
    HubSpotName,
    SalesforceField,
    find_duplicates,
)
from connector.config.models.within_hubspot import WithinHubSpotStages

SalesforceObject = Literal["Lead", "Contact", "Opportunity"]
Direction = Literal["both", "hubspot_to_salesforce", "salesforce_to_hubspot"]
ConflictPolicy = Literal["newest_wins", "hubspot_wins", "salesforce_wins"]

#: HubSpot's default lifecyclestage values, in their default order (hubspot.md §3.1).
DEFAULT_STAGE_ORDER: tuple[str, ...] = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)

# Map Salesforce object: the field that carries its stage when the admin does not name one.
_DEFAULT_FIELD = {"Lead": "Status", "Opportunity": "StageName"}


class SalesforceValue(ConfigModel):
    """A picklist value on a Salesforce object, e.g. Lead.Status = "Working - Contacted"."""

    object: SalesforceObject = Field(default="Lead", description="Lead, Contact or Opportunity.")
    field: SalesforceField | None = Field(
        default=None, description="Field API name; Status for Lead, StageName for Opportunity."
    )
    value: str = Field(min_length=1, description="The org's own API value (not the label).")

    @model_validator(mode="before")
    @classmethod
    def _default_field(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("field") is None:
            default = _DEFAULT_FIELD.get(data.get("object", "Lead"))
            if default is not None:
                data = {**data, "field": default}
        return data

    @model_validator(mode="after")
    def _field_fits_object(self) -> SalesforceValue:
        if self.field is None:
            raise ValueError("Contact has no standard stage field: name one with `field:`")
        if self.object == "Opportunity" and self.field == "Status":
            raise ValueError("Opportunity has no Status field: use StageName")
        return self


class StageMapping(ConfigModel):
    """One HubSpot lifecyclestage value ⇄ one Salesforce value."""

    hubspot: HubSpotName = Field(description="HubSpot lifecyclestage internal value.")
    salesforce: SalesforceValue = Field(description="The matching Salesforce value.")
    direction: Direction = Field(default="both", description="Which way changes flow.")
    conflict_policy: ConflictPolicy | None = Field(
        default=None, description="Overrides lifecycle.conflict_policy for this mapping."
    )

    @property
    def flows_to_salesforce(self) -> bool:
        """True when a HubSpot change is written to Salesforce."""
        return self.direction in ("both", "hubspot_to_salesforce")

    @property
    def flows_to_hubspot(self) -> bool:
        """True when a Salesforce change is written to HubSpot."""
        return self.direction in ("both", "salesforce_to_hubspot")


class LeadStatusMapping(StageMapping):
    """One HubSpot hs_lead_status value ⇄ one Salesforce Lead.Status value."""

    hubspot: HubSpotLeadStatus = Field(description="HubSpot hs_lead_status internal value.")


class OpportunityStageMapping(ConfigModel):
    """A Salesforce opportunity stage (or "any won stage") → a HubSpot lifecyclestage."""

    stage_name: str | None = Field(default=None, description="Opportunity.StageName API value.")
    is_won: Literal[True] | None = Field(
        default=None, description="true: any won opportunity (IsWon), whatever its stage."
    )
    hubspot: HubSpotName = Field(description="lifecyclestage given to the opportunity's contacts.")

    @model_validator(mode="after")
    def _one_condition(self) -> OpportunityStageMapping:
        if (self.stage_name is None) == (self.is_won is None):
            raise ValueError("give exactly one of stage_name or is_won")
        return self


def _check_sources(
    problems: ProblemCollector, section: str, mappings: tuple[StageMapping, ...]
) -> None:
    to_salesforce = [
        (m.hubspot, m.salesforce.object) if m.flows_to_salesforce else object() for m in mappings
    ]
    for index, first in find_duplicates(to_salesforce).items():
        problems.add(
            (section, index, "hubspot"),
            f"duplicate mapping source: {mappings[index].hubspot!r} is already mapped to "
            f"{mappings[index].salesforce.object} by {section}[{first}]",
        )
    to_hubspot = [
        (m.salesforce.object, m.salesforce.field, m.salesforce.value)
        if m.flows_to_hubspot
        else object()
        for m in mappings
    ]
    for index, first in find_duplicates(to_hubspot).items():
        problems.add(
            (section, index, "salesforce", "value"),
            f"duplicate mapping source: {mappings[index].salesforce.value!r} is already mapped "
            f"to HubSpot by {section}[{first}]",
        )


class LifecycleConfig(ConfigModel):
    """Two-way stage sync rules. Values are the portal's and org's own internal values."""

    stage_order: tuple[HubSpotName, ...] | None = Field(
        default=None,
        description="lifecyclestage values in order; omit to read displayOrder at start-up.",
    )
    stages: tuple[StageMapping, ...] = Field(
        default=(), description="lifecyclestage ⇄ Lead/Contact/Opportunity value mappings."
    )
    lead_status: tuple[LeadStatusMapping, ...] = Field(
        default=(), description="hs_lead_status ⇄ Lead.Status mappings."
    )
    opportunity_stages: tuple[OpportunityStageMapping, ...] = Field(
        default=(), description="Opportunity StageName/IsWon → lifecyclestage, first match wins."
    )
    within_hubspot: WithinHubSpotStages = Field(
        default_factory=WithinHubSpotStages,
        description="HubSpot Leads stages, lead status and deal stages → lifecyclestage.",
    )
    conflict_policy: ConflictPolicy = Field(
        default="newest_wins", description="Who wins when both sides changed since the last sync."
    )
    unknown_value: Literal["report"] = Field(
        default="report", description="An unmapped value is reported, never guessed."
    )

    @field_validator("stage_order")
    @classmethod
    def _order_has_no_repeats(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None:
            repeats = sorted({value[i] for i in find_duplicates(list(value))})
            if repeats:
                raise ValueError(f"stages listed twice: {', '.join(repeats)}")
            if not value:
                raise ValueError("list the stages, or remove stage_order to read them at start-up")
        return value

    def is_known_stage(self, value: str) -> bool:
        """True if ``value`` is a lifecyclestage this portal can have, as far as config tells.

        Without stage_order, HubSpot's defaults and numeric custom-stage ids are accepted.
        """
        if self.stage_order is not None:
            return value in self.stage_order
        return value in DEFAULT_STAGE_ORDER or value.isdigit()

    def stage_rank(self, value: str) -> int | None:
        """Position of ``value`` in the configured (or default) order; None if not ranked."""
        order = self.stage_order if self.stage_order is not None else DEFAULT_STAGE_ORDER
        return order.index(value) if value in order else None

    def unknown_stage_message(self, value: str) -> str:
        """The error text for a stage that is not in the known list."""
        if self.stage_order is not None:
            return f"unknown lifecycle stage {value!r}: not in lifecycle.stage_order"
        return (
            f"unknown lifecycle stage {value!r}: HubSpot's defaults are "
            f"{', '.join(DEFAULT_STAGE_ORDER)}; list custom stages in lifecycle.stage_order"
        )

    @model_validator(mode="after")
    def _mappings_are_consistent(self) -> LifecycleConfig:
        problems = ProblemCollector()
        stage_refs: list[tuple[Path, str]] = [
            (("stages", i, "hubspot"), m.hubspot) for i, m in enumerate(self.stages)
        ] + [
            (("opportunity_stages", i, "hubspot"), m.hubspot)
            for i, m in enumerate(self.opportunity_stages)
        ]
        stage_refs += [(("within_hubspot", *path), v) for path, v in self.within_hubspot.targets()]
        for path, value in stage_refs:
            if not self.is_known_stage(value):
                problems.add(path, self.unknown_stage_message(value))
        _check_sources(problems, "stages", self.stages)
        _check_sources(problems, "lead_status", self.lead_status)
        for index, mapping in enumerate(self.lead_status):
            if mapping.salesforce.object == "Opportunity":
                problems.add(
                    ("lead_status", index, "salesforce", "object"),
                    "lead statuses map to Lead or Contact, not Opportunity",
                )
        conditions = [m.stage_name if m.is_won is None else True for m in self.opportunity_stages]
        for index, first in find_duplicates(conditions).items():
            key = "is_won" if conditions[index] is True else "stage_name"
            problems.add(
                ("opportunity_stages", index, key),
                f"duplicate mapping source: same condition as opportunity_stages[{first}]",
            )
        problems.raise_if_any()
        return self
