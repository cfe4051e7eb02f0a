"""The SLA job's own state: ``sla_clocks``, the touches counted on them, and breaches.

A Task arrives as an event of its own record while the breach timer is an event of the lead,
so the two can be handled by two workers at once. The clock row is where they meet: every
change to a clock reads it ``FOR UPDATE`` (PostgreSQL; SQLite has one writer anyway), so the
second of the two sees what the first decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector import preload
from connector.jobs.sla.rules import OPEN_STATES, Breach
from connector.store.models import SlaBreach, SlaClock, SlaTouch

#: the name the SLA job's preloaded clocks go by in a chunk's ``connector.preload``
PRELOADED = "sla"


@dataclass
class PreloadedClocks:
    """The newest clock of each lead a chunk's events name, locked (``Job.preload``); a lead
    in ``leads`` without an entry in ``latest`` has no clock."""

    leads: set[str] = field(default_factory=set)
    latest: dict[str, SlaClock] = field(default_factory=dict)


def preload_latest(session: Session, lead_ids: Sequence[str]) -> None:
    """Read and lock the newest clock of every lead at once, for the chunk's :func:`latest`."""
    loaded = preload.of(session)
    if loaded is None or not lead_ids:
        return
    leads = {lead_id[:18] for lead_id in lead_ids}
    loaded.extra[PRELOADED] = PreloadedClocks(leads, latest_of(session, sorted(leads)))


def started(session: Session, clock: SlaClock) -> None:
    """A new clock is the lead's newest from now on (for the chunk's preload)."""
    cached = _preloaded(session)
    if cached is not None and clock.lead_id in cached.leads:
        cached.latest[clock.lead_id] = clock


def _preloaded(session: Session) -> PreloadedClocks | None:
    loaded = preload.of(session)
    return loaded.extra.get(PRELOADED) if loaded is not None else None


def latest(session: Session, lead_id: str) -> SlaClock | None:
    """The lead's newest clock (open or not), locked for this transaction."""
    cached = _preloaded(session)
    if cached is not None and lead_id[:18] in cached.leads:
        return cached.latest.get(lead_id[:18])
    query = (
        select(SlaClock)
        .where(SlaClock.lead_id == lead_id[:18])
        .order_by(SlaClock.number.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def latest_of(session: Session, lead_ids: Sequence[str]) -> dict[str, SlaClock]:
    """Each lead's newest clock (as :func:`latest`, for many leads in one SELECT), by lead id."""
    query = (
        select(SlaClock)
        .where(SlaClock.lead_id.in_({lead_id[:18] for lead_id in lead_ids}))
        .order_by(SlaClock.number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {clock.lead_id: clock for clock in session.scalars(query)}


def by_id(session: Session, clock_id: int) -> SlaClock | None:
    """One clock, locked for this transaction."""
    query = (
        select(SlaClock)
        .where(SlaClock.id == clock_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def is_open(clock: SlaClock | None) -> bool:
    """Running or breached: a touch still changes it."""
    return clock is not None and clock.state in OPEN_STATES


def add_touch(session: Session, clock: SlaClock, activity_id: str, at: datetime) -> bool:
    """Count an activity once on a clock; False when it was counted already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = session.execute(
        insert(SlaTouch)
        .values(clock_id=clock.id, activity_id=activity_id[:18], at=at)
        .on_conflict_do_nothing(index_elements=["clock_id", "activity_id"])
    ).rowcount
    if added:
        clock.touches = (clock.touches or 0) + 1
    return bool(added)


def record_breach(session: Session, clock: SlaClock, kind: Breach, at: datetime) -> bool:
    """Record a broken promise once per clock and kind; False when already recorded."""
    exists = session.scalar(
        select(func.count())
        .select_from(SlaBreach)
        .where(SlaBreach.clock_id == clock.id, SlaBreach.kind == kind.value)
    )
    if exists:
        return False
    session.add(
        SlaBreach(
            clock_id=clock.id,
            kind=kind.value,
            at=at,
            owner_id=clock.owner_id,
            team=clock.team,
            policy=clock.policy,
        )
    )
    session.flush()
    return True
