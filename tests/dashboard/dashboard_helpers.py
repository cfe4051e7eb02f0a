"""Shared by the dashboard and browser tests: the scenario's config, one user who can sign in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from connector.config import BatonConfig, default_config, with_changes
from connector.store import Store
from webhooks.passwords import hash_password

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
