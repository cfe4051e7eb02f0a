"""The scorecard's JSON API and CSV export, behind bearer tokens.

- ``GET /api/scorecard`` — the week's metrics and tables (``week`` = ``YYYY-Www`` or any
  ``YYYY-MM-DD`` in the week, default this week; filters ``team``, ``rep``, ``source``,
  ``campaign``).
- ``GET /api/scorecard/drill`` — the leads behind one ``key`` (a metric's or row's drill key).
- ``GET /api/scorecard.csv`` — one ``table`` as CSV.
- ``GET /api/openapi.json`` — the OpenAPI document of these routes (open: it holds no data).

Tokens come from ``scorecard.api_tokens`` (``${ENV}`` secrets). Each is compared in constant
time by its SHA-256 digest, every token every time, so neither a token's length nor its place in
the list shows in the timing. Without a token, or with a wrong one: 401 JSON. Another sign-in
(the dashboard's session) may vouch for a request through :data:`EXTRA_AUTH`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from connector.reports.scorecard import ScorecardFilters, build_scorecard, drill_down
from connector.reports.scorecard.build import FilterError
from connector.reports.scorecard.export import leads_json, scorecard_json, table_csv
from connector.reports.scorecard.texts import TABLES
from connector.reports.scorecard.weeks import WeekError, parse_week, week_of
from connector.runtime import Runtime
from webhooks.scorecard_openapi import document

bp = Blueprint("scorecard_api", __name__)

#: app.extensions key of an optional ``() -> bool``: True when the request is signed in another
#: way Baton trusts (the dashboard's session), so the browser needs no token
EXTRA_AUTH = "baton.scorecard_extra_auth"
_FILTERS = ("team", "rep", "source", "campaign")


def register(app: Flask) -> None:
    """Mount the API."""
    app.register_blueprint(bp)


class _BadRequest(Exception):
    """A parameter the API cannot use: answered 400 with its message."""


def _runtime() -> Runtime:
    return current_app.extensions["baton"]


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """401 JSON unless a configured bearer token (or :data:`EXTRA_AUTH`) vouches for it."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        extra = current_app.extensions.get(EXTRA_AUTH)
        if not (_token_ok() or (extra is not None and extra())):
            tokens = _runtime().config.scorecard.api_tokens
            why = "a bearer token is required" if tokens else "no API token is configured"
            response = jsonify(
                error="unauthorized",
                message=f"{why} (scorecard.api_tokens; Authorization: Bearer <token>)",
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="baton-scorecard"'
            return response, 401
        try:
            return view(*args, **kwargs)
        except (_BadRequest, WeekError, FilterError) as exc:
            return jsonify(error="bad_request", message=str(exc)), 400

    return guarded


def _token_ok() -> bool:
    scheme, _, provided = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not provided.strip():
        return False
    given = hashlib.sha256(provided.strip().encode("utf-8", "surrogatepass")).digest()
    matched = False
    for token in _runtime().config.scorecard.api_tokens:
        expected = hashlib.sha256(token.get_secret_value().encode()).digest()
        matched |= hmac.compare_digest(given, expected)
    return matched


def _only(*extra: str) -> None:
    """Refuse parameters the route does not know: a typo'd filter must not be ignored."""
    known = ("week", *_FILTERS, *extra)
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        raise _BadRequest(
            f"unknown parameter(s): {', '.join(map(repr, unknown))}; accepted: {', '.join(known)}"
        )


def _week() -> date:
    config = _runtime().config
    asked = request.args.get("week")
    if asked is None:
        zone = config.sla.calendar.timezone
        return week_of(datetime.now(UTC), zone, config.scorecard.week_starts)
    return parse_week(asked, config.scorecard.week_starts)


def _filters() -> ScorecardFilters:
    values = {}
    for name in _FILTERS:
        value = request.args.get(name)
        if value is not None and "\x00" in value:
            raise _BadRequest(f"{name} must not contain NUL characters")
        values[name] = value or None
    return ScorecardFilters(**values)


@bp.get("/api/scorecard")
@token_required
def scorecard() -> Response:
    """The week's scorecard."""
    _only()
    runtime = _runtime()
    card = build_scorecard(runtime.store, runtime.config, _week(), _filters())
    return jsonify(scorecard_json(card))


@bp.get("/api/scorecard/drill")
@token_required
def drill() -> Response | tuple[Response, int]:
    """The leads behind one drill key."""
    _only("key")
    key = request.args.get("key") or ""
    if not key:
        raise _BadRequest("key is required: a drill_key from /api/scorecard")
    runtime = _runtime()
    week, filters = _week(), _filters()
    try:
        leads = drill_down(runtime.store, runtime.config, week, key, filters)
    except (WeekError, FilterError):
        raise
    except ValueError as exc:
        return jsonify(error="not_found", message=str(exc)), 404
    return jsonify(week_start=week.isoformat(), key=key, leads=leads_json(leads))


@bp.get("/api/scorecard.csv")
@token_required
def scorecard_csv() -> Response:
    """One table of the week as CSV (``table`` = a table key)."""
    _only("table")
    key = request.args.get("table") or ""
    if key not in TABLES:
        raise _BadRequest(f"table must be one of: {', '.join(TABLES)}")
    runtime = _runtime()
    week, filters = _week(), _filters()
    card = build_scorecard(runtime.store, runtime.config, week, filters)
    found = next((t for t in card.tables if t.key == key), None)
    if found is None:  # a team filter hides the table
        raise _BadRequest(f"table {key!r} is not shown under team {filters.team!r}")
    name = f"scorecard-{week.isoformat()}-{key}.csv"
    return Response(
        table_csv(found),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of Baton's API."""
    return jsonify(document())
