"""``baton backfill`` over in-memory sources: linking, who decides a pair, resuming, restarting.

The worker that then applies the queued events is the real one, between the fake CRMs of the
sync tests, so "writes only where the two sides disagree" is checked end to end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from connector.admin.backfill import Backfill
from connector.admin.backfill_format import backfill_text
from connector.admin.backfill_report import BackfillReport, PassReport
from connector.admin.backfill_sources import Page, SourceRecord
from connector.jobs.lifecycle.mapping import Policy, StageMap
from connector.jobs.lifecycle.setup import stage_entries
from connector.store import Store, upgrade
from connector.store.models import InboxEvent, OutboxCommand, RecordLink, RecordState
from tests.sync.harness import Loop, loop_config

T = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MQL, SQL = "marketingqualifiedlead", "salesqualifiedlead"
ID_FIELD = "HubSpot_Contact_Id__c"


def lead_id(n: int) -> str:
    """Hand-made ids outside the fake org's own id space (it numbers from 00Q0…1)."""
    return f"00Q9{n:014d}"


@dataclass
class ListPages:
    """A PageSource over a list; raises KeyboardInterrupt on call ``interrupt_on`` (Ctrl-C)."""

    name: str
    label: str
    records: list[SourceRecord]
    page_limit: int = 2
    interrupt_on: int | None = None
    calls: int = 0
    sizes: list[int] = field(default_factory=list)

    def total(self) -> int | None:
        return len(self.records)

    def page(self, cursor: str | None, size: int) -> Page:
        self.calls += 1
        self.sizes.append(size)
        if self.calls == self.interrupt_on:
            raise KeyboardInterrupt
        start = int(cursor or 0)
        chunk = self.records[start : start + size]
        end = start + len(chunk)
        return Page(chunk, str(end) if end < len(self.records) else None)


def contact(cid: str, stage: str, at: datetime, **props: Any) -> SourceRecord:
    fields = {"email": f"{cid}@acme.nl", "lifecyclestage": stage, **props}
    return SourceRecord("hubspot", "contacts", cid, at, fields)


def lead(n: int, status: str, at: datetime, **fields: Any) -> SourceRecord:
    return SourceRecord("salesforce", "Lead", lead_id(n), at, {"Status": status, **fields})


@dataclass
class World:
    """Existing records in both fake CRMs, and the page sources that read them."""

    contacts: list[SourceRecord]
    leads: list[SourceRecord]
    sf_contacts: list[SourceRecord] = field(default_factory=list)

    def put_into(self, loop: Loop) -> None:
        for record in self.contacts:
            loop.hubspot.records[record.object_id] = dict(record.fields)
        for record in self.leads + self.sf_contacts:
            loop.salesforce.records[record.object_id] = dict(record.fields)

    def backfill(self, store: Store, policy: Policy = Policy.NEWEST_WINS, **pages: Any) -> Backfill:
        from connector.admin.backfill_sources import UnlinkedHubSpotContacts

        stage_map = StageMap(stage_entries(loop_config()))
        return Backfill(
            store,
            stage_map,
            policy,
            ID_FIELD,
            hubspot=ListPages("backfill:hubspot:contacts", "HubSpot contacts", self.contacts,
                              **pages.get("hubspot", {})),
            salesforce=(
                ListPages("backfill:salesforce:Contact", "Salesforce Contacts", self.sf_contacts),
                ListPages("backfill:salesforce:Lead", "Salesforce Leads", self.leads,
                          **pages.get("salesforce", {})),
            ),
            unlinked=UnlinkedHubSpotContacts(store),
        )  # fmt: skip


def sample_world() -> World:
    return World(
        contacts=[
            contact("1", MQL, T + timedelta(minutes=10)),
            contact("2", "lead", T + timedelta(minutes=10)),
            contact("3", MQL, T + timedelta(minutes=10)),
            contact("4", MQL, T + timedelta(minutes=10), lastname="Smit", company="Smit BV"),
            contact("5", "lead", T + timedelta(minutes=10)),
        ],
        leads=[
            # agrees with contact 1, and is newer: nothing to write
            lead(1, "Open - Not Contacted", T + timedelta(minutes=20), **{ID_FIELD: "1"}),
            # contact 2 by e-mail; older than the contact: HubSpot's "lead" is carried over
            lead(2, "Working - Contacted", T + timedelta(minutes=5), Email="2@ACME.nl"),
            # contact 3 by id field; newer: Salesforce's status is carried to HubSpot
            lead(3, "Working - Contacted", T + timedelta(minutes=30), **{ID_FIELD: "3"}),
            # nobody's
            lead(9, "Open - Not Contacted", T, Email="nobody@else.nl"),
            # claims contact 1, which lead 1 already holds: left alone
            lead(10, "Open - Not Contacted", T, **{ID_FIELD: "1"}),
        ],
    )


def inbox(store: Store) -> list[InboxEvent]:
    with store.session() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def links(store: Store) -> set[tuple[Any, ...]]:
    with store.session() as session:
        return {
            (r.hubspot_contact_id, r.salesforce_lead_id, r.salesforce_contact_id)
            for r in session.scalars(select(RecordLink))
        }


def commands(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.scalars(select(OutboxCommand).order_by(OutboxCommand.id)).all()
        return [(r.system, r.kind, r.record_key) for r in rows]


def test_pairs_are_linked_and_only_disagreements_are_written(loop: Loop, store: Store):
    world = sample_world()
    world.put_into(loop)
    report = world.backfill(store).run()

    assert report.complete and not report.stopped_at_limit
    assert links(store) == {
        ("1", lead_id(1), None),
        ("2", lead_id(2), None),
        ("3", lead_id(3), None),
        ("4", None, None),
        ("5", None, None),
    }
    by_pass = {p.name: p for p in report.passes}
    assert by_pass["backfill:hubspot:contacts"].linked == {"new": 5}
    assert by_pass["backfill:salesforce:Lead"].linked == {
        "id_field": 2, "email": 1, "none": 1, "conflict": 1
    }  # fmt: skip
    decided_by = {(e.source, e.object_id) for e in inbox(store)}
    assert decided_by == {
        ("salesforce", lead_id(1)),  # newer side of pair 1
        ("hubspot", "2"),  # newer side of pair 2
        ("salesforce", lead_id(3)),  # newer side of pair 3
        ("salesforce", lead_id(9)),  # unlinked
        ("salesforce", lead_id(10)),  # unlinked (its claim conflicted)
        ("hubspot", "4"),  # unlinked contacts (pass 3)
        ("hubspot", "5"),
    }
    assert all(e.event_id.startswith("backfill:") for e in inbox(store))
    assert "@" not in str([e.changes for e in inbox(store)])

    loop.settle()

    assert loop.salesforce.records[lead_id(1)]["Status"] == "Open - Not Contacted"
    assert loop.salesforce.records[lead_id(2)]["Status"] == "Recycled"
    assert loop.hubspot.records["3"]["lifecyclestage"] == SQL
    assert loop.hubspot.records["1"]["lifecyclestage"] == MQL
    assert sorted(commands(store)) == sorted([
        ("salesforce", "set_stage", f"salesforce:lead:{lead_id(2)}"),
        ("hubspot", "set_stage", "hubspot:contact:3"),
        ("salesforce", "create_lead", "hubspot:contact:4"),  # an MQL nobody handed off yet
    ])  # fmt: skip


def test_the_source_of_truth_decides_whatever_is_newer(store: Store):
    loop = Loop(store, loop_config("hubspot_wins"))
    world = World(
        contacts=[contact("3", MQL, T)],
        leads=[lead(3, "Working - Contacted", T + timedelta(days=1), **{ID_FIELD: "3"})],
    )
    world.put_into(loop)
    world.backfill(store, Policy.HUBSPOT_WINS).run()
    assert [(e.source, e.object_id) for e in inbox(store)] == [("hubspot", "3")]
    with store.session() as session:
        known = session.get(RecordState, f"salesforce:lead:{lead_id(3)}")
        assert known.fields["values"] == {"Status": "Working - Contacted"}
    loop.settle()
    assert loop.salesforce.records[lead_id(3)]["Status"] == "Open - Not Contacted"


def test_newer_knowledge_is_never_overwritten_by_an_older_read(store: Store):
    with store.session() as session:
        session.add(
            RecordState(
                record_key="hubspot:contact:2",
                stage="opportunity",
                stage_changed_at=T + timedelta(days=3),
                fields={"values": {"lifecyclestage": "opportunity"}},
            )
        )
    report = sample_world().backfill(store).run()
    assert report.passes[0].states_recorded == 4  # contacts 1, 3, 4, 5
    with store.session() as session:
        known = session.get(RecordState, "hubspot:contact:2")
        assert known.fields["values"] == {"lifecyclestage": "opportunity"}


def test_converted_leads_join_the_contact_they_became(store: Store):
    person = SourceRecord("salesforce", "Contact", "003000000000000077", T, {"Email": "6@acme.nl"})
    converted = lead(
        7, "Closed - Converted", T, IsConverted=True, ConvertedContactId="003000000000000077"
    )
    world = World(contacts=[contact("6", "customer", T)], leads=[converted], sf_contacts=[person])
    report = world.backfill(store).run()
    assert links(store) == {("6", lead_id(7), "003000000000000077")}
    by_pass = {p.name: p for p in report.passes}
    assert by_pass["backfill:salesforce:Contact"].linked == {"email": 1}
    assert by_pass["backfill:salesforce:Lead"].linked == {"conversion": 1}
    assert not any(e.object_id == lead_id(7) for e in inbox(store))


def fresh_store(tmp_path, name: str) -> Store:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return Store(url)


def outcome(store: Store) -> tuple[list[str], set[tuple[Any, ...]]]:
    return sorted(e.event_id for e in inbox(store)), links(store)


def test_limit_stops_and_the_next_run_resumes_to_the_same_result(store: Store, tmp_path):
    reference = fresh_store(tmp_path, "reference.db")
    sample_world().backfill(reference).run()

    world = sample_world()
    first = world.backfill(store).run(limit=3)
    assert first.stopped_at_limit and not first.complete
    assert first.passes[0].read == 3 and first.passes[0].finished is False
    assert first.passes[0].label == "HubSpot contacts"
    second = world.backfill(store).run(limit=4)
    assert second.passes[0].read == 2 and second.passes[0].finished
    third = world.backfill(store).run()
    assert third.complete
    assert outcome(store) == outcome(reference)
    assert all(p.events_duplicate == 0 for r in (first, second, third) for p in r.passes)
    reference.dispose()


def test_ctrl_c_keeps_stored_pages_and_the_next_run_resumes(store: Store, tmp_path):
    reference = fresh_store(tmp_path, "reference.db")
    sample_world().backfill(reference).run()

    world = sample_world()
    interrupted = world.backfill(store, salesforce={"interrupt_on": 2})
    with pytest.raises(KeyboardInterrupt):
        interrupted.run()
    leads_pass = interrupted.salesforce[1]
    assert leads_pass.calls == 2
    stored = {e.object_id for e in inbox(store)}
    assert stored == {lead_id(1), "2"}  # the first page of leads only

    resumed = world.backfill(store)
    report = resumed.run()
    assert report.complete
    assert resumed.hubspot.calls == 0  # the contacts pass had finished: not read again
    assert outcome(store) == outcome(reference)
    reference.dispose()


def test_a_finished_backfill_is_skipped_until_restarted(store: Store):
    world = sample_world()
    world.backfill(store).run()
    again = world.backfill(store)
    report = again.run()
    assert all(p.skipped_done for p in report.passes)
    assert again.hubspot.calls == 0
    assert "already done (use --restart to run it again)" in backfill_text(report)

    again.restart()
    rerun = again.run()
    assert rerun.complete and sum(p.events_new for p in rerun.passes) == 0
    assert sum(p.events_duplicate for p in rerun.passes) == len(inbox(store))


def test_page_sizes_respect_the_source_limit_and_the_budget(store: Store):
    world = sample_world()
    job = world.backfill(store, hubspot={"page_limit": 100})
    job.run(limit=3)
    assert job.hubspot.sizes == [3]


def test_report_text():
    report = BackfillReport(stopped_at_limit=True)
    report.passes.append(
        _pass("Salesforce Leads", read=5, states_recorded=1, events_new=4, events_duplicate=1,
              linked={"id_field": 2, "email": 1}, finished=False)
    )  # fmt: skip
    assert backfill_text(report).splitlines() == [
        "Salesforce Leads: 5 read; 1 state(s) recorded; 4 event(s) queued (1 already queued "
        "before); linked: 1 by e-mail, 2 by HubSpot-id field [not finished]",
        "stopped at --limit: run `baton backfill` again to continue where it stopped",
    ]


def _pass(label: str, **counts: Any):
    report = PassReport("backfill:x", label)
    for name, value in counts.items():
        setattr(report, name, value)
    return report
