"""Bodies over ``service.max_body_bytes`` get 413, with or without a Content-Length (issue 8).

A chunked body carries no Content-Length, so the limit can only be enforced while reading. The
hostile-sender run found a 1.56 MB chunked SOAP body, whose first MiB was a valid envelope,
truncated to exactly the limit and acknowledged. The WSGI server marks such a body with
``wsgi.input_terminated`` (gunicorn does); the test client is told to do the same.
"""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from intake_helpers import (
    OM_PATH,
    PUBLIC_BASE_URL,
    SOAP,
    hubspot_body,
    hubspot_event,
    hubspot_v3_headers,
    inbox,
    lead_notification,
    outbound_message,
    raw_requests,
)
from werkzeug.test import TestResponse

from connector.runtime import Runtime

HUBSPOT_PATH = "/webhooks/hubspot"


def padded_envelope(size: int) -> bytes:
    """A valid outbound message followed by whitespace, ``size`` bytes in all (still valid XML)."""
    envelope = outbound_message(lead_notification())
    return envelope + b" " * (size - len(envelope))


def post_chunked(
    client: FlaskClient, path: str, body: bytes, headers: dict[str, str]
) -> TestResponse:
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={**headers, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def limit(runtime: Runtime) -> int:
    return runtime.config.service.max_body_bytes


def test_chunked_soap_body_over_the_limit_is_a_413_fault(
    client: FlaskClient, runtime: Runtime
) -> None:
    body = padded_envelope(int(limit(runtime) * 1.5))
    response = post_chunked(client, OM_PATH, body, {"Content-Type": SOAP})
    assert response.status_code == 413
    assert b"soapenv:Client" in response.data and b"Ack" not in response.data
    assert inbox(runtime) == [] and raw_requests(runtime) == []


@pytest.mark.parametrize("excess", [1, 4096])
def test_chunked_json_body_over_the_limit_is_a_413(
    client: FlaskClient, runtime: Runtime, excess: int
) -> None:
    body = hubspot_body(hubspot_event(1, 501))
    body = body + b" " * (limit(runtime) + excess - len(body))
    headers = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + HUBSPOT_PATH)
    response = post_chunked(client, HUBSPOT_PATH, body, headers)
    assert response.status_code == 413
    assert response.get_json()["error"] == "body_too_large"
    assert inbox(runtime) == [] and raw_requests(runtime) == []


def test_chunked_body_of_exactly_the_limit_is_accepted_whole(
    client: FlaskClient, runtime: Runtime
) -> None:
    body = padded_envelope(limit(runtime))
    response = post_chunked(client, OM_PATH, body, {"Content-Type": SOAP})
    assert response.status_code == 200
    (raw,) = raw_requests(runtime)
    assert raw.body == body


def test_declared_length_over_the_limit_is_a_413(client: FlaskClient, runtime: Runtime) -> None:
    body = padded_envelope(limit(runtime) + 1)
    response = client.post(OM_PATH, data=body, headers={"Content-Type": SOAP})
    assert response.status_code == 413
    assert raw_requests(runtime) == []
