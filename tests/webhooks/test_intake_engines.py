"""The receivers on both engines: SQLite and PostgreSQL (BATON_TEST_POSTGRES_URL, else skipped).

Concurrent redeliveries of the same batch must store each event once on either engine: the
inbox's unique key and ON CONFLICT DO NOTHING decide, not the receiver.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from intake_helpers import (
    NOW_S,
    OM_PATH,
    PUBLIC_BASE_URL,
    REFERENCE_ACK,
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
from connector.store import Store
from webhooks.app import create_app

PATH = "/webhooks/hubspot"


def _app(store: Store) -> tuple[Flask, Runtime]:
    runtime = Runtime(config=make_config(store.url), store=store)
    return create_app(runtime, {"TESTING": True, "BATON_CLOCK": lambda: NOW_S}), runtime


def test_hubspot_and_outbound_messages_are_stored(store: Store) -> None:
    app, runtime = _app(store)
    client = app.test_client()
    body = hubspot_body(hubspot_event(1, 501), hubspot_event(2, 502))
    headers = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + PATH)
    assert client.post(PATH, data=body, headers=headers).get_json()["accepted"] == 2
    assert client.post(PATH, data=body, headers=headers).get_json()["duplicates"] == 2
    response = client.post(
        OM_PATH, data=outbound_message(lead_notification()), headers={"Content-Type": SOAP}
    )
    assert response.data == REFERENCE_ACK
    assert [(r.source, r.object_id) for r in inbox(runtime)] == [
        ("hubspot", "501"),
        ("hubspot", "502"),
        ("salesforce", "00Q000000000001EAA"),
    ]
    assert len(raw_requests(runtime)) == 3


def test_concurrent_redeliveries_store_each_event_once(store: Store) -> None:
    app, runtime = _app(store)
    body = hubspot_body(*(hubspot_event(i, 1000 + i) for i in range(50)))
    headers = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + PATH)

    def deliver(_: int) -> tuple[int, int, int]:
        response = app.test_client().post(PATH, data=body, headers=headers)
        payload = response.get_json()
        return response.status_code, payload["accepted"], payload["duplicates"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(deliver, range(16)))
    assert {status for status, _, _ in results} == {200}
    assert sum(accepted for _, accepted, _ in results) == 50
    assert sum(duplicates for _, _, duplicates in results) == 50 * 15
    assert len(inbox(runtime)) == 50
    assert len(raw_requests(runtime)) == 16  # every delivery is kept as received
