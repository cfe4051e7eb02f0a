"""Rate limits and injected faults of the HubSpot stand-in, as hubspot-api-client sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectInputForCreate,
)
from urllib3.util.retry import Retry

from sandbox.hubspot import HubSpotSandbox, HubSpotSandboxConfig

HEADERS = (
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
)


@pytest.fixture
def hubspot_small_limits() -> Iterator[HubSpotSandbox]:
    config = HubSpotSandboxConfig(burst_limit=5, burst_window_ms=1000, daily_limit=1000)
    with HubSpotSandbox(config) as hs:
        yield hs


def test_every_response_carries_the_rate_limit_headers(hubspot_small_limits: HubSpotSandbox):
    api = hubspot_small_limits.client().crm.contacts.basic_api
    remaining = []
    for _ in range(3):
        _, status, headers = api.get_page_with_http_info()
        assert status == 200
        assert all(name in headers for name in HEADERS)
        assert headers["X-HubSpot-RateLimit-Max"] == "5"
        assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
        assert headers["X-HubSpot-RateLimit-Daily"] == "1000"
        remaining.append(int(headers["X-HubSpot-RateLimit-Remaining"]))
    assert remaining == [4, 3, 2]
    with pytest.raises(ApiException) as error:
        api.get_by_id("12345")
    assert error.value.headers["X-HubSpot-RateLimit-Remaining"] == "1"  # errors carry them too


def test_burst_storm_answers_429_without_retry_after(hubspot_small_limits: HubSpotSandbox):
    api = hubspot_small_limits.client().crm.contacts.basic_api
    statuses = []
    errors = []
    for _ in range(8):
        try:
            api.get_page()
            statuses.append(200)
        except ApiException as error:
            statuses.append(error.status)
            errors.append(error)
    assert statuses == [200] * 5 + [429] * 3
    body = json.loads(errors[0].body)
    assert body["status"] == "error"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["correlationId"] and body["requestId"]
    assert "Retry-After" not in errors[0].headers
    assert errors[0].headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert [r.status for r in hubspot_small_limits.requests] == statuses


def test_retry_after_mode_and_what_urllib3_does_with_it():
    """With Retry-After, urllib3's default Retry(3) already retries idempotent GETs on 429;
    POSTs are retried only when the caller configures Retry(allowed_methods=None)."""
    config = HubSpotSandboxConfig(burst_limit=3, burst_window_ms=2000, retry_after_on_429=True)
    with HubSpotSandbox(config) as hs:
        bare = hs.client().crm.contacts.basic_api
        create = SimplePublicObjectInputForCreate(properties={"email": "r@example.com"})
        for _ in range(3):
            bare.get_page()
        with pytest.raises(ApiException) as error:
            bare.create(create)
        assert error.value.status == 429
        assert error.value.headers["Retry-After"] in ("1", "2")  # whole seconds, rounded up

        assert bare.get_page().results == []  # waited for Retry-After inside urllib3
        assert [r.status for r in hs.requests][-2:] == [429, 200]

        hs.inject(429, count=1, path_prefix="/crm/v3/objects/contacts", retry_after_s=0)
        retry = Retry(total=5, status_forcelist=(429,), allowed_methods=None, backoff_factor=0)
        created = hs.client(retry=retry).crm.contacts.basic_api.create(create)
        assert created.properties["email"] == "r@example.com"
        assert [r.status for r in hs.requests][-2:] == [429, 201]


def test_daily_budget_exhaustion_says_daily(hubspot_small_limits: HubSpotSandbox):
    hubspot_small_limits.exhaust_daily_limit()
    with pytest.raises(ApiException) as error:
        hubspot_small_limits.client().crm.contacts.basic_api.get_page()
    body = json.loads(error.value.body)
    assert error.value.status == 429
    assert body["policyName"] == "DAILY"
    assert error.value.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


@pytest.mark.parametrize(
    ("status", "retry_after", "category"),
    [(423, None, "LOCKED"), (477, 30, "MIGRATION_IN_PROGRESS"), (502, None, "INTERNAL_ERROR")],
)
def test_injected_faults_hit_only_matching_paths(
    hubspot_small_limits: HubSpotSandbox, status: int, retry_after: int | None, category: str
):
    hs = hubspot_small_limits
    hs.inject(
        status, count=1, path_prefix="/crm/v3/objects/contacts/batch", retry_after_s=retry_after
    )
    client = hs.client()
    client.crm.contacts.basic_api.get_page()  # other paths are unaffected
    batch = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": "f@example.com"})]
    )
    with pytest.raises(ApiException) as error:
        client.crm.contacts.batch_api.create(batch)
    assert error.value.status == status
    assert json.loads(error.value.body)["category"] == category
    if retry_after is not None:
        assert error.value.headers["Retry-After"] == str(retry_after)
    assert client.crm.contacts.batch_api.create(batch).results[0].properties["email"]
    assert [(r.path, r.status, r.n_inputs) for r in hs.requests][-2:] == [
        ("/crm/v3/objects/contacts/batch/create", status, 1),
        ("/crm/v3/objects/contacts/batch/create", 201, 1),
    ]


def test_injected_429_uses_the_rate_limit_body(hubspot_small_limits: HubSpotSandbox):
    hubspot_small_limits.inject(429, count=2)
    api = hubspot_small_limits.client().crm.contacts.basic_api
    for _ in range(2):
        with pytest.raises(ApiException) as error:
            api.get_page()
        assert json.loads(error.value.body)["errorType"] == "RATE_LIMIT"
    assert api.get_page().results == []


def test_request_log_counts_inputs_and_can_be_reset(hubspot_small_limits: HubSpotSandbox):
    client = hubspot_small_limits.client()
    client.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"email": f"n{i}@example.com"})
                for i in range(4)
            ]
        )
    )
    assert hubspot_small_limits.requests[-1].n_inputs == 4
    hubspot_small_limits.reset_request_log()
    assert hubspot_small_limits.requests == []


def test_a_clock_that_travels_and_returns_leaves_no_event_stuck_in_the_window():
    from sandbox.hubspot.ratelimit import RollingWindow

    window = RollingWindow(limit=3, window_s=10)
    window.take(1000.0)
    window.take(1000.0 + 91 * 86400)  # a call while a test travelled 91 days ahead
    assert window.remaining(1005.0) == 2, "back in the present: the future call is not counted"
    for at in (1006.0, 1007.0):
        window.take(at)
    assert window.remaining(1017.5) == 3, "and every later call expires again"
