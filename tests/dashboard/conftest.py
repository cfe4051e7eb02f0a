"""Fixtures for the dashboard pages: an app over a store, with a configured user who can sign in.

The scorecard's hand-computed scenario week (tests/scorecard/scorecard_scenario.py) is the
data: the pages must show exactly the figures the model computes from it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from connector.config import BatonConfig, default_config, with_changes
from connector.runtime import Runtime
from connector.store import Store
from webhooks.app import create_app
from webhooks.dashboard import set_display_names
from webhooks.passwords import hash_password

sys.path.insert(0, str(Path(__file__).parent.parent / "scorecard"))

USER, PASSWORD = "marieke", "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # once: Argon2 is slow on purpose
#: owner id → name, as the CRMs' owner APIs would answer
OWNER_NAMES = {"0057Q000002RmA1QAK": "Sanne Jansen", "0057Q000002RmB2QAK": "Daan Bakker"}


def dashboard_config(store: Store, **dashboard: Any) -> BatonConfig:
    """The scenario's config (CRM links known), the scenario's reps in a team, one user."""
    config = default_config(public_base_url="https://baton.example.com", database_url=store.url)
    return with_changes(
        config,
        {
            "salesforce.instance_url": "https://acme.my.salesforce.com",
            "hubspot.portal_id": 62515,
            "routing": {
                "rules": [{"name": "benelux", "team": "benelux"}],
                "teams": {"benelux": {"members": list(OWNER_NAMES)}},
            },
            "dashboard": {
                "users": [{"username": USER, "password_hash": _HASH}],
                **dashboard,
            },
        },
    )


AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(sqlite_store: Store) -> AppFactory:
    """Build the app over the test store; keyword arguments go to the dashboard section."""

    def build(**dashboard: Any) -> Flask:
        runtime = Runtime(config=dashboard_config(sqlite_store, **dashboard), store=sqlite_store)
        app = create_app(runtime, {"TESTING": True})
        set_display_names(app, OWNER_NAMES.get)
        return app

    return build


def csrf_of(page: str) -> str:
    """The hidden CSRF token in a rendered form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: FlaskClient, username: str = USER, password: str = PASSWORD) -> Any:
    """Post the sign-in form the way a browser does (token from the form first)."""
    token = csrf_of(client.get("/signin").get_data(as_text=True))
    return client.post(
        "/signin", data={"csrf_token": token, "username": username, "password": password}
    )
