"""Signing helpers and a stand-in runtime for the receiver tests.

The helpers sign the way the senders do, independently of ``webhooks.signatures``: HubSpot
requests through the official SDK's ``Signature.get_signature`` (with the v3 decode table applied
first, which the SDK leaves to the caller), Baton's JSON callouts with plain ``hmac``. Each helper
takes every input as a parameter so a test can vary exactly one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hubspot.utils.signature import Signature
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import select

from connector.config import BatonConfig, default_config, with_changes
from connector.runtime import Runtime
from connector.store.models import InboxEvent, RawRequest

FIXTURES = Path(__file__).with_name("fixtures")

#: A fixed "now" for the receivers (BATON_CLOCK), in seconds and milliseconds.
NOW_S = 1_700_000_000.0
NOW_MS = int(NOW_S * 1000)

PUBLIC_BASE_URL = "https://baton.example.com"
HUBSPOT_SECRET = "hs-client-secret-for-tests"
HUBSPOT_APP_ID = "54321"
HUBSPOT_PORTAL_ID = "62515"
ORG_ID = "00D000000000001EAA"
OTHER_ORG_ID = "00D000000000002EAA"
OM_TOKEN = "om-token-3f9a1c7d2e5b"
JSON_SECRET = "json-callout-secret"
INTEGRATION_USER_ID = "005000000000001AAA"

OM_PATH = f"/webhooks/salesforce/outbound/{OM_TOKEN}"
SOAP = "text/xml; charset=utf-8"

# The acknowledgement quoted in salesforce.md §1.4, byte for byte (plus the final newline).
REFERENCE_ACK = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Body>
    <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
      <Ack>true</Ack>
    </notificationsResponse>
  </soapenv:Body>
</soapenv:Envelope>
"""

_V3_DECODE = {
    "%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
    "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";",
}  # fmt: skip


def make_config(database_url: str, changes: Mapping[str, Any] | None = None) -> BatonConfig:
    """The sandbox default config with this suite's secrets and ids (dotted ``changes`` last)."""
    config = default_config(public_base_url=PUBLIC_BASE_URL, database_url=database_url)
    return with_changes(
        config,
        {
            "service.max_body_bytes": 64 * 1024,
            "hubspot.client_secret": SecretStr(HUBSPOT_SECRET),
            "hubspot.app_id": int(HUBSPOT_APP_ID),
            "hubspot.portal_id": int(HUBSPOT_PORTAL_ID),
            "salesforce.organization_ids": [ORG_ID],
            "salesforce.outbound_path_token": SecretStr(OM_TOKEN),
            "salesforce.json_webhook_secret": SecretStr(JSON_SECRET),
            "salesforce.integration_user_id": INTEGRATION_USER_ID,
            **(changes or {}),
        },
    )


def hubspot_decode(uri: str) -> str:
    """HubSpot's v3 decode table, written out independently of the code under test."""
    for escape, char in _V3_DECODE.items():
        uri = uri.replace(escape, char).replace(escape.lower(), char)
    return uri


def hubspot_v3_headers(
    body: bytes,
    *,
    url: str,
    timestamp_ms: int = NOW_MS,
    secret: str = HUBSPOT_SECRET,
    method: str = "POST",
) -> dict[str, str]:
    """The headers HubSpot sends with a v3-signed request to ``url``."""
    signature = Signature.get_signature(
        secret,
        body.decode("utf-8"),
        "v3",
        http_uri=hubspot_decode(url),
        http_method=method,
        timestamp=str(timestamp_ms),
    )
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
    }


def hubspot_legacy_headers(
    body: bytes,
    *,
    version: str,
    url: str = "",
    secret: str = HUBSPOT_SECRET,
    method: str = "POST",
) -> dict[str, str]:
    """The headers of a v1 (app) or v2 (workflow) signed request."""
    signature = Signature.get_signature(
        secret, body.decode("utf-8"), version, http_uri=url, http_method=method
    )
    return {
        "Content-Type": "application/json",
        "X-HubSpot-Signature": signature,
        "X-HubSpot-Signature-Version": version,
    }


def json_callout_headers(
    body: bytes, *, timestamp_ms: int = NOW_MS, secret: str = JSON_SECRET
) -> dict[str, str]:
    """The headers an Apex/Flow sender computes for Baton's JSON callout scheme."""
    message = str(timestamp_ms).encode() + b"." + body
    return {
        "Content-Type": "application/json",
        "X-Baton-Timestamp": str(timestamp_ms),
        "X-Baton-Signature": hmac.new(secret.encode(), message, hashlib.sha256).hexdigest(),
    }


def fixture_bytes(relative: str) -> bytes:
    """A fixture file's exact bytes."""
    return (FIXTURES / relative).read_bytes()


def hubspot_event(event_id: int, object_id: int, **fields: Any) -> dict[str, Any]:
    """One HubSpot app-webhook event in the delivered shape (contact property change default)."""
    event: dict[str, Any] = {
        "eventId": event_id,
        "subscriptionId": 686627,
        "portalId": int(HUBSPOT_PORTAL_ID),
        "appId": int(HUBSPOT_APP_ID),
        "occurredAt": NOW_MS - 1000,
        "subscriptionType": "contact.propertyChange",
        "attemptNumber": 0,
        "objectId": object_id,
        "propertyName": "lifecyclestage",
        "propertyValue": "marketingqualifiedlead",
        "changeSource": "CRM_UI",
        "sourceId": "userId:882761034",
    }
    event.update(fields)
    return event


def hubspot_body(*events: dict[str, Any]) -> bytes:
    """A batch body as HubSpot serializes it (compact JSON)."""
    return json.dumps(list(events), separators=(",", ":")).encode()


def json_callout_body(*events: dict[str, Any], organization_id: str = ORG_ID) -> bytes:
    """A JSON callout body following Baton's contract."""
    return json.dumps({"organizationId": organization_id, "events": list(events)}).encode()


def json_callout_event(record_id: str = "00Q000000000001EAA", **fields: Any) -> dict[str, Any]:
    """One JSON callout event (a Lead status update by default)."""
    event: dict[str, Any] = {
        "eventId": "a0B000000000001-1",
        "sobjectType": "Lead",
        "recordId": record_id,
        "changeType": "UPDATE",
        "occurredAt": "2023-11-14T22:10:00Z",
        "fields": {"Status": "Working - Contacted"},
        "userId": "005000000000009AAA",
    }
    event.update(fields)
    return event


def outbound_message(
    *notifications: tuple[str, str, dict[str, str]], organization_id: str = ORG_ID
) -> bytes:
    """A SOAP outbound message as Salesforce sends it: (notification id, sObject type, fields)."""
    parts = []
    for notification_id, sobject_type, fields in notifications:
        values = "".join(f"<sf:{name}>{value}</sf:{name}>" for name, value in fields.items())
        parts.append(
            f"<Notification><Id>{notification_id}</Id>"
            f'<sObject xmlns:sf="urn:sobject.enterprise.soap.sforce.com" '
            f'xsi:type="sf:{sobject_type}">{values}</sObject></Notification>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>'
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{organization_id}</OrganizationId>"
        "<ActionId>04k000000000001AAA</ActionId>"
        '<SessionId xsi:nil="true"/>'
        "<EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/61.0/00D000000000001"
        "</EnterpriseUrl>"
        "<PartnerUrl>https://example.my.salesforce.com/services/Soap/u/61.0/00D000000000001"
        "</PartnerUrl>" + "".join(parts) + "</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()


def lead_notification(
    notification_id: str = "04l000000000001AAA", **fields: str
) -> tuple[str, str, dict[str, str]]:
    """A Lead notification with a Spanish-org picklist value and a modstamp."""
    values = {
        "Id": "00Q000000000001EAA",
        "Status": "Abierto - Sin contactar",
        "LastModifiedById": "005000000000009AAA",
        "SystemModstamp": "2023-11-14T22:12:00.000Z",
    }
    values.update(fields)
    return notification_id, "Lead", values


def inbox(runtime: Runtime) -> list[InboxEvent]:
    """Every inbox row, oldest first."""
    with runtime.store.session() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def raw_requests(runtime: Runtime) -> list[RawRequest]:
    """Every stored raw request, oldest first."""
    with runtime.store.session() as session:
        return list(session.scalars(select(RawRequest).order_by(RawRequest.id)))


def request_count(client: Any, receiver: str, outcome: str) -> float:
    """``baton_webhook_requests_total`` for one receiver and outcome, read from ``/metrics``."""
    text = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "baton_webhook_requests_total"
                and sample.labels.get("source") == receiver
                and sample.labels.get("outcome") == outcome
            ):
                return sample.value
    return 0.0
