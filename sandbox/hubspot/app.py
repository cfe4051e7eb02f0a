"""The Flask app: the gate every request passes (auth, faults, limits, log) and error shapes.

Routes live in `routes_objects.py` and `routes_portal.py`; they stay thin over `CrmState`.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .errors import ApiError, correlation_id, injected, rate_limited, unauthorized
from .routes_app_webhooks import APP_WEBHOOKS_PREFIX
from .traffic import RequestRecord

if TYPE_CHECKING:
    from .sandbox import HubSpotSandbox

log = logging.getLogger(__name__)


def _is_search(path: str, method: str) -> bool:
    return method == "POST" and path.startswith("/crm/v3/objects/") and path.endswith("/search")


def _count_inputs() -> int:
    body = request.get_json(silent=True) if request.data else None
    if isinstance(body, dict) and isinstance(body.get("inputs"), list):
        return len(body["inputs"])
    if isinstance(body, list):
        return len(body)
    return 1


def create_app(sandbox: HubSpotSandbox) -> Flask:
    """Build the app serving one sandbox portal."""
    from .routes_app_webhooks import app_webhooks_blueprint
    from .routes_objects import objects_blueprint
    from .routes_portal import portal_blueprint

    app = Flask("hubspot_sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    config = sandbox.config

    @app.before_request
    def gate() -> None:
        """Auth, then injected faults, then the rate limits: the order HubSpot answers in."""
        if config.response_delay_s:  # the network and the CRM's own work, before anything
            time.sleep(config.response_delay_s)
        g.is_search = _is_search(request.path, request.method)
        g.n_inputs = _count_inputs()
        g.decision = None
        if request.path.startswith(APP_WEBHOOKS_PREFIX):
            # the Webhooks API authenticates the developer account, not the portal
            if request.args.get("hapikey") != config.developer_api_key:
                raise unauthorized()
        elif request.headers.get("Authorization", "") != f"Bearer {config.access_token}":
            raise unauthorized()
        fault = sandbox.faults.take(request.path)
        if fault is not None:
            status, retry_after_s = fault
            if status == 429 and retry_after_s is None and config.retry_after_on_429:
                retry_after_s = config.burst_window_ms / 1000.0
            raise injected(status, retry_after_s)
        chaos = sandbox.chaos.refuse()
        if chaos == 429:
            raise rate_limited("TEN_SECONDLY_ROLLING", retry_after_s=None)
        if chaos is not None:
            raise injected(chaos, None)
        g.may_lose_answer = True
        decision = sandbox.limiter.acquire(is_search=g.is_search)
        g.decision = decision
        if not decision.allowed:
            retry = decision.retry_after_s if config.retry_after_on_429 else None
            raise rate_limited(decision.policy or "TEN_SECONDLY_ROLLING", retry_after_s=retry)

    @app.after_request
    def stamp(response: Response) -> Response:
        """Rate-limit headers on every answer but search; log the call."""
        lost = getattr(g, "may_lose_answer", False) and response.status_code < 300
        if lost and sandbox.chaos.lose_answer():  # carried out, but the caller sees a timeout
            response = app.make_response(({"status": "error", "message": "timeout"}, 504))
        if not getattr(g, "is_search", False):
            burst_remaining, daily_remaining = sandbox.limiter.peek()
            decision = getattr(g, "decision", None)
            if decision is not None:
                burst_remaining = decision.burst_remaining
                daily_remaining = decision.daily_remaining
            response.headers["X-HubSpot-RateLimit-Max"] = str(config.burst_limit)
            response.headers["X-HubSpot-RateLimit-Remaining"] = str(burst_remaining)
            response.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = str(
                config.burst_window_ms
            )
            response.headers["X-HubSpot-RateLimit-Daily"] = str(config.daily_limit)
            response.headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(daily_remaining)
        sandbox.request_log.append(
            RequestRecord(
                request.method, request.path, response.status_code, getattr(g, "n_inputs", 1)
            )
        )
        return response

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[Response, int, dict[str, str]]:
        return jsonify(error.body()), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        status = error.code or 500
        body: dict[str, Any] = {
            "status": "error",
            "message": "resource not found" if status == 404 else (error.description or ""),
            "correlationId": correlation_id(),
        }
        if status == 400:
            body["category"] = "VALIDATION_ERROR"
        return jsonify(body), status

    @app.errorhandler(Exception)
    def crash(error: Exception) -> tuple[Response, int]:
        log.exception("HubSpot sandbox crashed on %s %s", request.method, request.path)
        body = {
            "status": "error",
            "message": f"internal error: {type(error).__name__}: {error}",
            "correlationId": correlation_id(),
            "category": "INTERNAL_ERROR",
        }
        return jsonify(body), 500

    app.register_blueprint(objects_blueprint(sandbox))
    app.register_blueprint(portal_blueprint(sandbox))
    app.register_blueprint(app_webhooks_blueprint(sandbox))
    return app
