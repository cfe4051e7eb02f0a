"""``baton backfill``: align records that existed before Baton, through the normal inbox.

Three passes, each resumable from its own row in ``cursors``:

1. **HubSpot contacts** (list endpoint, with ``lifecyclestage``): give each a link row carrying
   its e-mail hash and record its known state (at its last-modified time, never over newer
   knowledge).
2. **Salesforce Contacts, then Leads** (SOQL by Id): join each to its contact — the configured
   HubSpot-id field first, then the e-mail hash — and feed ONE synthetic snapshot event per
   joined pair into the inbox: the side that should win (the newer one under newest-wins, the
   source of truth otherwise) gets the event, the other side's state is recorded first, so the
   rules compare the two and write only where they disagree. Unjoined records get their event.
3. **Unlinked HubSpot contacts** (from the store): their event, so a contact already at the
   hand-off stage is handed off as the rules decide.

Events have stable ids ``backfill:<system>:<id>:<modified ms>``: running again (or resuming
after Ctrl-C) adds nothing twice. Baton's worker then does the work, and everything is audited.
CRM reads happen outside transactions; each page is stored, with its cursor, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from connector import audit, knowledge
from connector.admin import backfill_links as links
from connector.admin.backfill_report import BackfillReport, PassReport, ProgressFactory
from connector.admin.backfill_sources import PageSource, SourceRecord
from connector.admin.describe import assignments, when
from connector.events import ChangeEvent, EventKind, ObjectType, Source, record_key
from connector.inbox import append
from connector.jobs.lifecycle.mapping import Policy, StageMap
from connector.pollers.base import read_cursor, write_cursor
from connector.store import Store
from connector.store.models import Cursor, RecordLink, RecordState

CURSOR_PREFIX = "backfill:"
DONE = "done"


@dataclass
class Backfill:
    """The passes over the configured sources; ``run`` is safe to repeat and to interrupt."""

    store: Store
    stage_map: StageMap
    policy: Policy
    hubspot_id_field: str
    hubspot: PageSource | None = None
    salesforce: tuple[PageSource, ...] = ()
    unlinked: PageSource | None = None

    def sources(self) -> list[tuple[PageSource, Callable[..., list[ChangeEvent]]]]:
        """The passes in order, each with the handler of its records."""
        passes: list[tuple[PageSource, Callable[..., list[ChangeEvent]]]] = []
        if self.hubspot is not None:
            passes.append((self.hubspot, self._hubspot_contacts))
        passes += [(source, self._salesforce_records) for source in self.salesforce]
        if self.unlinked is not None:
            passes.append((self.unlinked, self._unlinked_contacts))
        return passes

    def restart(self) -> None:
        """Forget every backfill cursor: the next run starts from the beginning."""
        with self.store.session() as session:
            session.execute(delete(Cursor).where(Cursor.name.like(f"{CURSOR_PREFIX}%")))

    def run(
        self, *, limit: int | None = None, progress: ProgressFactory | None = None
    ) -> BackfillReport:
        """Run the passes from their cursors, reading at most ``limit`` records in total."""
        report = BackfillReport()
        budget = limit
        for source, handler in self.sources():
            result = PassReport(source.name, source.label)
            report.passes.append(result)
            with self.store.session() as session:
                cursor = read_cursor(session, source.name)
            if cursor == DONE:
                result.skipped_done = True
                continue
            if budget is not None and budget <= 0:
                report.stopped_at_limit = True
                break
            bar = progress(source.label, source.total()) if progress else nullcontext(None)
            with bar as shown:
                for page_size in _page_sizes(source.page_limit, budget):
                    page = source.page(cursor, page_size)  # CRM I/O: outside any transaction
                    with self.store.session() as session:
                        events = handler(session, page.records, result)
                        appended = append(session, events)
                        cursor = page.next_cursor or DONE
                        write_cursor(session, source.name, cursor)
                    result.read += len(page.records)
                    result.events_new += appended.accepted
                    result.events_duplicate += appended.duplicates
                    if shown is not None:
                        shown.update(len(page.records))
                    if budget is not None:
                        budget -= len(page.records)
                    if cursor == DONE:
                        result.finished = True
                        break
            if not result.finished:
                report.stopped_at_limit = True
                break
        return report

    # -- pass 1: HubSpot contacts ---------------------------------------------------------------

    def _hubspot_contacts(
        self, session: Session, records: list[SourceRecord], result: PassReport
    ) -> list[ChangeEvent]:
        for record in records:
            result.count_link(links.link_hubspot_contact(session, record).how)
            synced = sorted(self.stage_map.hubspot_fields)
            values = {name: record.fields.get(name) or None for name in synced}
            key = record_key(Source.HUBSPOT, ObjectType.CONTACT, record.object_id)
            if _record_observed(session, key, values, record.modified_at):
                result.states_recorded += 1
                audit.record(
                    session,
                    key,
                    "rule",
                    f"backfill: known state {assignments(values)} as of {when(record.modified_at)}",
                )
        return []  # events come after the Salesforce side is known (passes 2 and 3)

    # -- pass 2: Salesforce Contacts and Leads --------------------------------------------------

    def _salesforce_records(
        self, session: Session, records: list[SourceRecord], result: PassReport
    ) -> list[ChangeEvent]:
        events = []
        for record in records:
            linked = links.link_salesforce_record(session, record, self.hubspot_id_field)
            result.count_link(linked.how)
            link = linked.link
            sf_key = _salesforce_key(record)
            if link is None or not link.hubspot_contact_id:
                events.append(self._salesforce_event(record))
                continue
            if not _is_sync_target(link, record):
                audit.record(
                    session,
                    sf_key,
                    "rule",
                    f"backfill: linked to HubSpot contact {link.hubspot_contact_id}; "
                    "the converted person is synced on its Contact",
                )
                continue
            hs_key = record_key(Source.HUBSPOT, ObjectType.CONTACT, link.hubspot_contact_id)
            hubspot = knowledge.load_side(session, hs_key)
            if self._salesforce_wins(hubspot.at, hubspot.values, record.modified_at):
                events.append(self._salesforce_event(record))
                continue
            synced = self.stage_map.salesforce_fields(record.object_type)
            values = {name: record.fields.get(name) for name in sorted(synced)}
            if _record_observed(session, sf_key, values, record.modified_at):
                result.states_recorded += 1
                audit.record(
                    session,
                    sf_key,
                    "rule",
                    f"backfill: known state {assignments(values)} as of "
                    f"{when(record.modified_at)}; HubSpot contact "
                    f"{link.hubspot_contact_id} is the side that decides",
                )
            event = self._hubspot_event(
                link.hubspot_contact_id, dict(hubspot.values), hubspot.at or record.modified_at
            )
            if event is not None:
                events.append(event)
        return events

    def _salesforce_wins(
        self, hubspot_at: datetime | None, hubspot_values: Any, modified_at: datetime
    ) -> bool:
        """Which side's event decides the pair (the other side's state is recorded instead)."""
        if hubspot_at is None or not any(hubspot_values.values()):
            return True  # nothing known of HubSpot: Salesforce is all there is
        if self.policy is Policy.HUBSPOT_WINS:
            return False
        if self.policy is Policy.SALESFORCE_WINS:
            return True
        return modified_at >= hubspot_at

    def _salesforce_event(self, record: SourceRecord) -> ChangeEvent:
        object_type = ObjectType.LEAD if record.object_type == "Lead" else ObjectType.CONTACT
        changes = {k: v for k, v in record.fields.items() if k != "Email"}  # no plain addresses
        return ChangeEvent(
            source=Source.SALESFORCE,
            kind=EventKind.UPDATED,
            object_type=object_type,
            object_id=record.object_id,
            event_id=_event_id("salesforce", record.object_id, record.modified_at),
            occurred_at=record.modified_at,
            changes=changes,
            is_snapshot=True,
            provider_type=f"backfill.{record.object_type}",
        )

    # -- pass 3: HubSpot contacts nothing joined -------------------------------------------------

    def _unlinked_contacts(
        self, session: Session, records: list[SourceRecord], result: PassReport
    ) -> list[ChangeEvent]:
        events = []
        for record in records:
            event = self._hubspot_event(record.object_id, record.fields, record.modified_at)
            if event is not None:
                events.append(event)
        return events

    def _hubspot_event(
        self, contact_id: str, values: dict[str, Any], at: datetime
    ) -> ChangeEvent | None:
        changes = {k: v for k, v in values.items() if k in self.stage_map.hubspot_fields and v}
        if not changes:
            return None
        return ChangeEvent(
            source=Source.HUBSPOT,
            kind=EventKind.UPDATED,
            object_type=ObjectType.CONTACT,
            object_id=contact_id,
            event_id=_event_id("hubspot", contact_id, at),
            occurred_at=at,
            changes=changes,
            is_snapshot=True,
            provider_type="backfill.contacts",
        )


def _page_sizes(page_limit: int, budget: int | None) -> Iterator[int]:
    """Page sizes until the budget is spent (forever without a budget; the caller stops)."""
    remaining = budget
    while remaining is None or remaining > 0:
        size = page_limit if remaining is None else min(page_limit, remaining)
        yield size
        if remaining is not None:
            remaining -= size


def _event_id(system: str, object_id: str, modified_at: datetime) -> str:
    return f"backfill:{system}:{object_id}:{int(modified_at.timestamp() * 1000)}"


def _salesforce_key(record: SourceRecord) -> str:
    object_type = ObjectType.LEAD if record.object_type == "Lead" else ObjectType.CONTACT
    return record_key(Source.SALESFORCE, object_type, record.object_id)


def _is_sync_target(link: RecordLink, record: SourceRecord) -> bool:
    """The record the sync writes to: the Contact once converted, else the Lead."""
    if record.object_type == "Contact":
        return link.salesforce_contact_id == record.object_id
    return link.salesforce_contact_id is None and link.salesforce_lead_id == record.object_id


def _record_observed(session: Session, key: str, values: dict[str, Any], at: datetime) -> bool:
    """Record values read from a CRM, unless Baton already knows something newer."""
    row = session.get(RecordState, key)
    if row is not None and row.stage_changed_at is not None and row.stage_changed_at > at:
        return False
    knowledge.remember(session, key, values, at)
    return True
