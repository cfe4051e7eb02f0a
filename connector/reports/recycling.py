"""Read-only views of recycling: every time sales said "not now", why, and what became of it.

From the recycle job's ``recycle_episodes`` table and its re-activation timers only (ids and
reason codes, never names), so the dashboard, the demo summary and later the scorecard count
recycles the same way: by reason, with the flagged ones (no usable reason) apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.jobs.recycle.episodes import COUNTED
from connector.jobs.recycle.job import REACTIVATE
from connector.store.models import RecycleEpisode, Timer

#: how an episode without a usable reason is counted
NO_REASON = "(no reason)"
#: episode states of people who went back to marketing (in nurture, re-activated, converted)
BACK_TO_MARKETING = COUNTED
#: episode states of a "not now" the job did not act on (too many recycles, a guard said no)
LEFT_ALONE = ("parked", "refused")


@dataclass(frozen=True, slots=True)
class Episode:
    """One "not now" and its outcome, by ids: ``state`` as in ``recycle_episodes``."""

    hubspot_contact_id: str | None
    salesforce_lead_id: str | None
    number: int
    state: str
    reason_code: str | None
    reason_flag: str | None
    trigger_source: str
    recycled_at: datetime
    reactivate_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """Episodes with one reason code (``NO_REASON`` when missing), its label and flag."""

    code: str
    label: str
    flag: str | None
    count: int
    #: the people, as HubSpot contact ids (the Salesforce lead id when not linked)
    records: tuple[str, ...] = ()


def episodes(session: Session, since: datetime | None = None) -> list[Episode]:
    """Every episode recycled at or after ``since`` (all when None), oldest first."""
    query = select(RecycleEpisode).order_by(RecycleEpisode.recycled_at, RecycleEpisode.id)
    if since is not None:
        query = query.where(RecycleEpisode.recycled_at >= since)
    return [
        Episode(
            row.hubspot_contact_id,
            row.salesforce_lead_id,
            row.number,
            row.state,
            row.reason_code,
            row.reason_flag,
            row.trigger_source,
            row.recycled_at,
            row.reactivate_at,
        )
        for row in session.scalars(query)
    ]


def by_reason(found: Iterable[Episode], labels: Mapping[str, str]) -> list[ReasonCount]:
    """Count episodes per reason, largest first; ``labels`` maps codes to words.

    A missing reason counts as ``NO_REASON``; an unknown one under the code the rep typed,
    with its flag, so the feedback metric sees both.
    """
    groups: dict[tuple[str, str | None], list[str]] = {}
    for e in found:
        record = e.hubspot_contact_id or e.salesforce_lead_id or "?"
        groups.setdefault((e.reason_code or NO_REASON, e.reason_flag), []).append(record)
    rows = [
        ReasonCount(code, labels.get(code, code), flag, len(records), tuple(records))
        for (code, flag), records in groups.items()
    ]
    return sorted(rows, key=lambda r: (-r.count, r.flag is not None, r.label))


def pending_reactivations(session: Session) -> list[datetime]:
    """Due times of the re-activation timers still waiting, soonest first."""
    query = (
        select(Timer.due_at)
        .where(Timer.kind == REACTIVATE, Timer.status == "pending")
        .order_by(Timer.due_at)
    )
    return list(session.scalars(query))
