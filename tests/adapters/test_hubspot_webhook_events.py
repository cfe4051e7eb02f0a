"""adapters/hubspot/events.py: HubSpot webhook JSON → ChangeEvent, field by field (no HTTP)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.hubspot.events import (
    dedupe_key,
    parse_batch,
    to_change_event,
    to_change_events,
    workflow_to_change_event,
)
from connector.events import EventKind, ObjectType, Source

# Synthetic batch (2026-11) in the delivered shape of hubspot.md §1.3, one event per kind.
BATCH = Path(__file__).parents[1] / "webhooks" / "fixtures" / "hubspot" / "batch_mixed.json"
RECEIVED = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
APP_ID = "54321"
PORTAL_ID = "62515"


@pytest.fixture
def events():  # type: ignore[no-untyped-def]
    payload = parse_batch(BATCH.read_bytes())
    translated = to_change_events(payload, app_id=APP_ID, portal_id=PORTAL_ID, received_at=RECEIVED)
    return {int(event.event_id.split(":")[0]): event for event in translated}


def _one(**fields: object):  # type: ignore[no-untyped-def]
    item: dict[str, object] = {
        "eventId": 1,
        "subscriptionId": 2,
        "portalId": 62515,
        "occurredAt": 1_700_000_000_000,
        "subscriptionType": "contact.propertyChange",
        "objectId": 5,
        "propertyName": "lifecyclestage",
        "propertyValue": "lead",
    }
    item.update(fields)
    return to_change_event(item, app_id=APP_ID, portal_id=PORTAL_ID, received_at=RECEIVED)


def test_creation(events) -> None:  # type: ignore[no-untyped-def]
    event = events[100]
    assert (event.source, event.kind, event.object_type) == (
        Source.HUBSPOT,
        EventKind.CREATED,
        ObjectType.CONTACT,
    )
    assert event.object_id == "501"
    assert event.occurred_at == datetime(2023, 11, 14, 22, 13, 10, tzinfo=UTC)
    assert event.account_id == PORTAL_ID
    assert event.provider_type == "contact.creation"
    assert not event.is_echo


def test_property_change_carries_the_new_value_and_actor(events) -> None:  # type: ignore[no-untyped-def]
    event = events[101]
    assert event.kind is EventKind.UPDATED
    assert event.changes == {"lifecyclestage": "marketingqualifiedlead"}
    assert event.actor == "CRM_UI:userId:882761034"
    assert not event.is_snapshot


def test_our_own_write_is_an_echo(events) -> None:  # type: ignore[no-untyped-def]
    assert events[102].is_echo
    assert events[102].actor == "INTEGRATION:54321"


@pytest.mark.parametrize(
    ("change_source", "source_id", "app_id", "echo"),
    [
        ("INTEGRATION", "54321", APP_ID, True),
        ("INTEGRATION", "99999", APP_ID, False),  # another integration
        ("CRM_UI", "54321", APP_ID, False),
        ("INTEGRATION", "54321", None, False),  # app id not configured: never guess
    ],
)
def test_echo_needs_integration_and_our_app_id(
    change_source: str, source_id: str, app_id: str | None, echo: bool
) -> None:
    item = {
        "eventId": 1,
        "portalId": 62515,
        "occurredAt": 1,
        "subscriptionType": "contact.propertyChange",
        "objectId": 5,
        "changeSource": change_source,
        "sourceId": source_id,
    }
    event = to_change_event(item, app_id=app_id, portal_id=PORTAL_ID, received_at=RECEIVED)
    assert event.is_echo is echo


def test_deletion_and_privacy_deletion(events) -> None:  # type: ignore[no-untyped-def]
    assert (events[103].kind, events[103].object_id) == (EventKind.DELETED, "503")
    assert (events[104].kind, events[104].object_id) == (EventKind.PRIVACY_DELETED, "503")


def test_merge_names_the_winner_and_the_ids_to_remap(events) -> None:  # type: ignore[no-untyped-def]
    event = events[105]
    assert event.kind is EventKind.MERGED
    assert event.object_id == "504"
    assert event.related_ids == ("505", "506")
    assert event.changes["mergedObjectIds"] == [505, 506]


def test_merge_into_a_new_id_remaps_the_primary_too() -> None:
    event = _one(
        subscriptionType="company.merge",
        objectId=10,
        primaryObjectId=10,
        mergedObjectIds=[11],
        newObjectId=12,
    )
    assert (event.object_type, event.object_id) == (ObjectType.COMPANY, "12")
    assert set(event.related_ids) == {"10", "11"}


def test_association_without_object_id_uses_from_and_to(events) -> None:  # type: ignore[no-untyped-def]
    event = events[106]
    assert (event.kind, event.object_type) == (EventKind.ASSOCIATION, ObjectType.DEAL)
    assert event.object_id == "9001"
    assert event.related_ids == ("501",)
    assert event.changes == {
        "associationType": "DEAL_TO_CONTACT",
        "associationRemoved": False,
        "isPrimaryAssociation": True,
    }


@pytest.mark.parametrize(
    ("association_type", "object_type"),
    [
        ("CONTACT_TO_DEAL", ObjectType.CONTACT),
        ("DEAL_TO_CONTACT", ObjectType.DEAL),
        ("COMPANY_TO_CONTACT", ObjectType.COMPANY),
        ("LINE_ITEM_TO_DEAL", None),
    ],
)
def test_association_side_names_the_from_object(
    association_type: str, object_type: ObjectType | None
) -> None:
    """Both sides arrive under one subscription (contact.associationChange), one event each."""
    event = _one(
        subscriptionType="contact.associationChange",
        objectId=None,
        associationType=association_type,
        fromObjectId=1,
        toObjectId=2,
    )
    if object_type is None:
        assert event.kind is EventKind.UNKNOWN
    else:
        assert (event.kind, event.object_type, event.object_id, event.related_ids) == (
            EventKind.ASSOCIATION,
            object_type,
            "1",
            ("2",),
        )


def test_deal_property_change(events) -> None:  # type: ignore[no-untyped-def]
    event = events[107]
    assert (event.object_type, event.changes) == (ObjectType.DEAL, {"dealstage": "closedwon"})


def test_generic_object_subscription_uses_object_type_id(events) -> None:  # type: ignore[no-untyped-def]
    event = events[108]
    assert (event.kind, event.object_type, event.object_id) == (
        EventKind.UPDATED,
        ObjectType.DEAL,
        "9002",
    )


def test_unknown_type_is_kept_as_unknown(events) -> None:  # type: ignore[no-untyped-def]
    event = events[109]
    assert event.kind is EventKind.UNKNOWN
    assert event.object_type is ObjectType.OTHER
    assert event.provider_type == "conversation.newMessage"
    assert event.object_id == "77"


def test_event_type_is_the_fallback_for_subscription_type(events) -> None:  # type: ignore[no-untyped-def]
    event = events[110]
    assert (event.kind, event.object_type, event.provider_type) == (
        EventKind.CREATED,
        ObjectType.COMPANY,
        "company.creation",
    )


def test_restore(events) -> None:  # type: ignore[no-untyped-def]
    assert events[111].kind is EventKind.RESTORED


def test_unhandled_object_type_is_unknown() -> None:
    assert _one(subscriptionType="ticket.creation").kind is EventKind.UNKNOWN
    assert _one(subscriptionType="object.creation", objectTypeId="0-5").kind is EventKind.UNKNOWN


def test_generic_engagement_creations_are_calls_emails_and_meetings() -> None:
    for type_id, object_type in (
        ("0-48", ObjectType.CALL),
        ("0-49", ObjectType.EMAIL),
        ("0-47", ObjectType.MEETING),
    ):
        event = _one(subscriptionType="object.creation", objectTypeId=type_id)
        assert (event.kind, event.object_type) == (EventKind.CREATED, object_type)


def test_another_portal_is_unknown() -> None:
    event = _one(portalId=999)
    assert (event.kind, event.account_id) == (EventKind.UNKNOWN, "999")


@pytest.mark.parametrize("occurred_at", [None, "soon", -1, 10**20, True, [1], float("nan")])
def test_unusable_timestamp_is_unknown_at_receipt_time(occurred_at: object) -> None:
    event = _one(occurredAt=occurred_at)
    assert event.kind is EventKind.UNKNOWN
    assert event.occurred_at == RECEIVED


def test_missing_or_oversized_object_id_is_unknown() -> None:
    assert _one(objectId=None).kind is EventKind.UNKNOWN
    assert _one(objectId="9" * 65).kind is EventKind.UNKNOWN


class TestDedupeKey:
    def test_stable_across_redeliveries(self) -> None:
        item = json.loads(BATCH.read_text())[1]
        retry = {**item, "attemptNumber": 4}
        assert dedupe_key(item) == dedupe_key(retry)

    @pytest.mark.parametrize(
        "field",
        ["portalId", "subscriptionId", "eventId", "occurredAt", "objectId", "propertyName",
         "propertyValue"],
    )  # fmt: skip
    def test_every_listed_field_counts(self, field: str) -> None:
        item = json.loads(BATCH.read_text())[1]
        changed = {**item, field: "different"}
        assert dedupe_key(item) != dedupe_key(changed)

    def test_fits_the_inbox_column_and_starts_with_the_event_id(self) -> None:
        key = dedupe_key({"eventId": 3029365631, "propertyValue": "x" * 10_000})
        assert key.startswith("3029365631:") and len(key) <= 255


class TestParseBatch:
    def test_accepts_an_array_of_objects(self) -> None:
        assert parse_batch(b'[{"eventId":1}]') == [{"eventId": 1}]

    @pytest.mark.parametrize(
        "body",
        [b"", b"{}", b"[1]", b"[{}, 2]", b"\x80", b'[{"a":', b"[" * 100_000],
    )
    def test_refuses_malformed_bodies(self, body: bytes) -> None:
        with pytest.raises(ValueError):
            parse_batch(body)

    def test_refuses_more_than_100_events(self) -> None:
        with pytest.raises(ValueError, match="100"):
            parse_batch(json.dumps([{}] * 101).encode())


class TestWorkflow:
    def test_legacy_contact_shape(self) -> None:
        payload = {
            "vid": 321,
            "portal-id": 62515,
            "properties": {"lifecyclestage": {"value": "lead"}, "email": {"value": "x@y.z"}},
        }
        event = workflow_to_change_event(
            payload, request_digest="d1", portal_id=PORTAL_ID, received_at=RECEIVED
        )
        assert (event.kind, event.object_type, event.object_id) == (
            EventKind.UPDATED,
            ObjectType.CONTACT,
            "321",
        )
        assert event.changes == {"lifecyclestage": "lead", "email": "x@y.z"}
        assert event.is_snapshot
        assert event.event_id == "workflow:d1"
        assert event.occurred_at == RECEIVED

    def test_object_type_id_and_custom_body(self) -> None:
        payload = {"objectTypeId": "0-3", "hs_object_id": "88", "dealstage": "closedwon"}
        event = workflow_to_change_event(
            payload, request_digest="d2", portal_id=None, received_at=RECEIVED
        )
        assert (event.object_type, event.object_id, event.changes["dealstage"]) == (
            ObjectType.DEAL,
            "88",
            "closedwon",
        )

    def test_other_portal_is_unknown(self) -> None:
        payload = {"objectType": "contact", "hs_object_id": "1", "portalId": 7}
        event = workflow_to_change_event(
            payload, request_digest="d3", portal_id=PORTAL_ID, received_at=RECEIVED
        )
        assert event.kind is EventKind.UNKNOWN
