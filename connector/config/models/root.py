"""BatonConfig: the whole admin file, plus the checks that span sections."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from connector.config.issues import ProblemCollector, did_you_mean
from connector.config.models.base import ConfigModel
from connector.config.models.credit import CreditConfig
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
from connector.config.models.sla import ALL_TEAMS, SlaConfig


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
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig, description="Personal data.")

    @model_validator(mode="before")
    @classmethod
    def _empty_section_is_default(cls, data: Any) -> Any:
        """`privacy:` with every line commented out means "defaults", not an error."""
        if isinstance(data, dict):
            data = {key: value for key, value in data.items() if value is not None}
        return data

    @model_validator(mode="after")
    def _sections_agree(self) -> BatonConfig:
        problems = ProblemCollector()
        if not self.hubspot.enabled and not self.salesforce.enabled:
            problems.add((), "enable hubspot, salesforce or both (each section has `enabled`)")
        self._check_stages(problems)
        self._check_teams(problems)
        self._check_notifiers(problems)
        if self.privacy.keep_raw_bodies_days > self.store.inbox_retention_days:
            problems.add(
                ("privacy", "keep_raw_bodies_days"),
                "raw bodies live in inbox rows: this cannot exceed "
                f"store.inbox_retention_days ({self.store.inbox_retention_days})",
            )
        problems.raise_if_any()
        return self

    def _check_stages(self, problems: ProblemCollector) -> None:
        lifecycle = self.lifecycle
        for path, stage in (
            (("handoff", "stage"), self.handoff.stage),
            (("recycle", "hubspot_stage"), self.recycle.hubspot_stage),
        ):
            if not lifecycle.is_known_stage(stage):
                problems.add(path, lifecycle.unknown_stage_message(stage))
        back, forward = (
            lifecycle.stage_rank(self.recycle.hubspot_stage),
            lifecycle.stage_rank(self.handoff.stage),
        )
        if back is not None and forward is not None and back >= forward:
            problems.add(
                ("recycle", "hubspot_stage"),
                f"recycling must move the contact back: {self.recycle.hubspot_stage!r} is not "
                f"before the hand-off stage {self.handoff.stage!r}",
            )

    def _check_teams(self, problems: ProblemCollector) -> None:
        teams = list(self.routing.teams)
        for index, policy in enumerate(self.sla.policies):
            for team_index, team in enumerate(policy.applies_to):
                if team != ALL_TEAMS and team not in self.routing.teams:
                    problems.add(
                        ("sla", "policies", index, "applies_to", team_index),
                        f"unknown team {team!r}{did_you_mean(team, teams)}: "
                        "teams are defined under routing.teams",
                    )

    def _check_notifiers(self, problems: ProblemCollector) -> None:
        notifiers = self.notifiers
        for index, step in enumerate(self.escalation.ladder):
            for channel_index, channel in enumerate(step.channels):
                if channel in ("email", "slack") and getattr(notifiers, channel) is None:
                    problems.add(
                        ("escalation", "ladder", index, "channels", channel_index),
                        f"channel {channel!r} needs notifiers.{channel} to be configured",
                    )
            hubspot_only = self.hubspot.enabled and not self.salesforce.enabled
            needs_hierarchy = step.notify in ("manager", "director")
            if needs_hierarchy and hubspot_only and not self.escalation.managers:
                problems.add(
                    ("escalation", "ladder", index, "notify"),
                    "HubSpot owners have no manager: list them under escalation.managers",
                )
        if self.scorecard.recipients and notifiers.email is None:
            problems.add(("scorecard", "recipients"), "sending the digest needs notifiers.email")
