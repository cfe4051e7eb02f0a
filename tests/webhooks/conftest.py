"""Fixtures for the receiver tests: a Baton app on a migrated SQLite store, with a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from intake_helpers import NOW_S, stand_in_config

from connector.runtime import Runtime
from connector.store import Store
from webhooks.app import create_app


@pytest.fixture
def runtime(sqlite_store: Store) -> Iterator[Runtime]:
    """A runtime over a fresh SQLite store with the stand-in config."""
    yield Runtime(config=stand_in_config(sqlite_store.url), store=sqlite_store)  # type: ignore[arg-type]


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    """The Baton app with its clock pinned at NOW_S."""
    return create_app(runtime, {"TESTING": True, "BATON_CLOCK": lambda: NOW_S})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()
