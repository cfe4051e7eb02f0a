"""The Webhooks API v3 of a public or legacy app: its target URL and its subscriptions.

``GET|PUT /webhooks/v3/{appId}/settings`` (``targetUrl``, ``throttling.maxConcurrentRequests``)
and ``GET|POST /webhooks/v3/{appId}/subscriptions`` (``eventType``, ``propertyName``,
``active``; new subscriptions are paused unless ``active`` is true). Authenticated with the
developer API key as ``?hapikey=`` (hubspot.md §1.2; Webhooks v3 OpenAPI). A private app's
subscriptions cannot be set this way; the sandbox's ``hs.subscribe`` stands in for its
settings screen. API subscriptions deliver to the settings' target URL, like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, jsonify

from .errors import not_found, validation_error
from .httputil import json_body
from .properties import iso_from_ms

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox
    from .webhooks import Subscription

APP_WEBHOOKS_PREFIX = "/webhooks/v3/"


def _subscription(sub: Subscription) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(sub.id),
        "eventType": sub.subscription_type,
        "active": sub.active,
        "createdAt": iso_from_ms(sub.created_at_ms),
        "updatedAt": iso_from_ms(sub.created_at_ms),
    }
    if sub.property_name:
        body["propertyName"] = sub.property_name
    return body


def app_webhooks_blueprint(sandbox: HubSpotSandbox) -> Blueprint:
    """Routes for the app's webhook settings and subscriptions."""
    bp = Blueprint("hubspot_app_webhooks", __name__)
    dispatcher = sandbox.webhooks

    def require_app(app_id: str) -> None:
        if app_id != str(sandbox.config.app_id):
            raise not_found(f"App {app_id} not found")

    @bp.get("/webhooks/v3/<app_id>/settings")
    def get_settings(app_id: str) -> Any:
        require_app(app_id)
        if dispatcher.app_target_url is None:
            raise not_found(f"No webhook settings for app {app_id}")
        return jsonify(_settings(sandbox))

    @bp.put("/webhooks/v3/<app_id>/settings")
    def put_settings(app_id: str) -> Any:
        require_app(app_id)
        body = json_body()
        url = body.get("targetUrl") if isinstance(body, dict) else None
        if not isinstance(url, str) or (
            not url.startswith("https://") and not url.startswith("http://127.0.0.1")
        ):
            raise validation_error("targetUrl must be an https URL")
        throttling = body.get("throttling") or {}
        concurrent = throttling.get("maxConcurrentRequests", dispatcher.app_max_concurrent)
        if not isinstance(concurrent, int) or concurrent <= 5:
            raise validation_error("throttling.maxConcurrentRequests must be greater than five")
        dispatcher.app_max_concurrent = concurrent
        dispatcher.set_app_target(url)
        return jsonify(_settings(sandbox))

    @bp.get("/webhooks/v3/<app_id>/subscriptions")
    def list_subscriptions(app_id: str) -> Any:
        require_app(app_id)
        results = [_subscription(s) for s in dispatcher.subscriptions if s.via_api]
        return jsonify({"results": results})

    @bp.post("/webhooks/v3/<app_id>/subscriptions")
    def create_subscription(app_id: str) -> Any:
        require_app(app_id)
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("eventType"), str):
            raise validation_error("eventType is required")
        prop = body.get("propertyName")
        try:
            sub = dispatcher.add_app_subscription(
                body["eventType"],
                str(prop) if prop else None,
                bool(body.get("active")),
                sandbox.state.now_ms(),
            )
        except ValueError as error:
            raise validation_error(str(error)) from None
        return jsonify(_subscription(sub)), 201

    return bp


def _settings(sandbox: HubSpotSandbox) -> dict[str, Any]:
    now = iso_from_ms(sandbox.state.now_ms())
    return {
        "targetUrl": sandbox.webhooks.app_target_url,
        "throttling": {"maxConcurrentRequests": sandbox.webhooks.app_max_concurrent},
        "createdAt": now,
        "updatedAt": now,
    }
