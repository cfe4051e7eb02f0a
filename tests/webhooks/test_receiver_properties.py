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
    raw_requests,
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
    # 308: a guessed token with "/" makes "//" in the path, which Werkzeug redirects to the
    # merged path (nothing is read or stored); everything else is a refusal
    assert response.status_code in (308, 400, 401, 404, 405, 413), response.status_code
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
    before = len(inbox(runtime))  # an earlier example may have sent the real org id
    response = _send(client, "salesforce_outbound", body, {"Content-Type": "text/xml"})
    if org in (ORG_ID, ORG_ID[:15]):
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 401)
        assert len(inbox(runtime)) == before


# -- hostile values in validly signed bodies (issue 8) -------------------------------------------


class Raw(str):
    """A JSON literal written into the body as is (1e309, NaN, deep nesting)."""


def to_json(value: Any) -> str:
    """Serialize like a sender would (ASCII, \\u escapes), with :class:`Raw` literals verbatim."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{to_json(str(k))}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(to_json, value)) + "]"
    return json.dumps(value, ensure_ascii=True)


hostile_text = st.one_of(
    st.sampled_from(["\ud800", "\udfff", "a\udc80b", "\x00", "lead\x00", "\U0001f600", "ok"]),
    st.text(
        alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
        | st.sampled_from("a\x00"),
        max_size=4,
    ),
)
hostile_numbers = st.sampled_from(
    [Raw("1e309"), Raw("-1e309"), Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
     Raw("1" + "0" * 309), Raw("9" * 5000), 2**63, -(2**63) - 1, 2**64, 10**19, 1e308, -0.0,
     253_402_300_800_000, -1, 0]
)  # fmt: skip
deep_nesting = st.integers(1, 1200).map(lambda depth: Raw("[" * depth + "]" * depth))
hostile_values = st.one_of(
    hostile_text, hostile_numbers, deep_nesting, st.integers(), st.none(), st.booleans()
)
extreme_dates = st.sampled_from(
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z",
     "9999-12-31T23:59:59.999999+00:00", "2023-11-14T22:10:00Z", "2023-11-14T22:10:00",
     "+275760-09-13T00:00:00Z", "\ud800", "0000-00-00"]
)  # fmt: skip
hostile_or_date = hostile_values | extreme_dates


def _hubspot_hostile_batch(draw: st.DrawFn) -> bytes:
    fields = ("eventId", "objectId", "subscriptionType", "portalId", "changeSource",
              "sourceId", "occurredAt", "propertyName", "propertyValue", "objectTypeId",
              "mergedObjectIds")  # fmt: skip
    events = []
    for index in range(draw(st.integers(1, 3))):
        event: dict[str, Any] = hubspot_event(index + 1, 500 + index)
        for name in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
            event[name] = draw(hostile_or_date)
        events.append(event)
    return to_json(events).encode()


def _workflow_hostile_object(draw: st.DrawFn) -> bytes:
    payload: dict[str, Any] = {"objectType": "contact", "hs_object_id": "901"}
    for name in draw(
        st.lists(st.sampled_from(["objectId", "hs_object_id", "objectType", "portalId", "vid",
                                  "lifecyclestage", "properties"]), min_size=1, max_size=3)
    ):  # fmt: skip
        payload[name] = draw(hostile_or_date)
    if draw(st.booleans()):
        payload[draw(hostile_text)] = draw(hostile_values)
    return to_json(payload).encode()


def _json_callout_hostile(draw: st.DrawFn) -> bytes:
    event: dict[str, Any] = json_callout_event()
    for name in draw(
        st.lists(st.sampled_from(["sobjectType", "changeType", "eventId", "occurredAt", "userId",
                                  "fields"]), min_size=1, max_size=3)
    ):  # fmt: skip
        event[name] = draw(hostile_or_date)
    event["fields"] = {"Status": draw(hostile_or_date), draw(hostile_text): draw(hostile_values)}
    return to_json({"organizationId": ORG_ID, "events": [event]}).encode()


def _outbound_hostile(draw: st.DrawFn) -> bytes:
    """XML cannot carry NULs or lone surrogates: dates, numbers and nesting are what is left."""
    depth = draw(st.integers(0, 8))
    nested = "<sf:A>" * depth + "x" + "</sf:A>" * depth
    body = outbound_message(
        lead_notification(
            SystemModstamp=draw(extreme_dates).replace("\ud800", "x"),
            LastModifiedDate=draw(extreme_dates).replace("\ud800", "x"),
            NumberOfEmployees=str(draw(hostile_numbers)),
        )
    )
    return body.replace(b"<sf:Status>", nested.encode() + b"<sf:Status>", 1)


HOSTILE_BODIES = {
    "hubspot": _hubspot_hostile_batch,
    "hubspot_workflow": _workflow_hostile_object,
    "salesforce_events": _json_callout_hostile,
    "salesforce_outbound": _outbound_hostile,
}


def _stored_counts(runtime: Runtime) -> tuple[int, int]:
    return len(inbox(runtime)), len(raw_requests(runtime))


@pytest.mark.parametrize("receiver", sorted(HOSTILE_BODIES))
@SETTINGS
@given(data=st.data())
def test_signed_hostile_values_never_crash_and_are_stored_whole_or_not_at_all(
    client: FlaskClient, runtime: Runtime, receiver: str, data: st.DataObject
) -> None:
    body = data.draw(st.composite(lambda draw: HOSTILE_BODIES[receiver](draw))())
    content_type = "text/xml" if receiver == "salesforce_outbound" else "application/json"
    events_before, raws_before = _stored_counts(runtime)
    response = _send(client, receiver, body, _authentic_headers(receiver, body, content_type))
    assert response.status_code < 500, response.get_data(as_text=True)
    events_after, raws_after = _stored_counts(runtime)
    if response.status_code != 200:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert (events_after, raws_after) == (events_before, raws_before)
        return
    # Accepted: the raw request and its new events landed together (or nothing, if all known).
    assert raws_after - raws_before == (1 if events_after > events_before else 0)
    new_rows = inbox(runtime)[events_before:]
    latest_raw = raw_requests(runtime)[-1] if new_rows else None
    assert all(row.raw_request_id == latest_raw.id for row in new_rows if latest_raw)
