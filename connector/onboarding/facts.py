"""What the doctor read from each CRM, as plain values (filled in ``baton/``, checked here).

A read that failed leaves its value None and its error text in ``errors`` under the same key,
so each check can say what it could not see instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connector.onboarding.plan import AppWebhooks


@dataclass
class HubSpotFacts:
    """The portal as the token sees it."""

    token: dict[str, Any] | None = None  # hubId, appId, userId, scopes
    #: object type → property name → {"type", "label", "groupName", "options": [...]}
    properties: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    owners: dict[str, bool] | None = None  # owner id → active
    list_type: str | None = None  # the nurture list's processingType
    budget: dict[str, int] = field(default_factory=dict)
    #: a public/legacy app's target URL and subscriptions (None: not read, a private app)
    app_webhooks: AppWebhooks | None = None
    errors: dict[str, str] = field(default_factory=dict)
    #: the Leads object's pipelines (read when the config makes or maps Leads records)
    lead_pipelines: list[dict[str, Any]] | None = None


@dataclass
class SalesforceFacts:
    """The org as the integration user sees it."""

    limits: dict[str, dict[str, int]] | None = None
    organization_id: str | None = None
    #: sObject → field name → {"type", "label", "picklist": [(value, label, active)]}
    describes: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    lead_statuses: list[tuple[str, str]] | None = None  # (API name, label)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # 15-char id → row
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    custom_fields: set[str] | None = None  # Object.Field__c (Tooling API)
    influence_model: str | None = None  # the CampaignInfluenceModel's Id, when found
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SelfTest:
    """What Baton's own receiver answered a signed (and a wrongly signed) test webhook."""

    url: str
    signed_status: int | None
    unsigned_status: int | None
    error: str = ""
