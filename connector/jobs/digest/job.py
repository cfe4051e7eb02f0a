"""The digest job: one durable timer per send moment; when it fires, the digest is queued.

Exactly once per week, across restarts and workers: the timer of a send moment has one key
(``digest-<send date>``), so every worker that makes sure it exists makes the same one, and a
timer fires once (``connector.timers``). Its handling queues one ``SendDigest`` per recipient
and channel, keyed by the reported week, so a replay queues nothing new; the dispatcher leases
each command, so two workers never send the same one. A digest whose moment passed while Baton
was down is sent when it comes back (the timer is still pending), and the next one is set then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from connector.commands import SendDigest, System
from connector.config import BatonConfig
from connector.jobs.base import DONE, JobContext, JobSetup, Outcome, is_timer
from connector.jobs.digest.render import Digest, render
from connector.jobs.digest.schedule import next_send, reported_week
from connector.privacy import email_hash
from connector.reports.scorecard.build import build_in
from connector.reports.scorecard.model import ScorecardFilters
from connector.store.models import InboxEvent
from connector.timers import SetTimer

SEND = "scorecard.digest"
#: the record the digest timers and audit lines belong to (no CRM record)
RECORD_KEY = "baton:digest:weekly"


def address_hash(address: str) -> str:
    """How a digest command names an e-mail recipient (the writer matches it to the config):
    the same normalized SHA-256 as every other address Baton keeps (``email_hash``)."""
    return email_hash(address) or ""


@dataclass
class DigestJob:
    """Sends the weekly scorecard digest; reacts to its own timers only."""

    config: BatonConfig
    name: str = "digest"

    def wants(self, event: InboxEvent) -> bool:
        """No CRM event: the digest runs on its timer."""
        return False

    def standing_timers(self, now: datetime) -> tuple[SetTimer, ...]:
        """The next send moment's timer (the worker makes sure it exists; same key, one timer)."""
        if not self._has_audience():
            return ()
        return (self._timer(self._next(now)),)

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """The send moment came: queue this week's digest, set the next moment."""
        if not is_timer(event) or event.provider_type != SEND:
            return Outcome(DONE, "digest: not a digest timer")
        config = self.config.scorecard
        week = date.fromisoformat(str(event.changes["week"]))
        card = build_in(ctx.session, self.config, week, ScorecardFilters())
        language = self.config.dashboard.language
        digest = render(card, config.escalate_after_weeks, config.dashboard_url, language)
        commands: list[SendDigest] = []
        recipients = dict.fromkeys((*config.recipients, *config.management))
        if self.config.notifiers.email is not None:
            for address in recipients:
                digest_hash = address_hash(address)
                commands.append(
                    self._command(week, "email", f"email:{digest_hash[:16]}", digest, digest_hash)
                )
        if config.slack and self.config.notifiers.slack is not None:
            commands.append(self._command(week, "slack", "slack", digest, ""))
        lagging = (
            f"; below target for long: {', '.join(digest.escalated)}" if digest.escalated else ""
        )
        line = f"digest of week {week.isoformat()}: {len(commands)} message(s) queued{lagging}"
        following = self._timer(self._next(event.occurred_at))
        return Outcome(DONE, line, commands=tuple(commands), timers=(following,), audit=(line,))

    def _command(
        self, week: date, channel: str, target: str, digest: Digest, to_hash: str
    ) -> SendDigest:
        return SendDigest(
            System.NOTIFY,
            f"notify:{channel}:{RECORD_KEY}",
            f"digest:{week.isoformat()}:{target}",
            week.isoformat(),
            channel=channel,
            to_address_hash=to_hash,
            week_start=week.isoformat(),
            subject=digest.subject,
            text=digest.slack if channel == "slack" else digest.text,
            html="" if channel == "slack" else digest.html,
        )

    def _next(self, after: datetime) -> datetime:
        config = self.config.scorecard
        zone = self.config.sla.calendar.timezone
        return next_send(after, config.send_on, config.send_at, zone)

    def _timer(self, moment: datetime) -> SetTimer:
        zone = self.config.sla.calendar.timezone
        week = reported_week(moment, self.config.scorecard.week_starts, zone)
        return SetTimer(
            SEND,
            f"digest-{moment.date().isoformat()}",
            moment,
            {"week": week.isoformat()},
            record_key=RECORD_KEY,
        )

    def _has_audience(self) -> bool:
        config, notifiers = self.config.scorecard, self.config.notifiers
        mail = notifiers.email is not None and bool(config.recipients or config.management)
        return mail or (config.slack and notifiers.slack is not None)


def build(setup: JobSetup) -> DigestJob:
    """The digest job for this config."""
    return DigestJob(setup.config)
