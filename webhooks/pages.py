"""The pages people read — scorecard at ``/``, operations at ``/dashboard`` — and what they share:
sign-in, language and formats, the stylesheet and the vendored chart library, owner names."""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def _owner_names(runtime: Runtime) -> OwnerNames:
    """Owner ids → names through the CRMs' owner/user APIs; the clients are built on first use."""

    def directory() -> OwnerDirectory:
        clients = runtime.clients()
        return OwnerDirectory(clients.hubspot, clients.salesforce)

    return OwnerNames(directory)


class OwnerNames:
    """The pages' name lookup over one :class:`OwnerDirectory`, built on first use.

    ``warm`` takes every id a page shows, so the directory reads them in one call per CRM
    before the rows ask one at a time (each row would otherwise be its own Salesforce query).
    """

    def __init__(self, build: Callable[[], OwnerDirectory]) -> None:
        self._build = build
        self._directory: OwnerDirectory | None = None

    def __call__(self, key: str) -> str | None:
        if _is_person(key):
            return None
        return self._get().name(key)

    def warm(self, keys: Iterable[str]) -> None:
        """Look up every owner id among ``keys`` at once."""
        owners = [key for key in keys if key and not _is_person(key)]
        if owners:
            self._get().warm(owners)

    def _get(self) -> OwnerDirectory:
        if self._directory is None:
            self._directory = self._build()
        return self._directory


def _is_person(key: str) -> bool:
    """ "hubspot:contact:1001": a person, whose name Baton keeps out."""
    return key.count(":") == 2
