"""The scorecard's metric rules: pure functions over one week's plain rows (no store, no clock).

:func:`figures` turns a :class:`WeekRows` into metrics, tables and the leads behind each drill
key; :func:`status_of` judges a value against its target. Everything is counted from the rows
given, so a test can hand-compute every figure from a scenario.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from connector.config.models.scorecard import ScorecardTargets
from connector.jobs.credit.touches import channel_code
from connector.reports.scorecard import texts
from connector.reports.scorecard.model import Metric, Number, Status, Table, Team, Unit
from connector.reports.scorecard.rows import (
    Clock,
    Credit,
    Episode,
    Escalation,
    Hold,
    Lead,
    OpenDeal,
)

#: a lead behind a figure: (system, object, record id)
Ref = tuple[str, str, str]
#: episode states of people who went back to marketing (connector.reports.recycling)
BACK_TO_MARKETING = ("recycled", "reactivated", "converted")
#: clock states that are decided (a running or ended clock has no verdict yet)
DECIDED = ("met", "breached", "acted")
#: what stopped a clock at a touch (a Task, an Event, a working status)
TOUCHES = ("task", "event", "status")
NO_REASON = "(no reason)"
_PCT = Decimal("0.1")
_HOURS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Params:
    """What the rules need from the config, as plain values."""

    targets: ScorecardTargets
    #: the hand-off stage and the three funnel stages after it, in lifecycle order
    stage_order: tuple[str, ...]
    handoff_stage: str
    #: Lead statuses that mean "sales accepted it"
    accepted_statuses: frozenset[str]
    primary_model: str
    cherry_pick_min_leads: int
    cherry_pick_ratio: Decimal
    #: business time between two instants (the SLA calendar)
    business_time: Callable[[datetime, datetime], timedelta]
    #: whether the credit ledger can answer under the filters (it has no rep)
    credit_filterable: bool = True
    #: whether held-back MQLs can answer under the filters (they have no source or campaign)
    holds_filterable: bool = True
    #: the currency the headline pipeline figures are in (other currencies: the table only)
    currency: str = "EUR"
    #: whether the open pipeline can answer under the filters (it has no rep, source, campaign)
    pipeline_filterable: bool = True


@dataclass(frozen=True, slots=True)
class WeekRows:
    """One week's rows, already narrowed by the filters."""

    leads: tuple[Lead, ...]
    holds: tuple[Hold, ...]
    episodes: tuple[Episode, ...]
    clocks: tuple[Clock, ...]
    escalations: tuple[Escalation, ...]
    credits: tuple[Credit, ...]
    #: leads converted this week (clock stopped by a conversion), for attempts
    converted_lead_ids: tuple[str, ...] = ()
    #: logged touches per Salesforce lead over all its clocks
    touches: dict[str, int] = field(default_factory=dict)
    #: every known lead by Salesforce id and by HubSpot contact id (for sources of episodes)
    by_lead: dict[str, Lead] = field(default_factory=dict)
    by_contact: dict[str, Lead] = field(default_factory=dict)
    #: deals in the open pipeline at the week's end (or now, for the week under way)
    pipeline: tuple[OpenDeal, ...] = ()


@dataclass(frozen=True, slots=True)
class Figures:
    """A week's metrics (``weeks_below_target`` still 0), tables and drill-down leads."""

    metrics: tuple[Metric, ...]
    tables: tuple[Table, ...]
    drills: dict[str, tuple[Ref, ...]]


# -- small pure helpers ------------------------------------------------------------------------


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal; None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(_PCT, ROUND_HALF_UP)


def hours(duration: timedelta) -> Decimal:
    """A duration in hours, two decimals."""
    return (Decimal(int(duration.total_seconds())) / 3600).quantize(_HOURS, ROUND_HALF_UP)


def nearest_rank(values: Sequence[Decimal], pct: int) -> Decimal | None:
    """The nearest-rank percentile (p90 of 10 values is the 9th smallest); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def median_of(values: Sequence[Decimal | int]) -> Decimal | None:
    """The median as a Decimal (two decimals), None when empty."""
    if not values:
        return None
    return Decimal(median(values)).quantize(_HOURS, ROUND_HALF_UP)


def status_of(
    value: Number | None,
    low: Number | None = None,
    high: Number | None = None,
) -> Status:
    """``met`` when ``value`` lies within [low, high] (either may be open), else ``missed``."""
    if value is None:
        return "no_data"
    if low is None and high is None:
        return "no_target"
    if low is not None and value < low:
        return "missed"
    if high is not None and value > high:
        return "missed"
    return "met"


def metric(
    key: str,
    team: Team,
    value: Number | None,
    unit: Unit,
    *,
    low: Number | None = None,
    high: Number | None = None,
    drill: str | None = None,
    definition: str | None = None,
) -> Metric:
    """A metric with its words from :mod:`texts` and its status against [low, high].

    ``Metric.target`` is the lower bound when there is one (a range's other end is named in
    the definition), else the upper bound.
    """
    return Metric(
        key=key,
        team=team,
        label=texts.label(key),
        definition=definition or texts.definition(key),
        value=value,
        unit=unit,
        target=low if low is not None else high,
        status=status_of(value, low, high),
        drill_key=drill if value is not None else None,
    )


def lead_ref(lead: Lead) -> Ref:
    """A handed-off lead as the Salesforce Lead when created, else the HubSpot contact."""
    if lead.lead_id:
        return ("salesforce", "Lead", lead.lead_id)
    return ("hubspot", "contact", lead.contact_id)


def _episode_ref(episode: Episode) -> Ref:
    if episode.lead_id:
        return ("salesforce", "Lead", episode.lead_id)
    return ("hubspot", "contact", episode.contact_id or "")


def _table(
    key: str,
    columns: Iterable[str],
    rows: Iterable[tuple[tuple[object, ...], str | None]],
    team: Team,
) -> Table:
    listed = list(rows)
    return Table(
        key=key,
        title=texts.TABLES[key],
        columns=tuple(columns),
        rows=tuple(row for row, _ in listed),
        drill_keys=tuple(drill for _, drill in listed),
        team=team,
    )


# -- the figures --------------------------------------------------------------------------------


def figures(rows: WeekRows, params: Params) -> Figures:
    """Every metric and table of the week, and the leads behind each drill key."""
    drills: dict[str, tuple[Ref, ...]] = {}
    metrics: list[Metric] = []
    tables: list[Table] = []
    for part in (_marketing, _sales, _together):
        found_metrics, found_tables = part(rows, params, drills)
        metrics += found_metrics
        tables += found_tables
    return Figures(tuple(metrics), tuple(tables), drills)


Part = tuple[list[Metric], list[Table]]


def is_accepted(lead: Lead, params: Params) -> bool:
    """Sales accepted the lead: an accepting status, a conversion, or a later HubSpot stage."""
    if lead.converted or (lead.status or "") in params.accepted_statuses:
        return True
    return _furthest(lead, params) > params.stage_order.index(params.handoff_stage)


def _furthest(lead: Lead, params: Params) -> int:
    order = params.stage_order
    seen = [order.index(stage) for stage, _ in lead.stages if stage in order]
    return max(seen, default=-1)


def _marketing(rows: WeekRows, params: Params, drills: dict[str, tuple[Ref, ...]]) -> Part:
    targets = params.targets
    delivered = rows.leads
    drills["mqls_delivered"] = tuple(lead_ref(lead) for lead in delivered)
    accepted = [lead for lead in delivered if is_accepted(lead, params)]
    drills["accepted"] = tuple(lead_ref(lead) for lead in accepted)
    held_value: int | None = len(rows.holds) if params.holds_filterable else None
    drills["held_back"] = tuple(("hubspot", "contact", h.contact_id) for h in rows.holds)
    back = [e for e in rows.episodes if e.state in BACK_TO_MARKETING]
    drills["recycled"] = tuple(_episode_ref(e) for e in back)
    metrics = [
        metric(
            "mqls_delivered",
            "marketing",
            len(delivered),
            "count",
            low=targets.mqls_per_week,
            drill="mqls_delivered",
        ),
        metric("mqls_held_back", "marketing", held_value, "count", drill="held_back"),
        metric(
            "accepted_pct",
            "marketing",
            percent(len(accepted), len(delivered)),
            "percent",
            low=targets.accepted_pct,
            drill="accepted",
        ),
        metric("recycled", "marketing", len(back), "count", drill="recycled"),
    ]
    tables = [
        _by_dimension("mqls_by_source", "source", delivered, drills),
        _by_dimension("mqls_by_campaign", "campaign", delivered, drills),
        _by_dimension("mqls_by_rep", "rep", delivered, drills),
        _held_by_reason(rows.holds if params.holds_filterable else (), drills),
        _recycled_by_reason(rows.episodes, drills),
    ]
    return metrics, tables


def _by_dimension(
    key: str, column: str, leads: Sequence[Lead], drills: dict[str, tuple[Ref, ...]]
) -> Table:
    groups: dict[str, list[Lead]] = defaultdict(list)
    for lead in leads:
        groups[getattr(lead, column) or "(none)"].append(lead)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    rows = []
    for value, members in ordered:
        drill = f"{key}:{value}"
        drills[drill] = tuple(lead_ref(lead) for lead in members)
        rows.append(((value, len(members), percent(len(members), len(leads))), drill))
    return _table(key, (column, "leads", "share_pct"), rows, "marketing")


def _held_by_reason(holds: Sequence[Hold], drills: dict[str, tuple[Ref, ...]]) -> Table:
    groups: dict[str, list[Hold]] = defaultdict(list)
    for hold in holds:
        groups[hold.reason].append(hold)
    rows = []
    for reason, members in sorted(groups.items(), key=lambda i: (-len(i[1]), i[0])):
        drill = f"held_back:{reason}"
        drills[drill] = tuple(("hubspot", "contact", h.contact_id) for h in members)
        rows.append(((reason, len(members)), drill))
    return _table("held_back_by_reason", ("reason", "count"), rows, "marketing")


def _recycled_by_reason(episodes: Sequence[Episode], drills: dict[str, tuple[Ref, ...]]) -> Table:
    groups: dict[tuple[str, str], list[Episode]] = defaultdict(list)
    for e in episodes:
        groups[(e.reason_code or NO_REASON, e.state)].append(e)
    rows = []
    for (reason, state), members in sorted(groups.items(), key=lambda i: (-len(i[1]), i[0])):
        drill = f"recycled_by_reason:{reason}:{state}"
        drills[drill] = tuple(_episode_ref(e) for e in members)
        rows.append(((reason, state, len(members)), drill))
    return _table("recycled_by_reason", ("reason", "state", "count"), rows, "marketing")


def _sales(rows: WeekRows, params: Params, drills: dict[str, tuple[Ref, ...]]) -> Part:
    targets = params.targets
    answered = [c for c in rows.clocks if c.stopped_at is not None and c.stopped_by in TOUCHES]
    times = [hours(params.business_time(c.started_at, c.stopped_at)) for c in answered]  # type: ignore[arg-type]
    drills["first_response"] = tuple(("salesforce", "Lead", c.lead_id) for c in answered)
    decided = [c for c in rows.clocks if c.state in DECIDED]
    met = [c for c in decided if c.state == "met"]
    drills["within_sla"] = tuple(("salesforce", "Lead", c.lead_id) for c in met)
    drills["missed_sla"] = tuple(
        ("salesforce", "Lead", c.lead_id) for c in decided if c.state != "met"
    )
    outcomes = _outcome_leads(rows)
    attempts = [rows.touches.get(lead, 0) for lead in outcomes]
    drills["attempts"] = tuple(("salesforce", "Lead", lead) for lead in outcomes)
    feedback = [e for e in rows.episodes if e.state != "refused"]
    with_reason = [e for e in feedback if e.reason_code and not e.reason_flag]
    drills["feedback"] = tuple(_episode_ref(e) for e in with_reason)
    drills["no_feedback"] = tuple(_episode_ref(e) for e in feedback if e not in with_reason)
    drills["escalations"] = tuple(("salesforce", "Lead", e.lead_id) for e in rows.escalations)
    metrics = [
        metric(
            "first_response_median_hours",
            "sales",
            median_of(times),
            "hours",
            high=targets.first_response_hours,
            drill="first_response",
        ),
        metric(
            "first_response_p90_hours",
            "sales",
            nearest_rank(times, 90),
            "hours",
            drill="first_response",
        ),
        metric(
            "within_sla_pct",
            "sales",
            percent(len(met), len(decided)),
            "percent",
            low=targets.within_sla_pct,
            drill="within_sla",
        ),
        metric(
            "attempts_median",
            "sales",
            median_of(attempts),
            "count",
            low=targets.attempts_min,
            high=targets.attempts_max,
            drill="attempts",
        ),
        metric(
            "feedback_pct",
            "sales",
            percent(len(with_reason), len(feedback)),
            "percent",
            low=targets.feedback_pct,
            drill="no_feedback",
        ),
        metric("escalations", "sales", len(rows.escalations), "count", drill="escalations"),
    ]
    levels: dict[int, list[Escalation]] = defaultdict(list)
    for escalation in rows.escalations:
        levels[escalation.step].append(escalation)
    level_rows = []
    for step, members in sorted(levels.items()):
        drill = f"escalations:{step}"
        drills[drill] = tuple(("salesforce", "Lead", e.lead_id) for e in members)
        level_rows.append(((step, len(members)), drill))
    tables = [_table("escalations_by_level", ("level", "count"), level_rows, "sales")]
    return metrics, tables


def _outcome_leads(rows: WeekRows) -> list[str]:
    """Salesforce leads that reached an outcome this week: recycled, disqualified, converted."""
    found = [e.lead_id for e in rows.episodes if e.lead_id and e.state != "refused"]
    found += list(rows.converted_lead_ids)
    return list(dict.fromkeys(found))


def _together(rows: WeekRows, params: Params, drills: dict[str, tuple[Ref, ...]]) -> Part:
    metrics: list[Metric] = []
    funnel_table = _funnel(rows.leads, params, drills, metrics)
    credit_metrics, credit_table = _credit(rows.credits, params, drills)
    pipeline_metrics, pipeline_table = _pipeline(rows.pipeline, params, drills)
    metrics += [*pipeline_metrics, *credit_metrics]
    picking_metric, picking_table = _cherry_picking(rows, params, drills)
    metrics.append(picking_metric)
    tables = [
        funnel_table,
        pipeline_table,
        credit_table,
        _channels(rows, params, drills),
        _feedback_by(rows, "source", drills),
        _feedback_by(rows, "campaign", drills),
        picking_table,
    ]
    return metrics, tables


def _funnel(
    leads: Sequence[Lead],
    params: Params,
    drills: dict[str, tuple[Ref, ...]],
    metrics: list[Metric],
) -> Table:
    order = params.stage_order
    start = order.index(params.handoff_stage)
    steps = [("funnel_sql", order[start + 1]), ("funnel_opportunity", "opportunity")]
    steps.append(("funnel_won", "customer"))
    table_rows = [
        (
            (params.handoff_stage, len(leads), percent(len(leads), len(leads)), None),
            "mqls_delivered",
        )
    ]
    previous: dict[str, datetime] = {lead.contact_id: lead.handed_at for lead in leads}
    for key, stage in steps:
        index = order.index(stage) if stage in order else len(order)
        reached = [
            lead
            for lead in leads
            if _furthest(lead, params) >= index
            or (key == "funnel_sql" and is_accepted(lead, params))
        ]
        days = []
        for lead in reached:
            at = dict(lead.stages).get(stage)
            before = previous.get(lead.contact_id)
            if at is not None and before is not None and at >= before:
                days.append(Decimal(int((at - before).total_seconds())) / 86400)
            if at is not None:
                previous[lead.contact_id] = at
        drills[key] = tuple(lead_ref(lead) for lead in reached)
        metrics.append(metric(key, "together", len(reached), "count", drill=key))
        table_rows.append(
            ((stage, len(reached), percent(len(reached), len(leads)), median_of(days)), key)
        )
    return _table("funnel", ("stage", "leads", "share_pct", "median_days"), table_rows, "together")


def deal_ref(deal: OpenDeal) -> Ref:
    """An open deal as its CRM record: the Salesforce Opportunity, or the HubSpot deal."""
    if deal.system == "hubspot":
        return ("hubspot", "deal", deal.deal_id)
    return ("salesforce", "Opportunity", deal.deal_id)


def _pipeline(
    deals: Sequence[OpenDeal], params: Params, drills: dict[str, tuple[Ref, ...]]
) -> tuple[list[Metric], Table]:
    """Open pipeline at the week's end, sourced and influenced, per currency (never converted);
    the headline figures in the scorecard's currency."""
    per_currency: dict[str, list[OpenDeal]] = defaultdict(list)
    for deal in deals:
        per_currency[deal.currency].append(deal)
    table_rows = []
    for currency, members in sorted(per_currency.items()):
        for kind in ("sourced", "influenced"):
            chosen = [d for d in members if getattr(d, kind)]
            drills[f"pipeline_{kind}:{currency}"] = tuple(deal_ref(d) for d in chosen)
        influenced = [d for d in members if d.influenced]
        sourced = [d for d in members if d.sourced]
        row = (
            currency,
            len(members),
            sum((d.amount for d in members), Decimal(0)),
            sum((d.amount for d in sourced), Decimal(0)),
            sum((d.amount for d in influenced), Decimal(0)),
        )
        table_rows.append((row, f"pipeline_influenced:{currency}"))
    headline = params.currency
    values: dict[str, Decimal | None] = {"sourced": None, "influenced": None}
    if params.pipeline_filterable:
        for kind in values:
            chosen = [d for d in per_currency.get(headline, ()) if getattr(d, kind)]
            values[kind] = sum((d.amount for d in chosen), Decimal(0))
            drills.setdefault(f"pipeline_{kind}:{headline}", tuple(deal_ref(d) for d in chosen))
    metrics = [
        metric(
            "pipeline_marketing",
            "together",
            values["influenced"],
            "money",
            drill=f"pipeline_influenced:{headline}",
        ),
        metric(
            "pipeline_marketing_sourced",
            "together",
            values["sourced"],
            "money",
            drill=f"pipeline_sourced:{headline}",
        ),
    ]
    columns = ("currency", "deals", "open_amount", "sourced", "influenced")
    shown = table_rows if params.pipeline_filterable else []
    return metrics, _table("pipeline_by_currency", columns, shown, "together")


def _credit(
    credits: Sequence[Credit], params: Params, drills: dict[str, tuple[Ref, ...]]
) -> tuple[list[Metric], Table]:
    deals: dict[tuple[str, str], list[Credit]] = defaultdict(list)
    for share in credits:
        deals[(share.model, share.deal_id)].append(share)
    per_model: dict[str, dict[str, Decimal | int]] = {}
    sourced_deals: dict[str, list[str]] = defaultdict(list)
    influenced_deals: dict[str, list[str]] = defaultdict(list)
    for (model, deal), shares in sorted(deals.items()):
        amount = sum((s.amount for s in shares), Decimal(0))
        first = min(shares, key=lambda s: s.position)
        totals = per_model.setdefault(
            model,
            {"deals": 0, "sourced": Decimal(0), "influenced": Decimal(0), "credit": Decimal(0)},
        )
        totals["deals"] += 1
        totals["credit"] += sum((s.amount for s in shares if s.marketing), Decimal(0))
        if any(s.marketing for s in shares):
            totals["influenced"] += amount
            influenced_deals[model].append(deal)
        if first.marketing:
            totals["sourced"] += amount
            sourced_deals[model].append(deal)
    table_rows = []
    for model, totals in sorted(per_model.items()):
        drill = f"credit:{model}"
        drills[drill] = tuple(("salesforce", "Opportunity", d) for d in influenced_deals[model])
        table_rows.append(
            (
                (model, totals["deals"], totals["sourced"], totals["influenced"], totals["credit"]),
                drill,
            )
        )
    primary = per_model.get(params.primary_model)
    drills["revenue_sourced"] = tuple(
        ("salesforce", "Opportunity", d) for d in sourced_deals[params.primary_model]
    )
    drills["revenue_influenced"] = tuple(
        ("salesforce", "Opportunity", d) for d in influenced_deals[params.primary_model]
    )
    if not params.credit_filterable:
        sourced = influenced = None
    else:
        sourced = primary["sourced"] if primary else Decimal(0)
        influenced = primary["influenced"] if primary else Decimal(0)
    metrics = [
        metric("revenue_marketing_sourced", "together", sourced, "money", drill="revenue_sourced"),
        metric(
            "revenue_marketing_influenced",
            "together",
            influenced,
            "money",
            drill="revenue_influenced",
        ),
    ]
    columns = ("model", "deals", "sourced", "influenced", "marketing_credit")
    shown = table_rows if params.credit_filterable else []
    return metrics, _table("credit_by_model", columns, shown, "together")


def channel_of(source: str) -> str:
    """A lead source as the credit ledger's channel code (``PAID_SEARCH`` → ``paid_search``)."""
    return channel_code(source, default="(unknown)")


def _channels(rows: WeekRows, params: Params, drills: dict[str, tuple[Ref, ...]]) -> Table:
    leads: dict[str, list[Lead]] = defaultdict(list)
    for lead in rows.leads:
        leads[channel_of(lead.source)].append(lead)
    revenue: Counter[str] = Counter()
    if params.credit_filterable:
        for share in rows.credits:
            if share.model == params.primary_model and share.marketing:
                revenue[share.channel] += share.amount  # type: ignore[assignment]
    names = sorted(set(leads) | set(revenue), key=lambda c: (-len(leads.get(c, ())), c))
    table_rows = []
    for channel in names:
        drill = f"channels:{channel}"
        drills[drill] = tuple(lead_ref(lead) for lead in leads.get(channel, ()))
        value = revenue.get(channel, Decimal(0)) if params.credit_filterable else None
        table_rows.append(((channel, len(leads.get(channel, ())), value), drill))
    return _table("channels", ("channel", "leads", "revenue"), table_rows, "together")


def _dimension_of(rows: WeekRows, episode: Episode, dimension: str) -> str:
    lead = rows.by_lead.get(episode.lead_id or "") or rows.by_contact.get(episode.contact_id or "")
    return getattr(lead, dimension) if lead else "(unknown)"


def _feedback_by(rows: WeekRows, dimension: str, drills: dict[str, tuple[Ref, ...]]) -> Table:
    """ "8 of 10 leads from campaign X came back for reason Y": sales' reasons per source or
    campaign (``dimension``), beside how many of the week's feedback came from there."""
    key = f"feedback_by_{dimension}"
    groups: dict[tuple[str, str], list[Episode]] = defaultdict(list)
    for e in rows.episodes:
        groups[(_dimension_of(rows, e, dimension), e.reason_code or NO_REASON)].append(e)
    from_there = Counter(_dimension_of(rows, e, dimension) for e in rows.episodes)
    table_rows = []
    for (value, reason), members in sorted(
        groups.items(), key=lambda i: (i[0][0], -len(i[1]), i[0][1])
    ):
        drill = f"{key}:{value}:{reason}"
        drills[drill] = tuple(_episode_ref(e) for e in members)
        table_rows.append(((value, reason, len(members), from_there[value]), drill))
    return _table(key, (dimension, "reason", "count", "of_leads"), table_rows, "together")


def _cherry_picking(
    rows: WeekRows, params: Params, drills: dict[str, tuple[Ref, ...]]
) -> tuple[Metric, Table]:
    touched: dict[str, set[str]] = defaultdict(set)
    for clock in rows.clocks:
        if clock.touches > 0:
            touched[clock.rep].add(clock.lead_id)
    converted: dict[str, set[str]] = {}
    for rep, leads in touched.items():
        converted[rep] = {
            lead
            for lead in leads
            if lead in rows.by_lead and is_accepted(rows.by_lead[lead], params)
        }
    all_touched = sum(len(v) for v in touched.values())
    all_converted = sum(len(v) for v in converted.values())
    overall = Decimal(all_converted) / all_touched if all_touched else Decimal(0)
    flagged = []
    table_rows = []
    for rep in sorted(touched, key=lambda r: (-len(touched[r]), r)):
        count, won = len(touched[rep]), len(converted[rep])
        rate = Decimal(won) / count
        flag = count >= params.cherry_pick_min_leads and rate < overall * params.cherry_pick_ratio
        if flag:
            flagged.append(rep)
        drill = f"cherry_picking:{rep}"
        drills[drill] = tuple(("salesforce", "Lead", lead) for lead in sorted(touched[rep]))
        table_rows.append(((rep, count, won, percent(won, count), flag), drill))
    drills["cherry_picking"] = tuple(
        ("salesforce", "Lead", lead) for rep in flagged for lead in sorted(touched[rep])
    )
    table = _table(
        "cherry_picking",
        ("rep", "touched", "converted", "conversion_pct", "flagged"),
        table_rows,
        "together",
    )
    return metric(
        "cherry_picking_reps", "together", len(flagged), "count", drill="cherry_picking"
    ), table
