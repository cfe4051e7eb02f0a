"""A public or legacy app's webhook settings and subscriptions (Webhooks API v3).

These endpoints authenticate the app's developer account with its developer API key
(``?hapikey=``), not the portal's private-app token; a private app cannot change its
subscriptions through any API (hubspot.md §1.2). New subscriptions are paused unless created
``active``. Errors come back as :class:`~adapters.errors.CrmCallError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubspot import HubSpot
from hubspot.webhooks import SettingsChangeRequest, SubscriptionCreateRequest, ThrottlingSettings
from urllib3.util.retry import Retry

from adapters.errors import CrmCallError
from adapters.hubspot.client import exchange
from connector.metrics import Metrics

#: HubSpot's own ceiling of requests in flight per installing account (hubspot.md §1.2)
MAX_CONCURRENT_REQUESTS = 10


class HubSpotAppWebhooks:
    """Read and set one app's target URL and subscriptions."""

    def __init__(
        self,
        developer_api_key: str,
        app_id: int,
        base_url: str,
        *,
        metrics: Metrics | None = None,
        timeout_s: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        sdk = HubSpot(api_key=developer_api_key, host=base_url.rstrip("/"), retry=Retry(total=0))
        self._settings = sdk.webhooks.settings_api
        self._subscriptions = sdk.webhooks.subscriptions_api
        self.app_id = app_id
        self.metrics = metrics
        self.timeout_s = timeout_s

    def target_url(self) -> str | None:
        """The app's webhook target URL (None: never set)."""
        try:
            data = self._call(self._settings.get_all_with_http_info, self.app_id)
        except CrmCallError as exc:
            if exc.status == 404:
                return None
            raise
        return str(data.target_url) if data.target_url else None

    def set_target_url(self, url: str) -> None:
        """PUT the target URL (with HubSpot's maximum of 10 requests in flight)."""
        body = SettingsChangeRequest(
            target_url=url,
            throttling=ThrottlingSettings(max_concurrent_requests=MAX_CONCURRENT_REQUESTS),
        )
        self._call(self._settings.configure_with_http_info, self.app_id, body)

    def subscriptions(self) -> list[dict[str, Any]]:
        """``[{"eventType", "propertyName", "active", "id"}]``."""
        data = self._call(self._subscriptions.get_all_with_http_info, self.app_id)
        return [
            {
                "id": str(s.id),
                "eventType": s.event_type,
                "propertyName": s.property_name,
                "active": bool(s.active),
            }
            for s in data.results or []
        ]

    def subscribe(self, event_type: str, property_name: str | None) -> None:
        """Create one active subscription."""
        body = SubscriptionCreateRequest(
            event_type=event_type, property_name=property_name, active=True
        )
        self._call(self._subscriptions.create_with_http_info, self.app_id, body)

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        data, _ = exchange(method, *args, timeout_s=self.timeout_s, metrics=self.metrics)
        return data
