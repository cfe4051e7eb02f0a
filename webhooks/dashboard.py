"""The dashboard: one server-rendered page for marketing, sales and Baton's admin.

It shows what Baton's store knows — the funnel in each CRM, recent hand-offs and their owners,
MQLs held back and why, the week's recycles by reason, what a CRM refused, what is still
waiting, and the latest decisions —
through the read-only queries in :mod:`connector.reports`. No JavaScript, no CRM calls.

Access: the page shows people's names and companies, and Baton's receivers usually face the
internet, so only people signed in (:mod:`webhooks.signin`) see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import gettext, ngettext
from werkzeug.wrappers.response import Response as WerkzeugResponse

from connector import reports
from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.reports import recycling
from connector.reports.labels import stage_label, status_label
from connector.runtime import Runtime
from webhooks.signin import require_sign_in

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

#: app.extensions key of an optional ``(key) -> display name | None`` lookup, for owner ids
#: (005…/00G…) and HubSpot contact record keys ("hubspot:contact:<id>").
DISPLAY_NAMES = "baton.display_names"
HANDOFF_ROWS = 25
AUDIT_ROWS = 30
#: decisions, writes and failures; each event's own line repeats its decision, so it is left out
ACTIVITY_STEPS = ("rule", "write", "error")
#: how far back "Recycled this week" counts
RECYCLE_WINDOW = timedelta(days=7)

NameLookup = Callable[[str], str | None]


def register(app: Flask) -> None:
    """Mount the operations view at ``/dashboard`` (the scorecard has ``/``)."""
    app.register_blueprint(bp)
    app.add_template_global(stage_label, "stage_label")
    app.add_template_global(status_label, "status_label")
    app.add_template_filter(_ago, "ago")


def set_display_names(app: Flask, lookup: NameLookup) -> None:
    """Let the page show people's and owners' names instead of raw ids."""
    app.extensions[DISPLAY_NAMES] = lookup


def warm_names(lookup: NameLookup, keys: Iterable[str]) -> None:
    """Let a lookup that can (the CRM directory) read every name a page shows at once."""
    warm = getattr(lookup, "warm", None)
    if warm is not None:
        warm(dict.fromkeys(key for key in keys if key))


def display_names() -> NameLookup:
    """The app's name lookup (owner names from the CRMs unless a caller set another)."""
    return current_app.extensions.get(DISPLAY_NAMES) or (lambda _key: None)


bp.before_request(require_sign_in)


@bp.get("/")
def index() -> str | WerkzeugResponse:
    """The whole dashboard on one page."""
    runtime: Runtime = current_app.extensions["baton"]
    lookup = display_names()
    with runtime.store.session() as session:
        context = gather(session, runtime, lookup)
    return render_template("dashboard/index.html", **context)


def gather(session: Any, runtime: Runtime, lookup: NameLookup) -> dict[str, Any]:
    """Everything the page shows, as plain values for the template."""
    config = runtime.config
    order = config.lifecycle.stage_order or DEFAULT_STAGE_ORDER
    statuses = [m.salesforce.value for m in config.lifecycle.stages]
    funnel = reports.funnel(session, lifecycle_order=order, status_order=statuses)
    recent = reports.handoffs(session, HANDOFF_ROWS)
    warm_names(lookup, (item.owner_id or "" for item in recent))
    handoffs = [
        {
            "item": item,
            "owner": lookup(item.owner_id or "") or item.owner_id or "org default",
            "team": reports.team_of(config.routing, item.owner_id),
        }
        for item in recent
    ]
    held = [
        {"item": item, "name": lookup(f"hubspot:contact:{item.hubspot_contact_id}")}
        for item in reports.held_back(session)
    ]
    now = datetime.now(UTC)
    return {
        "now": now,
        "recycled": _recycled(session, runtime, now - RECYCLE_WINDOW),
        "funnel": funnel,
        "handoffs": handoffs,
        "handoff_total": reports.handoff_count(session),
        "held": held,
        "backlog": reports.backlog(session),
        "intake": reports.intake(session),
        "dead_letters": reports.dead_letters(session),
        "audit": [
            {"line": line, "record": record_label(line.record_key, lookup)}
            for line in reports.recent_audit(session, AUDIT_ROWS, steps=ACTIVITY_STEPS)
        ],
        "timezone": config.sla.calendar.timezone,
        "systems": [label for name, label in _SYSTEMS.items() if getattr(config, name).enabled],
    }


_SYSTEMS = {"hubspot": "HubSpot", "salesforce": "Salesforce"}


def _recycled(session: Any, runtime: Runtime, since: datetime) -> list[dict[str, Any]]:
    """This week's recycles by reason: back to marketing (in nurture, re-activated since, or
    converted) first, then disqualified (ids only)."""
    recycle = runtime.config.recycle
    labels = {**recycle.reasons, **recycle.disqualify_reasons}
    found = recycling.episodes(session, since)
    groups = (
        ("back to marketing", recycling.BACK_TO_MARKETING),
        ("disqualified", ("disqualified",)),
        ("left alone", recycling.LEFT_ALONE),
    )
    return [
        {"outcome": outcome, "reason": row}
        for outcome, states in groups
        for row in recycling.by_reason([e for e in found if e.state in states], labels)
    ]


def record_label(record_key: str, lookup: NameLookup) -> str:
    """ "hubspot:contact:1001" → "HubSpot contact 1001 (Jan de Vries)" when a name is known."""
    system, _, rest = record_key.partition(":")
    object_type, _, object_id = rest.partition(":")
    label = f"{_SYSTEMS.get(system, system)} {object_type.replace('_', ' ')} {object_id}".strip()
    name = lookup(record_key)
    return f"{label} ({name})" if name else label


def _ago(moment: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "2 days ago"."""
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return gettext("just now")
    if seconds < 3600:
        return gettext("%(minutes)s min ago", minutes=seconds // 60)
    if seconds < 86_400:
        return gettext("%(hours)s h ago", hours=seconds // 3600)
    return ngettext("%(num)s day ago", "%(num)s days ago", seconds // 86_400)
