"""Configuration of the HubSpot stand-in: identity of the portal/app and the knobs of realism."""

from __future__ import annotations

from dataclasses import dataclass

#: what the stand-in's private-app token is granted unless a test says otherwise
DEFAULT_SCOPES: tuple[str, ...] = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.deals.read",
    "crm.objects.deals.write",
    "crm.objects.owners.read",
    "crm.lists.read",
    "crm.lists.write",
    "crm.schemas.contacts.read",
    "crm.schemas.contacts.write",
    "crm.schemas.deals.read",
    "crm.schemas.deals.write",
)


@dataclass(frozen=True)
class HubSpotSandboxConfig:
    """Everything that makes one stand-in portal behave like a particular real one.

    Defaults follow a private app on a Professional portal (190 requests per rolling 10 s,
    625,000 a day) and HubSpot's documented webhook delivery (5 s timeout, 10 retries,
    10 requests in flight, batches of up to 100 events). Tests scale the webhook timings down.
    """

    portal_id: int = 62515
    app_id: int = 54321
    client_secret: str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
    access_token: str = "pat-na1-sandbox-token"
    #: the developer account's API key: the Webhooks API (settings, subscriptions) takes it as
    #: ``?hapikey=``, never the portal's token
    developer_api_key: str = "sandbox-developer-api-key"
    #: scopes of the private-app token, as the access-token-info endpoint reports them
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    #: the user who created the private app (access-token-info ``userId``)
    token_user_id: int = 1
    # General API limits: a rolling window plus a daily budget.
    burst_limit: int = 190
    burst_window_ms: int = 10_000
    daily_limit: int = 625_000
    # Search has its own per-account limit and result cap.
    search_rps: int = 5
    search_max_total: int = 10_000
    search_index_delay_s: float = 0.0
    retry_after_on_429: bool = False
    #: seconds every API answer takes (a real portal answers in tens of ms; 0 = at once)
    response_delay_s: float = 0.0
    # Webhook delivery.
    webhook_timeout_s: float = 5.0
    webhook_max_attempts: int = 10
    webhook_retry_base_s: float = 1.0
    webhook_max_concurrency: int = 10
    webhook_batch_size: int = 100
    webhook_duplicate_rate: float = 0.0
    webhook_reorder: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        positive = {
            "burst_limit": self.burst_limit,
            "burst_window_ms": self.burst_window_ms,
            "daily_limit": self.daily_limit,
            "search_rps": self.search_rps,
            "search_max_total": self.search_max_total,
            "webhook_max_concurrency": self.webhook_max_concurrency,
            "webhook_batch_size": self.webhook_batch_size,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"HubSpotSandboxConfig.{name} must be positive, got {value!r}")
        if self.webhook_timeout_s <= 0:
            raise ValueError("HubSpotSandboxConfig.webhook_timeout_s must be positive")
        if self.webhook_max_attempts < 0 or self.webhook_retry_base_s < 0:
            raise ValueError("webhook_max_attempts and webhook_retry_base_s must be >= 0")
        if self.response_delay_s < 0:
            raise ValueError("HubSpotSandboxConfig.response_delay_s must be >= 0")
        if self.search_index_delay_s < 0:
            raise ValueError("HubSpotSandboxConfig.search_index_delay_s must be >= 0")
        if not 0.0 <= self.webhook_duplicate_rate <= 1.0:
            raise ValueError("HubSpotSandboxConfig.webhook_duplicate_rate must be within [0, 1]")
        if not self.access_token or not self.client_secret:
            raise ValueError("access_token and client_secret must be non-empty")
