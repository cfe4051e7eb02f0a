"""Property-based: random bodies, headers and signatures at every receiver.

Two properties, for every receiver: (1) nothing a client sends produces a 5xx; (2) a request that
is not authentic (no signature, a random one, a tampered body or a foreign org) is never
acknowledged and stores nothing. Authentic but random bodies may be accepted or refused with a
4xx, never a crash.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import (
    HUBSPOT_SECRET,
    JSON_SECRET,
    NOW_MS,
    OM_TOKEN,
    ORG_ID,
    PUBLIC_BASE_URL,
    hubspot_body,
    hubspot_event,
    inbox,
    json_callout_body,
    json_callout_event,
    lead_notification,
    outbound_message,
)

from connector.runtime import Runtime
from webhooks.signatures import sign_hubspot_v3, sign_json_callout

pytestmark = pytest.mark.slow

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
hubspotish_items = st.fixed_dictionaries(
    {},
    optional={
        "eventId": json_values,
        "portalId": st.sampled_from([62515, "62515", 1, None]),
        "occurredAt": st.one_of(st.integers(), st.floats(), st.text(max_size=5)),
        "subscriptionType": st.sampled_from(
            ["contact.creation", "contact.propertyChange", "deal.merge", "object.creation",
             "contact.associationChange", "x", ""]
        ),
        "objectId": json_values,
        "propertyName": json_values,
        "propertyValue": json_values,
        "mergedObjectIds": json_values,
        "objectTypeId": st.sampled_from(["0-1", "0-3", "9-9"]),
        "changeSource": st.sampled_from(["INTEGRATION", "CRM_UI"]),
        "sourceId": json_values,
    },
)  # fmt: skip
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(hubspotish_items, max_size=5).map(lambda items: json.dumps(items).encode()),
    st.text(alphabet=string.printable, max_size=200).map(str.encode),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(
            [outbound_message(lead_notification()), json_callout_body(json_callout_event())]
        ),
        st.binary(max_size=20),
    ),
)
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=60)
content_types = st.sampled_from(
    ["application/json", "text/xml", "text/xml; charset=utf-8", "text/plain", "", "application/x"]
)
RECEIVER_PATHS = {
    "hubspot": "/webhooks/hubspot",
    "hubspot_workflow": "/webhooks/hubspot/workflow",
    "salesforce_outbound": f"/webhooks/salesforce/outbound/{OM_TOKEN}",
    "salesforce_events": "/webhooks/salesforce/events",
}


def _send(
    client: FlaskClient, receiver: str, body: bytes, headers: dict[str, str], *, path: str = ""
) -> Any:
    return client.post(path or RECEIVER_PATHS[receiver], data=body, headers=headers)


def _authentic_headers(receiver: str, body: bytes, content_type: str) -> dict[str, str]:
    headers = {"Content-Type": content_type}
    if receiver.startswith("hubspot"):
        url = PUBLIC_BASE_URL + RECEIVER_PATHS[receiver]
        headers["X-HubSpot-Request-Timestamp"] = str(NOW_MS)
        headers["X-HubSpot-Signature-v3"] = sign_hubspot_v3(
            HUBSPOT_SECRET, "POST", url, body, str(NOW_MS)
        )
    elif receiver == "salesforce_events":
        headers["X-Baton-Timestamp"] = str(NOW_MS)
        headers["X-Baton-Signature"] = sign_json_callout(JSON_SECRET, str(NOW_MS), body)
    return headers


@pytest.mark.parametrize("receiver", sorted(RECEIVER_PATHS))
@SETTINGS
@given(
    body=bodies,
    content_type=content_types,
    extra=st.dictionaries(
        st.sampled_from(
            ["X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp", "X-HubSpot-Signature",
             "X-HubSpot-Signature-Version", "X-Baton-Signature", "X-Baton-Timestamp"]
        ),
        header_text,
    ),
)  # fmt: skip
def test_forgeries_are_never_accepted_and_never_crash(
    client: FlaskClient,
    runtime: Runtime,
    receiver: str,
    body: bytes,
    content_type: str,
    extra: dict[str, str],
) -> None:
    path = RECEIVER_PATHS[receiver]
    if receiver == "salesforce_outbound":
        path = "/webhooks/salesforce/outbound/" + extra.get("X-Baton-Signature", "guess")
    before = len(inbox(runtime))
    response = _send(client, receiver, body, {"Content-Type": content_type, **extra}, path=path)
    assert response.status_code < 500
    assert response.status_code in (400, 401, 404, 405, 413), response.status_code
    assert len(inbox(runtime)) == before


@pytest.mark.parametrize("receiver", sorted(RECEIVER_PATHS))
@SETTINGS
@given(body=bodies, content_type=content_types)
def test_authentic_random_bodies_never_crash(
    client: FlaskClient, runtime: Runtime, receiver: str, body: bytes, content_type: str
) -> None:
    headers = _authentic_headers(receiver, body, content_type)
    before = len(inbox(runtime))
    response = _send(client, receiver, body, headers)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code != 200:
        assert response.status_code in (400, 401, 413)
        assert len(inbox(runtime)) == before


@pytest.mark.parametrize("receiver", ["hubspot", "salesforce_events"])
@SETTINGS
@given(data=st.data())
def test_tampering_with_a_signed_request_is_refused(
    client: FlaskClient, runtime: Runtime, receiver: str, data: st.DataObject
) -> None:
    if receiver == "hubspot":
        body = hubspot_body(hubspot_event(1, 501))
    else:
        body = json_callout_body(json_callout_event())
    headers = _authentic_headers(receiver, body, "application/json")
    position = data.draw(st.integers(0, len(body) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != body[position]))
    tampered = body[:position] + bytes([replacement]) + body[position + 1 :]
    response = _send(client, receiver, tampered, headers)
    assert response.status_code == 401
    assert inbox(runtime) == []


@SETTINGS
@given(org=st.text(alphabet=string.ascii_letters + string.digits, min_size=15, max_size=18))
def test_outbound_message_from_another_org_is_refused(
    client: FlaskClient, runtime: Runtime, org: str
) -> None:
    body = outbound_message(lead_notification(), organization_id=org)
    response = _send(client, "salesforce_outbound", body, {"Content-Type": "text/xml"})
    if org in (ORG_ID, ORG_ID[:15]):
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 401)
        assert inbox(runtime) == []
