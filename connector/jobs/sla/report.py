"""SLA in numbers for ``baton sla status`` and the scorecard: counted in SQL, ids and codes only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.jobs.sla.rules import State
from connector.store.models import SlaBreach, SlaClock


@dataclass(frozen=True, slots=True)
class OpenClock:
    """A clock still running, and when it breaks."""

    lead_id: str
    number: int
    owner_id: str
    team: str | None
    policy: str
    started_at: datetime
    deadline_at: datetime


def open_clocks(session: Session, limit: int = 20) -> list[OpenClock]:
    """Running clocks nearest to their deadline first (``ix_sla_clocks_open``)."""
    query = (
        select(
            SlaClock.lead_id,
            SlaClock.number,
            SlaClock.owner_id,
            SlaClock.team,
            SlaClock.policy,
            SlaClock.started_at,
            SlaClock.deadline_at,
        )
        .where(SlaClock.state == State.RUNNING.value)
        .order_by(SlaClock.deadline_at, SlaClock.id)
        .limit(limit)
    )
    return [OpenClock(*row) for row in session.execute(query)]


def clock_states(session: Session) -> dict[str, int]:
    """How many clocks are in each state (running, met, breached, acted, ended)."""
    query = select(SlaClock.state, func.count()).group_by(SlaClock.state)
    return {state: count for state, count in session.execute(query)}


@dataclass(frozen=True, slots=True)
class BreachCount:
    """How many breaches of one kind one rep had on one team under one policy."""

    kind: str
    owner_id: str
    team: str | None
    policy: str
    count: int


def breach_counts(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[BreachCount]:
    """Breaches in [since, until), grouped by kind, rep, team and policy (sum for per-team)."""
    columns = (SlaBreach.kind, SlaBreach.owner_id, SlaBreach.team, SlaBreach.policy)
    order = [column.asc().nulls_first() for column in columns]  # the same on both engines
    query = select(*columns, func.count()).group_by(*columns).order_by(*order)
    if since is not None:
        query = query.where(SlaBreach.at >= since)
    if until is not None:
        query = query.where(SlaBreach.at < until)
    return [BreachCount(*row) for row in session.execute(query)]
