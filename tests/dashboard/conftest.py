"""Fixtures for the dashboard pages: an app over a store, with a configured user who can sign in.

The scorecard's hand-computed scenario week (tests/scorecard/scorecard_scenario.py) is the
data: the pages must show exactly the figures the model computes from it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).parent.parent / "scorecard"))

from dashboard_helpers import OWNER_NAMES, AppFactory, dashboard_config

from connector.runtime import Runtime
from connector.store import Store
from webhooks.app import create_app
from webhooks.dashboard import set_display_names


@pytest.fixture
def make_app(sqlite_store: Store) -> AppFactory:
    """Build the app over the test store; keyword arguments go to the dashboard section."""

    def build(**dashboard: Any) -> Flask:
        runtime = Runtime(config=dashboard_config(sqlite_store, **dashboard), store=sqlite_store)
        app = create_app(runtime, {"TESTING": True})
        set_display_names(app, OWNER_NAMES.get)
        return app

    return build
