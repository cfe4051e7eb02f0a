"""The receivers on both engines: SQLite and PostgreSQL (BATON_TEST_POSTGRES_URL, else skipped).

Concurrent redeliveries of the same batch must store each event once on either engine: the
inbox's unique key and ON CONFLICT DO NOTHING decide, not the receiver.
"""

from __future__ import annotations

import json
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
    # The redelivery brought no new event, so its body was not kept a second time.
    assert len(raw_requests(runtime)) == 2


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
    # Only deliveries that brought new events keep their body: the 15 duplicates left none.
    kept = {raw.id for raw in raw_requests(runtime)}
    assert kept == {row.raw_request_id for row in inbox(runtime)}
    assert 1 <= len(kept) < 16


def test_unstorable_values_are_refused_whole_on_either_engine(store: Store) -> None:
    """NUL and lone surrogates fail differently per driver; both engines answer 400 alike."""
    app, runtime = _app(store)
    client = app.test_client()
    for value in ("a\x00b", "\ud800"):
        good, bad = hubspot_event(1, 501), hubspot_event(2, 502, propertyValue=value)
        body = json.dumps([good, bad]).encode()
        response = client.post(
            PATH, data=body, headers=hubspot_v3_headers(body, url=PUBLIC_BASE_URL + PATH)
        )
        assert response.status_code == 400
        assert (
            "NUL" in response.get_json()["message"] or "surrogate" in response.get_json()["message"]
        )
    assert inbox(runtime) == [] and raw_requests(runtime) == []
