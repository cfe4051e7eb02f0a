"""Security cases every receiver must pass (anymail's ``WebhookBasicAuthTestCase`` idea).

A receiver's test class subclasses :class:`WebhookSecurityCases` and supplies how to send a
correctly authenticated request, a broken one, and a body; the shared tests then check that
authentic requests are stored and acknowledged and that every refusal stores nothing, answers
with the right status and a short body without secrets, and is counted in ``/metrics``.
"""

from __future__ import annotations

from typing import ClassVar

from flask.testing import FlaskClient
from intake_helpers import (
    HUBSPOT_SECRET,
    JSON_SECRET,
    OM_TOKEN,
    inbox,
    raw_requests,
    request_count,
)
from werkzeug.test import TestResponse

from connector.runtime import Runtime


class WebhookSecurityCases:
    """Shared tests; subclasses implement the ``post_*`` and ``*_body`` hooks."""

    receiver: ClassVar[str]
    #: the success status and how a refusal's body is recognised
    soap: ClassVar[bool] = False

    # -- hooks -----------------------------------------------------------------------------
    def valid_body(self) -> bytes:
        raise NotImplementedError

    def malformed_body(self) -> bytes:
        """A body that passes authentication (where auth covers the body) but cannot be parsed."""
        raise NotImplementedError

    def post_signed(self, client: FlaskClient, body: bytes, **headers: str) -> TestResponse:
        raise NotImplementedError

    def post_unauthenticated(self, client: FlaskClient, body: bytes) -> TestResponse:
        raise NotImplementedError

    def post_wrong_secret(self, client: FlaskClient, body: bytes) -> TestResponse:
        raise NotImplementedError

    def tampered_body(self, body: bytes) -> bytes:
        """The valid body changed after signing (irrelevant where auth does not cover the body)."""
        return body.replace(b"0", b"1", 1)

    # -- helpers ---------------------------------------------------------------------------
    def assert_refused(self, response: TestResponse, status: int, runtime: Runtime) -> None:
        assert response.status_code == status, response.get_data(as_text=True)
        assert inbox(runtime) == []
        assert raw_requests(runtime) == []
        text = response.get_data(as_text=True)
        for secret in (HUBSPOT_SECRET, JSON_SECRET, OM_TOKEN):
            assert secret not in text
        if self.soap:
            assert "<faultcode>soapenv:Client</faultcode>" in text
            assert response.mimetype == "text/xml"
        else:
            assert response.is_json and set(response.get_json()) == {"error", "message"}

    def metric(self, client: FlaskClient, outcome: str) -> float:
        return request_count(client, self.receiver, outcome)

    # -- the shared tests ------------------------------------------------------------------
    def test_authentic_request_is_stored_then_acknowledged(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        response = self.post_signed(client, self.valid_body())
        assert response.status_code == 200, response.get_data(as_text=True)
        assert len(inbox(runtime)) >= 1
        assert len(raw_requests(runtime)) == 1
        assert self.metric(client, "accepted") == 1

    def test_redelivery_is_acknowledged_and_stored_once(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = self.valid_body()
        assert self.post_signed(client, body).status_code == 200
        first = [row.event_id for row in inbox(runtime)]
        assert self.post_signed(client, body).status_code == 200
        assert [row.event_id for row in inbox(runtime)] == first

    def test_unauthenticated_request_is_refused(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        self.assert_refused(self.post_unauthenticated(client, self.valid_body()), 401, runtime)
        assert self.metric(client, "unauthorized") == 1

    def test_wrong_secret_is_refused(self, client: FlaskClient, runtime: Runtime) -> None:
        self.assert_refused(self.post_wrong_secret(client, self.valid_body()), 401, runtime)

    def test_oversized_body_is_refused_with_413(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        limit = runtime.config.service.max_body_bytes
        response = self.post_signed(client, b" " * (limit + 1))
        self.assert_refused(response, 413, runtime)
        assert self.metric(client, "too_large") == 1

    def test_wrong_content_type_is_refused_with_400(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        response = self.post_signed(client, self.valid_body(), **{"Content-Type": "text/plain"})
        self.assert_refused(response, 400, runtime)

    def test_malformed_body_is_refused_with_400(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        self.assert_refused(self.post_signed(client, self.malformed_body()), 400, runtime)
        assert self.metric(client, "bad_request") == 1

    def test_refusal_leaves_accepted_events_alone(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        assert self.post_signed(client, self.valid_body()).status_code == 200
        before = [(row.id, row.event_id, row.status) for row in inbox(runtime)]
        self.post_unauthenticated(client, self.valid_body())
        self.post_signed(client, self.malformed_body())
        assert [(row.id, row.event_id, row.status) for row in inbox(runtime)] == before
        assert len(raw_requests(runtime)) == 1
