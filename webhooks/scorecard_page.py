"""The weekly scorecard page at ``/`` and the drill-down to the leads behind any figure.

Server-rendered from :func:`connector.reports.scorecard.build_scorecard`; the same numbers the
API and the digest show. URLs carry only the week, the filters (team, an owner id, a source or
campaign) and opaque drill keys — never a person's name or e-mail address.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask_babel import gettext as _

from connector.reports import scorecard
from connector.reports.scorecard.model import Scorecard, ScorecardFilters
from connector.reports.scorecard.weeks import WeekError, align, parse_week
from connector.runtime import Runtime
from webhooks import scorecard_view as view
from webhooks.dashboard import display_names, warm_names
from webhooks.signin import require_sign_in

bp = Blueprint("scorecard_page", __name__, template_folder="templates")
bp.before_request(require_sign_in)

#: weeks drawn in the trend chart (this one and the ones before it that have data)
TREND_WEEKS = 8
_OWNER_ID = re.compile(r"[A-Za-z0-9]{1,18}")
_FREE_TEXT_MAX = 100


def register(app: Flask) -> None:
    """Mount the scorecard at ``/``."""
    app.register_blueprint(bp)


def _runtime() -> Runtime:
    return current_app.extensions["baton"]


def requested_week(runtime: Runtime) -> date:
    """``?week=2026-W49`` or any day of it, else this week in the business calendar's zone."""
    week_starts = runtime.config.scorecard.week_starts
    text = request.args.get("week", "").strip()
    if not text:
        return align(requested_today(runtime), week_starts)
    try:
        return parse_week(text[:40], week_starts)
    except WeekError as exc:
        abort(400, description=str(exc))


def requested_filters() -> ScorecardFilters:
    """The filters from the query string, checked (400 with the reason when malformed)."""
    team = request.args.get("team") or None
    if team is not None and team not in view.TEAMS:
        abort(400, description=f"team must be one of {', '.join(view.TEAMS)}")
    rep = request.args.get("rep") or None
    if rep is not None and not _OWNER_ID.fullmatch(rep):
        abort(400, description="rep must be a CRM owner id (letters and digits)")
    texts = {}
    for name in ("source", "campaign"):
        value = (request.args.get(name) or "").strip() or None
        if value is not None and len(value) > _FREE_TEXT_MAX:
            abort(400, description=f"{name} is longer than {_FREE_TEXT_MAX} characters")
        texts[name] = value
    return ScorecardFilters(team=team, rep=rep, **texts)


def _weeks_shown(runtime: Runtime, week: date, filters: ScorecardFilters) -> list[Scorecard]:
    """The week's card and up to TREND_WEEKS - 1 earlier weeks with data, for the trend: one
    read pass for the weeks not yet kept, closed weeks from their snapshots."""
    asked = [week - timedelta(days=7 * back) for back in range(TREND_WEEKS)]
    cards = scorecard.build_scorecards(runtime.store, runtime.config, asked, filters)
    shown = set(cards[0].weeks_available)
    return [cards[0], *(c for c in cards[1:] if c.week_start in shown)]


def _rep_choices(runtime: Runtime) -> list[tuple[str, str]]:
    """(owner id, name) of every rep in the routing teams, by name."""
    names = display_names()
    members = {m for team in runtime.config.routing.teams.values() for m in team.members}
    warm_names(names, members)
    return sorted(((m, names(m) or m) for m in members), key=lambda pair: pair[1].lower())


@bp.get("/")
def index() -> str:
    """The week's scorecard: metrics by team, breakdowns, trend, filters and week picker."""
    runtime = _runtime()
    week, filters = requested_week(runtime), requested_filters()
    history = _weeks_shown(runtime, week, filters)
    card = history[0]
    names = display_names()
    warm_names(names, view.people_in(card.tables))
    recycle = runtime.config.recycle
    words = {**recycle.reasons, **recycle.disqualify_reasons}
    tables = [view.table_view(t, card.currency, names, words) for t in card.tables]
    charts = [view.trend_chart(history)]
    charts += [view.bar_chart(t) for t in tables if t.table.key == "funnel"]
    step = timedelta(days=7)
    return render_template(
        "scorecard/index.html",
        card=card,
        week=week,
        filters=filters,
        groups=[
            (team, view.team_title(team), [view.metric_view(m, card.currency) for m in metrics])
            for team in view.TEAMS
            if (metrics := [m for m in card.metrics if m.team == team])
        ],
        tables=tables,
        charts_json=json.dumps([c for c in charts if c["datasets"]]),
        reps=_rep_choices(runtime),
        weeks=sorted({week, *card.weeks_available}, reverse=True),
        previous_week=week - step,
        next_week=week + step if week + step <= requested_today(runtime) else None,
        query=_filter_query(filters),
    )


def requested_today(runtime: Runtime) -> date:
    """Today in the business calendar's zone."""
    return datetime.now(runtime.config.sla.calendar.zone).date()


def _filter_query(filters: ScorecardFilters) -> dict[str, str]:
    return {k: v for k in ("team", "rep", "source", "campaign") if (v := getattr(filters, k))}


@bp.get("/scorecard/leads")
def leads() -> str:
    """The leads behind one figure (``?key=<drill key>&week=…`` plus the page's filters)."""
    runtime = _runtime()
    week, filters = requested_week(runtime), requested_filters()
    key = request.args.get("key", "")
    try:
        found, card = scorecard.drill_figure(runtime.store, runtime.config, week, key, filters)
    except ValueError:
        abort(404, description=_("No figure with that key in this week."))
    return render_template(
        "scorecard/leads.html",
        card=card,
        week=week,
        key=key,
        title=_figure_title(card, key),
        leads=found,
        query=_filter_query(filters),
    )


def _figure_title(card: Scorecard, key: str) -> str:
    """The metric label or table title the drill key belongs to."""
    for metric in card.metrics:
        if metric.drill_key == key:
            return view.metric_view(metric, card.currency).label
    for table in card.tables:
        if key in table.drill_keys:
            row = table.rows[table.drill_keys.index(key)]
            title = view.translated(f"scorecard.table.{table.key}", table.title)
            return f"{title}: {row[0]}"
    return key
