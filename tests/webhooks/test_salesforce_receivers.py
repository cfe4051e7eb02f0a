"""The Salesforce receivers over HTTP: outbound messages (SOAP) and JSON callouts (HMAC)."""

from __future__ import annotations

from unittest import mock
from xml.etree import ElementTree

import pytest
from flask.testing import FlaskClient
from intake_helpers import (
    NOW_MS,
    OM_PATH,
    OM_TOKEN,
    ORG_ID,
    OTHER_ORG_ID,
    REFERENCE_ACK,
    SOAP,
    fixture_bytes,
    inbox,
    json_callout_body,
    json_callout_event,
    json_callout_headers,
    lead_notification,
    outbound_message,
    raw_requests,
    request_count,
)
from security_cases import WebhookSecurityCases
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from connector.runtime import Runtime

JSON_PATH = "/webhooks/salesforce/events"


def post_om(client: FlaskClient, body: bytes, path: str = OM_PATH, **headers: str) -> TestResponse:
    sent = {"Content-Type": SOAP, "SOAPAction": '""', **headers}
    return client.post(path, data=body, headers=sent)


class TestOutboundSecurity(WebhookSecurityCases):
    receiver = "salesforce_outbound"
    soap = True

    def valid_body(self) -> bytes:
        return outbound_message(lead_notification("04l000000000001AAA"))

    def malformed_body(self) -> bytes:
        return b"<soapenv:Envelope"

    def post_signed(self, client: FlaskClient, body: bytes, **headers: str) -> TestResponse:
        return post_om(client, body, **headers)

    def post_unauthenticated(self, client: FlaskClient, body: bytes) -> TestResponse:
        return post_om(client, body, path="/webhooks/salesforce/outbound")

    def post_wrong_secret(self, client: FlaskClient, body: bytes) -> TestResponse:
        return post_om(client, body, path="/webhooks/salesforce/outbound/" + "x" * len(OM_TOKEN))


class TestOutboundMessages:
    def test_ack_is_the_exact_envelope_after_commit(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        response = post_om(client, outbound_message(lead_notification()))
        assert response.status_code == 200
        assert response.data == REFERENCE_ACK
        assert response.mimetype == "text/xml"
        ack = ElementTree.fromstring(response.data).find(
            ".//{http://soap.sforce.com/2005/09/outbound}Ack"
        )
        assert ack is not None and ack.text == "true"
        (row,) = inbox(runtime)
        assert (row.source, row.event_id, row.object_type) == (
            "salesforce",
            "04l000000000001AAA",
            "lead",
        )
        assert row.changes["Status"] == "Abierto - Sin contactar"
        assert row.is_snapshot

    def test_whole_batch_is_stored_in_one_request(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        notifications = [
            lead_notification(f"04l{i:012d}AAA", Id=f"00Q{i:012d}AAA") for i in range(100)
        ]
        assert post_om(client, outbound_message(*notifications)).status_code == 200
        assert len(inbox(runtime)) == 100
        assert len(raw_requests(runtime)) == 1

    def test_redelivered_notification_is_acknowledged_once_stored(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        post_om(client, outbound_message(lead_notification("04l000000000001AAA")))
        again = outbound_message(
            lead_notification("04l000000000001AAA"), lead_notification("04l000000000002AAA")
        )
        assert post_om(client, again).data == REFERENCE_ACK
        assert [row.event_id for row in inbox(runtime)] == [
            "04l000000000001AAA",
            "04l000000000002AAA",
        ]

    def test_real_sample_is_accepted(self, client: FlaskClient, runtime: Runtime) -> None:
        """The captured message of salesforce.md §1.3, sent from our (allowed) org."""
        body = fixture_bytes("salesforce/outbound_account_real.xml")
        body = body.replace(b"ABC90000000gNcmEAE", ORG_ID.encode())
        response = post_om(client, body)
        assert response.data == REFERENCE_ACK
        (row,) = inbox(runtime)
        assert (row.object_type, row.object_id) == ("company", "0019000001KwyWtAAJ")

    def test_unknown_org_is_a_401_fault(self, client: FlaskClient, runtime: Runtime) -> None:
        body = outbound_message(lead_notification(), organization_id=OTHER_ORG_ID)
        response = post_om(client, body)
        assert response.status_code == 401
        assert b"soapenv:Client" in response.data and b"Ack" not in response.data
        assert inbox(runtime) == []

    @pytest.mark.parametrize(
        "name", ["billion_laughs.xml", "external_entity.xml", "external_dtd.xml"]
    )
    def test_xml_attacks_are_a_400_fault_without_expansion(
        self, client: FlaskClient, runtime: Runtime, name: str
    ) -> None:
        response = post_om(client, fixture_bytes(f"salesforce/{name}"))
        assert response.status_code == 400
        assert b"not allowed" in response.data
        assert b"lollol" not in response.data and b"root:" not in response.data
        assert inbox(runtime) == []

    def test_token_is_not_stored_or_logged(
        self, client: FlaskClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level("INFO")
        post_om(client, outbound_message(lead_notification()))
        post_om(client, b"<broken")
        (raw,) = raw_requests(runtime)
        assert OM_TOKEN not in raw.path and raw.path.endswith("/{token}")
        assert OM_TOKEN not in caplog.text
        assert "Abierto" not in caplog.text  # no payload values in logs

    def test_store_failure_is_a_503_server_fault_and_nothing_is_acked(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        failure = OperationalError("INSERT", {}, Exception("disk I/O error"))
        with mock.patch("webhooks.base.append", side_effect=failure):
            response = post_om(client, outbound_message(lead_notification()))
        assert response.status_code == 503
        assert b"soapenv:Server" in response.data and b"Ack" not in response.data
        assert request_count(client, "salesforce_outbound", "unavailable") == 1
        assert inbox(runtime) == []


class TestJsonSecurity(WebhookSecurityCases):
    receiver = "salesforce_events"

    def valid_body(self) -> bytes:
        return json_callout_body(json_callout_event())

    def malformed_body(self) -> bytes:
        return b'{"organizationId": '

    def post_signed(self, client: FlaskClient, body: bytes, **headers: str) -> TestResponse:
        return client.post(JSON_PATH, data=body, headers={**json_callout_headers(body), **headers})

    def post_unauthenticated(self, client: FlaskClient, body: bytes) -> TestResponse:
        return client.post(JSON_PATH, data=body, content_type="application/json")

    def post_wrong_secret(self, client: FlaskClient, body: bytes) -> TestResponse:
        return client.post(JSON_PATH, data=body, headers=json_callout_headers(body, secret="nope"))


class TestJsonCallouts:
    def post(self, client: FlaskClient, body: bytes, **kwargs: object) -> TestResponse:
        return client.post(JSON_PATH, data=body, headers=json_callout_headers(body, **kwargs))  # type: ignore[arg-type]

    def test_events_are_stored(self, client: FlaskClient, runtime: Runtime) -> None:
        body = json_callout_body(
            json_callout_event(), json_callout_event("00Q000000000002EAA", eventId="e-2")
        )
        response = self.post(client, body)
        assert response.status_code == 200
        assert response.get_json() == {"status": "stored", "accepted": 2, "duplicates": 0}
        assert [row.object_id for row in inbox(runtime)] == [
            "00Q000000000001EAA",
            "00Q000000000002EAA",
        ]

    def test_stale_timestamp_is_401(self, client: FlaskClient, runtime: Runtime) -> None:
        body = json_callout_body(json_callout_event())
        assert self.post(client, body, timestamp_ms=NOW_MS - 600_000).status_code == 401

    def test_unknown_org_is_401(self, client: FlaskClient, runtime: Runtime) -> None:
        body = json_callout_body(json_callout_event(), organization_id=OTHER_ORG_ID)
        response = self.post(client, body)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unknown_organization"

    def test_contract_violation_is_400(self, client: FlaskClient, runtime: Runtime) -> None:
        body = json_callout_body(json_callout_event(recordId="not-an-id"))
        response = self.post(client, body)
        assert response.status_code == 400
        assert "recordId" in response.get_json()["message"]
