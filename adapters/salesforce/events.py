"""Salesforce outbound messages (SOAP 1.1) and JSON callouts → :class:`ChangeEvent` (pure).

Outbound messages: parsed namespace-aware with defusedxml (no DTDs, no entities, no external
references: an XML bomb is refused before anything expands). Each ``Notification`` is a snapshot
of the record's populated fields; its ``Id`` is the dedupe key, as Salesforce advises ("check the
notification IDs before processing", ``shared/reference/salesforce.md`` §1.5). Field values,
picklists included, are the org's own API values and pass through untouched.

JSON callouts (Flow HTTP Callout or Apex) follow Baton's own small contract, documented on
:func:`parse_json_callout`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from adapters import strict_json
from connector.events import ChangeEvent, EventKind, ObjectType, Source, utc_from_ms

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND_NS = "http://soap.sforce.com/2005/09/outbound"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: The WSDL allows up to 100 Notification elements per message.
MAX_NOTIFICATIONS = 100
MAX_JSON_EVENTS = 100

# Map Salesforce sObject type: ObjectType (anything else is OTHER, its name kept)
SOBJECT_TYPES: Mapping[str, ObjectType] = {
    "Lead": ObjectType.LEAD,
    "Contact": ObjectType.CONTACT,
    "Opportunity": ObjectType.OPPORTUNITY,
    "Account": ObjectType.COMPANY,
    "Task": ObjectType.TASK,
    "Event": ObjectType.EVENT,
    "CampaignMember": ObjectType.CAMPAIGN_MEMBER,
}

# Map JSON callout changeType (CDC's vocabulary): EventKind
CHANGE_TYPES: Mapping[str, EventKind] = {
    "CREATE": EventKind.CREATED,
    "UPDATE": EventKind.UPDATED,
    "DELETE": EventKind.DELETED,
    "UNDELETE": EventKind.RESTORED,
}

# Outbound messages carry flat fields; allow a little nesting (compound values), no more.
_MAX_FIELD_DEPTH = 4
_SF_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_EVENT_ID = re.compile(r"[A-Za-z0-9._:\-]{1,200}")


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification: its Id (the dedupe key) and the record snapshot (may be empty)."""

    notification_id: str
    sobject_type: str | None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A parsed ``notifications`` element; acknowledged as a whole or not at all."""

    organization_id: str
    action_id: str | None
    notifications: tuple[Notification, ...]


def parse_outbound_message(body: bytes) -> OutboundMessage:
    """Parse a SOAP 1.1 outbound-message envelope with a hardened parser.

    Raises:
        ValueError: not well-formed XML, a DTD/entity/external reference, not an outbound
            message envelope, no or more than 100 notifications, or a malformed Id.
    """
    root = _parse_xml(body)
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise ValueError("not a SOAP 1.1 envelope")
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    message = None if soap_body is None else soap_body.find(f"{{{OUTBOUND_NS}}}notifications")
    if message is None:
        raise ValueError("no outbound-message notifications element in the SOAP body")
    organization_id = _child_text(message, "OrganizationId")
    if not _SF_ID.fullmatch(organization_id):
        raise ValueError("OrganizationId missing or malformed")
    elements = message.findall(f"{{{OUTBOUND_NS}}}Notification")
    if not 1 <= len(elements) <= MAX_NOTIFICATIONS:
        raise ValueError(f"expected 1 to {MAX_NOTIFICATIONS} Notification elements")
    return OutboundMessage(
        organization_id=organization_id,
        action_id=_child_text(message, "ActionId") or None,
        notifications=tuple(_notification(element) for element in elements),
    )


def to_change_events(
    message: OutboundMessage, *, integration_user_id: str | None, received_at: datetime
) -> list[ChangeEvent]:
    """One UPDATED snapshot per notification; a notification without data becomes UNKNOWN.

    ("If the record is deleted before the notification is delivered, the notification contains
    no data", salesforce.md §1.2.)
    """
    return [
        _snapshot_event(
            notification,
            organization_id=message.organization_id,
            integration_user_id=integration_user_id,
            received_at=received_at,
        )
        for notification in message.notifications
    ]


def _snapshot_event(
    notification: Notification,
    *,
    organization_id: str,
    integration_user_id: str | None,
    received_at: datetime,
) -> ChangeEvent:
    fields = notification.fields
    record_id = fields.get("Id")
    object_id = record_id if isinstance(record_id, str) and _SF_ID.fullmatch(record_id) else ""
    type_name = notification.sobject_type
    actor = _user_id(fields.get("LastModifiedById"))
    return ChangeEvent(
        source=Source.SALESFORCE,
        kind=EventKind.UPDATED if object_id else EventKind.UNKNOWN,
        object_type=SOBJECT_TYPES.get(type_name or "", ObjectType.OTHER),
        object_id=object_id,
        event_id=notification.notification_id,
        occurred_at=_modstamp(fields) or received_at,
        changes=dict(fields),
        is_snapshot=True,
        actor=actor,
        is_echo=is_integration_user(actor, integration_user_id),
        account_id=organization_id,
        provider_type=type_name,
    )


def parse_json_callout(body: bytes) -> tuple[str, list[Mapping[str, Any]]]:
    """Decode a JSON callout: ``{"organizationId": "00D…", "events": [event, …]}``.

    Each event: ``sobjectType`` (API name), ``recordId``, ``changeType`` (CREATE, UPDATE,
    DELETE, UNDELETE; anything else is stored as UNKNOWN), ``occurredAt`` (ISO 8601 with an
    offset, or epoch ms), optional ``fields`` (API name → value), ``userId`` (who changed it)
    and ``eventId`` (stable across the sender's retries; a digest of the event if absent).

    Raises:
        ValueError: malformed JSON or a body that does not follow the contract.
    """
    payload = strict_json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("body is not a JSON object")
    organization_id = payload.get("organizationId")
    if not isinstance(organization_id, str) or not _SF_ID.fullmatch(organization_id):
        raise ValueError("organizationId missing or malformed")
    events = payload.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_JSON_EVENTS:
        raise ValueError(f"events must be a list of 1 to {MAX_JSON_EVENTS} objects")
    for event in events:
        _check_json_event(event)
    return organization_id, events


def json_to_change_events(
    organization_id: str,
    events: Sequence[Mapping[str, Any]],
    *,
    integration_user_id: str | None,
) -> list[ChangeEvent]:
    """Translate validated JSON callout events (see :func:`parse_json_callout`)."""
    translated = []
    for event in events:
        fields = event.get("fields") or {}
        actor = _user_id(event.get("userId")) or _user_id(fields.get("LastModifiedById"))
        type_name = event["sobjectType"]
        translated.append(
            ChangeEvent(
                source=Source.SALESFORCE,
                kind=CHANGE_TYPES.get(event["changeType"], EventKind.UNKNOWN),
                object_type=SOBJECT_TYPES.get(type_name, ObjectType.OTHER),
                object_id=event["recordId"],
                event_id=f"json:{event.get('eventId') or _digest(event)}",
                occurred_at=_json_time(event["occurredAt"]),
                changes=dict(fields),
                actor=actor,
                is_echo=is_integration_user(actor, integration_user_id),
                account_id=organization_id,
                provider_type=type_name,
            )
        )
    return translated


def is_integration_user(user_id: str | None, integration_user_id: str | None) -> bool:
    """True when ``user_id`` is Baton's integration user (15- and 18-character forms match)."""
    if not user_id or not integration_user_id:
        return False
    return user_id[:15] == integration_user_id[:15]


def _check_json_event(event: Any) -> None:
    if not isinstance(event, dict):
        raise ValueError("each event must be a JSON object")
    for key in ("sobjectType", "changeType"):
        value = event.get(key)
        if not isinstance(value, str) or not 0 < len(value) <= 80:
            raise ValueError(f"event {key} missing or malformed")
    record_id = event.get("recordId")
    if not isinstance(record_id, str) or not _SF_ID.fullmatch(record_id):
        raise ValueError("event recordId missing or malformed")
    event_id = event.get("eventId")
    if event_id is not None and not (isinstance(event_id, str) and _EVENT_ID.fullmatch(event_id)):
        raise ValueError("event eventId malformed")
    if "fields" in event and not isinstance(event["fields"], dict):
        raise ValueError("event fields must be a JSON object")
    _json_time(event.get("occurredAt"))


def _json_time(value: Any) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 253402300799999:
        return utc_from_ms(value)
    if isinstance(value, str) and (parsed := _aware_utc(value)) is not None:
        return parsed
    raise ValueError("event occurredAt must be ISO 8601 with an offset, or epoch milliseconds")


def _aware_utc(value: str) -> datetime | None:
    """An ISO 8601 stamp with an offset as aware UTC; None when malformed, naive or off the range.

    ``0001-01-01T00:00:00+14:00`` parses, but in UTC it falls before year 1: ``astimezone``
    raises OverflowError, which is a malformed stamp to us, not a crash.
    """
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return None


def _digest(event: Mapping[str, Any]) -> str:
    canonical = json.dumps(event, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()


def _parse_xml(body: bytes) -> Element:
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValueError("DTDs, entities and external references are not allowed") from None
    except ParseError as exc:
        raise ValueError(f"malformed XML ({exc})") from None


def _notification(element: Element) -> Notification:
    notification_id = _child_text(element, "Id")
    if not _SF_ID.fullmatch(notification_id):
        raise ValueError("Notification Id missing or malformed")
    sobject = element.find(f"{{{OUTBOUND_NS}}}sObject")
    if sobject is None:
        return Notification(notification_id, None)
    declared = sobject.get(f"{{{XSI}}}type") or ""
    sobject_type = declared.rpartition(":")[2] or None  # "sf:Lead" → "Lead"
    return Notification(notification_id, sobject_type, _fields(sobject))


def _fields(element: Element, depth: int = 0) -> dict[str, Any]:
    """Child elements by local name: text, None for xsi:nil, a dict for nested elements."""
    if depth > _MAX_FIELD_DEPTH:
        raise ValueError("sObject fields nested too deeply")
    values: dict[str, Any] = {}
    for child in element:
        name = child.tag.rpartition("}")[2]
        if child.get(f"{{{XSI}}}nil") == "true":
            values[name] = None
        elif len(child):
            values[name] = _fields(child, depth + 1)
        else:
            values[name] = child.text or ""
    return values


def _child_text(element: Element, name: str) -> str:
    child = element.find(f"{{{OUTBOUND_NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _modstamp(fields: Mapping[str, Any]) -> datetime | None:
    """SystemModstamp (always ≥ LastModifiedDate), else LastModifiedDate, as aware UTC."""
    for name in ("SystemModstamp", "LastModifiedDate"):
        value = fields.get(name)
        if isinstance(value, str) and (parsed := _aware_utc(value)) is not None:
            return parsed
    return None


def _user_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _SF_ID.fullmatch(value) else None
