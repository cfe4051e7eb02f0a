"""Validly signed bodies with values no store keeps get a 400 with a reason, never a 5xx (issue 8).

Each case is one the hostile-sender run found as a 500: a lone surrogate in an id or a type, an
``occurredAt`` that overflows a float or a date, NULs, non-finite numbers, deep nesting. The body
is signed correctly every time, so only the value decides; and a refused body stores nothing,
neither its events nor its raw request.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from intake_helpers import (
    HUBSPOT_SECRET,
    NOW_MS,
    OM_PATH,
    PUBLIC_BASE_URL,
    SOAP,
    hubspot_body,
    hubspot_event,
    hubspot_v3_headers,
    inbox,
    json_callout_body,
    json_callout_event,
    json_callout_headers,
    lead_notification,
    outbound_message,
    raw_requests,
)
from werkzeug.test import TestResponse

from connector.runtime import Runtime
from webhooks.signatures import sign_hubspot_v3

HUBSPOT_PATH = "/webhooks/hubspot"
WORKFLOW_PATH = "/webhooks/hubspot/workflow"
JSON_PATH = "/webhooks/salesforce/events"

SURROGATE = "\ud800"


def post_hubspot(client: FlaskClient, body: bytes, path: str = HUBSPOT_PATH) -> TestResponse:
    return client.post(
        path, data=body, headers=hubspot_v3_headers(body, url=PUBLIC_BASE_URL + path)
    )


def post_json_callout(client: FlaskClient, body: bytes) -> TestResponse:
    return client.post(JSON_PATH, data=body, headers=json_callout_headers(body))


def assert_refused_with_reason(response: TestResponse, runtime: Runtime) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert inbox(runtime) == []
    assert raw_requests(runtime) == []
    payload = response.get_json()
    assert payload["error"] in ("malformed_body", "unstorable_value")
    assert payload["message"]
    return str(payload["message"])


def encoded(value: Any) -> bytes:
    """JSON as a sender writes it: non-ASCII escaped, so a lone surrogate travels as \\ud800."""
    return json.dumps(value, ensure_ascii=True).encode()


@pytest.mark.parametrize(
    "field", ["eventId", "objectId", "subscriptionType", "portalId", "changeSource", "propertyName"]
)
def test_hubspot_lone_surrogate_is_a_400(client: FlaskClient, runtime: Runtime, field: str) -> None:
    body = encoded([hubspot_event(1, 501, **{field: SURROGATE})])
    message = assert_refused_with_reason(post_hubspot(client, body), runtime)
    assert "surrogate" in message


@pytest.mark.parametrize(
    "literal", ["1e309", "-1e309", "1" + "0" * 309, "NaN", "Infinity", "-Infinity"]
)
def test_hubspot_occurred_at_beyond_any_float_is_a_400(
    client: FlaskClient, runtime: Runtime, literal: str
) -> None:
    body = hubspot_body(hubspot_event(1, 501, occurredAt=0)).replace(
        b'"occurredAt":0', b'"occurredAt":' + literal.encode()
    )
    assert literal.encode() in body
    assert_refused_with_reason(post_hubspot(client, body), runtime)


def test_hubspot_nul_in_a_property_value_is_a_400(client: FlaskClient, runtime: Runtime) -> None:
    body = encoded([hubspot_event(1, 501, propertyValue="lead\x00")])
    assert "NUL" in assert_refused_with_reason(post_hubspot(client, body), runtime)


def test_hubspot_deep_nesting_below_the_recursion_limit_is_a_400(
    client: FlaskClient, runtime: Runtime
) -> None:
    nested = "[" * 900 + "]" * 900
    body = hubspot_body(hubspot_event(1, 501, propertyValue=0)).replace(
        b'"propertyValue":0', b'"propertyValue":' + nested.encode()
    )
    assert "deeply" in assert_refused_with_reason(post_hubspot(client, body), runtime)


@pytest.mark.parametrize("field", ["objectId", "hs_object_id", "portalId"])
def test_workflow_lone_surrogate_is_a_400(
    client: FlaskClient, runtime: Runtime, field: str
) -> None:
    payload = {"objectType": "contact", "hs_object_id": "901", field: SURROGATE}
    response = post_hubspot(client, encoded(payload), path=WORKFLOW_PATH)
    assert "surrogate" in assert_refused_with_reason(response, runtime)


def test_workflow_query_with_raw_non_utf8_bytes_is_a_400(
    client: FlaskClient, runtime: Runtime
) -> None:
    """A GET's data travels in the query; a raw byte that is not UTF-8 cannot be stored."""
    query = "objectType=contact&hs_object_id=7&note=\xff"  # WSGI: the byte 0xFF, latin-1
    signed_uri = PUBLIC_BASE_URL + WORKFLOW_PATH + "?" + query.replace("\xff", "\udcff")
    headers = {
        "X-HubSpot-Request-Timestamp": str(NOW_MS),
        "X-HubSpot-Signature-v3": sign_hubspot_v3(
            HUBSPOT_SECRET, "GET", signed_uri, b"", str(NOW_MS)
        ),
    }
    response = client.get(WORKFLOW_PATH, headers=headers, environ_overrides={"QUERY_STRING": query})
    assert "surrogate" in assert_refused_with_reason(response, runtime)


@pytest.mark.parametrize(
    "fields",
    [
        {"sobjectType": SURROGATE},
        {"eventId": SURROGATE},
        {"changeType": SURROGATE},
        {"fields": {"Status": SURROGATE}},
        {"fields": {SURROGATE: "x"}},
        {"fields": {"Status": "a\x00b"}},
    ],
    ids=["sobjectType", "eventId", "changeType", "field-value", "field-name", "nul"],
)
def test_salesforce_json_unstorable_text_is_a_400(
    client: FlaskClient, runtime: Runtime, fields: dict[str, Any]
) -> None:
    body = json_callout_body(json_callout_event(**fields)).decode()
    body = json.dumps(json.loads(body), ensure_ascii=True).encode()
    assert_refused_with_reason(post_json_callout(client, body), runtime)


@pytest.mark.parametrize(
    "occurred_at",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:01"],
)
def test_salesforce_json_occurred_at_off_the_calendar_in_utc_is_a_400(
    client: FlaskClient, runtime: Runtime, occurred_at: str
) -> None:
    body = json_callout_body(json_callout_event(occurredAt=occurred_at))
    message = assert_refused_with_reason(post_json_callout(client, body), runtime)
    assert "occurredAt" in message


@pytest.mark.parametrize("literal", ["1e309", "NaN", "1" + "0" * 400])
def test_salesforce_json_non_finite_or_huge_number_is_a_400(
    client: FlaskClient, runtime: Runtime, literal: str
) -> None:
    body = json_callout_body(json_callout_event(fields={"NumberOfEmployees": 0})).replace(
        b'"NumberOfEmployees": 0', b'"NumberOfEmployees": ' + literal.encode()
    )
    assert literal.encode() in body
    assert_refused_with_reason(post_json_callout(client, body), runtime)


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_outbound_modstamp_off_the_calendar_falls_back_to_receipt_time(
    client: FlaskClient, runtime: Runtime, stamp: str
) -> None:
    """A notification's modstamp is advisory: an unusable one is replaced, never a crash."""
    body = outbound_message(lead_notification(SystemModstamp=stamp))
    response = client.post(OM_PATH, data=body, headers={"Content-Type": SOAP})
    assert response.status_code == 200, response.get_data(as_text=True)
    (row,) = inbox(runtime)
    assert row.occurred_at.year == row.received_at.year


def test_outbound_type_name_longer_than_its_column_is_a_400(
    client: FlaskClient, runtime: Runtime
) -> None:
    body = outbound_message(lead_notification()).replace(b"sf:Lead", b"sf:" + b"L" * 300)
    response = client.post(OM_PATH, data=body, headers={"Content-Type": SOAP})
    assert response.status_code == 400
    assert b"too long" in response.data
    assert inbox(runtime) == [] and raw_requests(runtime) == []
