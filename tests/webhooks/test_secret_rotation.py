"""Rotating a sender's secret without refused webhooks: the config takes a list beside the
single key, every receiver accepts old and new during the rotation, refuses a wrong one, and no
secret reaches a log line (issue 16)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from intake_helpers import (
    JSON_SECRET,
    NOW_S,
    OM_TOKEN,
    PUBLIC_BASE_URL,
    hubspot_body,
    hubspot_event,
    hubspot_v3_headers,
    json_callout_body,
    json_callout_event,
    json_callout_headers,
    lead_notification,
    make_config,
    outbound_message,
)
from pydantic import SecretStr

from connector.config import ConfigError
from connector.config.loader import load_config_text
from connector.runtime import Runtime
from webhooks.app import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "baton.example.yaml"
ENV = {
    "HUBSPOT_ACCESS_TOKEN": "pat-eu1-test-access-token",
    "HUBSPOT_CLIENT_SECRET": "old-client-secret-1a2b",
    "HUBSPOT_CLIENT_SECRET_NEW": "new-client-secret-3c4d",
    "SALESFORCE_SESSION_ID": "00D7Q000004KxYz!AQtestsessionid",
    "SALESFORCE_OUTBOUND_TOKEN": "outbound-token-7c2d9e1a5b",
    "SALESFORCE_OUTBOUND_TOKEN_NEW": "outbound-token-new-0f9e8d7c",
    "SALESFORCE_JSON_SECRET": "json-callout-secret-93ab",
    "SALESFORCE_JSON_SECRET_NEW": "json-callout-secret-new-77aa",
    "SMTP_PASSWORD": "smtp-password-e5f0",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX",
    "BATON_SESSION_SECRET": "dashboard-session-secret-0123456789abcdef",
}
NEW_HS, NEW_TOKEN, NEW_JSON = "hs-secret-new-9f8e", "om-token-new-5a6b7c8d9e", "json-new-1234"
HS_PATH, JSON_PATH = "/webhooks/hubspot", "/webhooks/salesforce/events"


def _uncomment_rotation(text: str) -> str:
    """The shipped example with its commented rotation lines switched on."""
    for key in ("client_secrets", "outbound_path_tokens", "json_webhook_secrets"):
        text = text.replace(f"  # {key}:", f"  {key}:")
    return text


def test_the_example_takes_rotation_lists_beside_the_single_keys() -> None:
    config = load_config_text(_uncomment_rotation(EXAMPLE.read_text()), env=ENV)
    assert [s.get_secret_value() for s in config.hubspot.signing_secrets] == [
        "old-client-secret-1a2b",
        "new-client-secret-3c4d",
    ]
    assert len(config.salesforce.path_tokens) == 2 and len(config.salesforce.json_secrets) == 2
    single = load_config_text(EXAMPLE.read_text(), env=ENV)
    assert len(single.hubspot.signing_secrets) == 1  # the single-key form still works


def test_a_list_alone_satisfies_the_required_secret() -> None:
    text = EXAMPLE.read_text().replace(
        "  client_secret: ${HUBSPOT_CLIENT_SECRET}",
        '  client_secrets: ["${HUBSPOT_CLIENT_SECRET_NEW}", "${HUBSPOT_CLIENT_SECRET}"]\n  #',
    )
    config = load_config_text(text, env=ENV)
    assert config.hubspot.client_secret is None and len(config.hubspot.signing_secrets) == 2


def test_a_secret_in_the_list_written_in_the_file_is_refused_by_line() -> None:
    text = _uncomment_rotation(EXAMPLE.read_text()).replace(
        '["${SALESFORCE_OUTBOUND_TOKEN_NEW}"]', '["${SALESFORCE_OUTBOUND_TOKEN_NEW}", "short"]'
    )
    with pytest.raises(ConfigError) as raised:
        load_config_text(text, file="baton.yaml", env=ENV)
    message = str(raised.value)
    assert "salesforce.outbound_path_tokens[1]" in message
    assert "short" not in message.replace("salesforce.outbound_path_tokens", "")


@pytest.fixture
def rotating(runtime: Runtime) -> FlaskClient:
    """A receiver mid-rotation: the old secrets as single keys, the new ones in the lists."""
    runtime.config = make_config(
        runtime.store.url,
        {
            "hubspot.client_secrets": [SecretStr(NEW_HS)],
            "salesforce.outbound_path_tokens": [SecretStr(NEW_TOKEN)],
            "salesforce.json_webhook_secrets": [SecretStr(NEW_JSON)],
        },
    )
    app = create_app(runtime, {"TESTING": True, "BATON_CLOCK": lambda: NOW_S})
    return app.test_client()


def _hubspot(client: FlaskClient, secret: str, event_id: int) -> int:
    body = hubspot_body(hubspot_event(event_id, 501))
    headers = hubspot_v3_headers(body, url=PUBLIC_BASE_URL + HS_PATH, secret=secret)
    return client.post(HS_PATH, data=body, headers=headers).status_code


def _outbound(client: FlaskClient, token: str, notification: str) -> int:
    body = outbound_message(lead_notification(notification))
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    path = f"/webhooks/salesforce/outbound/{token}"
    return client.post(path, data=body, headers=headers).status_code


def _callout(client: FlaskClient, secret: str, record: str) -> int:
    body = json_callout_body(json_callout_event(record))
    return client.post(
        JSON_PATH, data=body, headers=json_callout_headers(body, secret=secret)
    ).status_code


def test_old_and_new_are_accepted_and_a_wrong_one_refused(
    rotating: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    old_hs = make_config("sqlite://").hubspot.client_secret.get_secret_value()  # type: ignore[union-attr]
    caplog.set_level(logging.DEBUG)
    assert _hubspot(rotating, old_hs, 1) < 300
    assert _hubspot(rotating, NEW_HS, 2) < 300
    assert _hubspot(rotating, "hs-secret-wrong-0000", 3) == 401
    assert _outbound(rotating, OM_TOKEN, "04l000000000001AAA") == 200
    assert _outbound(rotating, NEW_TOKEN, "04l000000000002AAA") == 200
    assert _outbound(rotating, "om-token-wrong-000000", "04l000000000003AAA") == 401
    assert _callout(rotating, JSON_SECRET, "00Q000000000001EAA") < 300
    assert _callout(rotating, NEW_JSON, "00Q000000000002EAA") < 300
    assert _callout(rotating, "json-wrong", "00Q000000000003EAA") == 401

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records  # the refusals were logged …
    for secret in (old_hs, NEW_HS, OM_TOKEN, NEW_TOKEN, JSON_SECRET, NEW_JSON):
        assert secret not in logged  # … without any secret, old or new
    assert "om-token-wrong-000000" not in logged  # nor the token a caller tried
