"""The Flask app factory: receivers + ops endpoints around one shared :class:`Runtime`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from connector.runtime import Runtime
from webhooks import ops, pages


def create_app(runtime: Runtime, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app; ``overrides`` (e.g. ``{"TESTING": True}``) are applied last."""
    app = Flask("baton")
    app.config["MAX_CONTENT_LENGTH"] = runtime.config.service.max_body_bytes
    app.config.update(overrides or {})
    app.extensions["baton"] = runtime
    app.register_blueprint(ops.bp)
    _register_receivers(app)
    pages.register(app)
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
    """Answer every HTTP error with a short JSON body instead of Werkzeug's HTML page."""
    status = error.code or 500
    return jsonify(error=error.name.lower().replace(" ", "_"), message=error.description), status
