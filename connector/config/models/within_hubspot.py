"""What the lifecycle means when HubSpot runs it: the Leads object and the stage sources.

Beside Salesforce, HubSpot's ``lifecyclestage`` follows the Salesforce Lead and Opportunity.
With HubSpot alone (Marketing + Sales Hub) the rep works a record of HubSpot's **Leads object**
(object type ``leads``, id ``0-136``, its own pipeline; a lead must have ``hs_lead_name`` and be
associated to a contact — developers.hubspot.com/docs/api-reference/crm-leads-v3/guide) and
closes **deals**; these sections say which of their stages move the contact's lifecycle.
"""

from __future__ import annotations

from pydantic import Field

from connector.config.models.base import ConfigModel
from connector.config.models.fields import HubSpotName

#: the default lead pipeline and stage internal ids of a portal with Leads set up (public
#: portal property dumps; the labels New, Attempting, Connected, Qualified, Disqualified are
#: editable per portal, the ids are not — read them with GET /crm/v3/pipelines/leads)
DEFAULT_LEAD_PIPELINE = "lead-pipeline-id"
NEW_LEAD_STAGE = "new-stage-id"
QUALIFIED_LEAD_STAGE = "qualified-stage-id"
DISQUALIFIED_LEAD_STAGE = "unqualified-stage-id"


class LeadsObjectConfig(ConfigModel):
    """HubSpot Leads records Baton creates as the rep's work item at hand-off."""

    enabled: bool = Field(
        default=False, description="Create a Leads record at hand-off (the portal uses Leads)."
    )
    pipeline: str = Field(default=DEFAULT_LEAD_PIPELINE, description="Lead pipeline id.")
    stage: str = Field(default=NEW_LEAD_STAGE, description="Stage id a new lead starts in.")
    lead_type: str | None = Field(
        default=None, description="hs_lead_type of created leads (e.g. NEW_BUSINESS); none = unset."
    )
    qualified_stage: str = Field(
        default=QUALIFIED_LEAD_STAGE, description="Stage id meaning 'qualified' (lead closed)."
    )
    disqualified_stage: str = Field(
        default=DISQUALIFIED_LEAD_STAGE,
        description="Stage id meaning 'disqualified' (lead closed; it has a reason).",
    )

    mirror_salesforce_lead: bool = Field(
        default=False,
        description="Beside Salesforce: keep one open Leads record per handed-off contact as a "
        "mirror of its Salesforce Lead (created at hand-off, closed at conversion).",
    )
    salesforce_status_stages: dict[str, str] = Field(
        default_factory=dict,
        description="Beside Salesforce: Lead Status → stage id (or label) the mirror moves to, "
        "e.g. 'Working - Contacted': attempting-stage-id; a closed stage closes it.",
    )

    @property
    def closed_stages(self) -> tuple[str, ...]:
        """Stages of finished leads: a contact whose leads are all there gets a new one."""
        return (self.qualified_stage, self.disqualified_stage)


class WithinHubSpotStages(ConfigModel):
    """HubSpot values that move the contact's ``lifecyclestage`` forward (never back)."""

    lead_stages: dict[str, HubSpotName] = Field(
        default_factory=dict,
        description="Leads-object hs_pipeline_stage id → lifecyclestage (connected-stage-id: SQL).",
    )
    lead_status: dict[str, HubSpotName] = Field(
        default_factory=dict, description="Contact hs_lead_status value → lifecyclestage."
    )
    deal_stages: dict[str, HubSpotName] = Field(
        default_factory=dict,
        description="Deal dealstage id → lifecyclestage of its contacts (closedwon: customer).",
    )

    def targets(self) -> list[tuple[tuple[str, str], str]]:
        """Every (path, lifecyclestage) named here, for the known-stage check."""
        return [
            ((section, key), stage)
            for section in ("lead_stages", "lead_status", "deal_stages")
            for key, stage in getattr(self, section).items()
        ]
