"""Operational endpoints: liveness, readiness and Prometheus metrics.

``/healthz`` is always open: it says only that the process answers, and load balancers probe
it without credentials. ``/readyz`` and ``/metrics`` tell more (inbox depth, traffic by
outcome); with ``service.ops_token`` set they require ``Authorization: Bearer <token>``, so the
service can face the CRMs on a public address without showing its internals.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from connector.inbox import pending_count
from connector.reachability import Reachability, crm_addresses
from connector.runtime import Runtime

bp = Blueprint("ops", __name__)
#: app.extensions keys: the process's start-up state, and the CRMs' reachability
STARTUP = "baton.startup"
REACHABILITY = "baton.reachability"


@dataclass
class Startup:
    """What this process's worker is doing: ``baton serve`` sets the jobs up (which reads the
    CRMs, with retries when they are down) after the receivers answer, not before."""

    worker: str = "not in this process"


def startup() -> Startup:
    """The app's start-up state (a fresh one when nothing started a worker here)."""
    return current_app.extensions.setdefault(STARTUP, Startup())  # type: ignore[no-any-return]


def reachability() -> Reachability:
    """The app's CRM reachability probe, built on first use."""
    found = current_app.extensions.get(REACHABILITY)
    if found is None:
        found = current_app.extensions[REACHABILITY] = Reachability(crm_addresses(runtime().config))
    return found  # type: ignore[no-any-return]


def runtime() -> Runtime:
    """The process's shared runtime, attached by ``create_app``."""
    return current_app.extensions["baton"]


def ops_token_required(
    view: Callable[[], Response | tuple[Response, int]],
) -> Callable[..., object]:
    """Refuse (401) a request without the configured ops token; pass all when none is set."""

    @wraps(view)
    def guarded() -> Response | tuple[Response, int]:
        token = runtime().config.service.ops_token
        if token is not None and not _bearer_matches(token.get_secret_value()):
            response = jsonify(error="unauthorized", message="ops token required")
            response.headers["WWW-Authenticate"] = 'Bearer realm="baton-ops"'
            return response, 401
        return view()

    return guarded


def _bearer_matches(expected: str) -> bool:
    scheme, _, provided = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(provided.strip().encode(), expected.encode())


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process answers. Never touches the database (a slow DB is not a dead app)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@ops_token_required
def readyz() -> tuple[Response, int]:
    """Readiness: the store answers, so accepted webhooks can be stored durably.

    Also says whether the worker runs yet and whether each CRM answers: an unreachable CRM does
    not make the receivers unready (they store what arrives; the worker retries the CRM)."""
    try:
        with runtime().store.session() as session:
            session.execute(text("SELECT 1"))
            pending = pending_count(session)
    except Exception as exc:  # any store failure means "do not route traffic here"
        current_app.logger.warning("readiness check failed", extra={"error": type(exc).__name__})
        return jsonify(status="unavailable", reason="store unreachable"), 503
    return jsonify(
        status="ready", inbox_pending=pending, worker=startup().worker, crms=reachability().now()
    ), 200


@bp.get("/metrics")
@ops_token_required
def metrics() -> Response:
    """Prometheus exposition of this process's registry."""
    registry = runtime().metrics
    with runtime().store.session() as session:
        registry.inbox_pending.set(pending_count(session))
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset, and Flask
    # appends "; charset=utf-8" to a text mimetype a second time.
    return Response(generate_latest(registry.registry), content_type=CONTENT_TYPE_LATEST)
