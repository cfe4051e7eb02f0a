"""HubSpot webhook bodies → :class:`ChangeEvent` (pure: no Flask, no I/O).

Two inputs: app webhooks (a JSON array of up to 100 events, one per subscription match) and
workflow "Send a webhook" calls (one record's data, shape chosen by the workflow's author).
Facts and examples: ``shared/reference/hubspot.md`` §1.3 and §1.5.

Authentic events Baton does not handle (an unknown subscription type, another portal, an item
without a usable timestamp) become ``EventKind.UNKNOWN``: stored and acknowledged, never bounced,
because HubSpot retries any non-2xx for a day and the retries could not succeed either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters import strict_json
from connector.events import ChangeEvent, EventKind, ObjectType, Source, utc_from_ms

#: HubSpot says a batch holds fewer than 100 events; more is not a HubSpot request.
MAX_BATCH = 100

# Map HubSpot subscriptionType action (the part after the dot): normalized EventKind
ACTIONS: Mapping[str, EventKind] = {
    "creation": EventKind.CREATED,
    "propertyChange": EventKind.UPDATED,
    "deletion": EventKind.DELETED,
    "privacyDeletion": EventKind.PRIVACY_DELETED,  # fires beside contact.deletion, any order
    "merge": EventKind.MERGED,
    "associationChange": EventKind.ASSOCIATION,
    "restore": EventKind.RESTORED,
}

# Map HubSpot legacy subscription prefix (contact.creation → contact): ObjectType
OBJECT_PREFIXES: Mapping[str, ObjectType] = {
    "contact": ObjectType.CONTACT,
    "company": ObjectType.COMPANY,
    "deal": ObjectType.DEAL,
}

# Map HubSpot objectTypeId (generic object.* subscriptions, beta since 2024-08): ObjectType
OBJECT_TYPE_IDS: Mapping[str, ObjectType] = {
    "0-1": ObjectType.CONTACT,
    "0-2": ObjectType.COMPANY,
    "0-3": ObjectType.DEAL,
    "0-27": ObjectType.TASK,
    "0-136": ObjectType.HUBSPOT_LEAD,  # the Leads object (Sales Hub): the rep's work item
    # engagements, for SLA touches (object.creation / object.propertyChange per object type)
    "0-47": ObjectType.MEETING,
    "0-48": ObjectType.CALL,
    "0-49": ObjectType.EMAIL,
}

# Map the left side of an associationType (CONTACT_TO_DEAL): ObjectType
ASSOCIATION_SIDES: Mapping[str, ObjectType] = {
    "CONTACT": ObjectType.CONTACT,
    "COMPANY": ObjectType.COMPANY,
    "DEAL": ObjectType.DEAL,
    "TASK": ObjectType.TASK,
}

# eventId alone is not unique (hubspot.md §1.3); these fields together are, and none of them
# changes between redeliveries (attemptNumber does, so it is left out). subscriptionType and the
# association fields separate events that share the listed ones (association events carry no
# objectId, hubspot.md §8 item 2 plus §1.3).
DEDUPE_FIELDS = (
    "portalId", "subscriptionId", "eventId", "occurredAt", "objectId", "propertyName",
    "propertyValue", "subscriptionType", "eventType", "fromObjectId", "toObjectId",
    "associationType", "associationRemoved",
)  # fmt: skip

# An occurredAt outside year 1970..9999 is not a HubSpot timestamp.
_MAX_MS = 253_402_300_799_999
#: the dedupe digest's canonical form: json.dumps(..., sort_keys=True, default=str), built once
#: (json.dumps makes a new encoder per call when given options); the form must never change
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


def parse_batch(body: bytes) -> list[Mapping[str, Any]]:
    """Decode an app-webhook body: a JSON array of at most 100 objects.

    Raises:
        ValueError: not UTF-8 JSON, not an array of objects, or more than 100 items.
    """
    payload = strict_json.loads(body)
    if not isinstance(payload, list):
        raise ValueError("body is not a JSON array")
    if len(payload) > MAX_BATCH:
        raise ValueError(f"batch holds more than {MAX_BATCH} events")
    if not all(isinstance(item, dict) for item in payload):
        raise ValueError("batch items must be JSON objects")
    return payload


def to_change_events(
    payload: Sequence[Mapping[str, Any]],
    *,
    app_id: str | None,
    portal_id: str | None,
    received_at: datetime,
) -> list[ChangeEvent]:
    """Translate one app-webhook batch into ChangeEvents, one per item, in order."""
    return [
        to_change_event(item, app_id=app_id, portal_id=portal_id, received_at=received_at)
        for item in payload
    ]


def to_change_event(
    item: Mapping[str, Any],
    *,
    app_id: str | None,
    portal_id: str | None,
    received_at: datetime,
) -> ChangeEvent:
    """Translate one app-webhook event (see the module docstring for UNKNOWN)."""
    # Real deliveries say subscriptionType; HubSpot's guide example says eventType.
    provider_type = _text(item.get("subscriptionType"), 128) or _text(item.get("eventType"), 128)
    occurred_at = _occurred_at(item.get("occurredAt"))
    event_portal = _text(item.get("portalId"))
    kind, object_type = _classify(provider_type, item)
    if occurred_at is None or (portal_id and event_portal != str(portal_id)):
        kind = EventKind.UNKNOWN  # cannot be ordered, or belongs to another HubSpot account
    object_id, related, changes = _details(kind, item)
    if not object_id:
        kind = EventKind.UNKNOWN  # nothing to apply it to
    change_source = _text(item.get("changeSource"))
    source_id = _text(item.get("sourceId"))
    return ChangeEvent(
        source=Source.HUBSPOT,
        kind=kind,
        object_type=object_type if kind is not EventKind.UNKNOWN else ObjectType.OTHER,
        object_id=object_id,
        event_id=dedupe_key(item),
        occurred_at=occurred_at or received_at,
        changes=changes,
        actor=":".join(part for part in (change_source, source_id) if part)[:128] or None,
        # Our own API writes come back as INTEGRATION with sourceId = our app id (§1.3).
        is_echo=bool(app_id) and change_source == "INTEGRATION" and source_id == str(app_id),
        related_ids=related,
        account_id=event_portal,
        provider_type=provider_type or None,
    )


def dedupe_key(item: Mapping[str, Any]) -> str:
    """The delivery-stable event id: HubSpot's eventId plus a digest of :data:`DEDUPE_FIELDS`."""
    canonical = _CANONICAL.encode([item.get(name) for name in DEDUPE_FIELDS]).encode()
    digest = hashlib.sha256(canonical).hexdigest()
    return f"{_text(item.get('eventId'), 40)}:{digest}"


def workflow_to_change_event(
    payload: Mapping[str, Any],
    *,
    request_digest: str,
    portal_id: str | None,
    received_at: datetime,
) -> ChangeEvent:
    """Translate one workflow "Send a webhook" call (POST body or GET query) into a snapshot.

    The body is the record as the object API returns it (``properties`` maps names to values or
    to ``{"value": ...}``) or a custom body of chosen properties. HubSpot sends no event id, so the
    dedupe key is a digest of the signed request: a retry of the same call is a duplicate. The
    workflow author should include ``objectType`` (a static value) and ``hs_object_id``; without
    an object type and id the call is stored as UNKNOWN.
    """
    properties = payload.get("properties")
    values = _flatten(properties if isinstance(properties, dict) else payload)
    candidates = [_text(payload.get(key)) for key in ("objectId", "hs_object_id", "vid", "id")]
    object_id = next(filter(None, candidates), _text(values.get("hs_object_id")))
    declared = _text(payload.get("objectType")) or _text(payload.get("objectTypeId"))
    object_type = OBJECT_TYPE_IDS.get(declared) or OBJECT_PREFIXES.get(declared.lower())
    if object_type is None and "vid" in payload:
        object_type = ObjectType.CONTACT  # the legacy contact shape carries "vid"
    event_portal = _text(payload.get("portalId")) or _text(payload.get("portal-id"))
    known = bool(object_id) and object_type is not None
    if portal_id and event_portal and event_portal != str(portal_id):
        known = False
    return ChangeEvent(
        source=Source.HUBSPOT,
        kind=EventKind.UPDATED if known else EventKind.UNKNOWN,
        object_type=object_type if known and object_type else ObjectType.OTHER,
        object_id=object_id,
        event_id=f"workflow:{request_digest}",
        occurred_at=received_at,
        changes=values,
        is_snapshot=known,
        account_id=event_portal or (str(portal_id) if portal_id else None),
        provider_type="workflow.webhook",
    )


def _flatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """Property values, unwrapping the legacy ``{"value": ...}`` form."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        flat[str(name)] = value
    return flat


def _classify(provider_type: str, item: Mapping[str, Any]) -> tuple[EventKind, ObjectType]:
    prefix, _, action = provider_type.partition(".")
    kind = ACTIONS.get(action)
    association_side = _text(item.get("associationType")).partition("_TO_")[0]
    if kind is EventKind.ASSOCIATION and association_side:
        # Each side of an association arrives as its own event under the same subscription
        # (CONTACT_TO_DEAL and DEAL_TO_CONTACT), so the side, not the prefix, names fromObjectId.
        object_type = ASSOCIATION_SIDES.get(association_side)
    elif prefix == "object":
        object_type = OBJECT_TYPE_IDS.get(_text(item.get("objectTypeId")))
    else:
        object_type = OBJECT_PREFIXES.get(prefix)
    if kind is None or object_type is None:
        return EventKind.UNKNOWN, ObjectType.OTHER
    return kind, object_type


def _details(
    kind: EventKind, item: Mapping[str, Any]
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """Return (object id, related ids, changes) for one event of ``kind``."""
    object_id = _text(item.get("objectId"))
    if kind is EventKind.UPDATED:
        name = _text(item.get("propertyName"), 256)
        return object_id, (), ({name: item.get("propertyValue")} if name else {})
    if kind is EventKind.MERGED:
        # The winner keeps (or gets) newObjectId; every other id stops resolving: remap them.
        winner = _text(item.get("newObjectId")) or _text(item.get("primaryObjectId")) or object_id
        merged = item.get("mergedObjectIds")
        losers = [_text(value) for value in merged] if isinstance(merged, list) else []
        losers += [_text(item.get("primaryObjectId")), object_id]
        related = tuple(dict.fromkeys(i for i in losers if i and i != winner))
        keys = ("primaryObjectId", "mergedObjectIds", "newObjectId", "numberOfPropertiesMoved")
        return winner, related, {key: item[key] for key in keys if key in item}
    if kind is EventKind.ASSOCIATION:
        # A real deal.associationChange capture has no objectId, only from/to (hubspot.md §1.3).
        from_id = object_id or _text(item.get("fromObjectId"))
        to_id = _text(item.get("toObjectId"))
        keys = ("associationType", "associationRemoved", "isPrimaryAssociation")
        return from_id, ((to_id,) if to_id else ()), {k: item[k] for k in keys if k in item}
    return object_id, (), {}


def _occurred_at(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        millis = float(value)
    except (ValueError, OverflowError):  # "x", or an integer too large for a float
        return None
    if not 0 <= millis <= _MAX_MS:  # also refuses NaN and infinities
        return None
    return utc_from_ms(millis)


def _text(value: Any, limit: int = 64) -> str:
    """A HubSpot id or name as text (ids arrive as numbers or strings); '' when absent.

    Ids longer than ``limit`` are not HubSpot ids; they read as absent rather than truncated, so
    the event becomes UNKNOWN instead of pointing at the wrong record.
    """
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value)
    return text if len(text) <= limit else ""
