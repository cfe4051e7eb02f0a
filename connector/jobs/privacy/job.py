"""The privacy job: erase a person a CRM deleted, and prune on a timer of its own.

Registered last, so the other jobs have finished with a deletion event before the person's
rows are erased. The retention run is a timer of the record ``baton:privacy``: each run
schedules the next, keyed by its due time, so a replayed run cannot revive a spent timer
(docs/adrs/002). :func:`ensure_scheduled` plants the first one when a worker starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector import timers
from connector.config import BatonConfig
from connector.events import EventKind, ObjectType, Source
from connector.jobs.base import DONE, SKIPPED, JobContext, JobSetup, Outcome, is_timer
from connector.privacy.erasure import erase_person, was_erased
from connector.privacy.retention import prune
from connector.store.models import InboxEvent, Timer

NAME = "privacy"
RECORD = "baton:privacy"
RETENTION = "retention"
_PEOPLE = frozenset({ObjectType.LEAD.value, ObjectType.CONTACT.value})


@dataclass
class PrivacyJob:
    """Erasure on deletion events; the retention timer."""

    config: BatonConfig
    name: str = NAME

    def wants(self, event: InboxEvent) -> bool:
        """HubSpot privacy deletions; deletions of people (an erased id is erased again)."""
        if event.kind == EventKind.PRIVACY_DELETED:
            return event.source == Source.HUBSPOT
        return event.kind == EventKind.DELETED and event.object_type in _PEOPLE

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """Prune on the timer; erase on a deletion the config asks to act on."""
        if is_timer(event):
            return self._retention(ctx)
        origin = str(event.source)
        kind = "hubspot" if event.source == Source.HUBSPOT else "salesforce"
        asked = (
            event.kind == EventKind.PRIVACY_DELETED
            and self.config.privacy.erase_on_privacy_deletion
        ) or (
            event.source == Source.SALESFORCE and self.config.privacy.erase_on_salesforce_deletion
        )
        if not asked and not was_erased(ctx.session, kind, event.object_id):
            return Outcome(SKIPPED, "deletion: no erasure configured for it")
        report = erase_person(ctx.session, event.object_id, origin, ctx.now)
        ctx.session.refresh(event)  # its record key is a tombstone now: later lines use that
        return Outcome(
            DONE, f"erased the person: {report.total} row(s) in {len(report.rows)} table(s)"
        )

    def _retention(self, ctx: JobContext) -> Outcome:
        counts = prune(ctx.session, self.config, ctx.now)
        due = next_run(ctx.now, self.config)
        told = ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "nothing"
        return Outcome(
            DONE,
            f"retention: pruned {told}",
            timers=(timers.SetTimer(RETENTION, f"{RETENTION}:{due.isoformat()}", due),),
        )


def next_run(now: datetime, config: BatonConfig) -> datetime:
    """When the retention job runs after ``now``."""
    return now + timedelta(hours=config.privacy.prune_every_hours)


def ensure_scheduled(session: Session, now: datetime) -> bool:
    """Plant the first retention timer (due now) unless one is open; True when planted."""
    open_timer = session.scalar(
        select(Timer.id)
        .where(Timer.job == NAME, Timer.kind == RETENTION, Timer.status.in_(("pending", "fired")))
        .limit(1)
    )
    if open_timer is not None:
        return False
    request = timers.SetTimer(RETENTION, f"{RETENTION}:{now.isoformat()}", now)
    return timers.schedule(session, NAME, request, RECORD) == "scheduled"


def build(setup: JobSetup) -> PrivacyJob:
    """The privacy job for this config."""
    return PrivacyJob(setup.config)
