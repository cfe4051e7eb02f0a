"""The observe job: once a day, count what observe mode kept instead of writing.

A timer of a record of its own (``baton:observe:summary``) fires at midnight UTC; the job
counts the observed commands of the day before per system and kind, logs the summary (INFO,
``observe summary``) and files it in the audit under that record, then sets the
next day's timer — only while observe mode is on, so switching it off ends the series after
one last summary. ``baton serve --observe`` / ``baton worker`` start the series
(:func:`start_daily_summary`); ``baton observe summary`` prints the same on demand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from connector import timers
from connector.jobs.base import DONE, SKIPPED, JobContext, JobSetup, Outcome, is_timer
from connector.observing import summarize_observed, summary_text
from connector.store.models import InboxEvent
from connector.timers import SetTimer

log = logging.getLogger(__name__)

NAME = "observe"
#: the record the summaries are filed under (not a CRM record: it exists for the audit)
SUMMARY_RECORD = "baton:observe:summary"
SUMMARY_TIMER = "observe_daily_summary"


def next_midnight(now: datetime) -> datetime:
    """The next 00:00 UTC strictly after ``now``. Pure."""
    day = now.astimezone(UTC).date() + timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=UTC)


def daily_timer(now: datetime) -> SetTimer:
    """The timer of the next summary, keyed by its day: one per day, however often set."""
    due = next_midnight(now)
    return SetTimer(SUMMARY_TIMER, f"daily:{due.date()}", due, record_key=SUMMARY_RECORD)


def start_daily_summary(session: Session, now: datetime) -> str:
    """Make sure the next summary is scheduled (a restart schedules nothing twice)."""
    return timers.schedule(session, NAME, daily_timer(now), SUMMARY_RECORD)


@dataclass(frozen=True)
class ObserveJob:
    """Summarizes observe mode's day; ``observe`` says whether to go on the next day."""

    observe: bool
    name: str = NAME

    def wants(self, event: InboxEvent) -> bool:
        """No CRM event: only its own timer reaches it."""
        return False

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """File the day's summary and set the next day's timer while observe mode is on."""
        if not is_timer(event) or event.provider_type != SUMMARY_TIMER:
            return Outcome(SKIPPED, "not the daily summary")
        until = event.occurred_at.astimezone(UTC)
        summary = summarize_observed(ctx.session, until - timedelta(days=1), until)
        text = summary_text(summary)
        log.info("observe summary", extra={"would_be_writes": summary.total, "summary": text})
        following = (daily_timer(until),) if self.observe else ()
        return Outcome(DONE, f"{summary.total} would-be writes", timers=following, audit=(text,))


def build(setup: JobSetup) -> ObserveJob:
    """The job factory listed in ``connector.jobs.registry``."""
    return ObserveJob(observe=setup.config.service.observe)
