"""The request and response values passed between the REST router and its handlers.

Kept free of werkzeug so composite subrequests can be dispatched through the same handlers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .dml import WriteContext
from .errors import SalesforceApiError


@dataclass
class ApiRequest:
    """One REST call, relative to `/services/data/vXX.X/`."""

    method: str
    path: str
    args: Mapping[str, str]
    headers: Mapping[str, str]
    raw_body: bytes
    actor_id: str
    version: str
    _json: Any = field(default=None, repr=False)
    _parsed: bool = field(default=False, repr=False)

    @property
    def parts(self) -> list[str]:
        """Path segments without empty ones (`sobjects/Lead/` -> ['sobjects', 'Lead'])."""
        return [p for p in self.path.split("/") if p]

    def json(self) -> Any:
        """The JSON body; JSON_PARSER_ERROR when it is missing or not JSON."""
        if not self._parsed:
            if not self.raw_body.strip():
                raise SalesforceApiError(400, "JSON_PARSER_ERROR", "The request body is empty.")
            try:
                self._json = json.loads(self.raw_body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise SalesforceApiError(
                    400, "JSON_PARSER_ERROR", f"Unexpected character in request body: {exc}"
                ) from None
            self._parsed = True
        return self._json

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        body = self.json()
        if not isinstance(body, dict):
            raise SalesforceApiError(
                400,
                "JSON_PARSER_ERROR",
                "Cannot deserialize instance of object from START_ARRAY value",
            )
        return body

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def write_context(self) -> WriteContext:
        """Actor and the write-behaviour headers (Sforce-Auto-Assign, duplicate rule header)."""
        auto_assign = (self.header("Sforce-Auto-Assign") or "TRUE").strip().upper() != "FALSE"
        duplicate_header = (self.header("Sforce-Duplicate-Rule-Header") or "").replace(" ", "")
        allow_save = "allowsave=true" in duplicate_header.lower()
        return WriteContext(self.actor_id, True, auto_assign, allow_save)

    def url_prefix(self) -> str:
        """`/services/data/vXX.X` for building record URLs."""
        return f"/services/data/v{self.version}"


@dataclass
class ApiResponse:
    """Status, JSON body (None for 204) and extra headers of one REST answer."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    n_records: int = 0


def method_not_allowed(method: str, allowed: str) -> SalesforceApiError:
    """The 405 Salesforce answers for a verb a resource does not support."""
    return SalesforceApiError(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}"
    )
