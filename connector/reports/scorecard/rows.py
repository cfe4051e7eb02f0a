"""The plain rows the scorecard's rules count, read from Baton's store (the only I/O here).

Each reader takes a session and a UTC window ``[since, until)`` and returns frozen rows with
ids and codes only. A lead's dimensions (source, campaign, rep) come from its hand-off: the
``CreateLead`` command Baton wrote, whose fields carry the HubSpot context properties the admin
copies at hand-off (``handoff.context_fields``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from adapters.batching import chunked
from connector.commands import CreateLead, Notify, UpdateFields
from connector.config import BatonConfig
from connector.jobs.credit.currency import minor_digits
from connector.jobs.lifecycle.processor import HOLD_REASON_PROPERTY
from connector.store.models import (
    CreditLedgerRow,
    InboxEvent,
    OutboxCommand,
    PipelineDeal,
    RecordLink,
    RecordState,
    RecycleEpisode,
    SlaClock,
)

#: the HubSpot property whose hand-off copy is a lead's source
SOURCE_PROPERTY = "hs_analytics_source"
UNKNOWN = "(unknown)"


@dataclass(frozen=True, slots=True)
class Lead:
    """A handed-off person: the hand-off, its dimensions and what became of the lead so far."""

    contact_id: str
    lead_id: str | None
    rep: str | None
    team: str | None
    source: str
    campaign: str
    handed_at: datetime
    #: the Salesforce Lead's last known status, and whether it was converted
    status: str | None
    converted: bool
    #: first time the HubSpot contact was seen at each lifecycle stage (inbox events)
    stages: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class Hold:
    """An MQL Baton held back (latest reason, never handed over)."""

    contact_id: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Clock:
    """A first-response clock (``sla_clocks``)."""

    id: int
    lead_id: str
    rep: str
    team: str | None
    state: str
    started_at: datetime
    stopped_at: datetime | None
    stopped_by: str | None
    touches: int


@dataclass(frozen=True, slots=True)
class Escalation:
    """One escalation step sent (or queued) for one clock, whatever its channels."""

    clock_id: int
    lead_id: str
    rep: str
    step: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Credit:
    """One live ledger share: a touch's credit on a won deal under one model."""

    deal_id: str
    model: str
    position: int
    marketing: bool
    channel: str
    campaign: str | None
    amount: Decimal
    currency: str
    computed_at: datetime


def leads(
    session: Session,
    config: BatonConfig,
    since: datetime,
    until: datetime,
    lead_ids: Iterable[str] = (),
    contact_ids: Iterable[str] = (),
) -> list[Lead]:
    """Hand-offs done in the window, plus those of the given leads and contacts (a recycle or
    clock this week of a lead handed off earlier), oldest first, with dimensions and outcome.

    Only these leads are read (by indexed keys, in chunks), so the cost follows the week, not
    the store's whole history.
    """
    context = config.handoff.context_fields
    source_field = context.get(SOURCE_PROPERTY)
    campaign_field = context.get(config.scorecard.campaign_property)
    columns = (OutboxCommand.id, OutboxCommand.payload, OutboxCommand.result, OutboxCommand.done_at)
    handed = select(*columns).where(
        OutboxCommand.kind == CreateLead.kind, OutboxCommand.status == "done"
    )
    rows = {row[0]: row for row in session.execute(
        handed.where(OutboxCommand.done_at >= since, OutboxCommand.done_at < until)
    )}  # fmt: skip
    contacts = set(contact_ids) | set(_links(session, lead_ids, "hubspot_contact_id").values())
    keys = [f"hubspot:contact:{c}" for c in contacts]
    for chunk in _chunks(keys):
        for row in session.execute(handed.where(OutboxCommand.record_key.in_(chunk))):
            rows.setdefault(row[0], row)
    ordered = sorted(rows.values(), key=lambda row: (row[3], row[0]))
    found_leads = [str((row[2] or {}).get("id") or "") for row in ordered]
    found_leads = [lead for lead in found_leads if lead]
    owners = _clock_owners(session, found_leads)
    converted = _links(session, found_leads, "salesforce_contact_id")
    statuses = _statuses(session, found_leads)
    stages = _stage_times(session, [str(row[1].get("hubspot_contact_id", "")) for row in ordered])
    found: list[Lead] = []
    for _, payload, result, done_at in ordered:
        fields = payload.get("fields", {})
        contact = str(payload.get("hubspot_contact_id", ""))
        lead_id = str((result or {}).get("id") or "") or None
        rep, team = owners.get(lead_id or "", (payload.get("owner_id"), None))
        found.append(
            Lead(
                contact_id=contact,
                lead_id=lead_id,
                rep=rep,
                team=team,
                source=_value(fields, source_field),
                campaign=_value(fields, campaign_field),
                handed_at=done_at,
                status=statuses.get(lead_id or ""),
                converted=lead_id in converted,
                stages=stages.get(contact, ()),
            )
        )
    return found


#: ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits
CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    """Distinct values, sorted (stable SQL), in IN-list sized slices."""
    return chunked(sorted(set(values)), CHUNK)


def _lookup(session: Session, key: Any, value: Any, keys: Iterable[str]) -> dict[str, str]:
    """``key`` column value → ``value`` column value, for the given keys whose value is set:
    the one chunked look-up behind a lead's linked contact, conversion and status."""
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        query = select(key, value).where(key.in_(chunk), value.is_not(None))
        found.update((str(k), str(v)) for k, v in session.execute(query))
    return found


def _links(session: Session, lead_ids: Iterable[str], column: str) -> dict[str, str]:
    """Salesforce lead id → the ``column`` of its RecordLink (its HubSpot contact, or the
    Contact a conversion made), for the leads that have one."""
    return _lookup(session, RecordLink.salesforce_lead_id, getattr(RecordLink, column), lead_ids)


def _statuses(session: Session, lead_ids: list[str]) -> dict[str, str]:
    """Each Salesforce lead's last known status (its record state's stage)."""
    keys = (f"salesforce:lead:{lead}" for lead in lead_ids)
    found = _lookup(session, RecordState.record_key, RecordState.stage, keys)
    return {key.removeprefix("salesforce:lead:"): stage for key, stage in found.items()}


def holds(session: Session, since: datetime, until: datetime) -> list[Hold]:
    """MQLs whose latest hold reason was written in the window and were never handed over.

    Only the window's writes matter: a hold is counted in the week its latest reason was
    written, and a hold cleared later was cleared by a hand-off, which excludes it anyway.
    """
    rows = session.execute(
        select(OutboxCommand.payload, OutboxCommand.done_at, OutboxCommand.created_at)
        .where(OutboxCommand.kind == UpdateFields.kind, OutboxCommand.system == "hubspot")
        .where(OutboxCommand.status.in_(("done", "pending")))
        .where(OutboxCommand.created_at >= since, OutboxCommand.created_at < until)
        .order_by(OutboxCommand.id)
    )
    latest: dict[str, Hold] = {}
    for payload, done_at, created_at in rows:
        fields = payload.get("fields", {})
        if HOLD_REASON_PROPERTY not in fields:
            continue
        contact = str(payload.get("object_id", ""))
        reason, at = fields[HOLD_REASON_PROPERTY], done_at or created_at
        if reason:
            latest[contact] = Hold(contact, str(reason), at)
        else:
            latest.pop(contact, None)
    handed: set[str] = set()
    for chunk in _chunks(f"hubspot:contact:{contact}" for contact in latest):
        handed.update(
            session.scalars(
                select(OutboxCommand.record_key).where(
                    OutboxCommand.kind == CreateLead.kind,
                    OutboxCommand.status.in_(("done", "pending")),
                    OutboxCommand.record_key.in_(chunk),
                )
            )
        )
    return [
        hold
        for contact, hold in latest.items()
        if f"hubspot:contact:{contact}" not in handed and since <= hold.at < until
    ]


@dataclass(frozen=True, slots=True)
class Episode:
    """A "not now" or disqualification (``recycle_episodes``), with the rep who had the lead."""

    contact_id: str | None
    lead_id: str | None
    rep: str | None
    state: str
    reason_code: str | None
    reason_flag: str | None
    at: datetime


def episodes(session: Session, since: datetime, until: datetime) -> list[Episode]:
    """Recycle episodes (recycled, disqualified, parked, refused …) in the window."""
    query = (
        select(
            RecycleEpisode.hubspot_contact_id,
            RecycleEpisode.salesforce_lead_id,
            RecycleEpisode.previous_owner_id,
            RecycleEpisode.state,
            RecycleEpisode.reason_code,
            RecycleEpisode.reason_flag,
            RecycleEpisode.recycled_at,
        )
        .where(RecycleEpisode.recycled_at >= since, RecycleEpisode.recycled_at < until)
        .order_by(RecycleEpisode.recycled_at, RecycleEpisode.id)
    )
    return [Episode(*row) for row in session.execute(query)]


def clocks(session: Session, since: datetime, until: datetime) -> list[Clock]:
    """First-response clocks started in the window."""
    query = (
        select(
            SlaClock.id,
            SlaClock.lead_id,
            SlaClock.owner_id,
            SlaClock.team,
            SlaClock.state,
            SlaClock.started_at,
            SlaClock.stopped_at,
            SlaClock.stopped_by,
            SlaClock.touches,
        )
        .where(SlaClock.started_at >= since, SlaClock.started_at < until)
        .order_by(SlaClock.started_at, SlaClock.id)
    )
    return [Clock(*row) for row in session.execute(query)]


def lead_touches(session: Session, lead_ids: Iterable[str]) -> dict[str, int]:
    """Logged touches per Salesforce lead over all its clocks (attempts before an outcome)."""
    found: dict[str, int] = {}
    for chunk in _chunks(lead_ids):
        query = (
            select(SlaClock.lead_id, func.sum(SlaClock.touches))
            .where(SlaClock.lead_id.in_(chunk))
            .group_by(SlaClock.lead_id)
        )
        found.update((lead, int(total or 0)) for lead, total in session.execute(query))
    return found


def escalations(session: Session, since: datetime, until: datetime) -> list[Escalation]:
    """Escalation steps queued in the window: one per (clock, step), over all channels."""
    query = (
        select(OutboxCommand.idempotency_key, OutboxCommand.payload, OutboxCommand.created_at)
        .where(OutboxCommand.kind == Notify.kind)
        .where(OutboxCommand.idempotency_key.like("sla:%"))
        .where(OutboxCommand.created_at >= since, OutboxCommand.created_at < until)
        .order_by(OutboxCommand.id)
    )
    seen: dict[tuple[int, int], Escalation] = {}
    for key, payload, created_at in session.execute(query):
        clock = key.split(":")[1]
        step = int(payload.get("step") or 0)
        if not clock.isdigit() or (int(clock), step) in seen:
            continue
        seen[(int(clock), step)] = Escalation(
            int(clock),
            str(payload.get("lead_id", "")),
            str(payload.get("owner_id", "")),
            step,
            created_at,
        )
    return list(seen.values())


def credits(session: Session, since: datetime, until: datetime) -> list[Credit]:
    """Live ledger shares of deals credited in the window (won revenue, every model)."""
    query = (
        select(CreditLedgerRow)
        .where(CreditLedgerRow.reversed_at.is_(None))
        .where(CreditLedgerRow.computed_at >= since, CreditLedgerRow.computed_at < until)
        .order_by(CreditLedgerRow.deal_id, CreditLedgerRow.model, CreditLedgerRow.position)
    )
    return [
        Credit(
            row.deal_id,
            row.model,
            row.position,
            row.touch_id is not None,
            row.channel,
            row.campaign,
            Decimal(row.amount_minor).scaleb(-minor_digits(row.currency)),
            row.currency,
            row.computed_at,
        )
        for row in session.scalars(query)
    ]


@dataclass(frozen=True, slots=True)
class OpenDeal:
    """A deal's stretch in the open pipeline (``pipeline_deals``), at its last recorded amount."""

    deal_id: str
    system: str
    amount: Decimal
    currency: str
    sourced: bool
    influenced: bool
    opened_at: datetime
    left_at: datetime | None

    def open_at(self, moment: datetime) -> bool:
        """In the open pipeline at ``moment``: entered by then and not left yet."""
        return self.opened_at <= moment and (self.left_at is None or self.left_at > moment)


def pipeline(session: Session, since: datetime, until: datetime) -> list[OpenDeal]:
    """Deals open at some moment of ``[since, until)``: entered before ``until``, not left
    before ``since`` (the rules pick those open at each week's end)."""
    query = (
        select(PipelineDeal)
        .where(PipelineDeal.opened_at < until)
        .where((PipelineDeal.left_at.is_(None)) | (PipelineDeal.left_at >= since))
        .order_by(PipelineDeal.deal_id)
    )
    return [
        OpenDeal(
            row.deal_id,
            row.system,
            Decimal(row.amount_minor).scaleb(-minor_digits(row.currency)),
            row.currency,
            row.sourced,
            row.influenced,
            row.opened_at,
            row.left_at,
        )
        for row in session.scalars(query)
    ]


def first_data(session: Session) -> datetime | None:
    """When the first hand-off happened (the oldest week worth showing)."""
    return session.scalar(
        select(func.min(OutboxCommand.done_at)).where(
            OutboxCommand.kind == CreateLead.kind, OutboxCommand.status == "done"
        )
    )


def _clock_owners(session: Session, lead_ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """The rep and team of each lead's latest clock (the person who owns the promise)."""
    found: dict[str, tuple[str, str | None]] = {}
    for chunk in _chunks(lead_ids):
        query = (
            select(SlaClock.lead_id, SlaClock.owner_id, SlaClock.team)
            .where(SlaClock.lead_id.in_(chunk))
            .order_by(SlaClock.lead_id, SlaClock.number)
        )
        found.update((lead, (owner, team)) for lead, owner, team in session.execute(query))
    return found


def _stage_times(
    session: Session, contact_ids: list[str]
) -> dict[str, tuple[tuple[str, datetime], ...]]:
    """Per HubSpot contact id: the first time each lifecycle stage was seen on it."""
    first: dict[str, dict[str, datetime]] = {}
    for chunk in _chunks(f"hubspot:contact:{c}" for c in contact_ids if c):
        query = (
            select(InboxEvent.object_id, InboxEvent.changes, InboxEvent.occurred_at)
            .where(InboxEvent.record_key.in_(chunk), InboxEvent.source == "hubspot")
            # most contact events are no stage change: skip them before their JSON is decoded
            .where(cast(InboxEvent.changes, String).like('%"lifecyclestage"%'))
            .order_by(InboxEvent.occurred_at, InboxEvent.id)
        )
        for contact, changes, at in session.execute(query):
            stage = (changes or {}).get("lifecyclestage")
            if stage:
                first.setdefault(contact, {}).setdefault(str(stage), at)
    return {contact: tuple(seen.items()) for contact, seen in first.items()}


def _value(fields: dict[str, object], field: str | None) -> str:
    value = fields.get(field) if field else None
    return str(value).strip() if value not in (None, "") else UNKNOWN


def lead_ids(found: Iterable[Lead]) -> dict[str, Lead]:
    """Leads by Salesforce lead id (those whose Lead was created)."""
    return {lead.lead_id: lead for lead in found if lead.lead_id}


def conversions(session: Session, since: datetime, until: datetime) -> list[str]:
    """Salesforce leads whose clock was stopped by a conversion in the window."""
    query = (
        select(SlaClock.lead_id)
        .where(SlaClock.stopped_by == "converted")
        .where(SlaClock.stopped_at >= since, SlaClock.stopped_at < until)
        .order_by(SlaClock.stopped_at, SlaClock.id)
    )
    return list(dict.fromkeys(session.scalars(query)))
