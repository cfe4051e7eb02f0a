"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from connector.inbox import pending_count
from connector.runtime import Runtime

bp = Blueprint("ops", __name__)


def runtime() -> Runtime:
    """The process's shared runtime, attached by ``create_app``."""
    return current_app.extensions["baton"]


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers. Never touches the database (a slow DB is not a dead app)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Readiness: the store answers, so accepted webhooks can be stored durably."""
    try:
        with runtime().store.session() as session:
            session.execute(text("SELECT 1"))
            pending = pending_count(session)
    except Exception as exc:  # any store failure means "do not route traffic here"
        current_app.logger.warning("readiness check failed", extra={"error": type(exc).__name__})
        return jsonify(status="unavailable", reason="store unreachable"), 503
    return jsonify(status="ready", inbox_pending=pending), 200


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition of this process's registry."""
    registry = runtime().metrics
    with runtime().store.session() as session:
        registry.inbox_pending.set(pending_count(session))
    return Response(generate_latest(registry.registry), mimetype=CONTENT_TYPE_LATEST)
