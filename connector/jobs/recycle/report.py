"""Recycling in numbers, for the scorecard and the demo: counted in SQL, ids and codes only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store.models import RecycleEpisode


@dataclass(frozen=True, slots=True)
class RecycleCount:
    """How many episodes share one outcome, reason, trigger source and rep."""

    state: str
    reason_code: str | None
    reason_flag: str | None
    trigger_source: str
    previous_owner_id: str | None
    count: int


def recycle_counts(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[RecycleCount]:
    """Episodes started in [since, until), grouped by state, reason, source and rep."""
    columns = (
        RecycleEpisode.state,
        RecycleEpisode.reason_code,
        RecycleEpisode.reason_flag,
        RecycleEpisode.trigger_source,
        RecycleEpisode.previous_owner_id,
    )
    order = [column.asc().nulls_first() for column in columns]  # the same on both engines
    query = select(*columns, func.count()).group_by(*columns).order_by(*order)
    if since is not None:
        query = query.where(RecycleEpisode.recycled_at >= since)
    if until is not None:
        query = query.where(RecycleEpisode.recycled_at < until)
    return [RecycleCount(*row) for row in session.execute(query)]
