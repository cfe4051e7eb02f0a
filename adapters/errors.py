"""The one error type the CRM clients raise, and the verdict the classifiers turn it into.

The official clients raise their own exceptions (hubspot-api-client: one ``ApiException`` class
per API package; simple-salesforce: ``SalesforceError`` subclasses by status). Each of our thin
clients translates them into :class:`CrmCallError`, so the retry policy and the writers see one
shape: status, headers, parsed body, the CRM's own error code and message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class CrmCallError(Exception):
    """One outbound CRM call failed.

    Attributes:
        system: "hubspot" or "salesforce".
        status: HTTP status, or None when no response arrived (connection refused, timeout).
        headers: response headers with lower-cased names (empty when no response).
        body: the parsed JSON body (dict or list), the raw text when it was not JSON, or None.
        error_code: the CRM's own code (HubSpot ``category``/``policyName``, Salesforce
            ``errorCode``), when there is one.
        message: the CRM's own human-readable message (never contains our token).
    """

    def __init__(
        self,
        system: str,
        status: int | None,
        *,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        error_code: str | None = None,
        message: str = "",
    ) -> None:
        self.system = system
        self.status = status
        self.headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.body = body
        self.error_code = error_code
        self.message = message
        where = f"HTTP {status}" if status is not None else "no response"
        code = f" {error_code}" if error_code else ""
        super().__init__(f"{system} call failed ({where}{code}): {message}")

    @property
    def transport_failure(self) -> bool:
        """True when the request got no HTTP answer at all (network, TLS, timeout)."""
        return self.status is None


class BudgetExhausted(Exception):
    """Baton's own share of a CRM limit is used up; calling now would only earn a 429/403.

    Raised by the rate limiter before any request is sent. ``retry_after_s`` says when the
    budget is expected to have room again.
    """

    def __init__(self, system: str, reason: str, retry_after_s: float) -> None:
        self.system = system
        self.reason = reason
        self.retry_after_s = retry_after_s
        super().__init__(f"{system} budget exhausted ({reason}); retry in {retry_after_s:.0f} s")


class Verdict(StrEnum):
    """What the caller should do about one failure."""

    #: transient: wait (``wait_s`` or backoff) and try again within this call, a few times
    RETRY = "retry"
    #: stop now and let the outbox try again after ``wait_s`` (daily limit, long Retry-After)
    DEFER = "defer"
    #: permanent: the CRM refused this input; retrying cannot help
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class ErrorAction:
    """A classifier's answer: the verdict, the least wait the CRM asked for, its code and text."""

    verdict: Verdict
    wait_s: float | None = None
    error_code: str | None = None
    message: str | None = None


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (lower-cased names), or None when absent or a date.

    HubSpot sends seconds (429 optionally, 477 always). HTTP also allows a date, which no CRM we
    talk to sends; we ignore it rather than guess a clock skew.
    """
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return max(0.0, value)
