"""What a batch of records will read, loaded in four SELECTs before the batch runs.

A genuine change reads its record's state and its partner's, the link between them, Baton's
memories of its own writes there and the writes still queued for both — 7 or 8 SELECTs a change,
half of its statements (docs/BENCHMARKS.md, worker burst). The worker and the dispatcher know
the records of a whole chunk up front, so they load all of that at once: the record states,
links, own-write memories and queued writes of every record in the chunk and of its partners.
``connector.knowledge`` and ``connector.outbox`` answer from the preload for the records it
covers and keep it true as they change the store (a new state row, a new link, a memory spent,
a write queued or retired); anything it does not cover is read from the store as before.

A preload is only as good as the transaction it lives in: the caller drops it (:func:`drop`)
the moment a savepoint around its work is rolled back, since the rows it holds in Python would
no longer be what the store holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from connector.commands import SetStage, UpdateFields
from connector.events import EventKind, ObjectType, Source
from connector.store.models import InboxEvent, OutboxCommand, OwnWrite, RecordLink, RecordState

_KEY = "baton_preload"
#: the queued commands that write fields (the ones a newer decision retires)
FIELD_WRITES = (SetStage.kind, UpdateFields.kind)
#: event kinds whose handling reads only what a preload holds (a merge or a deletion reads more)
PRELOADABLE = frozenset({EventKind.CREATED.value, EventKind.UPDATED.value})
_HUBSPOT_CONTACT = f"{Source.HUBSPOT.value}:{ObjectType.CONTACT.value}:"
_SALESFORCE_PEOPLE = tuple(
    f"{Source.SALESFORCE.value}:{kind.value}:" for kind in (ObjectType.LEAD, ObjectType.CONTACT)
)


@dataclass
class QueuedWrite:
    """A pending field write in the outbox, as much of it as superseding needs."""

    id: int
    payload: dict[str, Any]
    lease_until: datetime | None


@dataclass
class Preloaded:
    """The rows a batch reads, by the keys they are looked up by.

    A key in ``states`` with the value None is known to have no row (no SELECT needed to say
    so); a HubSpot contact or Salesforce id in ``hubspot_ids`` / ``salesforce_ids`` is covered:
    its link, if any, is in ``links``.
    """

    states: dict[str, RecordState | None] = field(default_factory=dict)
    links: list[RecordLink] = field(default_factory=list)
    hubspot_ids: set[str] = field(default_factory=set)
    salesforce_ids: set[str] = field(default_factory=set)
    own_writes: dict[tuple[str, str], list[OwnWrite]] = field(
        default_factory=lambda: defaultdict(list)
    )
    queued: dict[str, list[QueuedWrite]] = field(default_factory=lambda: defaultdict(list))
    #: what jobs preloaded for themselves (``Job.preload``), by job name
    extra: dict[str, Any] = field(default_factory=dict)

    def covers(self, key: str) -> bool:
        """True when the state, memories and queued writes of ``key`` were loaded."""
        return key in self.states

    def link_by_hubspot(self, contact_id: str) -> RecordLink | None:
        return next((link for link in self.links if link.hubspot_contact_id == contact_id), None)

    def link_by_salesforce(self, record_id: str) -> RecordLink | None:
        return next(
            (
                link
                for link in self.links
                if record_id in (link.salesforce_lead_id, link.salesforce_contact_id)
            ),
            None,
        )

    def add_link(self, link: RecordLink) -> None:
        """A link made (or completed) in the batch: its ids are covered from now on."""
        if link not in self.links:
            self.links.append(link)
        if link.hubspot_contact_id:
            self.hubspot_ids.add(link.hubspot_contact_id)
        for record_id in (link.salesforce_lead_id, link.salesforce_contact_id):
            if record_id:
                self.salesforce_ids.add(record_id)


def of(session: Session) -> Preloaded | None:
    """The preload installed in ``session``, if any."""
    return session.info.get(_KEY)


def drop(session: Session) -> None:
    """Forget the preload (its savepoint was rolled back); lookups read the store again."""
    session.info.pop(_KEY, None)


def preloadable(events: Iterable[InboxEvent]) -> bool:
    """True when every event is a plain change (see ``PRELOADABLE``)."""
    return all(event.kind in PRELOADABLE for event in events)


@contextmanager
def installed(session: Session, keys: Iterable[str]) -> Iterator[Preloaded]:
    """Load what the records ``keys`` (and their partners) read; drop it when the block ends.

    The session must keep what it loads (``store.strong.keep_loaded``): the preload's rows are
    found again by ``session.get`` without a SELECT only while the session holds them.
    """
    preloaded = load(session, keys)
    try:
        yield preloaded
    finally:
        drop(session)


def load(session: Session, keys: Iterable[str]) -> Preloaded:
    """Four SELECTs: links, states (locked), own-write memories, queued writes; installs them."""
    keys = set(keys)
    preloaded = Preloaded()
    hubspot = {k.removeprefix(_HUBSPOT_CONTACT) for k in keys if k.startswith(_HUBSPOT_CONTACT)}
    salesforce = {k.split(":", 2)[2] for k in keys if k.startswith(_SALESFORCE_PEOPLE)}
    if hubspot or salesforce:
        query = select(RecordLink).where(
            or_(
                RecordLink.hubspot_contact_id.in_(hubspot),
                RecordLink.salesforce_lead_id.in_(salesforce),
                RecordLink.salesforce_contact_id.in_(salesforce),
            )
        )
        preloaded.hubspot_ids, preloaded.salesforce_ids = hubspot, salesforce
        for link in session.scalars(query):
            preloaded.add_link(link)
            keys.update(link.record_keys())
    ordered = sorted(keys)
    preloaded.states = dict.fromkeys(ordered)
    if not ordered:
        session.info[_KEY] = preloaded
        return preloaded
    # locked (PostgreSQL) in one key order: a chunk also changes its partners' states, which
    # another worker's chunk may be changing; without the lock one of the two updates is lost
    states = (
        select(RecordState)
        .where(RecordState.record_key.in_(ordered))
        .order_by(RecordState.record_key)
        .with_for_update()
    )
    for state in session.scalars(states):
        preloaded.states[state.record_key] = state
    for memory in session.scalars(
        select(OwnWrite).where(OwnWrite.record_key.in_(ordered)).order_by(OwnWrite.id)
    ):
        preloaded.own_writes[(memory.record_key, memory.field)].append(memory)
    rows = session.execute(
        select(OutboxCommand.id, OutboxCommand.record_key, OutboxCommand.payload)
        .add_columns(OutboxCommand.lease_until)
        .where(OutboxCommand.record_key.in_(ordered), OutboxCommand.status == "pending")
        .where(OutboxCommand.kind.in_(FIELD_WRITES))
        .order_by(OutboxCommand.id)
    )
    for row_id, key, payload, lease_until in rows:
        preloaded.queued[key].append(QueuedWrite(row_id, payload, lease_until))
    session.info[_KEY] = preloaded
    return preloaded
