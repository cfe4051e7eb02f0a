"""Hand each event of a record to the jobs that want it, and apply what they answer.

The worker calls :meth:`JobRunner.handle` once per event, inside a savepoint that holds the
event (or its whole chunk of records). The jobs' commands, timers and audit lines are written in
that savepoint, so an event's effects are all there or none are: a job that raises fails the
event, and the worker undoes it whole. Echoes need no decision: :meth:`JobRunner.settle_in_bulk`
settles many at once when every job that wants them offers it (``connector.jobs.base``). When a
job defers (it waits for something, e.g. the Salesforce lead being created), the jobs that
already finished are noted on the event (``jobs_done``) and only the rest see it again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from connector import audit, timers
from connector.commands import System
from connector.jobs.base import DEFERRED, DONE, SKIPPED, Job, JobContext, Outcome, is_timer
from connector.outbox import enqueue_known
from connector.ports import CrmReader
from connector.store.models import InboxEvent


@dataclass(frozen=True, slots=True)
class Result:
    """How one event ended: ``done``, ``skipped`` (echo, stale, irrelevant) or ``deferred``."""

    status: str
    summary: str
    commands: int = 0


@dataclass
class JobRunner:
    """The registered jobs, in order, and the CRM readers they share."""

    jobs: tuple[Job, ...]
    readers: Mapping[System, CrmReader] = field(default_factory=dict)

    def handle(self, session: Session, event: InboxEvent, now: datetime) -> Result:
        """Process one event inside the caller's transaction."""
        ctx = JobContext(session, now, self.readers)
        if is_timer(event):
            return self._deliver_timer(ctx, event)
        done = list(event.jobs_done or ())
        earlier = bool(done)  # jobs finished before a deferral: name each job in the summary
        wanted = [job for job in self.jobs if job.name not in done and job.wants(event)]
        if not wanted and not done:
            return Result(SKIPPED, f"no job uses {event.source} {event.object_type} events")
        finished: list[tuple[str, Outcome, int]] = []
        for job in wanted:
            outcome, commands = self._run(ctx, job, event)
            if outcome.status == DEFERRED:
                event.jobs_done = done or None
                parts = [*finished, (job.name, outcome, commands)]
                return Result(DEFERRED, _summary(parts, named=earlier))
            done.append(job.name)
            finished.append((job.name, outcome, commands))
        statuses = {outcome.status for _, outcome, _ in finished}
        return Result(
            DONE if DONE in statuses or not finished else SKIPPED,
            _summary(finished, named=earlier) or "already handled by every job",
            sum(commands for _, _, commands in finished),
        )

    def settles_in_bulk(self, event: InboxEvent) -> bool:
        """True when every job that wants ``event`` can settle it set-based (``jobs.base``)."""
        if is_timer(event) or event.jobs_done:
            return False
        wanted = [job for job in self.jobs if job.wants(event)]
        return bool(wanted) and all(
            getattr(job, "settles_in_bulk", lambda _e: False)(event) for job in wanted
        )

    def settle_in_bulk(
        self, session: Session, events: Sequence[InboxEvent], now: datetime
    ) -> list[tuple[list[InboxEvent], Result]]:
        """Settle events that :meth:`settles_in_bulk` accepted: per set of wanting jobs, each
        job once for all of its events. No commands, no timers: such events need no decision.

        A job deciding on its state (``bulk_outcomes``) may find that some event does need one:
        every event of that event's record is then left out (the caller handles the record one
        by one, in order). Events that end alike are returned together.
        """
        ctx = JobContext(session, now, self.readers)
        groups: dict[tuple[str, ...], list[InboxEvent]] = {}
        for event in events:
            names = tuple(job.name for job in self.jobs if job.wants(event))
            groups.setdefault(names, []).append(event)
        decided: dict[int, dict[str, Outcome]] = defaultdict(dict)
        declined: set[str] = set()
        for names, group in groups.items():
            for name in names:
                decide = getattr(self.job(name), "bulk_outcomes", None)
                if decide is None:
                    continue
                for event, outcome in zip(group, decide(ctx, group), strict=True):
                    if outcome is None:
                        declined.add(event.record_key)
                    else:
                        decided[event.id][name] = outcome
        settled: dict[Result, list[InboxEvent]] = {}
        for names, group in groups.items():
            group = [event for event in group if event.record_key not in declined]
            together = {
                name: self.job(name).settle_in_bulk(ctx, group)  # type: ignore[union-attr]
                for name in names
                if group and not hasattr(self.job(name), "bulk_outcomes")
            }
            for event in group:
                parts = [(n, decided[event.id].get(n) or together[n], 0) for n in names]
                if any(o.commands or o.timers or o.status == DEFERRED for _, o, _ in parts):
                    raise RuntimeError(f"jobs {names} cannot settle events in bulk")
                status = DONE if any(o.status == DONE for _, o, _ in parts) else SKIPPED
                settled.setdefault(Result(status, _summary(parts, named=False)), []).append(event)
        return [(group, result) for result, group in settled.items()]

    def preload(self, session: Session, events: Sequence[InboxEvent]) -> None:
        """Let each job that offers it read at once what its events will read (``jobs.base``)."""
        for job in self.jobs:
            load = getattr(job, "preload", None)
            wanted = [event for event in events if job.wants(event)] if load else []
            if wanted:
                load(session, wanted)

    def ensure_standing_timers(self, session: Session, now: datetime) -> int:
        """Make sure the timers jobs keep without any event exist (a weekly digest's next send).

        A job offers them through an optional ``standing_timers(now)``; each has a fixed key,
        so every worker asking for it gets the same one timer. Returns how many were new.
        """
        made = 0
        for job in self.jobs:
            offer = getattr(job, "standing_timers", None)
            for request in offer(now) if offer is not None else ():
                key = request.record_key or f"baton:{job.name}"
                made += timers.schedule(session, job.name, request, key) == "scheduled"
        return made

    def job(self, name: str) -> Job | None:
        """The registered job called ``name``."""
        return next((job for job in self.jobs if job.name == name), None)

    def _deliver_timer(self, ctx: JobContext, event: InboxEvent) -> Result:
        job = self.job(event.actor or "")
        if job is None:
            return Result(SKIPPED, f"timer {event.provider_type}: job {event.actor!r} not running")
        if timers.take_for_delivery(ctx.session, event) is None:
            return Result(SKIPPED, f"timer {event.provider_type} was cancelled or moved")
        outcome, commands = self._run(ctx, job, event)
        if outcome.status == DEFERRED:
            raise RuntimeError(f"job {job.name} deferred its own timer; timers cannot wait")
        return Result(outcome.status, outcome.summary, commands)

    def _run(self, ctx: JobContext, job: Job, event: InboxEvent) -> tuple[Outcome, int]:
        outcome = job.handle(ctx, event)
        return outcome, _apply(ctx, job.name, event, outcome)


def _apply(ctx: JobContext, job: str, event: InboxEvent, outcome: Outcome) -> int:
    """Write a job's commands, timers and audit lines; return how many commands are new."""
    session = ctx.session
    added = sum(enqueue_known(session, c, ctx.now, event.id) for c in outcome.commands)
    for request in outcome.timers:
        key = request.record_key or event.record_key
        if isinstance(request, timers.SetTimer):
            what = timers.schedule(session, job, request, key)
            line = f"timer {request.kind} ({request.key}) {what}: due {request.due_at.isoformat()}"
        else:
            cancelled = timers.cancel(session, job, request, key)
            line = (
                f"timer {request.key} {'cancelled' if cancelled else 'not open; nothing to cancel'}"
            )
        audit.record(session, key, "rule", line, event_id=event.id, job=job)
    for line in outcome.audit:
        key = outcome.audit_record_key or event.record_key
        audit.record(session, key, "rule", line, event_id=event.id, job=job)
    return added + outcome.enqueued


def _summary(parts: list[tuple[str, Outcome, int]], *, named: bool) -> str:
    """One job's own words when it was the only one; else each job's, by name."""
    if len(parts) == 1 and not named:
        return parts[0][1].summary
    return "; ".join(f"{name}: {outcome.summary}" for name, outcome, _ in parts)
