"""The scorecard section: the weekly SLA and funnel digest."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from pydantic import Field, field_validator, model_validator

from connector.config.models.base import ConfigModel
from connector.config.models.fields import EmailAddress, Weekday
from connector.config.secrets import EnvSecret


class ScorecardTargets(ConfigModel):
    """What the marketing-sales agreement promises; an unset target shows the figure untargeted."""

    mqls_per_week: int | None = Field(
        default=None, ge=0, description="Minimum MQLs marketing delivers to sales per week."
    )
    accepted_pct: Decimal | None = Field(
        default=Decimal(30), ge=0, le=100, description="Minimum % of delivered MQLs sales accepts."
    )
    first_response_hours: Decimal | None = Field(
        default=Decimal(4), gt=0, description="Maximum median first response, business hours."
    )
    within_sla_pct: Decimal | None = Field(
        default=None, ge=0, le=100, description="Minimum % of first responses within the SLA."
    )
    attempts_min: int | None = Field(
        default=5, ge=1, description="Fewest contact attempts before an outcome."
    )
    attempts_max: int | None = Field(
        default=7, ge=1, description="Most contact attempts before an outcome."
    )
    feedback_pct: Decimal | None = Field(
        default=Decimal(100),
        ge=0,
        le=100,
        description="Minimum % of disqualifications and recycles that carry a reason.",
    )

    @model_validator(mode="after")
    def _attempt_range(self) -> ScorecardTargets:
        if (
            self.attempts_min is not None
            and self.attempts_max is not None
            and self.attempts_min > self.attempts_max
        ):
            raise ValueError("attempts_min must not exceed attempts_max")
        return self


class ScorecardConfig(ConfigModel):
    """The weekly scorecard: served as a dashboard, e-mailed as a digest in the SLA time zone."""

    week_starts: Weekday = Field(default="monday", description="First day of a reporting week.")
    recipients: tuple[EmailAddress, ...] = Field(
        default=(), description="Who receives the digest; empty = dashboard only."
    )
    send_on: Weekday = Field(default="monday", description="Weekday the digest is sent.")
    send_at: time = Field(default=time(8, 0), description="Local time (HH:MM) it is sent.")
    targets: ScorecardTargets = Field(
        default_factory=ScorecardTargets, description="The agreement's targets per metric."
    )
    escalate_after_weeks: int = Field(
        default=3,
        ge=1,
        description="Weeks a metric may stay below target before the digest tells management.",
    )
    management: tuple[EmailAddress, ...] = Field(
        default=(), description="Who the digest's escalation line is addressed to (e-mail)."
    )
    slack: bool = Field(default=False, description="Also post the digest to the Slack notifier.")
    api_tokens: tuple[EnvSecret, ...] = Field(
        default=(),
        description="Bearer tokens the scorecard API (/api/scorecard…) accepts (secrets, "
        "${ENV_VAR}); none = the API answers 401 to everyone.",
    )
    dashboard_url: str | None = Field(
        default=None, description="Link the digest ends with (the dashboard's public address)."
    )
    campaign_property: str = Field(
        default="recent_conversion_event_name",
        min_length=1,
        description="HubSpot property (copied at hand-off by handoff.context_fields) that names "
        "a lead's campaign.",
    )
    cherry_pick_min_leads: int = Field(
        default=5, ge=1, description="Leads a rep must have touched before being judged."
    )
    cherry_pick_ratio: Decimal = Field(
        default=Decimal("0.5"),
        gt=0,
        le=1,
        description="A rep converting under this share of the team's rate is flagged.",
    )

    @field_validator("week_starts", "send_on", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value
