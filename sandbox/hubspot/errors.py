"""HubSpot's error bodies, built in one place so every route answers in the documented shape."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any


def correlation_id() -> str:
    """A fresh correlation id, as HubSpot puts on every error."""
    return str(uuid.uuid4())


class ApiError(Exception):
    """An error answer: HTTP status plus HubSpot's JSON body (`status`, `message`, `category`...).

    Raised anywhere below the routes; the app turns it into the response.
    """

    def __init__(
        self,
        status: int,
        message: str,
        category: str | None,
        *,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, list[str]] | None = None,
        sub_category: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.errors = errors
        self.context = context
        self.sub_category = sub_category
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON body HubSpot sends for this error."""
        body: dict[str, Any] = {"status": "error", "message": self.message}
        body["correlationId"] = correlation_id()
        if self.category is not None:
            body["category"] = self.category
        if self.sub_category is not None:
            body["subCategory"] = self.sub_category
        if self.context is not None:
            body["context"] = self.context
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def validation_error(message: str, errors: list[dict[str, Any]] | None = None) -> ApiError:
    """400 VALIDATION_ERROR, the answer to most malformed requests."""
    return ApiError(400, message, "VALIDATION_ERROR", errors=errors)


def not_found(message: str = "resource not found", **context: list[str]) -> ApiError:
    """404 OBJECT_NOT_FOUND."""
    return ApiError(404, message, "OBJECT_NOT_FOUND", context=context or None)


def conflict(message: str) -> ApiError:
    """409 CONFLICT, e.g. a contact whose email already exists."""
    return ApiError(409, message, "CONFLICT")


def unauthorized() -> ApiError:
    """401 for a missing or wrong token, with HubSpot's wording."""
    return ApiError(
        401,
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and "
        "you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        "INVALID_AUTHENTICATION",
    )


def rate_limited(policy: str, *, retry_after_s: float | None) -> ApiError:
    """429 with `errorType: RATE_LIMIT` and the policy that tripped (no `category`)."""
    messages = {
        "DAILY": "You have reached your daily limit.",
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "SECONDLY": "You have reached your secondly limit.",
    }
    headers = {}
    if retry_after_s is not None:
        headers["Retry-After"] = _format_retry_after(retry_after_s)
    return ApiError(
        429,
        messages.get(policy, "You have reached your rate limit."),
        None,
        headers=headers,
        extra={"errorType": "RATE_LIMIT", "policyName": policy, "requestId": correlation_id()},
    )


def _format_retry_after(seconds: float) -> str:
    """Retry-After in whole seconds, rounded up (HTTP allows no fractions)."""
    return str(max(0, math.ceil(seconds)))


def property_problems(problems: list[dict[str, Any]], portal_id: int) -> ApiError:
    """400 VALIDATION_ERROR for bad property values, with the JSON list embedded in `message`.

    Each problem has `name`, `error` (PROPERTY_DOESNT_EXIST, INVALID_OPTION, ...) and `message`,
    exactly the pieces HubSpot serialises into its message string.
    """
    embedded = [
        {
            "isValid": False,
            "message": p["message"],
            "error": p["error"],
            "name": p["name"],
            "localizedErrorMessage": p["message"],
            "portalId": portal_id,
        }
        for p in problems
    ]
    errors = [
        {
            "message": p["message"],
            "code": p["error"],
            "context": {"propertyName": [p["name"]]},
        }
        for p in problems
    ]
    message = "Property values were not valid: " + json.dumps(embedded, separators=(",", ":"))
    return validation_error(message, errors)


def injected(status: int, retry_after_s: float | None) -> ApiError:
    """An error asked for by a test through `HubSpotSandbox.inject` (423, 477, 5xx...)."""
    headers = {}
    if retry_after_s is not None:
        headers["Retry-After"] = _format_retry_after(retry_after_s)
    if status == 423:
        return ApiError(
            423,
            "The object is locked by another operation. Retry after at least 2 seconds.",
            "LOCKED",
            headers=headers,
        )
    if status == 477:
        headers.setdefault("Retry-After", "1")
        return ApiError(
            477, "Migration in progress. Retry later.", "MIGRATION_IN_PROGRESS", headers=headers
        )
    if status == 429:
        return rate_limited("TEN_SECONDLY_ROLLING", retry_after_s=retry_after_s)
    if status >= 500:
        return ApiError(status, "internal error", "INTERNAL_ERROR", headers=headers)
    return ApiError(status, f"injected error {status}", "VALIDATION_ERROR", headers=headers)
