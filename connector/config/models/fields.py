"""Small validated value types shared by the config sections (names, ids, URLs, e-mail)."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

from connector.config.labels import hubspot_lead_status_label
from connector.config.salesforce_ids import to_18

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_HUBSPOT_NAME = re.compile(r"[a-z0-9][a-z0-9_]*")
_SALESFORCE_FIELD = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__)?"  # optional managed-package namespace
    r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*"
    r"(?:__c)?"
)
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _matching(pattern: re.Pattern[str], description: str):
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {description}")
        return value

    return check


def _lower_name(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


HubSpotName = Annotated[
    str,
    AfterValidator(
        _matching(_HUBSPOT_NAME, "a HubSpot internal name (lower case, digits, underscores)")
    ),
]
"""A HubSpot internal property name or enumeration value such as ``lifecyclestage``."""

SalesforceField = Annotated[
    str,
    AfterValidator(
        _matching(_SALESFORCE_FIELD, "a Salesforce field API name (e.g. Status, My_Field__c)")
    ),
]
"""A Salesforce field API name such as ``Status`` or ``HubSpot_Contact_Id__c``."""

Identifier = Annotated[
    str,
    AfterValidator(_matching(_IDENTIFIER, "a lower-case name (letters, digits, underscores)")),
]
"""A name chosen by the admin (team, rule, policy, reason code): lower_snake_case."""

EmailAddress = Annotated[
    str,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    AfterValidator(_matching(_EMAIL, "an e-mail address")),
]
"""An e-mail address (shape check only; delivery is the notifier's problem)."""

LowerName = Annotated[str, BeforeValidator(_lower_name)]
"""A keyword compared case-insensitively (log levels, weekdays)."""


def check_http_url(value: str) -> str:
    """Return an http(s) base URL without its trailing slash, or raise ValueError."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    if parts.query or parts.fragment:
        raise ValueError("the URL must not have a query string or fragment")
    return value.rstrip("/")


def _https_url(value: str) -> str:
    value = check_http_url(value)
    if not value.startswith("https://"):
        raise ValueError("must start with https:// (the client library only speaks HTTPS)")
    return value


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
"""An http(s) base URL, stored without a trailing slash."""

HttpsUrl = Annotated[str, AfterValidator(_https_url)]
"""An https base URL, stored without a trailing slash."""


def _salesforce_id(prefix: str, what: str):
    def check(value: str) -> str:
        value = value.strip()
        if not value.startswith(prefix):
            raise ValueError(f"{value!r} is not a Salesforce {what} id (those start with {prefix})")
        try:
            return to_18(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a valid Salesforce {what} id: {exc}") from None

    return check


SalesforceUserId = Annotated[str, AfterValidator(_salesforce_id("005", "user"))]
"""A Salesforce User id (prefix 005), normalised to 18 characters."""

SalesforceQueueId = Annotated[str, AfterValidator(_salesforce_id("00G", "queue"))]
"""A Salesforce Queue (Group) id (prefix 00G), normalised to 18 characters."""

SalesforceOrgId = Annotated[str, AfterValidator(_salesforce_id("00D", "organization"))]
"""A Salesforce organization id (prefix 00D), normalised to 18 characters."""


def _hubspot_owner_id(value: object) -> str:
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"{value!r} is not a HubSpot owner id (those are digits)")
    return text


HubSpotOwnerId = Annotated[str, BeforeValidator(_hubspot_owner_id)]
"""A HubSpot owner id (digits; owners, not users, own records), kept as text."""


def is_email(value: str) -> bool:
    """True if ``value`` has the shape of an e-mail address."""
    return _EMAIL.fullmatch(value) is not None


def is_hubspot_owner_id(value: str) -> bool:
    """HubSpot owner ids are all digits."""
    return value.isdigit()


def find_duplicates(values: list[object]) -> dict[int, int]:
    """Map the index of each repeated value to the index of its first occurrence."""
    first_seen: dict[object, int] = {}
    repeats: dict[int, int] = {}
    for index, value in enumerate(values):
        if value in first_seen:
            repeats[index] = first_seen[value]
        else:
            first_seen[value] = index
    return repeats


def _not_a_lead_status_label(value: str) -> str:
    problem = hubspot_lead_status_label(value)
    if problem:
        raise ValueError(problem)
    return value


HubSpotLeadStatus = Annotated[str, Field(min_length=1), AfterValidator(_not_a_lead_status_label)]
"""An ``hs_lead_status`` internal value; HubSpot's default labels are refused with the value."""
