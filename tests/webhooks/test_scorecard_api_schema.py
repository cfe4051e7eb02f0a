"""schemathesis against Baton's own OpenAPI document: no 5xx, every response matches its schema,
and every guarded route refuses a call without the token (schemathesis's ``ignored_auth``).

The document is loaded from the module (schemathesis's fixture-based loader does not run on
pytest 9); the document the app serves at /api/openapi.json is checked to be that same one.
Calls go to a forwarding WSGI app that the fixture points at a fresh app per test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from intake_helpers import make_config
from pydantic import SecretStr
from schemathesis.specs.openapi.checks import positive_data_acceptance

from connector.runtime import Runtime
from webhooks.app import create_app
from webhooks.scorecard_openapi import document

sys.path.insert(0, str(Path(__file__).parents[1] / "scorecard"))
from scorecard_scenario import seed

TOKEN = "scorecard-api-token-for-tests-7c41"


class _Forward:
    """A WSGI app that passes every call to the app of the running test."""

    app: Flask | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        assert self.app is not None, "no app mounted"
        return self.app(environ, start_response)


FORWARD = _Forward()
schema = schemathesis.openapi.from_dict(document())
schema.app = FORWARD


@pytest.fixture
def api_app(runtime: Runtime) -> Iterator[Flask]:
    seed(runtime.store)
    config = make_config(runtime.store.url, {"scorecard.api_tokens": [SecretStr(TOKEN)]})
    app = create_app(Runtime(config=config, store=runtime.store))
    FORWARD.app = app
    yield app
    FORWARD.app = None


def test_baton_serves_this_document(api_app: Flask) -> None:
    response = api_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.get_json() == document()


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_document(case: schemathesis.Case, api_app: Flask) -> None:
    # positive_data_acceptance is left out on purpose: a week that fits the pattern can still
    # name no real day (2026-02-30), and team names come from the config; both are 400s.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )
