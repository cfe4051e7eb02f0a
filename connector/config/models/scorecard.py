"""The scorecard section: the weekly SLA and funnel digest."""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import Field, field_validator

from connector.config.models.base import ConfigModel
from connector.config.models.fields import EmailAddress, Weekday


class ScorecardConfig(ConfigModel):
    """The weekly scorecard: served as a dashboard, e-mailed as a digest in the SLA time zone."""

    week_starts: Weekday = Field(default="monday", description="First day of a reporting week.")
    recipients: tuple[EmailAddress, ...] = Field(
        default=(), description="Who receives the digest; empty = dashboard only."
    )
    send_on: Weekday = Field(default="monday", description="Weekday the digest is sent.")
    send_at: time = Field(default=time(8, 0), description="Local time (HH:MM) it is sent.")

    @field_validator("week_starts", "send_on", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value
