"""Assemble a :class:`Scorecard`: read the rows once, narrow them, count each week, judge targets.

The rows for the asked week and the ``escalate_after_weeks - 1`` weeks before it are read in one
pass (:mod:`.rows`); :mod:`.rules` counts each week; a metric's ``weeks_below_target`` is the run
of missed weeks ending with the asked one. Drill-down recounts the same week and returns the
leads behind one key, so a figure and its leads always agree.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from connector.config.models.lifecycle import DEFAULT_STAGE_ORDER
from connector.jobs.sla.calendar import BusinessTime, Day
from connector.reports.scorecard import rows as r
from connector.reports.scorecard import rules, snapshots, weeks
from connector.reports.scorecard.model import LeadRef, Metric, Scorecard, ScorecardFilters, Table

if TYPE_CHECKING:
    from connector.config import BatonConfig
    from connector.store.db import Store

METRIC_TEAMS = ("marketing", "sales", "together")
#: the week's last moment: its window is [start, end), the pipeline is read at the end's edge
_INSTANT = timedelta(microseconds=1)


class FilterError(ValueError):
    """A filter names nothing Baton knows (the message says what is accepted)."""


def build(
    store: Store, config: BatonConfig, week_start: date, filters: ScorecardFilters
) -> Scorecard:
    """The scorecard of the week containing ``week_start`` (a closed week from its snapshot)."""
    (card,) = build_weeks(store, config, [week_start], filters)
    return card


def build_weeks(
    store: Store, config: BatonConfig, week_starts: Sequence[date], filters: ScorecardFilters
) -> list[Scorecard]:
    """The scorecards of several weeks, in the order asked: closed weeks from their snapshots
    (:mod:`.snapshots`), the others — and stale snapshots — counted in one read pass."""
    check_filters(config, filters)
    starts = [weeks.align(w, config.scorecard.week_starts) for w in week_starts]
    available = functools.partial(available_weeks, config=config)
    return snapshots.cards(store, config, starts, filters, _counted_for(config), available)


def drill(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[LeadRef, ...]:
    """The leads behind ``drill_key`` that week; ValueError for a key the week does not have."""
    return drill_figure(store, config, week_start, drill_key, filters)[0]


def drill_figure(
    store: Store, config: BatonConfig, week_start: date, drill_key: str, filters: ScorecardFilters
) -> tuple[tuple[LeadRef, ...], Scorecard]:
    """The leads behind ``drill_key`` and the week's figures they belong to, from one count of
    that week alone (no history, no weeks list: a page title needs the labels only)."""
    check_filters(config, filters)
    with store.session() as session:
        counted = _week_figures(session, config, week_start, filters, lookback=1)
    figures = counted.figures[0]
    if drill_key not in figures.drills:
        raise ValueError(f"unknown drill key {drill_key!r} for that week")
    card = _card(config, counted.start, filters, figures.metrics, figures.tables, ())
    return tuple(_lead_ref(config, ref) for ref in figures.drills[drill_key]), card


def build_in(
    session: Session, config: BatonConfig, week_start: date, filters: ScorecardFilters
) -> Scorecard:
    """The scorecard inside an open session (the digest job builds it in its transaction)."""
    check_filters(config, filters)
    start = weeks.align(week_start, config.scorecard.week_starts)
    (card,) = _counted(session, config, [start], filters)[0]
    return card


def _counted_for(config: BatonConfig) -> snapshots.Compute:
    return lambda session, starts, filters: _counted(session, config, starts, filters)


def _counted(
    session: Session, config: BatonConfig, starts: Sequence[date], filters: ScorecardFilters
) -> tuple[list[Scorecard], frozenset[str]]:
    """Count the asked weeks in one read pass (each with its ``escalate_after_weeks`` of
    history), and the ids of every record that pass read (what late data would touch)."""
    history = max(config.scorecard.escalate_after_weeks, 1)
    newest, oldest = max(starts), min(starts)
    lookback = (newest - oldest).days // 7 + history
    counted = _week_figures(session, config, newest, filters, lookback)
    available = available_weeks(session, config)
    cards = []
    for start in starts:
        back = (newest - start).days // 7
        per_week = counted.figures[back : back + history]
        metrics = tuple(
            _with_history(m, [w.metrics for w in per_week])
            for m in per_week[0].metrics
            if _shown(m, filters)
        )
        tables = tuple(
            t
            for t in per_week[0].tables
            if filters.team not in METRIC_TEAMS or t.team == filters.team
        )
        cards.append(_card(config, start, filters, metrics, tables, available))
    return cards, counted.ids


def _card(
    config: BatonConfig,
    start: date,
    filters: ScorecardFilters,
    metrics: tuple[Metric, ...],
    tables: tuple[Table, ...],
    available: tuple[date, ...],
) -> Scorecard:
    return Scorecard(
        week_start=start,
        week_end=start + timedelta(days=6),
        timezone=config.sla.calendar.timezone,
        currency=config.credit.currency,
        filters=filters,
        metrics=metrics,
        tables=tables,
        weeks_available=available,
    )


def available_weeks(session: Session, config: BatonConfig) -> tuple[date, ...]:
    """Week starts from the first hand-off's week to this one, newest first."""
    first = r.first_data(session)
    if first is None:
        return ()
    zone, starts_on = config.sla.calendar.timezone, config.scorecard.week_starts
    latest = weeks.week_of(datetime.now(UTC), zone, starts_on)
    return weeks.weeks_between(weeks.week_of(first, zone, starts_on), latest)


def check_filters(config: BatonConfig, filters: ScorecardFilters) -> None:
    """Refuse a team that is neither a metric team nor a routing team."""
    team = filters.team
    if team and team not in METRIC_TEAMS and team not in config.routing.teams:
        known = ", ".join((*METRIC_TEAMS, *sorted(config.routing.teams)))
        raise FilterError(f"team {team!r} is unknown; use one of: {known}")
    for name in ("rep", "source", "campaign"):
        value = getattr(filters, name)
        if value is not None and not 0 < len(value) <= 128:
            raise FilterError(f"{name} must be 1 to 128 characters")


def _shown(found: Metric, filters: ScorecardFilters) -> bool:
    return filters.team not in METRIC_TEAMS or found.team == filters.team


def _with_history(found: Metric, history: list[tuple[Metric, ...]]) -> Metric:
    """Count the run of missed weeks ending with this one."""
    run = 0
    for week in history:
        same = next((m for m in week if m.key == found.key), None)
        if same is None or same.status != "missed":
            break
        run += 1
    return replace(found, weeks_below_target=run)


@dataclass(frozen=True, slots=True)
class _Loaded:
    leads: list[r.Lead]
    by_lead: dict[str, r.Lead]
    by_contact: dict[str, r.Lead]
    touches: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Counted:
    """Figures of a week and the weeks before it (newest first), and the ids of the records
    they were counted from."""

    figures: list[rules.Figures]
    start: date
    ids: frozenset[str]


def _week_figures(
    session: Session,
    config: BatonConfig,
    week_start: date,
    filters: ScorecardFilters,
    lookback: int,
) -> _Counted:
    """Figures of the asked week first, then of each earlier week up to ``lookback`` in all."""
    start = weeks.align(week_start, config.scorecard.week_starts)
    zone = config.sla.calendar.timezone
    since, _ = weeks.window(start - timedelta(days=7 * (lookback - 1)), zone)
    _, until = weeks.window(start, zone)
    holds = r.holds(session, since, until)
    episodes = r.episodes(session, since, until)
    clocks = r.clocks(session, since, until)
    escalations = r.escalations(session, since, until)
    credits = _deals_matching(r.credits(session, since, until), filters)
    open_deals = r.pipeline(session, since, until)
    now = datetime.now(UTC)
    conversions = {
        week: r.conversions(session, *weeks.window(week, zone))
        for week in (start - timedelta(days=7 * back) for back in range(lookback))
    }
    outcome_leads = {e.lead_id for e in episodes if e.lead_id}
    outcome_leads |= {lead for found in conversions.values() for lead in found}
    everyone = r.leads(
        session,
        config,
        since,
        until,
        outcome_leads | {c.lead_id for c in clocks} | {x.lead_id for x in escalations},
        {e.contact_id for e in episodes if e.contact_id and not e.lead_id},
    )
    loaded = _Loaded(
        everyone,
        r.lead_ids(everyone),
        {lead.contact_id: lead for lead in everyone},
        r.lead_touches(session, outcome_leads),
    )
    params = _params(config, filters)
    narrow = _Narrow(config, filters, loaded)
    found = []
    for back in range(lookback):
        week = start - timedelta(days=7 * back)
        low, high = weeks.window(week, zone)
        within = lambda at, low=low, high=high: low <= at < high  # noqa: E731
        rows = rules.WeekRows(
            leads=tuple(x for x in everyone if within(x.handed_at) and narrow.lead(x)),
            holds=tuple(x for x in holds if within(x.at)),
            episodes=tuple(x for x in episodes if within(x.at) and narrow.episode(x)),
            clocks=tuple(x for x in clocks if within(x.started_at) and narrow.clock(x)),
            escalations=tuple(x for x in escalations if within(x.at) and narrow.escalation(x)),
            credits=tuple(x for x in credits if within(x.computed_at)),
            converted_lead_ids=tuple(lead for lead in conversions[week] if narrow.lead_id(lead)),
            touches=loaded.touches,
            by_lead=loaded.by_lead,
            by_contact=loaded.by_contact,
            pipeline=tuple(x for x in open_deals if x.open_at(min(high, now) - _INSTANT)),
        )
        found.append(rules.figures(rows, params))
    ids = _ids(everyone, holds, episodes, clocks, escalations, credits) | outcome_leads
    ids |= {deal.deal_id for deal in open_deals}
    return _Counted(found, start, frozenset(ids))


def _ids(
    everyone: list[r.Lead],
    holds: list[r.Hold],
    episodes: list[r.Episode],
    clocks: list[r.Clock],
    escalations: list[r.Escalation],
    credits: list[r.Credit],
) -> frozenset[str]:
    """Every CRM record id the count read: an event about one of them may change the figures."""
    found = {x for lead in everyone for x in (lead.contact_id, lead.lead_id) if x}
    found |= {h.contact_id for h in holds}
    found |= {x for e in episodes for x in (e.contact_id, e.lead_id) if x}
    found |= {c.lead_id for c in clocks} | {x.lead_id for x in escalations}
    found |= {c.deal_id for c in credits}
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class _Narrow:
    """The filters as predicates over rows (a row's dimensions come from its hand-off)."""

    config: BatonConfig
    filters: ScorecardFilters
    loaded: _Loaded

    def _rep_ok(self, rep: str | None, team: str | None = None) -> bool:
        f = self.filters
        if f.rep is not None and (rep or "")[:15] != f.rep[:15]:
            return False
        if f.team and f.team not in METRIC_TEAMS:
            members = {m[:15] for m in self.config.routing.teams[f.team].members}
            return team == f.team or (rep or "")[:15] in members
        return True

    def _dims_ok(self, found: r.Lead | None) -> bool:
        f = self.filters
        if f.source is None and f.campaign is None:
            return True
        if found is None:
            return False
        return (f.source is None or found.source == f.source) and (
            f.campaign is None or found.campaign == f.campaign
        )

    def lead(self, found: r.Lead) -> bool:
        return self._rep_ok(found.rep, found.team) and self._dims_ok(found)

    def lead_id(self, lead_id: str) -> bool:
        found = self.loaded.by_lead.get(lead_id)
        return (found is not None and self.lead(found)) or (found is None and self._unfiltered())

    def episode(self, found: r.Episode) -> bool:
        lead = self.loaded.by_lead.get(found.lead_id or "") or self.loaded.by_contact.get(
            found.contact_id or ""
        )
        return self._rep_ok(found.rep, lead.team if lead else None) and self._dims_ok(lead)

    def clock(self, found: r.Clock) -> bool:
        return self._rep_ok(found.rep, found.team) and self._dims_ok(
            self.loaded.by_lead.get(found.lead_id)
        )

    def escalation(self, found: r.Escalation) -> bool:
        lead = self.loaded.by_lead.get(found.lead_id)
        return self._rep_ok(found.rep, lead.team if lead else None) and self._dims_ok(lead)

    def _unfiltered(self) -> bool:
        f = self.filters
        return (
            f.rep is None
            and f.source is None
            and f.campaign is None
            and (f.team is None or f.team in METRIC_TEAMS)
        )


def _deals_matching(credits: list[r.Credit], filters: ScorecardFilters) -> list[r.Credit]:
    """Whole deals (per model) with a marketing share from the source's channel / the campaign."""
    if filters.source is None and filters.campaign is None:
        return credits
    channel = rules.channel_of(filters.source) if filters.source is not None else None
    keep = {
        (x.model, x.deal_id)
        for x in credits
        if x.marketing
        and (channel is None or x.channel == channel)
        and (filters.campaign is None or x.campaign == filters.campaign)
    }
    return [x for x in credits if (x.model, x.deal_id) in keep]


def _params(config: BatonConfig, filters: ScorecardFilters) -> rules.Params:
    order = tuple(config.lifecycle.stage_order or DEFAULT_STAGE_ORDER)
    handoff = config.handoff.stage
    if handoff not in order:
        order = (handoff, *order)
    later = set(order[order.index(handoff) + 1 :])
    accepted = frozenset(
        m.salesforce.value
        for m in config.lifecycle.stages
        if m.hubspot in later and m.salesforce.object == "Lead"
    ) | frozenset(config.sla.working_statuses)
    calendar = _RememberingCalendar(config.sla.calendar)
    by_person = filters.rep is not None or (
        filters.team is not None and filters.team not in METRIC_TEAMS
    )
    return rules.Params(
        targets=config.scorecard.targets,
        stage_order=order,
        handoff_stage=handoff,
        accepted_statuses=accepted,
        primary_model=config.credit.primary_model,
        cherry_pick_min_leads=config.scorecard.cherry_pick_min_leads,
        cherry_pick_ratio=config.scorecard.cherry_pick_ratio,
        business_time=calendar.between,
        credit_filterable=not by_person,
        holds_filterable=not by_person and filters.source is None and filters.campaign is None,
        currency=config.credit.currency,
        pipeline_filterable=not by_person and filters.source is None and filters.campaign is None,
    )


class _RememberingCalendar(BusinessTime):
    """The SLA calendar, remembering each local day it worked out: a week's clocks share the
    same few days, and a day (working hours, holidays, DST) is what costs."""

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one calendar per build, dropped after it
    def day(self, local: date) -> Day:
        return super().day(local)


def _lead_ref(config: BatonConfig, ref: rules.Ref) -> LeadRef:
    system, obj, record_id = ref
    url = None
    if system == "salesforce" and config.salesforce.instance_url:
        base = str(config.salesforce.instance_url).rstrip("/")
        url = f"{base}/lightning/r/{obj}/{record_id}/view"
    elif system == "hubspot" and config.hubspot.portal_id:
        kind = "0-3" if obj == "deal" else "0-1"  # HubSpot's object type ids: deal, contact
        url = (
            f"https://app.hubspot.com/contacts/{config.hubspot.portal_id}/record/{kind}/{record_id}"
        )
    return LeadRef(system, obj, record_id, url)  # type: ignore[arg-type]
