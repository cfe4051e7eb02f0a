"""Wire the real worker, processor, dispatcher and store to the fake CRMs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select

from connector.commands import System
from connector.config import BatonConfig, default_config, with_changes
from connector.dispatcher import Dispatcher
from connector.events import ChangeEvent
from connector.inbox import append
from connector.jobs.lifecycle.job import LifecycleJob
from connector.jobs.lifecycle.processor import SyncProcessor
from connector.jobs.lifecycle.setup import build_stage_map
from connector.jobs.runner import JobRunner
from connector.store import Store
from connector.store.models import OutboxCommand
from connector.worker import Worker
from tests.sync.fakes import FakeHubSpot, FakeSalesforce, TickingClock

#: lifecyclestage ⇄ Lead.Status used by the loop tests
STAGES = (
    ("lead", "Recycled"),
    ("marketingqualifiedlead", "Open - Not Contacted"),
    ("salesqualifiedlead", "Working - Contacted"),
    ("opportunity", "Qualified"),
)


def loop_config(policy: str = "newest_wins") -> BatonConfig:
    """The sandbox default config with a four-stage mapping and the given conflict policy."""
    return with_changes(
        default_config(),
        {
            "lifecycle.stages": [
                {"hubspot": hs, "salesforce": {"object": "Lead", "value": sf}} for hs, sf in STAGES
            ],
            "lifecycle.conflict_policy": policy,
        },
    )


@dataclass
class Loop:
    """One Baton between two fake CRMs; ``settle`` runs until nobody has anything to say."""

    store: Store
    config: BatonConfig = field(default_factory=loop_config)
    clock: TickingClock = field(default_factory=lambda: TickingClock(datetime.now(UTC)))
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    duplicate_rate: float = 0.0
    shuffle: bool = False

    def __post_init__(self) -> None:
        self.hubspot = FakeHubSpot(self.clock)
        self.salesforce = FakeSalesforce(self.clock)
        readers = {System.HUBSPOT: self.hubspot, System.SALESFORCE: self.salesforce}
        stage_map = build_stage_map(self.config, readers)
        processor = JobRunner(
            (LifecycleJob(SyncProcessor(self.config, stage_map, readers)),), readers
        )
        dispatcher = Dispatcher(self.store, readers, "test-worker", max_attempts=20)
        self.worker = Worker(
            self.store, processor, dispatcher, owner="test-worker", clock=self.clock
        )

    def deliver(self, events: list[ChangeEvent]) -> None:
        """Put events in the inbox, with the configured duplicates and reordering."""
        batch = list(events)
        batch += [e for e in events if self.rng.random() < self.duplicate_rate]
        if self.shuffle:
            self.rng.shuffle(batch)
        with self.store.session() as session:
            append(session, batch)

    def settle(self, rounds: int = 30) -> int:
        """Deliver what the CRMs sent and work until quiet; return the rounds it took."""
        for round_number in range(1, rounds + 1):
            events = self.hubspot.take_events() + self.salesforce.take_events()
            if events:
                self.deliver(events)
            idle = self.worker.run_until_idle(timeout=20)
            assert idle, "worker did not become idle"
            if not events and not self.hubspot.outbox and not self.salesforce.outbox:
                return round_number
        raise AssertionError("the CRMs never went quiet: ping-pong")

    def commands(self) -> int:
        """Outbox commands ever created."""
        with self.store.session() as session:
            return session.scalar(select(func.count()).select_from(OutboxCommand)) or 0

    def handed_off_pair(self, contact_id: str = "101") -> str:
        """A contact that became MQL and was handed off; returns its Salesforce lead id."""
        self.hubspot.ui_set(
            contact_id, email=f"{contact_id}@acme.nl", lastname="Visser", company="Acme BV"
        )
        self.hubspot.ui_set(contact_id, lifecyclestage="marketingqualifiedlead")
        self.settle()
        (lead_id,) = list(self.salesforce.records)
        return lead_id
