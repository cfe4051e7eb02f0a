"""A ready-made config for the built-in sandboxes, so the demo runs without writing YAML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from connector.config.models import BatonConfig

# Credentials of the stand-ins (sandbox/hubspot/config.py, sandbox/salesforce/config.py).
# They only open the local sandboxes, never a real CRM.
SANDBOX_HUBSPOT_PORTAL_ID = 62515
SANDBOX_HUBSPOT_APP_ID = 54321
SANDBOX_HUBSPOT_ACCESS_TOKEN = "pat-na1-sandbox-token"
SANDBOX_HUBSPOT_CLIENT_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
SANDBOX_SALESFORCE_ORG_ID = "00D000000000001EAA"
SANDBOX_SALESFORCE_SESSION_ID = "00D000000000001!AQ0AQSandboxSessionTokenForTheIntegrationUser"
SANDBOX_SALESFORCE_OUTBOUND_TOKEN = "sandbox-outbound-token-0001"
SANDBOX_SALESFORCE_JSON_SECRET = "sandbox-json-webhook-secret"
#: the stand-in's connected app (sandbox/salesforce/config.py oauth_client_*)
SANDBOX_SALESFORCE_CONSUMER_KEY = "3MVG9SandboxConnectedAppConsumerKeyForBaton"
SANDBOX_SALESFORCE_CONSUMER_SECRET = "SandboxConnectedAppConsumerSecret0001"
#: ``salesforce.auth`` that logs in through that app (the demo and the fault harness use it,
#: so a session that ends mid-run is renewed as in production)
SANDBOX_SALESFORCE_LOGIN: dict[str, Any] = {
    "client_credentials": {
        "consumer_key": SANDBOX_SALESFORCE_CONSUMER_KEY,
        "consumer_secret": SecretStr(SANDBOX_SALESFORCE_CONSUMER_SECRET),
    }
}

#: HubSpot lifecyclestage ⇄ the sandbox org's out-of-the-box Lead.Status values.
_DEFAULT_STAGES = (
    ("marketingqualifiedlead", "Open - Not Contacted"),
    ("salesqualifiedlead", "Working - Contacted"),
)


def default_config(
    *,
    hubspot_base_url: str = "http://127.0.0.1:8101",
    salesforce_instance_url: str = "https://127.0.0.1:8102",
    public_base_url: str = "http://127.0.0.1:8000",
    database_url: str = "sqlite:///var/baton.db",
) -> BatonConfig:
    """A valid config for the sandboxes: both CRMs on, the out-of-the-box stage values mapped.

    Pass the sandboxes' actual URLs when they listen elsewhere. Everything not named here keeps
    the schema defaults (NL calendar, linear credit, a 4-business-hour first response).
    """
    stages = [
        {"hubspot": hubspot, "salesforce": {"object": "Lead", "value": value}}
        for hubspot, value in _DEFAULT_STAGES
    ]
    data: dict[str, Any] = {
        "service": {"public_base_url": public_base_url, "log_format": "text"},
        "store": {"database_url": database_url},
        "hubspot": {
            "portal_id": SANDBOX_HUBSPOT_PORTAL_ID,
            "app_id": SANDBOX_HUBSPOT_APP_ID,
            "base_url": hubspot_base_url,
            "access_token": SecretStr(SANDBOX_HUBSPOT_ACCESS_TOKEN),
            "client_secret": SecretStr(SANDBOX_HUBSPOT_CLIENT_SECRET),
        },
        "salesforce": {
            "instance_url": salesforce_instance_url,
            "auth": {"session_id": SecretStr(SANDBOX_SALESFORCE_SESSION_ID)},
            "organization_ids": [SANDBOX_SALESFORCE_ORG_ID],
            "outbound_path_token": SecretStr(SANDBOX_SALESFORCE_OUTBOUND_TOKEN),
            "json_webhook_secret": SecretStr(SANDBOX_SALESFORCE_JSON_SECRET),
        },
        "lifecycle": {
            "stages": stages,
            "opportunity_stages": [
                {"is_won": True, "hubspot": "customer"},
                {"stage_name": "Prospecting", "hubspot": "opportunity"},
            ],
        },
        # The sandbox org has only the standard statuses; "not converted" stands in for "not now".
        "recycle": {"trigger_statuses": {"salesforce": ["Closed - Not Converted"]}},
    }
    return BatonConfig.model_validate(data)


def with_changes(config: BatonConfig, changes: Mapping[str, Any]) -> BatonConfig:
    """Return a re-validated copy with dotted keys replaced: {"hubspot.base_url": url}.

    Frozen models cannot be edited in place; this keeps every validator in force.
    """
    data = config.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        target = data
        for part in parents:
            target = target[part]
        if last not in target:
            raise KeyError(f"no setting {dotted!r}")
        target[last] = value
    return BatonConfig.model_validate(data)
