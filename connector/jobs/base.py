"""The job interface: what a job subscribes to, what it is given, and what it hands back.

A job (lifecycle sync, recycling, SLA escalations, credit) is a package under
``connector/jobs/`` with its pure decisions and one :class:`Job`. The worker gives every event of a
leased record — CRM changes and the job's own fired timers alike — to each job that wants it,
inside the record's transaction and in the record's order (``connector.jobs.runner``). A job
answers with an :class:`Outcome`: commands for the outbox, timers to set or cancel, audit lines.
It reads CRMs only through ``ctx.readers`` (the prefetching readers: a miss replays the pass
after the read, outside any transaction) and keeps its own state through ``ctx.session``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from connector.commands import Command, System
from connector.config import BatonConfig
from connector.ports import CrmReader
from connector.store.models import InboxEvent
from connector.timers import TIMER_SOURCE, CancelTimer, SetTimer

#: how one job ended one event; the event's status is the most pressing of its jobs' statuses
DONE, SKIPPED, DEFERRED = "done", "skipped", "deferred"


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler may use: the record's transaction, the pass's clock, the CRM readers."""

    session: Session
    now: datetime
    readers: Mapping[System, CrmReader]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A handler's answer. The runner enqueues, schedules and audits it in the same transaction.

    ``enqueued`` counts commands the handler put in the outbox itself (the lifecycle job
    supersedes older queued writes as part of its decision, so it enqueues directly).
    """

    status: str = DONE
    summary: str = ""
    commands: tuple[Command, ...] = ()
    timers: tuple[SetTimer | CancelTimer, ...] = ()
    audit: tuple[str, ...] = ()
    enqueued: int = 0
    #: the record the audit lines are filed under (default: the event's); a Task's touch is
    #: told on its lead
    audit_record_key: str | None = None


class Job(Protocol):
    """One of Baton's jobs. ``name`` is stable: timers and audit lines are keyed by it."""

    name: str

    def wants(self, event: InboxEvent) -> bool:
        """True for the CRM events this job handles (its own timers always reach it)."""
        ...

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """Decide what ``event`` means for this job."""
        ...


#: Optional on a job, for events that need no decision of their own (echoes of Baton's writes):
#: ``settles_in_bulk(event) -> bool`` and ``settle_in_bulk(ctx, events) -> Outcome``, doing what
#: ``handle`` would do to each of ``events`` set-based; the Outcome (no commands, no timers) is
#: every one's. The runner settles an event in bulk only when every job that wants it offers it.
#: A job whose answer depends on its state offers ``bulk_outcomes(ctx, events) -> list[Outcome |
#: None]`` instead of ``settle_in_bulk``: reading only, what ``handle`` would answer to each
#: event, None for one that needs ``handle`` (its record then goes one by one; the SLA job).
#: ``preload(session, events)``, also optional: read at once what ``handle`` will read for each of
#: a chunk's ``events`` (those the job wants), into the chunk's ``connector.preload`` (its
#: ``extra``, under the job's name); the worker calls it only for chunks of plain changes.


@dataclass(frozen=True, slots=True)
class JobSetup:
    """What a job factory may use once at start: the config and the CRM readers."""

    config: BatonConfig
    readers: Mapping[System, CrmReader] = field(default_factory=dict)


class JobSetupError(ValueError):
    """A job cannot run with this config against these CRMs; the message says what to change."""


#: a job package exports one of these; ``connector.jobs.registry`` lists them
JobFactory = Callable[[JobSetup], Job]


def is_timer(event: InboxEvent) -> bool:
    """True for a fired timer: ``provider_type`` is its kind, ``changes`` its payload."""
    return event.source == TIMER_SOURCE
