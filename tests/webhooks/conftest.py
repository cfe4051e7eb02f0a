"""Fixtures for the receiver tests: a Baton app on a migrated SQLite store, with a pinned clock.

Migrating a database takes most of a second, so one migrated file is made per session and copied
for each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from intake_helpers import NOW_S, make_config

from connector.runtime import Runtime
from connector.store import Store, upgrade
from webhooks.app import create_app


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database file to copy."""
    path = tmp_path_factory.mktemp("template") / "baton.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def runtime(migrated_template: Path, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime over a fresh SQLite store with this suite's config."""
    path = tmp_path / "baton.db"
    shutil.copyfile(migrated_template, path)
    store = Store(f"sqlite:///{path}")
    yield Runtime(config=make_config(store.url), store=store)
    store.dispose()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    """The Baton app with its clock pinned at NOW_S."""
    return create_app(runtime, {"TESTING": True, "BATON_CLOCK": lambda: NOW_S})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for ``app``."""
    return app.test_client()
