"""Why a webhook request was refused, each reason with its HTTP meaning given once.

Receivers raise these; the template view (:mod:`webhooks.base`) turns them into the response
(JSON or a SOAP fault), the log line and the metric. Messages are short, fixed phrases: they are
sent back to the caller and logged, so they never carry secrets, payload values or personal data.
"""

from __future__ import annotations


class WebhookError(Exception):
    """A request Baton refuses; nothing from it was stored.

    Attributes:
        status: the HTTP status answered.
        outcome: the ``outcome`` label counted in ``baton_webhook_requests_total``.
        code: a stable machine-readable reason, sent in the error body and logged.
    """

    status: int = 400
    outcome: str = "bad_request"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class WebhookRejected(WebhookError):
    """Not authentic: missing or wrong signature or token, stale timestamp, unknown org → 401.

    The sender may retry (HubSpot retries any 4xx); a forgery never gets further than this.
    """

    status = 401
    outcome = "unauthorized"


class NotConnected(WebhookError):
    """A receiver of a CRM this install is not connected to (single-CRM mode) → 404.

    Nothing is stored: an event of a CRM Baton does not sync would only wait in the inbox.
    """

    status = 404
    outcome = "not_connected"


class PayloadError(WebhookError):
    """Unusable body: malformed JSON or XML, wrong content type, broken contract → 400."""

    status = 400
    outcome = "bad_request"


class BodyTooLarge(WebhookError):
    """The body exceeds ``service.max_body_bytes`` → 413; it is not read any further."""

    status = 413
    outcome = "too_large"


class StoreUnavailable(WebhookError):
    """The inbox transaction failed → 503, so the sender retries; nothing was acknowledged."""

    status = 503
    outcome = "unavailable"
