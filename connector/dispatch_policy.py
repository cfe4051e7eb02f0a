"""When to send queued writes: full batches when they fill, small ones only after a short wait.

Dispatching after every worker pass sends a burst in batches of at most one pass (~100 records,
half a Salesforce collection) and a steady trickle in batches of a few. Waiting for company —
until a system has a full batch due, or its oldest due write has waited ``idle_s`` with no event
left to handle, or ``busy_s`` in any case — brought a 10,000-change burst to the batch floor
(Salesforce 54 → 26 calls, floor 25) and 1,000 changes at 25/s from 45 to 12 Salesforce calls,
with no measurable latency cost (docs/BENCHMARKS.md, ``bench/sync.py --proposed-dispatch``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connector.store.models import OutboxCommand

#: records per write call the CRMs accept (HubSpot batch endpoints, Salesforce collections)
FULL_BATCH = {"hubspot": 100, "salesforce": 200}


@dataclass(frozen=True, slots=True)
class LingerPolicy:
    """How long due writes may wait for company before they go out anyway."""

    idle_s: float = 1.0
    busy_s: float = 5.0
    full_batch: Mapping[str, int] = field(default_factory=lambda: dict(FULL_BATCH))

    def is_due(self, due: Mapping[str, tuple[int, datetime]], now: datetime, idle: bool) -> bool:
        """Pure: ``due`` maps a system to (count of due writes, when the oldest was queued)."""
        limit = self.idle_s if idle else self.busy_s
        return any(
            count >= self.full_batch.get(system, 1) or (now - oldest).total_seconds() >= limit
            for system, (count, oldest) in due.items()
        )


def due_writes(session: Session, now: datetime) -> dict[str, tuple[int, datetime]]:
    """Per system: how many writes are due now, and when the oldest of them was queued."""
    rows = session.execute(
        select(OutboxCommand.system, func.count(), func.min(OutboxCommand.created_at))
        .where(OutboxCommand.status == "pending", OutboxCommand.next_attempt_at <= now)
        .group_by(OutboxCommand.system)
    ).all()
    return {system: (count, oldest) for system, count, oldest in rows}
