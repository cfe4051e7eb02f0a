"""The lifecycle job: two-way stage sync and the MQL hand-off, as one :class:`Job`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from connector import knowledge
from connector.events import EventKind, Source
from connector.jobs.base import SKIPPED, JobContext, JobSetup, Outcome
from connector.jobs.lifecycle.processor import ECHO_SUMMARY, SyncProcessor
from connector.jobs.lifecycle.setup import build_stage_map
from connector.store.models import InboxEvent

_CRMS = frozenset({Source.HUBSPOT.value, Source.SALESFORCE.value})


@dataclass
class LifecycleJob:
    """Every CRM event goes to the sync processor, which says itself what it ignores and why.

    The processor enqueues its writes itself: superseding older queued writes of a field is part
    of its decision (``connector.jobs.lifecycle.writes``), so its :class:`Outcome` only counts them.
    """

    processor: SyncProcessor
    name: str = "lifecycle"

    def wants(self, event: InboxEvent) -> bool:
        """Every event a CRM reported (unknown types too: the processor records why it skips)."""
        return event.source in _CRMS

    def handle(self, ctx: JobContext, event: InboxEvent) -> Outcome:
        """Sync the change; hand an MQL to sales."""
        processor = replace(self.processor, readers=ctx.readers)
        result = processor.handle(ctx.session, event, ctx.now)
        return Outcome(result.status, result.summary, enqueued=result.commands)

    def settles_in_bulk(self, event: InboxEvent) -> bool:
        """An echo of Baton's own write only spends its memory: it can be settled set-based."""
        return bool(event.is_echo) and event.kind != EventKind.UNKNOWN

    def settle_in_bulk(self, ctx: JobContext, events: Sequence[InboxEvent]) -> Outcome:
        """What :meth:`handle` does with each echo, for many at once (one DELETE)."""
        spent = [(e.record_key, name, value) for e in events for name, value in e.changes.items()]
        knowledge.consume_own_writes(ctx.session, spent, ctx.now)
        return Outcome(SKIPPED, ECHO_SUMMARY)


def build(setup: JobSetup) -> LifecycleJob:
    """The lifecycle job for the admin's mapping (reads HubSpot's stage order once if needed)."""
    stage_map = build_stage_map(setup.config, setup.readers)
    return LifecycleJob(SyncProcessor(setup.config, stage_map, setup.readers))
