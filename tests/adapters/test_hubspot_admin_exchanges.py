"""HubSpotAdmin.token_info and the app webhooks: one exchange each, as HubSpot answers it."""

from __future__ import annotations

import json

import pytest
import responses
from crm_http_script import Reply, ScriptedServer

from adapters.errors import CrmCallError
from adapters.hubspot.admin import TOKEN_INFO_PATH, HubSpotAdmin
from adapters.hubspot.app_webhooks import HubSpotAppWebhooks
from adapters.hubspot.client import HubSpotClient
from adapters.ratelimit import hubspot_limiter
from connector.metrics import Metrics

BASE = "https://api.hubapi.example"


def _admin() -> HubSpotAdmin:
    return HubSpotAdmin(HubSpotClient("pat-eu1-token", BASE), BASE, "pat-eu1-token")


@responses.activate
def test_token_info_sends_the_token_in_body_and_header_and_reads_the_budget() -> None:
    responses.post(
        BASE + TOKEN_INFO_PATH,
        json={"userId": 7, "hubId": 123, "appId": 9, "scopes": ["oauth"]},
        headers={
            "X-HubSpot-RateLimit-Daily": "250000",
            "X-HubSpot-RateLimit-Daily-Remaining": "249000",
        },
    )
    admin = _admin()
    assert admin.token_info()["scopes"] == ["oauth"]
    sent = responses.calls[0].request
    assert json.loads(sent.body) == {"tokenKey": "pat-eu1-token"}
    assert sent.headers["Authorization"] == "Bearer pat-eu1-token"
    assert admin.budget == {"daily_max": 250000, "daily_remaining": 249000}


@responses.activate
def test_a_refused_token_is_a_crm_call_error_with_hubspots_category() -> None:
    responses.post(
        BASE + TOKEN_INFO_PATH,
        status=401,
        json={
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        },
    )
    with pytest.raises(CrmCallError) as refused:
        _admin().token_info()
    assert refused.value.status == 401
    assert refused.value.error_code == "INVALID_AUTHENTICATION"


def _calls(metrics: Metrics, status: str) -> float:
    labels = {"system": "hubspot", "status": status}
    return metrics.registry.get_sample_value("baton_crm_calls_total", labels) or 0.0


@responses.activate
def test_token_info_goes_through_the_clients_one_exchange_path() -> None:
    responses.post(BASE + TOKEN_INFO_PATH, json={"hubId": 1, "scopes": []})
    metrics, limiter = Metrics(), hubspot_limiter(sleep=lambda _s: None)
    client = HubSpotClient("pat-eu1-token", BASE, metrics=metrics, limiter=limiter)
    HubSpotAdmin(client, BASE, "pat-eu1-token").token_info()
    assert _calls(metrics, "2xx") == 1, "counted like every other HubSpot call"
    offline = HubSpotClient("pat-eu1-token", "http://127.0.0.1:9", metrics=metrics)
    with pytest.raises(CrmCallError) as lost:
        HubSpotAdmin(offline, "http://127.0.0.1:9", "pat-eu1-token").token_info()
    assert lost.value.status is None and _calls(metrics, "network") == 1


def test_app_webhook_refusals_carry_hubspots_category_like_every_call() -> None:
    metrics = Metrics()
    with ScriptedServer() as server:
        server.script(
            Reply(
                401, {"status": "error", "message": "bad key", "category": "INVALID_AUTHENTICATION"}
            )
        )
        app = HubSpotAppWebhooks("dev-key", 54321, server.url, metrics=metrics)
        with pytest.raises(CrmCallError) as refused:
            app.subscriptions()
    assert (refused.value.status, refused.value.error_code) == (401, "INVALID_AUTHENTICATION")
    assert refused.value.message == "bad key"
    assert _calls(metrics, "4xx") == 1
