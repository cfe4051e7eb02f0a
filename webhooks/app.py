"""The Flask app factory: receivers + ops endpoints around one shared :class:`Runtime`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from connector.runtime import Runtime
from webhooks import ops, pages, scorecard_api


def create_app(runtime: Runtime, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app; ``overrides`` (e.g. ``{"TESTING": True}``) are applied last."""
    app = Flask("baton")
    app.config["MAX_CONTENT_LENGTH"] = runtime.config.service.max_body_bytes
    app.config.update(overrides or {})
    app.extensions["baton"] = runtime
    app.register_blueprint(ops.bp)
    _register_receivers(app)
    pages.register(app)
    scorecard_api.register(app)
    app.register_error_handler(HTTPException, _json_http_error)
    return app


def _register_receivers(app: Flask) -> None:
    """Mount one blueprint per webhook source (filled in by the intake work)."""
    try:
        from webhooks.receivers import register
    except ImportError:  # receivers not built yet: ops endpoints only
        return
    register(app)


def _json_http_error(error: HTTPException) -> tuple[Response, int]:
    """Answer every HTTP error with a short JSON body instead of Werkzeug's HTML page.

    The error's own headers stay (a 405's ``Allow``, which RFC 9110 requires); only its HTML
    content type goes.
    """
    status = error.code or 500
    response = jsonify(error=error.name.lower().replace(" ", "_"), message=error.description)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, status
