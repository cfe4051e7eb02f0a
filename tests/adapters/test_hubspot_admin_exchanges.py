"""HubSpotAdmin.token_info: one exchange each, as HubSpot answers it (``responses``)."""

from __future__ import annotations

import json

import pytest
import responses

from adapters.errors import CrmCallError
from adapters.hubspot.admin import TOKEN_INFO_PATH, HubSpotAdmin
from adapters.hubspot.client import HubSpotClient

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
