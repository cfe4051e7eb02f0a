"""Errors as the Salesforce REST API reports them.

Top-level REST errors are JSON arrays of `{"message", "errorCode", "fields"}`; rows of sObject
Collections use `statusCode` instead of `errorCode`. One exception type carries both forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Messages used when an error is injected without one (texts as Salesforce words them).
DEFAULT_MESSAGES = {
    "UNABLE_TO_LOCK_ROW": "unable to obtain exclusive access to this record or 1 records",
    "REQUEST_LIMIT_EXCEEDED": "TotalRequests Limit exceeded.",
    "INVALID_SESSION_ID": "Session expired or invalid",
    "SERVER_UNAVAILABLE": "Server temporarily unavailable",
    "UNKNOWN_EXCEPTION": "An unexpected error occurred. Please include this ErrorId if you "
    "contact support: 1234567890-12345 (-1234567890)",
    "CONCURRENT_REQUESTS_LIMIT_EXCEEDED": "ConcurrentPerOrgLongTxn Limit exceeded.",
}


@dataclass
class SalesforceApiError(Exception):
    """One Salesforce error with the HTTP status it is answered with.

    `extra` holds additional keys some errors carry (e.g. `duplicateResult`).
    """

    status: int
    error_code: str
    message: str
    fields: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: DML errors carry `fields` even when empty; query and routing errors do not.
    dml: bool = False

    def __post_init__(self) -> None:
        super().__init__(f"{self.error_code}: {self.message}")

    def rest_body(self) -> list[dict[str, Any]]:
        """The JSON array body of a top-level REST error."""
        item: dict[str, Any] = dict(self.extra)
        item.update({"message": self.message, "errorCode": self.error_code})
        if self.fields or self.dml:
            item["fields"] = list(self.fields)
        return [item]

    def row_error(self) -> dict[str, Any]:
        """One entry of a collection row's `errors` list (uses `statusCode`)."""
        item: dict[str, Any] = dict(self.extra)
        item.update(
            {"statusCode": self.error_code, "message": self.message, "fields": list(self.fields)}
        )
        return item


def not_found() -> SalesforceApiError:
    """The 404 for a URL or record that does not exist."""
    return SalesforceApiError(404, "NOT_FOUND", "The requested resource does not exist")


def entity_is_deleted() -> SalesforceApiError:
    """The error for a record that sits in the recycle bin."""
    return SalesforceApiError(404, "ENTITY_IS_DELETED", "entity is deleted")


def malformed_id(value: str, field_name: str | None = None) -> SalesforceApiError:
    """The 400 for a string that is not a valid id."""
    if field_name:
        return SalesforceApiError(
            400,
            "MALFORMED_ID",
            f"{field_name}: id value of incorrect type: {value}",
            [field_name],
        )
    return SalesforceApiError(400, "MALFORMED_ID", f"malformed id {value}")


def invalid_field(message: str) -> SalesforceApiError:
    """The 400 for an unknown or unusable field."""
    return SalesforceApiError(400, "INVALID_FIELD", message)


def malformed_query(message: str) -> SalesforceApiError:
    """The 400 for SOQL the engine cannot parse."""
    return SalesforceApiError(400, "MALFORMED_QUERY", message)
