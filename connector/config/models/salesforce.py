"""The Salesforce section: which org, how to log in, how inbound messages are authenticated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from connector.config.issues import ProblemCollector
from connector.config.models.base import ConfigModel
from connector.config.models.fields import (
    HttpsUrl,
    SalesforceField,
    SalesforceOrgId,
    SalesforceUserId,
    find_duplicates,
)
from connector.config.secrets import EnvSecret, rotation_secrets

_API_VERSION = re.compile(r"[1-9][0-9]\.0|[1-9][0-9]{2}\.0")
_PATH_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")


def _token_fits_a_path(value: SecretStr) -> SecretStr:
    if not _PATH_TOKEN.fullmatch(value.get_secret_value()):
        raise ValueError(
            "the token must be at least 16 characters of A-Z, a-z, 0-9, '-' or '_' "
            "(it is part of a URL path)"
        )
    return value


PathToken = Annotated[EnvSecret, AfterValidator(_token_fits_a_path)]
"""A secret path segment of the outbound-message endpoint."""


class JwtAuth(ConfigModel):
    """OAuth 2.0 JWT bearer flow: a connected app, a certificate and a pre-authorised user."""

    username: str = Field(min_length=3, description="Salesforce username of the integration user.")
    consumer_key: str = Field(min_length=10, description="Connected app consumer key.")
    private_key_path: Path = Field(
        description="PEM private key file; relative paths start at the config file."
    )
    domain: Literal["login", "test"] = Field(
        default="login", description="login for production, test for sandboxes."
    )

    @field_validator("private_key_path")
    @classmethod
    def _key_file_exists(cls, value: Path, info: ValidationInfo) -> Path:
        base_dir = (info.context or {}).get("base_dir")
        if base_dir is not None and not value.is_absolute():
            value = Path(base_dir) / value  # relative to the config file, not the cwd
        if not value.is_file():
            raise ValueError(f"private key file {str(value)!r} does not exist")
        return value


class ClientCredentialsAuth(ConfigModel):
    """OAuth 2.0 client-credentials flow of a connected app (its run-as user is the
    integration user): Baton posts to ``<instance_url>/services/oauth2/token`` (the My Domain
    URL, as Salesforce requires for this flow) and logs in again when the session expires."""

    consumer_key: str = Field(min_length=10, description="Connected app consumer key.")
    consumer_secret: EnvSecret = Field(description="Connected app consumer secret. Secret.")


class SalesforceAuth(ConfigModel):
    """How Baton logs in: give exactly one of session_id, jwt or client_credentials."""

    session_id: EnvSecret | None = Field(
        default=None, description="A session id / access token (no refresh). Secret."
    )
    jwt: JwtAuth | None = Field(default=None, description="JWT bearer flow settings.")
    client_credentials: ClientCredentialsAuth | None = Field(
        default=None, description="Client-credentials flow settings (logs in again on expiry)."
    )

    @model_validator(mode="after")
    def _exactly_one_method(self) -> SalesforceAuth:
        given = [self.session_id, self.jwt, self.client_credentials]
        if sum(method is not None for method in given) != 1:
            raise ValueError("give exactly one of session_id, jwt or client_credentials")
        return self


class SalesforceRateLimit(ConfigModel):
    """Baton's share of the org's rolling 24-hour API allocation."""

    daily_limit: int = Field(
        default=100_000, gt=0, description="The org's API requests per 24 hours."
    )
    share: float = Field(default=0.5, gt=0, le=1, description="Fraction Baton may use (0-1].")


class SalesforceConfig(ConfigModel):
    """Connection to one Salesforce org."""

    enabled: bool = Field(default=True, description="Sync with Salesforce at all.")
    instance_url: HttpsUrl | None = Field(
        default=None, description="The org's My Domain URL, e.g. https://acme.my.salesforce.com."
    )
    api_version: str = Field(default="59.0", description="REST API version, e.g. 59.0.")
    auth: SalesforceAuth | None = Field(default=None, description="How Baton logs in.")
    organization_ids: tuple[SalesforceOrgId, ...] = Field(
        default=(), description="Org ids (00D…) whose outbound messages are accepted."
    )
    outbound_path_token: PathToken | None = Field(
        default=None, description="Secret path segment of the outbound-message endpoint. Secret."
    )
    outbound_path_tokens: tuple[PathToken, ...] = Field(
        default=(),
        description="Several path tokens during a rotation (new first); each is accepted.",
    )
    json_webhook_secret: EnvSecret | None = Field(
        default=None, description="HMAC key of Flow/Apex JSON callouts. Secret."
    )
    json_webhook_secrets: tuple[EnvSecret, ...] = Field(
        default=(),
        description="Several HMAC keys during a rotation (new first); each verifies.",
    )
    integration_user_id: SalesforceUserId | None = Field(
        default=None, description="User Baton writes as; its changes are our own echoes."
    )
    rate_limit: SalesforceRateLimit = Field(
        default_factory=SalesforceRateLimit, description="Share of the API allocation."
    )
    hubspot_id_field: SalesforceField = Field(
        default="HubSpot_Contact_Id__c", description="Lead/Contact field holding the HubSpot id."
    )
    lifecycle_field: SalesforceField | None = Field(
        default=None,
        description="Salesforce alone: Lead and Contact field holding the lifecycle stage.",
    )
    poll_interval_s: int = Field(
        default=300, ge=0, description="Seconds between SystemModstamp reconciliation (0 = off)."
    )
    use_assignment_rules: bool = Field(
        default=False, description="Let Lead writes run assignment rules (Sforce-Auto-Assign)."
    )
    hold_reason_field: SalesforceField | None = Field(
        default="Baton_Hold_Reason__c",
        description="Salesforce alone: Lead field showing why an MQL was held back "
        "(baton setup creates it); none = the audit trail only.",
    )
    lead_external_id_field: SalesforceField | None = Field(
        default=None,
        description=(
            "Lead External ID field holding the HubSpot contact id: new Leads are upserts on it"
            " (PATCH sobjects/Lead/<field>/<id>), so a create sent again cannot make a second"
            " Lead. Unset: look the Lead up by hubspot_id_field before creating."
        ),
    )

    @field_validator("api_version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        if isinstance(value, float):  # YAML reads 59.0 as a number
            return f"{value:.1f}"
        return value

    @field_validator("api_version")
    @classmethod
    def _version_shape(cls, value: str) -> str:
        if not _API_VERSION.fullmatch(value):
            raise ValueError(f"{value!r} is not a REST API version such as 59.0")
        return value

    @model_validator(mode="after")
    def _enabled_needs_connection(self) -> SalesforceConfig:
        problems = ProblemCollector()
        for index, first in find_duplicates(list(self.organization_ids)).items():
            problems.add(("organization_ids", index), f"same org as organization_ids[{first}]")
        if self.enabled:
            for name in ("instance_url", "auth"):
                if getattr(self, name) is None:
                    problems.add(
                        (name,), "required when salesforce is enabled (or set enabled: false)"
                    )
            if not self.organization_ids:
                problems.add(("organization_ids",), "list at least your org's id (00D…)")
            if not (self.path_tokens or self.json_secrets):
                problems.add(
                    ("outbound_path_token",),
                    "set outbound_path_token or json_webhook_secret so Salesforce can reach Baton",
                )
        problems.raise_if_any()
        return self

    @property
    def path_tokens(self) -> tuple[SecretStr, ...]:
        """Every accepted outbound-message path token (single key and rotation list)."""
        return rotation_secrets(self.outbound_path_token, self.outbound_path_tokens)

    @property
    def json_secrets(self) -> tuple[SecretStr, ...]:
        """Every accepted JSON-callout HMAC key (single key and rotation list)."""
        return rotation_secrets(self.json_webhook_secret, self.json_webhook_secrets)
