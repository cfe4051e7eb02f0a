"""BatonConfig: the whole admin file, plus the checks that span sections."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from connector.config.issues import LocatedProblems
from connector.config.models.base import ConfigModel
from connector.config.models.credit import CreditConfig
from connector.config.models.crm_mode import CrmMode, crm_mode
from connector.config.models.cross_checks import cross_section_problems
from connector.config.models.dashboard import DashboardConfig
from connector.config.models.escalation import EscalationConfig
from connector.config.models.handoff import HandoffConfig
from connector.config.models.hubspot import HubSpotConfig
from connector.config.models.lifecycle import LifecycleConfig
from connector.config.models.notifiers import NotifiersConfig
from connector.config.models.recycle import RecycleConfig
from connector.config.models.routing import RoutingConfig
from connector.config.models.salesforce import SalesforceConfig
from connector.config.models.scorecard import ScorecardConfig
from connector.config.models.service import PrivacyConfig, ServiceConfig, StoreConfig
from connector.config.models.sla import SlaConfig


class BatonConfig(ConfigModel):
    """Everything the admin decides, validated as a whole. A missing CRM section = not used."""

    version: Literal[1] = Field(default=1, description="Config format version.")
    service: ServiceConfig = Field(default_factory=ServiceConfig, description="Web service.")
    store: StoreConfig = Field(default_factory=StoreConfig, description="State store.")
    hubspot: HubSpotConfig = Field(
        default_factory=lambda: HubSpotConfig(enabled=False), description="HubSpot portal."
    )
    salesforce: SalesforceConfig = Field(
        default_factory=lambda: SalesforceConfig(enabled=False), description="Salesforce org."
    )
    lifecycle: LifecycleConfig = Field(default_factory=LifecycleConfig, description="Stage sync.")
    handoff: HandoffConfig = Field(default_factory=HandoffConfig, description="MQL hand-off.")
    routing: RoutingConfig = Field(default_factory=RoutingConfig, description="Lead routing.")
    recycle: RecycleConfig = Field(default_factory=RecycleConfig, description="Lead recycling.")
    credit: CreditConfig = Field(default_factory=CreditConfig, description="Attribution.")
    sla: SlaConfig = Field(default_factory=SlaConfig, description="SLA policies and calendar.")
    escalation: EscalationConfig = Field(
        default_factory=EscalationConfig, description="Breach escalation ladder."
    )
    notifiers: NotifiersConfig = Field(
        default_factory=NotifiersConfig, description="E-mail and Slack."
    )
    scorecard: ScorecardConfig = Field(
        default_factory=ScorecardConfig, description="Weekly scorecard."
    )
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig, description="Sign-in.")
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig, description="Personal data.")

    @property
    def crm_mode(self) -> CrmMode:
        """Which CRMs Baton is installed beside; only those are validated and contacted."""
        return crm_mode(self.hubspot.enabled, self.salesforce.enabled)

    @model_validator(mode="before")
    @classmethod
    def _empty_section_is_default(cls, data: Any) -> Any:
        """`privacy:` with every line commented out means "defaults", not an error."""
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value is not None}
        return data

    @model_validator(mode="after")
    def _sections_agree(self) -> BatonConfig:
        sections = {name: getattr(self, name) for name in type(self).model_fields}
        problems = cross_section_problems(sections)
        if problems:
            raise LocatedProblems(problems)
        return self
