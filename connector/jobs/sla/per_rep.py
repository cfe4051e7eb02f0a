"""The per-rep ladder: a rep's n-th missed first response in a period, and their context.

The agreement says a rep's first missed lead in a week tells their manager and the second their
director. The place of a miss is a row of ``sla_rep_misses``, unique per (rep, period, place):
two workers recording two of a rep's misses at once cannot both be "the first" — on PostgreSQL
the second insert waits for the first transaction, finds the place taken, and counts again.
Each message carries the rep's period in numbers (leads, share within the SLA, open leads), read
from the clocks table, so the reader can tell a bad week from a busy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connector.jobs.sla.rules import OPEN_STATES, Breach, Period, State
from connector.store.models import SlaBreach, SlaClock, SlaRepMiss

#: how often a miss is placed again after concurrent misses of the same rep took its place
ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class RepContext:
    """A rep's period: clocks started, first responses met and missed, clocks open now."""

    leads: int
    met: int
    missed: int
    open_leads: int


def next_place(session: Session, clock: SlaClock, period: Period) -> int:
    """The place this clock's miss would take among its owner's misses in ``period`` (1 =
    first): one after those recorded. Read only, so the CRM reads that depend on it can come
    before anything is written. (A clock is placed in the transaction that breaches it, and
    only a running clock breaches, so it holds no place yet; ``take_place`` checks anyway.)"""
    count = session.scalar(
        select(func.count())
        .select_from(SlaRepMiss)
        .where(SlaRepMiss.owner_id == clock.owner_id, SlaRepMiss.period == period.code)
    )
    return int(count or 0) + 1


def take_place(session: Session, clock: SlaClock, period: Period, place: int, at: datetime) -> bool:
    """Record the miss at ``place``; False when another miss took it first (count again).

    ``ON CONFLICT DO NOTHING``: on PostgreSQL a concurrent insert of the same place waits for
    the other transaction and then does nothing, so no savepoint is needed. A clock that holds
    this place already counts as taken.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = session.execute(
        insert(SlaRepMiss)
        .values(
            clock_id=clock.id, owner_id=clock.owner_id, period=period.code, ordinal=place, at=at
        )
        .on_conflict_do_nothing()
    ).rowcount
    if added:
        return True
    held = session.scalar(select(SlaRepMiss.ordinal).where(SlaRepMiss.clock_id == clock.id))
    return held == place


def rep_context(session: Session, owner_id: str, period: Period) -> RepContext:
    """The rep's numbers for the message: one pass over the rep's clocks (``ix_sla_clocks_owner``)
    and a count of their breaches in the period (``ix_sla_breaches_owner``)."""
    in_period = and_(SlaClock.started_at >= period.start, SlaClock.started_at < period.end)
    leads, met, open_now = session.execute(
        select(
            func.count().filter(in_period),
            func.count().filter(in_period, SlaClock.state == State.MET.value),
            func.count().filter(SlaClock.state.in_(OPEN_STATES)),
        ).where(SlaClock.owner_id == owner_id)
    ).one()
    missed = session.scalar(
        select(func.count()).where(
            SlaBreach.owner_id == owner_id,
            SlaBreach.kind == Breach.FIRST_RESPONSE.value,
            SlaBreach.at >= period.start,
            SlaBreach.at < period.end,
        )
    )
    return RepContext(int(leads or 0), int(met or 0), int(missed or 0), int(open_now or 0))
