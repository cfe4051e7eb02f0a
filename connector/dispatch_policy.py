"""When to send queued writes: full batches when they fill, a remainder only after a short wait.

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
    """How long due writes may wait for company before they go out anyway.

    While writes keep coming, only full batches go (a system's remainder waits for the next
    ones), so a burst is written at the batch floor; a remainder goes once its oldest write has
    waited ``busy_s`` (``idle_s`` when no event is left to handle). That is at most one
    partial call per system per second on top of the full ones, well inside Baton's share of
    either CRM's rate limit (HubSpot 190 calls / 10 s, the shared ledger holds every process to
    its share), and it keeps a steady trickle's latency near a second.
    """

    idle_s: float = 1.0
    busy_s: float = 1.0
    full_batch: Mapping[str, int] = field(default_factory=lambda: dict(FULL_BATCH))

    def quotas(
        self, due: Mapping[str, tuple[int, datetime]], now: datetime, idle: bool
    ) -> dict[str, int]:
        """Pure: how many writes of each system to send now. ``due`` maps a system to (count
        of due writes, when the oldest was queued); a system not in the answer waits."""
        limit = self.idle_s if idle else self.busy_s
        send: dict[str, int] = {}
        for system, (count, oldest) in due.items():
            batch = self.full_batch.get(system, 1)
            if (now - oldest).total_seconds() >= limit:
                send[system] = count  # waited long enough: everything, remainder included
            elif count >= batch:
                send[system] = count // batch * batch  # full batches only
        return send

    def is_due(self, due: Mapping[str, tuple[int, datetime]], now: datetime, idle: bool) -> bool:
        """Pure: True when any write should go now (see :meth:`quotas`)."""
        return bool(self.quotas(due, now, idle))


def due_writes(session: Session, now: datetime) -> dict[str, tuple[int, datetime]]:
    """Per system: how many writes are due now, and when the oldest of them was queued."""
    rows = session.execute(
        select(OutboxCommand.system, func.count(), func.min(OutboxCommand.created_at))
        .where(OutboxCommand.status == "pending", OutboxCommand.next_attempt_at <= now)
        .group_by(OutboxCommand.system)
    ).all()
    return {system: (count, oldest) for system, count, oldest in rows}
