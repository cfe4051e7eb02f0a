"""``baton sync``: the dry run decides exactly what the worker would, and stores nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from connector.admin.sync import (
    DryRunReport,
    PlannedCommand,
    SimulatedEvent,
    SyncSummary,
    baseline,
    dry_run,
    summarize,
)
from connector.admin.sync_format import dry_run_json, dry_run_text, summary_text
from connector.store import Store
from connector.store.models import OutboxCommand
from tests.admin.conftest import store_snapshot
from tests.sync.harness import Loop


def preview(loop: Loop, **kwargs) -> DryRunReport:
    return dry_run(loop.store, loop.worker.processor, loop.clock(), **kwargs)


def written(store: Store, after_id: int = 0) -> list[tuple[str, str, str, dict]]:
    with store.session() as session:
        rows = session.scalars(
            select(OutboxCommand).where(OutboxCommand.id > after_id).order_by(OutboxCommand.id)
        ).all()
        return [(r.system, r.kind, r.record_key, dict(r.payload)) for r in rows]


def last_command_id(store: Store) -> int:
    with store.session() as session:
        return max(session.scalars(select(OutboxCommand.id)).all(), default=0)


def test_the_preview_is_what_the_worker_then_does_and_stores_nothing(loop: Loop):
    lead_id = loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.hubspot.ui_set("55", firstname="Ann")  # another contact, no synced field: skipped
    loop.deliver(loop.hubspot.take_events())
    before = store_snapshot(loop.store)
    seen = last_command_id(loop.store)

    report = preview(loop)

    assert store_snapshot(loop.store) == before
    assert loop.salesforce.records[lead_id]["Status"] == "Open - Not Contacted"
    assert sorted(e.status for e in report.events) == ["done", "skipped"]
    (planned,) = report.would_enqueue
    assert (planned.system, planned.kind, planned.record_key, planned.fields) == (
        "salesforce",
        "set_stage",
        f"salesforce:lead:{lead_id}",
        {"Status": "Working - Contacted"},
    )
    assert planned.target == f"Lead {lead_id}"
    loop.worker.process_events()  # now for real: the same decision
    ((system, kind, key, payload),) = written(loop.store, seen)
    assert (system, kind, key) == (planned.system, planned.kind, planned.record_key)
    assert {payload["field_name"]: payload["value"]} == planned.fields


def test_a_hand_off_preview_shows_the_lead_it_would_create(loop: Loop):
    loop.hubspot.ui_set("7", email="ann@acme.nl", lastname="Bakker", company="Acme BV")
    loop.hubspot.ui_set("7", lifecyclestage="marketingqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    before = store_snapshot(loop.store)
    report = preview(loop)
    (planned,) = report.would_enqueue
    assert planned.kind == "create_lead" and planned.target == "new Lead for HubSpot contact 7"
    assert planned.fields["Company"] == "Acme BV" and planned.fields["Email"] == "<hidden>"
    assert store_snapshot(loop.store) == before
    assert loop.salesforce.records == {}


def test_waiting_commands_are_listed_and_superseding_is_shown(loop: Loop):
    lead_id = loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.deliver(loop.hubspot.take_events())
    loop.worker.process_events()  # decided, not yet written
    loop.hubspot.ui_set("101", lifecyclestage="opportunity")
    loop.deliver(loop.hubspot.take_events())

    report = preview(loop)

    (waiting,) = report.waiting
    assert waiting.fields == {"Status": "Working - Contacted"} and waiting.id is not None
    assert report.would_supersede == [waiting.id]
    (planned,) = report.would_enqueue
    assert planned.fields == {"Status": "Qualified"}
    assert planned.record_key == f"salesforce:lead:{lead_id}"


def test_a_failing_event_stops_its_record_like_the_worker(loop: Loop, monkeypatch):
    loop.handed_off_pair("101")
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.hubspot.ui_set("101", lifecyclestage="opportunity")
    loop.deliver(loop.hubspot.take_events())

    def broken(session, event, now):
        raise RuntimeError("HubSpot read timed out")

    monkeypatch.setattr(loop.worker.processor, "handle", broken)
    report = preview(loop)
    (only,) = report.events  # the second event of the record was not tried
    assert (only.status, only.summary) == ("error", "RuntimeError: HubSpot read timed out")
    assert report.would_enqueue == []


def test_limit_counts_records_left_out(loop: Loop):
    for contact in ("1", "2", "3"):
        loop.hubspot.ui_set(contact, lifecyclestage="lead")
    loop.deliver(loop.hubspot.take_events())
    report = preview(loop, limit=2)
    assert {e.record_key for e in report.events} == {"hubspot:contact:1", "hubspot:contact:2"}
    assert report.records_left == 1


def test_summary_counts_what_one_run_did(loop: Loop):
    loop.handed_off_pair("101")
    loop.salesforce.dead_fields = {"Status"}
    loop.hubspot.ui_set("101", lifecyclestage="salesqualifiedlead")
    loop.hubspot.ui_set("55", firstname="Ann")
    loop.deliver(loop.hubspot.take_events())
    before = baseline(loop.store)
    idle = loop.worker.run_until_idle(timeout=10)
    summary = summarize(loop.store, before, idle)
    assert summary.events == {"done": 1, "skipped": 1}
    assert (summary.commands_done, summary.dead_letters) == (0, 1)
    assert (summary.events_pending, summary.commands_pending) == (0, 0)


# -- rendering (pure) -----------------------------------------------------------------------

DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def report() -> DryRunReport:
    return DryRunReport(
        events=[SimulatedEvent(4, "hubspot:contact:101", "hubspot", "contact.propertyChange",
                               "done", "carried across")],
        would_enqueue=[PlannedCommand(None, "salesforce", "set_stage", "salesforce:lead:00Q1",
                                      "Lead 00Q1", {"Status": "Qualified"}, cause_event_id=4)],
        waiting=[PlannedCommand(12, "salesforce", "set_stage", "salesforce:lead:00Q1",
                                "Lead 00Q1", {"Status": "Working"}, attempts=2,
                                next_attempt_at=DUE)],
        would_supersede=[12],
    )  # fmt: skip


def test_preview_text_says_nothing_was_written_and_lists_both_kinds():
    text = dry_run_text(report())
    assert text.splitlines()[0] == "DRY RUN: nothing was written or stored."
    assert "  event #4 hubspot:contact:101 contact.propertyChange: done - carried across" in text
    assert "Would queue 1 write(s):" in text
    assert "  salesforce set_stage Lead 00Q1: Status='Qualified' (from event #4)" in text
    assert (
        "  #12 salesforce set_stage Lead 00Q1: Status='Working' [attempt 3 due "
        "2026-03-02 09:00:00Z] (would be superseded by a newer value)"
    ) in text


def test_preview_json_round_trips():
    data = json.loads(dry_run_json(report()))
    assert data["dry_run"] is True
    assert data["would_enqueue"][0]["fields"] == {"Status": "Qualified"}
    assert data["waiting"][0]["next_attempt_at"] == "2026-03-02T09:00:00+00:00"
    assert data["would_supersede"] == [12]


def test_summary_text():
    summary = SyncSummary(False, {"done": 3, "skipped": 1}, 2, 1, 0, 1)
    assert summary_text(summary).splitlines() == [
        "events processed: 4 (3 done, 1 skipped)",
        "writes done: 2",
        "new dead letters: 1  (see `baton dead-letters list`)",
        "still pending: 0 event(s), 1 write(s)",
        "stopped at the time limit with work left (retries wait for their due time)",
    ]
