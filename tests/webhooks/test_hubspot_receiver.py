"""The HubSpot receivers over HTTP (Flask test client): v3, legacy v1/v2, workflow calls."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from intake_helpers import (
    HUBSPOT_APP_ID,
    NOW_MS,
    PUBLIC_BASE_URL,
    hubspot_body,
    hubspot_event,
    hubspot_legacy_headers,
    hubspot_v3_headers,
    inbox,
    make_config,
    raw_requests,
    request_count,
)
from security_cases import WebhookSecurityCases
from sqlalchemy import delete
from werkzeug.test import TestResponse

from connector.runtime import Runtime
from connector.store.models import InboxEvent, RawRequest
from webhooks.app import create_app

PATH = "/webhooks/hubspot"
URL = PUBLIC_BASE_URL + PATH
WORKFLOW_PATH = "/webhooks/hubspot/workflow"


def post_v3(client: FlaskClient, body: bytes, *, path: str = PATH, **headers: str) -> TestResponse:
    signed = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + path)
    signed.update(headers)
    return client.post(path, data=body, headers=signed)


class TestHubSpotSecurity(WebhookSecurityCases):
    receiver = "hubspot"

    def valid_body(self) -> bytes:
        return hubspot_body(hubspot_event(1001, 501), hubspot_event(1002, 502))

    def malformed_body(self) -> bytes:
        return b'[{"eventId": 1,'

    def post_signed(self, client: FlaskClient, body: bytes, **headers: str) -> TestResponse:
        return post_v3(client, body, **headers)

    def post_unauthenticated(self, client: FlaskClient, body: bytes) -> TestResponse:
        return client.post(PATH, data=body, content_type="application/json")

    def post_wrong_secret(self, client: FlaskClient, body: bytes) -> TestResponse:
        headers = hubspot_v3_headers(body, url=URL, secret="not-the-secret")
        return client.post(PATH, data=body, headers=headers)


class TestHubSpotV3:
    def test_events_are_normalized_into_the_inbox(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = hubspot_body(
            hubspot_event(1, 501),
            hubspot_event(2, 502, changeSource="INTEGRATION", sourceId=HUBSPOT_APP_ID),
        )
        response = post_v3(client, body)
        assert response.status_code == 200
        assert response.get_json() == {"status": "stored", "accepted": 2, "duplicates": 0}
        rows = inbox(runtime)
        assert [(r.object_id, r.kind, r.is_echo) for r in rows] == [
            ("501", "updated", False),
            ("502", "updated", True),
        ]
        assert rows[0].changes == {"lifecyclestage": "marketingqualifiedlead"}
        assert rows[0].raw_request_id == raw_requests(runtime)[0].id

    def test_raw_request_is_kept_without_signature_headers(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        post_v3(client, body)
        (raw,) = raw_requests(runtime)
        assert raw.body == body
        assert raw.path == PATH
        assert "X-HubSpot-Request-Timestamp" in raw.headers
        assert not any("signature-v3" in name.lower() for name in raw.headers)

    def test_retry_with_higher_attempt_number_is_a_duplicate(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        post_v3(client, hubspot_body(hubspot_event(1, 501)))
        response = post_v3(client, hubspot_body(hubspot_event(1, 501, attemptNumber=3)))
        assert response.get_json() == {"status": "stored", "accepted": 0, "duplicates": 1}
        assert len(inbox(runtime)) == 1

    def test_same_event_id_with_another_value_is_a_new_event(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        """eventId is not unique on its own (hubspot.md §1.3)."""
        post_v3(client, hubspot_body(hubspot_event(1, 501)))
        post_v3(client, hubspot_body(hubspot_event(1, 501, propertyValue="salesqualifiedlead")))
        assert len(inbox(runtime)) == 2

    def test_unknown_subscription_type_is_stored_and_acknowledged(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = hubspot_body(hubspot_event(1, 501, subscriptionType="conversation.newMessage"))
        assert post_v3(client, body).status_code == 200
        (row,) = inbox(runtime)
        assert (row.kind, row.provider_type) == ("unknown", "conversation.newMessage")

    def test_empty_batch_is_acknowledged(self, client: FlaskClient, runtime: Runtime) -> None:
        assert post_v3(client, b"[]").status_code == 200
        assert inbox(runtime) == []
        assert raw_requests(runtime) == []  # no event, nothing to keep the body for

    def test_another_portal_is_acknowledged_and_stored_as_unknown(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        """An authentic event Baton does not act on (ADR 001): a retry could never succeed."""
        body = hubspot_body(hubspot_event(1, 501, portalId=99999))
        assert post_v3(client, body).status_code == 200
        (row,) = inbox(runtime)
        assert (row.kind, row.account_id) == ("unknown", "99999")

    @pytest.mark.parametrize(
        "body",
        [b"{}", b'"x"', b"[1, 2]", b"[[]]", b"\xff\xfe", b"[" * 5000 + b"]" * 5000],
        ids=["object", "string", "numbers", "nested-array", "not-utf8", "deep-nesting"],
    )
    def test_signed_but_malformed_body_is_400(
        self, client: FlaskClient, runtime: Runtime, body: bytes
    ) -> None:
        headers = {
            **hubspot_v3_headers(b"", url=URL),
        }
        # Sign the exact bytes (the SDK helper needs text, so sign with ours for invalid UTF-8).
        from webhooks.signatures import sign_hubspot_v3

        headers["X-HubSpot-Signature-v3"] = sign_hubspot_v3(
            runtime.config.hubspot.client_secret.get_secret_value(), "POST", URL, body, str(NOW_MS)
        )
        response = client.post(PATH, data=body, headers=headers)
        assert response.status_code == 400
        assert response.get_json()["error"] == "malformed_body"
        assert inbox(runtime) == []

    def test_more_than_100_events_is_400(self, client: FlaskClient, runtime: Runtime) -> None:
        body = hubspot_body(*(hubspot_event(i, i) for i in range(101)))
        assert post_v3(client, body).status_code == 400

    def test_stale_timestamp_is_401(self, client: FlaskClient, runtime: Runtime) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_v3_headers(body, url=URL, timestamp_ms=NOW_MS - 300_001)
        response = client.post(PATH, data=body, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "stale_timestamp"

    def test_future_timestamp_is_401(self, client: FlaskClient, runtime: Runtime) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_v3_headers(body, url=URL, timestamp_ms=NOW_MS + 300_001)
        assert client.post(PATH, data=body, headers=headers).status_code == 401

    def test_signature_for_the_internal_url_is_refused(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        """The signed URI is the public one, not what Flask sees behind the proxy."""
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_v3_headers(body, url="http://localhost" + PATH)
        assert client.post(PATH, data=body, headers=headers).status_code == 401

    def test_query_string_is_signed_in_its_original_order_with_decoding(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        path = PATH + "?b=x%3Ay&a=1"
        headers = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + path)
        assert client.post(path, data=body, headers=headers).status_code == 200
        reordered = PATH + "?a=1&b=x%3Ay"
        assert client.post(reordered, data=body, headers=headers).status_code == 401

    def test_public_base_url_with_a_path_prefix(self, runtime: Runtime) -> None:
        config = make_config(
            runtime.store.url, {"service.public_base_url": "https://edge.example.com/baton/"}
        )
        app = create_app(
            Runtime(config=config, store=runtime.store),
            {"TESTING": True, "BATON_CLOCK": lambda: NOW_MS / 1000},
        )
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_v3_headers(body, url="https://edge.example.com/baton" + PATH)
        assert app.test_client().post(PATH, data=body, headers=headers).status_code == 200

    def test_get_is_not_allowed(self, client: FlaskClient) -> None:
        response = client.get(PATH)
        assert response.status_code == 405
        assert response.is_json


class TestHubSpotLegacySignatures:
    """v1 carries no timestamp: a captured delivery verifies forever (issue 8, finding 3)."""

    def legacy_app(self, runtime: Runtime) -> FlaskClient:
        config = make_config(runtime.store.url, {"hubspot.accept_v1_signatures": True})
        app = create_app(
            Runtime(config=config, store=runtime.store),
            {"TESTING": True, "BATON_CLOCK": lambda: NOW_MS / 1000},
        )
        return app.test_client()

    def test_v1_without_v3_headers_is_refused_by_default(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        """HubSpot sends v1 beside v3; stripping the v3 headers must not leave a way in."""
        body = hubspot_body(hubspot_event(1, 501))
        response = client.post(PATH, data=body, headers=hubspot_legacy_headers(body, version="v1"))
        assert response.status_code == 401
        assert response.get_json()["error"] == "v3_signature_required"
        assert inbox(runtime) == [] and raw_requests(runtime) == []

    @pytest.mark.parametrize("version", ["v2", "", "v3"])
    def test_other_timestamp_less_versions_are_refused(
        self, client: FlaskClient, runtime: Runtime, version: str
    ) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_legacy_headers(body, version="v2", url=URL)
        headers["X-HubSpot-Signature-Version"] = version
        assert client.post(PATH, data=body, headers=headers).status_code == 401
        assert inbox(runtime) == []

    def test_v1_is_accepted_behind_the_legacy_switch(self, runtime: Runtime) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_legacy_headers(body, version="v1")
        response = self.legacy_app(runtime).post(PATH, data=body, headers=headers)
        assert response.status_code == 200
        assert len(inbox(runtime)) == 1

    def test_v1_does_not_rescue_a_wrong_v3(self, runtime: Runtime) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_legacy_headers(body, version="v1")
        headers.update(hubspot_v3_headers(body, url=URL, secret="wrong"))
        assert self.legacy_app(runtime).post(PATH, data=body, headers=headers).status_code == 401

    def test_v1_with_wrong_secret_is_401(self, runtime: Runtime) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_legacy_headers(body, version="v1", secret="wrong")
        assert self.legacy_app(runtime).post(PATH, data=body, headers=headers).status_code == 401

    def test_a_forty_day_old_v3_delivery_is_refused(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = hubspot_body(hubspot_event(1, 501))
        headers = hubspot_v3_headers(body, url=URL, timestamp_ms=NOW_MS - 40 * 86_400_000)
        headers.update(hubspot_legacy_headers(body, version="v1"))
        assert client.post(PATH, data=body, headers=headers).status_code == 401


class TestHubSpotWorkflow:
    def test_v2_post_is_stored_as_a_snapshot(self, client: FlaskClient, runtime: Runtime) -> None:
        body = json.dumps(
            {
                "objectType": "CONTACT",
                "hs_object_id": "901",
                "properties": {"lifecyclestage": {"value": "lead"}, "hs_object_id": "901"},
            }
        ).encode()
        url = PUBLIC_BASE_URL + WORKFLOW_PATH
        headers = hubspot_legacy_headers(body, version="v2", url=url)
        response = client.post(WORKFLOW_PATH, data=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        (row,) = inbox(runtime)
        assert (row.kind, row.object_type, row.object_id) == ("updated", "contact", "901")
        assert row.changes["lifecyclestage"] == "lead"
        assert row.is_snapshot
        # A retry of the same call is a duplicate: the dedupe key is the request digest.
        client.post(WORKFLOW_PATH, data=body, headers=headers)
        assert len(inbox(runtime)) == 1

    def test_v2_get_reads_the_query_string(self, client: FlaskClient, runtime: Runtime) -> None:
        path = WORKFLOW_PATH + "?objectType=deal&hs_object_id=77&dealstage=closedwon"
        headers = hubspot_legacy_headers(
            b"", version="v2", url=PUBLIC_BASE_URL + path, method="GET"
        )
        del headers["Content-Type"]
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        (row,) = inbox(runtime)
        assert (row.object_type, row.object_id, row.changes["dealstage"]) == (
            "deal",
            "77",
            "closedwon",
        )

    def test_v2_signature_over_another_path_is_401(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = b'{"objectType":"contact","hs_object_id":"1"}'
        headers = hubspot_legacy_headers(body, version="v2", url=URL)
        assert client.post(WORKFLOW_PATH, data=body, headers=headers).status_code == 401

    def test_v3_is_used_when_present(self, client: FlaskClient, runtime: Runtime) -> None:
        body = b'{"objectType":"contact","hs_object_id":"1"}'
        response = post_v3(client, body, path=WORKFLOW_PATH)
        assert response.status_code == 200
        assert inbox(runtime)[0].object_id == "1"

    def test_call_without_object_is_stored_as_unknown(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = b'{"note":"no ids here"}'
        assert post_v3(client, body, path=WORKFLOW_PATH).status_code == 200
        assert inbox(runtime)[0].kind == "unknown"

    def test_json_array_body_is_400(self, client: FlaskClient, runtime: Runtime) -> None:
        assert post_v3(client, b"[]", path=WORKFLOW_PATH).status_code == 400


class TestWorkflowReplays:
    """v2 has no timestamp: a captured call must not be applied again (issue 8, finding 3)."""

    BODY = json.dumps({"objectType": "contact", "hs_object_id": "901", "lifecyclestage": "lead"})

    def post_v2(self, client: FlaskClient, body: bytes | None = None) -> TestResponse:
        body = body or self.BODY.encode()
        headers = hubspot_legacy_headers(body, version="v2", url=PUBLIC_BASE_URL + WORKFLOW_PATH)
        return client.post(WORKFLOW_PATH, data=body, headers=headers)

    def test_replays_are_ignored_and_store_nothing(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        assert self.post_v2(client).get_json()["accepted"] == 1
        for _ in range(50):
            response = self.post_v2(client)
            assert response.status_code == 200  # a HubSpot retry after a lost answer is done
            assert response.get_json() == {"status": "stored", "accepted": 0, "duplicates": 1}
        assert len(inbox(runtime)) == 1
        assert len(raw_requests(runtime)) == 1
        assert request_count(client, "hubspot_workflow", "replayed") == 50
        assert request_count(client, "hubspot_workflow", "accepted") == 1

    def test_a_replay_is_ignored_even_after_its_event_left_the_inbox(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        """The digest outlives inbox and raw-body retention: an old capture stays a no-op."""
        self.post_v2(client)
        with runtime.store.session() as session:
            session.execute(delete(InboxEvent))
            session.execute(delete(RawRequest))
        assert self.post_v2(client).get_json()["accepted"] == 0
        assert inbox(runtime) == [] and raw_requests(runtime) == []

    def test_another_call_is_not_a_replay(self, client: FlaskClient, runtime: Runtime) -> None:
        self.post_v2(client)
        other = self.BODY.replace('"lead"', '"marketingqualifiedlead"').encode()
        assert self.post_v2(client, other).get_json()["accepted"] == 1
        assert len(raw_requests(runtime)) == 2

    def test_v1_on_the_workflow_endpoint_is_refused(
        self, client: FlaskClient, runtime: Runtime
    ) -> None:
        body = self.BODY.encode()
        headers = hubspot_legacy_headers(body, version="v1")
        response = client.post(WORKFLOW_PATH, data=body, headers=headers)
        assert response.status_code == 401
        assert inbox(runtime) == []
