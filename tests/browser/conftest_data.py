"""The browser test's app: the scenario week and the operations history in one store."""

from __future__ import annotations

from typing import Any

from demo_report_data import fill
from scorecard_scenario import seed

from connector.runtime import Runtime
from webhooks.app import create_app
from webhooks.dashboard import set_display_names


def build_app(store: Any) -> tuple[Any, Runtime]:
    """Seed both histories and build the real app (sign-in on, one configured user)."""
    from dashboard_helpers import OWNER_NAMES, dashboard_config

    fill(store)  # first: it numbers the inbox rows it writes from one
    seed(store)
    runtime = Runtime(config=dashboard_config(store), store=store)
    app = create_app(runtime)
    set_display_names(app, OWNER_NAMES.get)
    return app, runtime
