"""/healthz, /readyz and /metrics: what is open, what the ops token closes (issue 8, finding 6)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from intake_helpers import NOW_S, make_config
from pydantic import SecretStr

from connector.runtime import Runtime
from webhooks.app import create_app

OPS_TOKEN = "ops-token-for-tests-5b1e"


@pytest.fixture
def guarded(runtime: Runtime) -> FlaskClient:
    config = make_config(runtime.store.url, {"service.ops_token": SecretStr(OPS_TOKEN)})
    app = create_app(Runtime(config=config, store=runtime.store), {"BATON_CLOCK": lambda: NOW_S})
    return app.test_client()


def test_metrics_names_its_charset_once(client: FlaskClient) -> None:
    content_type = client.get("/metrics").headers["Content-Type"]
    assert content_type.lower().count("charset") == 1
    assert content_type.startswith("text/plain")


def test_without_a_token_configured_every_ops_endpoint_is_open(client: FlaskClient) -> None:
    assert [client.get(path).status_code for path in ("/healthz", "/readyz", "/metrics")] == [
        200,
        200,
        200,
    ]


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Basic {OPS_TOKEN}", "Bearer wrong", f"Bearer {OPS_TOKEN}x", "Bearer é"],
)
def test_with_a_token_readyz_and_metrics_refuse_other_credentials(
    guarded: FlaskClient, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = guarded.get(path, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert OPS_TOKEN not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_with_a_token_the_bearer_gets_in(guarded: FlaskClient, path: str) -> None:
    response = guarded.get(path, headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    assert response.status_code == 200


def test_healthz_stays_open_for_probes(guarded: FlaskClient) -> None:
    assert guarded.get("/healthz").status_code == 200
