"""Which values are personal, and how to take them out of a payload (pure).

Baton needs ids and stages to do its jobs; a person's name, address or phone number it needs only
in the one command that creates their Salesforce Lead. ``IDENTIFYING`` fields are dropped before
anything is stored for the jobs (inbox events, known state); ``PERSONAL`` (a superset) is what an
erasure or the retention scrub removes from what had to be kept for a while (outbox payloads).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from connector.privacy import PSEUDONYM_PREFIX, email_hash

#: names (lower case) of fields that identify a person by themselves; never kept for the jobs
IDENTIFYING = frozenset(
    {
        "firstname",
        "lastname",
        "middlename",
        "name",
        "hs_lead_name",  # a HubSpot Leads-object record is named after its person
        "salutation",
        "phone",
        "mobilephone",
        "homephone",
        "fax",
        "street",
        "address",
        "postalcode",
        "zip",
    }
)
#: fields an erasure or the retention scrub removes from kept payloads (the e-mail included)
PERSONAL = IDENTIFYING | {"email", "company", "title", "city", "website"}

#: an e-mail address inside free text (log lines, CRM error messages, audit summaries), also
#: percent-encoded (a SOQL lookup by e-mail in a logged URL: ``ann%2Bwork%40example.org``)
EMAIL_IN_TEXT = re.compile(r"[\w.+'%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
ERASED = "[erased]"


def is_personal(name: object, fields: frozenset[str] = PERSONAL) -> bool:
    """True when a field of this name holds personal data."""
    return isinstance(name, str) and name.lower() in fields


def pseudonym(email: str) -> str:
    """The stable stand-in for an address: ``sha256:<digest>`` (its own pseudonym stays)."""
    return f"{PSEUDONYM_PREFIX}{email_hash(email)}"


def minimize(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the jobs keep of a record's values: e-mail as its pseudonym, no identifying field."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if is_personal(name, IDENTIFYING):
            continue
        if name.lower() == "email" and isinstance(value, str):
            value = pseudonym(value) if email_hash(value) else None
        kept[name] = value
    return kept


def without_personal(value: Any) -> Any:
    """``value`` with every personal field removed at any depth (for payloads kept past use)."""
    if isinstance(value, Mapping):
        return {k: without_personal(v) for k, v in value.items() if not is_personal(k)}
    if isinstance(value, list | tuple):
        return [without_personal(item) for item in value]
    if isinstance(value, str):
        return EMAIL_IN_TEXT.sub(ERASED, value)
    return value


def pseudonymize_text(text: str) -> str:
    """Free text with each e-mail address replaced by its short pseudonym (logs, error messages).

    An encoded address gets the pseudonym of the address itself, so a log line of a SOQL lookup
    and one of the clear address name the same person.
    """
    return EMAIL_IN_TEXT.sub(_pseudonymized, text)


#: what ends the text before an address in a match: a quote, or in a URL a space, ``=`` or quote
_BEFORE_ADDRESS = re.compile(r"'+|\+|%(?:20|22|27|2C|3A|3D)", re.IGNORECASE)


def _pseudonymized(found: re.Match[str]) -> str:
    text = found.group()
    at = re.search("@|%40", text, re.IGNORECASE)
    separators = _BEFORE_ADDRESS if "%" in text else re.compile("'+")
    start = max((m.end() for m in separators.finditer(text, 0, at.start() if at else 0)), default=0)
    return text[:start] + pseudonym(unquote(text[start:]))[:19]


def quoted_values_named(text: str, fields: Mapping[str, Any]) -> str:
    """``text`` with the value of each personal field in ``fields`` replaced by the field's name.

    A CRM's refusal often quotes what it refused ("Smith is not a valid …"); the admin reading
    a dead letter needs the field, not the person's name.
    """
    for name, value in sorted(fields.items(), key=lambda item: -len(str(item[1]))):
        if is_personal(name) and isinstance(value, str) and len(value.strip()) >= 2:
            text = text.replace(value, f"<{name}>")
    return pseudonymize_text(text)
