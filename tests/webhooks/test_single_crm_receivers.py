"""In single-CRM mode the other CRM's receivers answer 404 and store nothing."""

from __future__ import annotations

import json

from intake_helpers import (
    OM_PATH,
    PUBLIC_BASE_URL,
    SOAP,
    hubspot_body,
    hubspot_event,
    hubspot_v3_headers,
    inbox,
    lead_notification,
    make_config,
    outbound_message,
    raw_requests,
)

from connector.runtime import Runtime
from webhooks.app import create_app


def _client(runtime: Runtime, changes: dict[str, object]):
    runtime.config = make_config(runtime.store.url, changes)
    return create_app(runtime, {"TESTING": True}).test_client()


def test_salesforce_receivers_are_not_there_beside_hubspot_alone(runtime: Runtime) -> None:
    client = _client(runtime, {"salesforce.enabled": False})
    body = outbound_message(lead_notification())
    answer = client.post(OM_PATH, data=body, headers={"Content-Type": SOAP})
    assert answer.status_code == 404
    assert "salesforce is not connected" in answer.get_data(as_text=True)
    callout = client.post(
        "/webhooks/salesforce/events", data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert callout.status_code == 404
    assert inbox(runtime) == [] and raw_requests(runtime) == []


def test_hubspot_receiver_is_not_there_beside_salesforce_alone(runtime: Runtime) -> None:
    client = _client(runtime, {"hubspot.enabled": False})
    body = hubspot_body(hubspot_event(1, 101))
    answer = client.post(
        "/webhooks/hubspot",
        data=body,
        headers=hubspot_v3_headers(body, url=PUBLIC_BASE_URL + "/webhooks/hubspot"),
    )
    assert answer.status_code == 404
    assert json.loads(answer.get_data())["error"] == "crm_not_connected"
    assert inbox(runtime) == [] and raw_requests(runtime) == []
