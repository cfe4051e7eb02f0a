"""HubSpot failure → what to do: the one decision table for every HubSpot error Baton meets.

Sources (see /work/shared/reference/hubspot.md §4.3, §4.4):
- 429 with ``policyName`` ``TEN_SECONDLY_ROLLING`` (or ``SECONDLY`` for search): wait and retry;
  ``DAILY``: the portal is out for the day, so stop and let the outbox come back much later.
  REST 429s usually carry no ``Retry-After``; when one is present it is honoured.
- 423 Locked (high-volume upserts): "locks will last for 2 seconds… delay of at least 2 seconds".
- 477 Migration in Progress: ``Retry-After`` in seconds (up to 24 h).
- 408, 5xx (500, 502, 503, 504 and Cloudflare's 52x): pause, then retry.
- Every other 4xx is permanent; the CRM's own ``category`` and ``message`` go to the dead letter.

Per-input errors of a 207 multi-status answer have a ``category`` but no HTTP status; they are
mapped to the status HubSpot uses for that category and go through the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.errors import ErrorAction, Verdict, parse_retry_after

#: How long to stay away after HubSpot's DAILY 429 when it does not say (it resets at the
#: portal's midnight, whose time zone Baton does not know).
DAILY_LIMIT_WAIT_S = 3600.0
#: HubSpot: "locks will last for 2 seconds… use a delay of at least 2 seconds".
LOCKED_MIN_WAIT_S = 2.0
#: 477 always carries Retry-After; if it ever does not, do not hammer a migrating portal.
MIGRATION_DEFAULT_WAIT_S = 60.0

# Map HubSpot error category (207 per-input errors): the HTTP status it comes with.
CATEGORY_STATUS: dict[str, int] = {
    "VALIDATION_ERROR": 400,
    "INVALID_AUTHENTICATION": 401,
    "MISSING_SCOPES": 403,
    "OBJECT_NOT_FOUND": 404,
    "CONFLICT": 409,
    "LOCKED": 423,
    "RATE_LIMITS": 429,
    "MIGRATION_IN_PROGRESS": 477,
    "INTERNAL_ERROR": 500,
}

_RETRIED_STATUSES = frozenset({408, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def classify_hubspot_error(
    status: int | None, body: Any, headers: Mapping[str, str] | None = None
) -> ErrorAction:
    """Decide RETRY / DEFER / DEAD for one HubSpot failure.

    Args:
        status: HTTP status; None when no response arrived (network, timeout). For a 207
            per-input error pass None and the error object as ``body``: its ``category`` decides.
        body: the parsed error body (HubSpot's ``{status, message, category, ...}``), raw text,
            or None.
        headers: response headers with lower-cased names.
    """
    headers = headers or {}
    fields = body if isinstance(body, Mapping) else {}
    category = _text(fields.get("category")) or _text(fields.get("errorType"))
    message = _text(fields.get("message")) or (body.strip()[:500] if isinstance(body, str) else "")
    retry_after = parse_retry_after(headers)

    if status is None:
        if category is None:
            return ErrorAction(Verdict.RETRY, None, "NETWORK_ERROR", message or "no response")
        status = CATEGORY_STATUS.get(category, 400)

    if status == 429:
        policy = _text(fields.get("policyName"))
        code = policy or category or "RATE_LIMIT"
        if policy == "DAILY":
            wait = max(retry_after or 0.0, DAILY_LIMIT_WAIT_S)
            return ErrorAction(Verdict.DEFER, wait, code, message or "daily limit reached")
        return ErrorAction(Verdict.RETRY, retry_after, code, message or "rate limited")
    if status == 423:
        wait = max(retry_after or 0.0, LOCKED_MIN_WAIT_S)
        return ErrorAction(Verdict.RETRY, wait, category or "LOCKED", message or "locked")
    if status == 477:
        wait = retry_after if retry_after is not None else MIGRATION_DEFAULT_WAIT_S
        return ErrorAction(Verdict.RETRY, wait, category or "MIGRATION_IN_PROGRESS", message)
    if status in _RETRIED_STATUSES or status >= 500:
        return ErrorAction(Verdict.RETRY, retry_after, category or f"HTTP_{status}", message)
    code = category or f"HTTP_{status}"
    return ErrorAction(Verdict.DEAD, None, code, message or f"HTTP {status}")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
