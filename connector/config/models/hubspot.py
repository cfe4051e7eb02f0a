"""The HubSpot section: which portal, how to authenticate, how much of the API budget to use."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from connector.config.issues import ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.fields import HttpUrl, HubSpotName
from connector.config.models.within_hubspot import LeadsObjectConfig
from connector.config.secrets import EnvSecret, rotation_secrets


class HubSpotRateLimit(ConfigModel):
    """Baton's share of HubSpot's API limits (private app, Professional: 190 per 10 s)."""

    burst_limit: int = Field(default=190, gt=0, description="Requests allowed per burst window.")
    burst_window_ms: int = Field(
        default=10_000, gt=0, description="Length of the rolling burst window, in milliseconds."
    )
    daily_limit: int = Field(
        default=625_000, gt=0, description="Requests per day for the whole portal (all apps)."
    )
    share: float = Field(
        default=0.5, gt=0, le=1, description="Fraction of both limits Baton may use (0-1]."
    )
    search_rps: float = Field(
        default=5,
        gt=0,
        le=5,
        description="Search API requests per second (HubSpot allows 5 per portal).",
    )


class HubSpotConfig(ConfigModel):
    """Connection to one HubSpot portal through a private or public app."""

    enabled: bool = Field(default=True, description="Sync with HubSpot at all.")
    portal_id: int | None = Field(
        default=None,
        gt=0,
        description="The portal's Hub ID; other portals' events are stored as unknown.",
    )
    app_id: int | None = Field(
        default=None, gt=0, description="The app's id; HubSpot reports our own writes with it."
    )
    base_url: HttpUrl = Field(
        default="https://api.hubapi.com", description="HubSpot API root (a sandbox in tests)."
    )
    access_token: EnvSecret | None = Field(
        default=None, description="Private-app access token. Secret: ${ENV_VAR} only."
    )
    client_secret: EnvSecret | None = Field(
        default=None, description="App client secret; verifies webhook signatures. Secret."
    )
    developer_api_key: EnvSecret | None = Field(
        default=None,
        description="Public or legacy app only: the developer account's API key, so `baton "
        "setup` sets the webhook target URL and subscriptions through the Webhooks API. "
        "Private apps cannot (set them in the app's settings). Secret.",
    )
    client_secrets: tuple[EnvSecret, ...] = Field(
        default=(),
        description="Several client secrets during a rotation (new first); each verifies.",
    )
    accept_v1_signatures: bool = Field(
        default=False,
        description="Legacy: accept v1 signatures (no timestamp, replayable) without v3 headers.",
    )
    workflow_replay_window_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days a workflow call's digest is remembered; a repeat within them is ignored.",
    )
    rate_limit: HubSpotRateLimit = Field(
        default_factory=HubSpotRateLimit, description="Share of HubSpot's API limits."
    )
    id_property_for_salesforce_id: HubSpotName = Field(
        default="salesforce_lead_id",
        description="Contact property holding the linked Salesforce Lead/Contact id.",
    )
    leads_object: LeadsObjectConfig = Field(
        default_factory=LeadsObjectConfig,
        description="HubSpot-only mode: a Leads record per hand-off, as the rep's work item.",
    )
    poll_interval_s: int = Field(
        default=300,
        ge=0,
        description="Seconds between reconciliation searches for missed webhooks (0 = off).",
    )

    @model_validator(mode="after")
    def _enabled_needs_credentials(self) -> HubSpotConfig:
        if not self.enabled:
            return self
        problems = ProblemCollector()
        for name in ("portal_id", "access_token", "client_secret"):
            if getattr(self, name) is None and not (
                name == "client_secret" and self.client_secrets
            ):
                problems.add((name,), "required when hubspot is enabled (or set enabled: false)")
        problems.raise_if_any()
        return self

    @property
    def signing_secrets(self) -> tuple[SecretStr, ...]:
        """Every client secret a webhook signature may be made with (rotation: several)."""
        return rotation_secrets(self.client_secret, self.client_secrets)
