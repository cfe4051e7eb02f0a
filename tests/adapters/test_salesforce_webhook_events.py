"""adapters/salesforce/events.py: outbound messages and JSON callouts → ChangeEvent (no HTTP)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.salesforce.events import (
    is_integration_user,
    json_to_change_events,
    parse_json_callout,
    parse_outbound_message,
    to_change_events,
)
from connector.events import EventKind, ObjectType, Source

FIXTURES = Path(__file__).parents[1] / "webhooks" / "fixtures" / "salesforce"
RECEIVED = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
INTEGRATION_USER = "005000000000001AAA"
XML_ATTACKS = ["billion_laughs.xml", "external_entity.xml", "external_dtd.xml"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def envelope(inner: str, org: str = "00D000000000001EAA") -> bytes:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{org}</OrganizationId>{inner}</notifications>"
        "</soapenv:Body></soapenv:Envelope>"
    ).encode()


def notification(notification_id: str, sobject_type: str, fields: str) -> str:
    return (
        f"<Notification><Id>{notification_id}</Id>"
        f'<sObject xmlns:sf="urn:sobject.enterprise.soap.sforce.com" xsi:type="sf:{sobject_type}">'
        f"{fields}</sObject></Notification>"
    )


class TestRealSample:
    """The real captured Account message quoted in salesforce.md §1.3."""

    def test_parses_every_populated_field(self) -> None:
        message = parse_outbound_message(fixture("outbound_account_real.xml"))
        assert message.organization_id == "ABC90000000gNcmEAE"
        assert message.action_id == "00190000000PGrlAAG"
        (only,) = message.notifications
        assert (only.notification_id, only.sobject_type) == ("04l9000001olR84AAE", "Account")
        assert only.fields["BillingStreet"] == "The Landmark @ One Market, Suite 300"
        assert only.fields["Id"] == "0019000001KwyWtAAJ"

    def test_becomes_one_company_snapshot(self) -> None:
        message = parse_outbound_message(fixture("outbound_account_real.xml"))
        (event,) = to_change_events(message, integration_user_id=None, received_at=RECEIVED)
        assert (event.source, event.kind, event.object_type) == (
            Source.SALESFORCE,
            EventKind.UPDATED,
            ObjectType.COMPANY,
        )
        assert event.event_id == "04l9000001olR84AAE"
        assert event.object_id == "0019000001KwyWtAAJ"
        assert event.is_snapshot
        assert event.occurred_at == RECEIVED  # no modstamp in the message
        assert event.account_id == "ABC90000000gNcmEAE"
        assert event.changes["Name"] == "Salesforce.com Inc."
        assert event.provider_type == "Account"


class TestLeadsWithOtherPrefixes:
    def events(self):  # type: ignore[no-untyped-def]
        message = parse_outbound_message(fixture("outbound_leads_prefixed.xml"))
        return to_change_events(message, integration_user_id=INTEGRATION_USER, received_at=RECEIVED)

    def test_namespace_aware_regardless_of_prefixes(self) -> None:
        first, second = self.events()
        assert (first.object_type, first.object_id) == (ObjectType.LEAD, "00Q000000000001EAA")
        assert second.event_id == "04l000000000002AAA"

    def test_localized_picklist_value_passes_through_untouched(self) -> None:
        assert self.events()[0].changes["Status"] == "Abierto - Sin contactar"

    def test_nil_field_is_none(self) -> None:
        assert self.events()[0].changes["Company"] is None

    def test_occurred_at_is_the_system_modstamp(self) -> None:
        assert self.events()[0].occurred_at == datetime(2023, 11, 14, 22, 12, tzinfo=UTC)

    def test_integration_user_change_is_an_echo(self) -> None:
        first = self.events()[0]
        assert first.is_echo and first.actor == INTEGRATION_USER

    def test_notification_without_data_is_unknown(self) -> None:
        """A record deleted before delivery arrives with no data (salesforce.md §1.2)."""
        second = self.events()[1]
        assert (second.kind, second.object_id) == (EventKind.UNKNOWN, "")


@pytest.mark.parametrize(
    ("type_name", "expected"),
    [
        ("Lead", ObjectType.LEAD),
        ("Contact", ObjectType.CONTACT),
        ("Opportunity", ObjectType.OPPORTUNITY),
        ("Account", ObjectType.COMPANY),
        ("Task", ObjectType.TASK),
        ("CampaignMember", ObjectType.CAMPAIGN_MEMBER),
        ("Custom__c", ObjectType.OTHER),
    ],
)
def test_sobject_type_mapping(type_name: str, expected: ObjectType) -> None:
    fields = "<sf:Id>a00000000000001AAA</sf:Id>"
    body = envelope(notification("04l000000000001AAA", type_name, fields))
    (event,) = to_change_events(
        parse_outbound_message(body), integration_user_id=None, received_at=RECEIVED
    )
    assert (event.object_type, event.kind, event.provider_type) == (
        expected,
        EventKind.UPDATED,
        type_name,
    )


def test_last_modified_date_is_used_without_system_modstamp() -> None:
    fields = (
        "<sf:Id>00Q000000000001EAA</sf:Id>"
        "<sf:LastModifiedDate>2024-01-02T03:04:05.000+0000</sf:LastModifiedDate>"
    )
    body = envelope(notification("04l000000000001AAA", "Lead", fields))
    (event,) = to_change_events(
        parse_outbound_message(body), integration_user_id=None, received_at=RECEIVED
    )
    assert event.occurred_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_fifteen_character_integration_user_matches() -> None:
    assert is_integration_user("005000000000001AAA", "005000000000001")
    assert not is_integration_user("005000000000002AAA", "005000000000001AAA")
    assert not is_integration_user(None, "005000000000001AAA")


class TestHostileXml:
    @pytest.mark.parametrize("name", XML_ATTACKS)
    def test_refused_without_expansion(self, name: str) -> None:
        with pytest.raises(ValueError, match="not allowed"):
            parse_outbound_message(fixture(name))

    def test_internal_entity_without_dtd_is_malformed(self) -> None:
        with pytest.raises(ValueError):
            parse_outbound_message(envelope("<Notification><Id>&foo;</Id></Notification>"))


class TestMalformedMessages:
    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"not xml",
            b"<a>",
            b"\xff\xfe<x/>",
            b'<Envelope xmlns="urn:other"/>',
            b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"/>',
        ],
    )
    def test_not_an_outbound_message(self, body: bytes) -> None:
        with pytest.raises(ValueError):
            parse_outbound_message(body)

    def test_wrong_namespace_for_notifications(self) -> None:
        body = envelope("").replace(b"http://soap.sforce.com/2005/09/outbound", b"urn:x")
        with pytest.raises(ValueError, match="notifications"):
            parse_outbound_message(body)

    def test_no_notifications(self) -> None:
        with pytest.raises(ValueError, match="Notification"):
            parse_outbound_message(envelope(""))

    def test_more_than_100_notifications(self) -> None:
        inner = "".join(
            notification(f"04l{i:012d}AAA", "Lead", "<sf:Id>00Q000000000001EAA</sf:Id>")
            for i in range(101)
        )
        with pytest.raises(ValueError, match="100"):
            parse_outbound_message(envelope(inner))

    @pytest.mark.parametrize("org", ["", "short", "00D00000000000!EAA"])
    def test_bad_organization_id(self, org: str) -> None:
        inner = notification("04l000000000001AAA", "Lead", "")
        with pytest.raises(ValueError, match="OrganizationId"):
            parse_outbound_message(envelope(inner, org=org))

    @pytest.mark.parametrize("notification_id", ["", "x" * 19, "04l0000000000<1AAA"])
    def test_bad_notification_id(self, notification_id: str) -> None:
        inner = f"<Notification><Id>{notification_id.replace('<', '&lt;')}</Id></Notification>"
        with pytest.raises(ValueError, match="Id"):
            parse_outbound_message(envelope(inner))

    def test_deeply_nested_fields(self) -> None:
        nested = "<sf:A>" * 50 + "x" + "</sf:A>" * 50
        with pytest.raises(ValueError, match="nested"):
            parse_outbound_message(envelope(notification("04l000000000001AAA", "Lead", nested)))


class TestJsonCallout:
    def body(self, **event: object) -> bytes:
        base = {
            "eventId": "evt-1",
            "sobjectType": "Opportunity",
            "recordId": "006000000000001AAA",
            "changeType": "UPDATE",
            "occurredAt": "2024-03-01T10:00:00+01:00",
            "fields": {"StageName": "Closed Won", "Amount": 1200.5},
            "userId": "005000000000009AAA",
        }
        base.update(event)
        return json.dumps({"organizationId": "00D000000000001EAA", "events": [base]}).encode()

    def translate(self, body: bytes):  # type: ignore[no-untyped-def]
        org, events = parse_json_callout(body)
        return json_to_change_events(org, events, integration_user_id=INTEGRATION_USER)

    def test_update(self) -> None:
        (event,) = self.translate(self.body())
        assert (event.kind, event.object_type, event.object_id) == (
            EventKind.UPDATED,
            ObjectType.OPPORTUNITY,
            "006000000000001AAA",
        )
        assert event.event_id == "json:evt-1"
        assert event.occurred_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
        assert event.changes == {"StageName": "Closed Won", "Amount": 1200.5}
        assert not event.is_echo

    @pytest.mark.parametrize(
        ("change_type", "kind"),
        [
            ("CREATE", EventKind.CREATED),
            ("DELETE", EventKind.DELETED),
            ("UNDELETE", EventKind.RESTORED),
            ("GAP_OVERFLOW", EventKind.UNKNOWN),
        ],
    )
    def test_change_types(self, change_type: str, kind: EventKind) -> None:
        assert self.translate(self.body(changeType=change_type))[0].kind is kind

    def test_epoch_millis(self) -> None:
        (event,) = self.translate(self.body(occurredAt=1_700_000_000_000))
        assert event.occurred_at == datetime.fromtimestamp(1_700_000_000, UTC)

    def test_echo_by_user(self) -> None:
        assert self.translate(self.body(userId=INTEGRATION_USER))[0].is_echo

    def test_missing_event_id_gets_a_stable_digest(self) -> None:
        body = self.body(eventId=None)
        first = self.translate(body)[0].event_id
        assert first.startswith("json:") and first == self.translate(body)[0].event_id

    @pytest.mark.parametrize(
        "change",
        [
            {"recordId": "bad"},
            {"sobjectType": ""},
            {"changeType": 5},
            {"occurredAt": "2024-03-01T10:00:00"},  # no offset
            {"occurredAt": "yesterday"},
            {"fields": []},
            {"eventId": "has spaces"},
        ],
    )
    def test_contract_violations(self, change: dict[str, object]) -> None:
        with pytest.raises(ValueError):
            self.translate(self.body(**change))

    @pytest.mark.parametrize(
        "body",
        [
            b"[]",
            b'{"organizationId":"00D000000000001EAA","events":[]}',
            b'{"organizationId":"x","events":[{}]}',
            b'{"organizationId":"00D000000000001EAA","events":[1]}',
            b"{",
        ],
    )
    def test_malformed_bodies(self, body: bytes) -> None:
        with pytest.raises(ValueError):
            parse_json_callout(body)
