"""The pages people read — scorecard at ``/``, operations at ``/dashboard`` — and what they share:
sign-in, language and formats, the stylesheet and the vendored chart library, owner names."""

from __future__ import annotations

from flask import Blueprint, Flask

from adapters.owner_directory import OwnerDirectory
from connector.runtime import Runtime
from webhooks import dashboard, i18n, scorecard_page, signin

#: Serves webhooks/static (the stylesheet, the chart code, Chart.js and its licence) offline.
assets = Blueprint("assets", __name__, static_folder="static", static_url_path="/assets")


def register(app: Flask) -> None:
    """Mount every page with its sign-in, language, assets and name lookup."""
    runtime: Runtime = app.extensions["baton"]
    i18n.init_app(app)
    signin.init_app(app, runtime.config.dashboard, runtime.store)
    app.register_blueprint(assets)
    dashboard.register(app)
    scorecard_page.register(app)
    dashboard.set_display_names(app, _owner_names(runtime))


def _owner_names(runtime: Runtime) -> dashboard.NameLookup:
    """Owner ids → names through the CRMs' owner/user APIs; the clients are built on first use."""
    directory: list[OwnerDirectory] = []

    def lookup(key: str) -> str | None:
        if key.count(":") == 2:  # "hubspot:contact:1001": a person, whose name Baton keeps out
            return None
        if not directory:
            clients = runtime.clients()
            directory.append(OwnerDirectory(clients.hubspot, clients.salesforce))
        return directory[0].name(key)

    return lookup
