"""Webhooks sent by the HubSpot stand-in, received by a small local werkzeug receiver:
payload fields, change sources, v3/v1 signatures, batching, concurrency, retries, duplicates."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicGdprDeleteInput,
    PublicMergeInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.utils.signature import Signature
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

SECRET = "s3cr3t-client-secret"
FAST = {
    "client_secret": SECRET,
    "webhook_timeout_s": 0.5,
    "webhook_retry_base_s": 0.05,
    "webhook_max_attempts": 3,
}


@dataclass
class Received:
    """One POST as the receiver saw it."""

    path_and_query: str
    headers: dict[str, str]
    body: str

    @property
    def events(self) -> list[dict[str, Any]]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A tiny webhook endpoint: records requests, can fail or stall the first N of them."""

    base_url: str = ""
    posts: list[Received] = field(default_factory=list)
    fail_first: int = 0
    stall_first: int = 0
    stall_s: float = 0.0
    always_fail: bool = False
    hold_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        received = Received(
            environ["RAW_URI"],  # the request target exactly as sent
            dict(request.headers),
            request.get_data(as_text=True),
        )
        with self.lock:
            self.posts.append(received)
            number = len(self.posts)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if number <= self.stall_first:
                time.sleep(self.stall_s)
            time.sleep(self.hold_s)
            failing = self.always_fail or number <= self.fail_first
            return Response("nope" if failing else "", status=500 if failing else 204)(
                environ, start_response
            )
        finally:
            with self.lock:
                self.in_flight -= 1

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [event for post in self.posts for event in post.events]


@pytest.fixture
def hubspot_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join()


def _sandbox(**overrides: Any) -> HubSpotSandbox:
    return HubSpotSandbox(HubSpotSandboxConfig(**{**FAST, **overrides}))


def _create(client: HubSpot, **props: str) -> str:
    api = client.crm.contacts.basic_api
    return api.create(SimplePublicObjectInputForCreate(properties=props)).id


def _patch(client: HubSpot, contact_id: str, **props: str) -> None:
    client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties=props))


def _by_type(events: list[dict[str, Any]], subscription_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["subscriptionType"] == subscription_type]


def test_api_and_ui_changes_carry_their_change_source(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        hs.subscribe(
            f"{hubspot_receiver.base_url}/hooks",
            ["contact.creation", ("contact.propertyChange", "lifecyclestage")],
        )
        client = hs.client()
        api_id = _create(client, email="api@example.com", lifecyclestage="lead")
        ui_id = hs.ui_create("contacts", {"email": "ui@example.com"}, user_id=8817)
        assert hs.flush_webhooks(timeout=10)

    events = hubspot_receiver.events()
    created = {e["objectId"]: e for e in _by_type(events, "contact.creation")}
    api_event = created[int(api_id)]
    assert api_event["changeSource"] == "INTEGRATION" and api_event["sourceId"] == "54321"
    assert api_event["changeFlag"] == "CREATED"
    assert (api_event["portalId"], api_event["appId"], api_event["attemptNumber"]) == (
        62515, 54321, 0
    )  # fmt: skip
    assert isinstance(api_event["eventId"], int) and isinstance(api_event["subscriptionId"], int)
    assert abs(api_event["occurredAt"] - time.time() * 1000) < 60_000  # milliseconds
    assert created[int(ui_id)]["changeSource"] == "CRM_UI"
    assert created[int(ui_id)]["sourceId"] == "userId:8817"
    stages = {e["objectId"]: e for e in _by_type(events, "contact.propertyChange")}
    assert stages[int(api_id)]["propertyName"] == "lifecyclestage"
    assert stages[int(api_id)]["propertyValue"] == "lead"
    assert stages[int(ui_id)]["propertyValue"] == "lead"  # UI contacts default to lead
    assert "propertyName" not in api_event


def test_system_writes_report_their_own_source(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        subscription = ("contact.propertyChange", "recent_conversion_date")
        hs.subscribe(hubspot_receiver.base_url, [subscription])
        contact_id = hs.ui_create("contacts", {"email": "form@example.com"})
        hs.system_update(
            "contacts",
            contact_id,
            {"recent_conversion_date": "2026-05-01T10:00:00Z"},
            change_source="FORM",
            source_id="form-123",
        )
        assert hs.flush_webhooks(timeout=10)
    (event,) = hubspot_receiver.events()
    assert (event["changeSource"], event["sourceId"]) == ("FORM", "form-123")
    assert event["propertyValue"] == "2026-05-01T10:00:00.000Z"


def test_signatures_verify_with_the_sdk_and_independently(hubspot_receiver: Receiver):
    target = f"{hubspot_receiver.base_url}/hooks/hub%3Aspot?tenant=a%40b&x=%20y"
    with _sandbox() as hs:
        hs.subscribe(target, ["contact.creation"])
        hs.ui_create("contacts", {"email": "sig@example.com"})
        assert hs.flush_webhooks(timeout=10)

    post = hubspot_receiver.posts[0]
    timestamp = post.headers["X-Hubspot-Request-Timestamp"]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # milliseconds, not seconds
    # The signed URI is the full URL with HubSpot's table decoded (%3A and %40, not %20).
    assert post.path_and_query == "/hooks/hub%3Aspot?tenant=a%40b&x=%20y"
    decoded = f"{hubspot_receiver.base_url}/hooks/hub:spot?tenant=a@b&x=%20y"

    sdk_v3 = Signature.get_signature(
        SECRET, post.body, "v3", http_uri=decoded, http_method="POST", timestamp=timestamp
    )
    assert post.headers["X-Hubspot-Signature-V3"] == sdk_v3
    assert Signature.is_valid(
        sdk_v3, SECRET, post.body, decoded, "POST", signature_version="v3", timestamp=timestamp
    )
    source = f"POST{decoded}{post.body}{timestamp}".encode()
    independent = base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest())
    assert post.headers["X-Hubspot-Signature-V3"] == independent.decode()
    # The undecoded URL does not verify: the receiver must apply the table.
    assert Signature.get_signature(SECRET, post.body, "v3", target, "POST", timestamp) != sdk_v3

    assert post.headers["X-Hubspot-Signature-Version"] == "v1"
    v1 = hashlib.sha256(f"{SECRET}{post.body}".encode()).hexdigest()
    assert post.headers["X-Hubspot-Signature"] == v1
    assert Signature.get_signature(SECRET, post.body, "v1") == v1


def test_lifecycle_clear_fires_its_own_event_and_backwards_fires_none(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        hs.subscribe(hubspot_receiver.base_url, [("contact.propertyChange", "lifecyclestage")])
        client = hs.client()
        contact_id = _create(client, email="r@example.com", lifecyclestage="customer")
        _patch(client, contact_id, lifecyclestage="lead")  # ignored: no event
        _patch(client, contact_id, lifecyclestage="")
        _patch(client, contact_id, lifecyclestage="lead")
        assert hs.flush_webhooks(timeout=10)
    changes = sorted(hubspot_receiver.events(), key=lambda e: (e["occurredAt"], e["eventId"]))
    assert [e["propertyValue"] for e in changes] == ["customer", "", "lead"]


def test_merge_gdpr_and_association_events(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        hs.subscribe(
            hubspot_receiver.base_url,
            ["contact.merge", "contact.deletion", "contact.privacyDeletion",
             "contact.associationChange", ("deal.propertyChange", "dealstage")],
        )  # fmt: skip
        client = hs.client()
        keep = _create(client, email="keep@example.com")
        lose = _create(client, email="lose@example.com")
        client.crm.contacts.basic_api.merge(
            PublicMergeInput(primary_object_id=keep, object_id_to_merge=lose)
        )
        deal = hs.ui_create("deals", {"dealname": "D", "dealstage": "appointmentscheduled"})
        hs.ui_associate("contacts", keep, "deals", deal, user_id=5)
        hs.ui_update("deals", deal, {"dealstage": "closedwon"}, user_id=5)
        client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id=keep))
        assert hs.flush_webhooks(timeout=10)

    events = hubspot_receiver.events()
    (merge,) = _by_type(events, "contact.merge")
    assert merge["objectId"] == int(keep)
    assert merge["primaryObjectId"] == int(keep) and merge["newObjectId"] == int(keep)
    assert merge["mergedObjectIds"] == [int(lose)]

    sides = _by_type(events, "contact.associationChange")
    assert {(e["associationType"], e["fromObjectId"], e["toObjectId"]) for e in sides} == {
        ("CONTACT_TO_DEAL", int(keep), int(deal)),
        ("DEAL_TO_CONTACT", int(deal), int(keep)),
    }
    assert all(e["associationRemoved"] is False and e["sourceId"] == "userId:5" for e in sides)

    stages = [e["propertyValue"] for e in _by_type(events, "deal.propertyChange")]
    assert sorted(stages) == ["appointmentscheduled", "closedwon"]

    assert [e["objectId"] for e in _by_type(events, "contact.privacyDeletion")] == [int(keep)]
    deletions = _by_type(events, "contact.deletion")
    assert [e["objectId"] for e in deletions] == [int(keep)]
    assert deletions[0]["changeFlag"] == "DELETED"


def test_failed_deliveries_are_retried_with_attempt_numbers(hubspot_receiver: Receiver):
    hubspot_receiver.fail_first = 2
    with _sandbox() as hs:
        hs.subscribe(hubspot_receiver.base_url, ["contact.creation"])
        contact_id = hs.ui_create("contacts", {"email": "retry@example.com"})
        assert hs.flush_webhooks(timeout=10)
        deliveries = hs.webhook_deliveries
    attempts = [e["attemptNumber"] for e in hubspot_receiver.events()]
    assert attempts == [0, 1, 2]
    assert {e["objectId"] for e in hubspot_receiver.events()} == {int(contact_id)}
    assert [d.status for d in deliveries] == [500, 500, 204]
    event_ids = {e["eventId"] for e in hubspot_receiver.events()}
    assert len(event_ids) == 1  # the same event, delivered again


def test_slow_answers_time_out_and_are_retried(hubspot_receiver: Receiver):
    hubspot_receiver.stall_first, hubspot_receiver.stall_s = 1, 1.0
    with _sandbox(webhook_timeout_s=0.2) as hs:
        hs.subscribe(hubspot_receiver.base_url, ["contact.creation"])
        hs.ui_create("contacts", {"email": "slow@example.com"})
        assert hs.flush_webhooks(timeout=10)
        deliveries = hs.webhook_deliveries
    assert deliveries[0].status is None and "Timeout" in (deliveries[0].error or "")
    assert deliveries[-1].status == 204 and deliveries[-1].attempt_numbers == (1,)


def test_gives_up_after_the_last_retry(hubspot_receiver: Receiver):
    hubspot_receiver.always_fail = True
    with _sandbox(webhook_max_attempts=2) as hs:
        hs.subscribe(hubspot_receiver.base_url, ["contact.creation"])
        hs.ui_create("contacts", {"email": "lost@example.com"})
        assert hs.flush_webhooks(timeout=10)
        given_up = hs.webhook_given_up
    assert [e["attemptNumber"] for e in hubspot_receiver.events()] == [0, 1, 2]
    assert len(given_up) == 1 and given_up[0]["subscriptionType"] == "contact.creation"


def test_batches_are_capped_and_concurrency_is_limited(hubspot_receiver: Receiver):
    hubspot_receiver.hold_s = 0.05
    with _sandbox(webhook_batch_size=5, webhook_max_concurrency=2) as hs:
        hs.subscribe(hubspot_receiver.base_url, ["contact.creation"])
        hs.client().crm.contacts.batch_api.create(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[
                    SimplePublicObjectBatchInputForCreate(properties={"email": f"{i}@ex.com"})
                    for i in range(23)
                ]
            )
        )
        assert hs.flush_webhooks(timeout=10)
    sizes = [len(post.events) for post in hubspot_receiver.posts]
    assert sum(sizes) == 23 and max(sizes) <= 5 and len(sizes) >= 5
    assert hubspot_receiver.max_in_flight <= 2


def test_duplicates_and_reordering_when_configured(hubspot_receiver: Receiver):
    with _sandbox(webhook_duplicate_rate=1.0, webhook_reorder=True, seed=5) as hs:
        hs.subscribe(hubspot_receiver.base_url, ["contact.creation"])
        hs.client().crm.contacts.batch_api.create(
            BatchInputSimplePublicObjectBatchInputForCreate(
                inputs=[
                    SimplePublicObjectBatchInputForCreate(properties={"email": f"{i}@ex.com"})
                    for i in range(20)
                ]
            )
        )
        assert hs.flush_webhooks(timeout=10)
    events = hubspot_receiver.events()
    ids = [e["eventId"] for e in events]
    assert len(ids) == 40 and len(set(ids)) == 20  # every event twice, same eventId
    first_seen = list(dict.fromkeys(ids))
    assert first_seen != sorted(first_seen)


def test_generic_object_subscriptions_cover_activities(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        hs.subscribe(hubspot_receiver.base_url, ["object.creation"])
        task_id = hs.ui_create("tasks", {"hs_timestamp": "2026-01-01T00:00:00Z"})
        assert hs.flush_webhooks(timeout=10)
    (event,) = hubspot_receiver.events()
    assert event["subscriptionType"] == "object.creation"
    assert (event["objectId"], event["objectTypeId"]) == (int(task_id), "0-27")


def test_a_generic_subscription_scoped_to_calls_reports_only_calls(hubspot_receiver: Receiver):
    with _sandbox() as hs:
        spec = {"subscriptionType": "object.creation", "objectName": "call"}
        hs.subscribe(hubspot_receiver.base_url, [spec])
        contact = hs.ui_create("contacts", {"email": "scoped@example.com"})
        hs.ui_create("tasks", {"hs_timestamp": "2026-01-01T00:00:00Z"})
        call = hs.ui_create(
            "calls", {"hs_timestamp": "2026-01-01T00:00:00Z"}, associations=[("contacts", contact)]
        )
        assert hs.flush_webhooks(timeout=10)
        assert hs.get("calls", call) is not None
    (event,) = hubspot_receiver.events()
    assert (event["objectId"], event["objectTypeId"]) == (int(call), "0-48")
    with pytest.raises(ValueError, match="objectName"):
        hs.subscribe("http://127.0.0.1:1/x", [{"subscriptionType": "object.creation"}])


def test_property_change_subscription_needs_one_property():
    with HubSpotSandbox(HubSpotSandboxConfig()) as hs:
        with pytest.raises(ValueError):
            hs.subscribe("http://127.0.0.1:1/x", ["contact.propertyChange"])
        with pytest.raises(ValueError):
            hs.subscribe(
                "http://127.0.0.1:1/x", [("contact.propertyChange", "hs_lastmodifieddate")]
            )
        with pytest.raises(ValueError):
            hs.subscribe("http://127.0.0.1:1/x", ["deal.privacyDeletion"])
        with pytest.raises(ValueError):  # tasks only have generic object.* subscriptions
            hs.subscribe("http://127.0.0.1:1/x", ["task.creation"])
