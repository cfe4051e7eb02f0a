"""Salesforce failure → what to do: the one decision table for every Salesforce error Baton meets.

Sources (see /work/shared/reference/salesforce.md §6.1, §6.2):
- ``UNABLE_TO_LOCK_ROW``: another transaction held the row (or its parent) for 10 s; retry
  with jitter. Arrives as a whole-request error or as one row of an sObject Collections answer.
- 403 ``REQUEST_LIMIT_EXCEEDED``: the org's rolling 24-hour allocation ("TotalRequests Limit
  exceeded") is spent, so stop and come back much later; the same code also reports too many
  concurrent long-running requests ("ConcurrentPerOrgLongTxn"), which clears in seconds.
- ``SERVER_UNAVAILABLE``, 5xx and no response at all: retry.
- ``ALL_OR_NONE_OPERATION_ROLLED_BACK``: the row was fine, another one failed; send it again.
- Everything else (400 validation, 401 session, 404, per-row ``statusCode`` errors such as
  ``FIELD_CUSTOM_VALIDATION_EXCEPTION``) is permanent, with Salesforce's own code and message.
  ``CANNOT_UPDATE_CONVERTED_LEAD`` is permanent *for the Lead*; the writer redirects it to the
  converted Contact before it ever reaches a dead letter.
"""

from __future__ import annotations

from collections.abc import Mapping

from adapters.errors import ErrorAction, Verdict, parse_retry_after

#: How long to stay away after the org's daily allocation ran out (it is a rolling 24 h window).
REQUEST_LIMIT_WAIT_S = 3600.0

_TRANSIENT_CODES = frozenset(
    {
        "UNABLE_TO_LOCK_ROW",
        "SERVER_UNAVAILABLE",
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "QUERY_TIMEOUT",
        "REQUEST_RUNNING_TOO_LONG",
        # Baton's own: Salesforce answered in a shape we could not read; the outcome is unknown.
        "UNEXPECTED_RESPONSE",
    }
)


def classify_salesforce_error(
    status: int | None,
    error_code: str | None,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ErrorAction:
    """Decide RETRY / DEFER / DEAD for one Salesforce failure.

    Args:
        status: HTTP status of the request; None for a per-row error inside a 200 collections
            answer (then ``error_code`` is the row's ``statusCode``) or when no response arrived
            (then ``error_code`` is None too).
        error_code: Salesforce's ``errorCode`` / ``statusCode``.
        message: Salesforce's message.
        headers: response headers with lower-cased names (``Retry-After`` is honoured if a proxy
            in front of Salesforce sends one).
    """
    text = message or ""
    retry_after = parse_retry_after(headers or {})
    if status is None and error_code is None:
        return ErrorAction(Verdict.RETRY, None, "NETWORK_ERROR", text or "no response")
    if error_code == "REQUEST_LIMIT_EXCEEDED":
        if "concurrent" in text.lower():
            return ErrorAction(Verdict.RETRY, retry_after, error_code, text)
        wait = max(retry_after or 0.0, REQUEST_LIMIT_WAIT_S)
        return ErrorAction(Verdict.DEFER, wait, error_code, text or "API request limit exceeded")
    if error_code in _TRANSIENT_CODES:
        return ErrorAction(Verdict.RETRY, retry_after, error_code, text)
    if status is not None and (status >= 500 or status == 408):
        return ErrorAction(Verdict.RETRY, retry_after, error_code or f"HTTP_{status}", text)
    code = error_code or (f"HTTP_{status}" if status is not None else "UNKNOWN_ERROR")
    return ErrorAction(Verdict.DEAD, None, code, text or code)
