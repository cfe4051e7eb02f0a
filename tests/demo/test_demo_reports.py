"""The read-only reports behind the dashboard, on both engines, over a known history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from demo_report_data import DAAN, HOLD_REASON, QUEUE, SANNE, fill, fill_recycling

from connector import reports
from connector.config import default_config, with_changes
from connector.reports import recycling
from connector.reports.pipeline import CONVERTED
from connector.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


def test_funnel_counts_each_crm_by_last_known_stage(filled: Store) -> None:
    with filled.session() as session:
        funnel = reports.funnel(session, status_order=["Open - Not Contacted"])
    assert [(c.stage, c.count) for c in funnel.hubspot_contacts] == [
        ("lead", 2),
        ("marketingqualifiedlead", 3),
        ("salesqualifiedlead", 1),
    ]
    # the converted lead no longer counts under its pre-conversion status
    assert [(c.stage, c.count) for c in funnel.salesforce_leads] == [
        ("Open - Not Contacted", 1),
        ("Working - Contacted", 1),
        (CONVERTED, 1),
    ]
    assert funnel.count("salesforce_leads", "Working - Contacted") == 1
    assert funnel.count("hubspot_contacts", "customer") == 0


def test_order_stages_puts_known_order_first_then_biggest() -> None:
    counts = Counter({"b": 1, "x": 5, "a": 2, CONVERTED: 9, "y": 5})
    ordered = reports.order_stages(counts, ["a", "b", "c"])
    assert [c.stage for c in ordered] == ["a", "b", "x", "y", CONVERTED]


def test_handoffs_newest_first_with_owner_and_status(filled: Store) -> None:
    with filled.session() as session:
        items = reports.handoffs(session)
        latest = reports.handoffs(session, limit=1)
    assert [h.hubspot_contact_id for h in items] == ["1005", "1003", "1002", "1001"]
    assert latest == items[:1]
    by_contact = {h.hubspot_contact_id: h for h in items}
    assert by_contact["1001"].owner_id == SANNE
    assert by_contact["1001"].salesforce_lead_id == "00Q000000000001AAA"
    assert by_contact["1001"].name == "Anouk de Jong"
    assert by_contact["1001"].company == "Zeeland Foods"
    assert by_contact["1003"].status == "pending"
    assert by_contact["1003"].salesforce_lead_id is None
    assert reports.owners_of(items) == Counter({SANNE: 1, DAAN: 1, "(org default)": 1})
    with filled.session() as session:
        assert reports.handoff_count(session) == 3  # the pending one is not counted yet


def test_held_back_leaves_out_cleared_and_handed_off_contacts(filled: Store) -> None:
    with filled.session() as session:
        held = reports.held_back(session)
    assert [(h.hubspot_contact_id, h.reason) for h in held] == [("1004", HOLD_REASON)]


def test_backlog_and_intake_count_every_state(filled: Store) -> None:
    with filled.session() as session:
        backlog = reports.backlog(session)
        intake = {i.source: i for i in reports.intake(session)}
    assert backlog.events_total == 6
    assert (backlog.events_pending, backlog.events_failed) == (1, 1)
    assert backlog.commands_pending == 1  # the queue-owned lead still being created
    assert backlog.commands_dead == 1
    assert backlog.dead_letters_open == 1
    assert backlog.open_work == 2
    assert intake["hubspot"].total == 5
    assert intake["hubspot"].echoes == 1
    assert intake["hubspot"].by_status == {"done": 2, "pending": 1, "skipped": 2}
    assert intake["salesforce"].by_status == {"failed": 1}


def test_dead_letters_carry_the_crms_words(filled: Store) -> None:
    with filled.session() as session:
        letters = reports.dead_letters(session)
    assert len(letters) == 1
    assert letters[0].error_code == "INVALID_OPTION"
    assert letters[0].command_kind == "update_fields"
    assert letters[0].record_key == "hubspot:contact:1006"


def test_recent_audit_newest_first_and_by_step(filled: Store) -> None:
    with filled.session() as session:
        lines = reports.recent_audit(session, 10)
        errors = reports.recent_audit(session, 10, steps=("error",))
    assert [line.step for line in lines] == ["error", "rule"]
    assert [line.record_key for line in errors] == ["hubspot:contact:1006"]


def test_team_of_names_the_routing_team_or_the_queue() -> None:
    config = with_changes(
        default_config(),
        {
            "routing": {
                "rules": [{"name": "all", "team": "benelux"}],
                "teams": {"benelux": {"members": [SANNE, DAAN]}},
                "fallback_queue": QUEUE,
            }
        },
    )
    assert reports.team_of(config.routing, DAAN) == "benelux"
    assert reports.team_of(config.routing, QUEUE) == "fallback queue"
    assert reports.team_of(config.routing, "0058d000000009AAAQ") is None
    assert reports.team_of(config.routing, None) is None


def test_an_empty_store_reports_nothing(store: Store) -> None:
    with store.session() as session:
        funnel = reports.funnel(session)
        assert funnel.hubspot_contacts == funnel.salesforce_leads == ()
        assert reports.handoffs(session) == []
        assert reports.held_back(session) == []
        assert reports.backlog(session).open_work == 0
        assert reports.dead_letters(session) == []


def test_recycles_count_by_reason_with_the_flagged_apart(store: Store) -> None:
    now = datetime.now(UTC)
    fill_recycling(store, now)
    recycle = default_config().recycle
    labels = {**recycle.reasons, **recycle.disqualify_reasons}
    with store.session() as session:
        week = recycling.episodes(session, since=now - timedelta(days=7))
        everything = recycling.episodes(session)
        due = recycling.pending_reactivations(session)
    assert len(everything) == 7 and len(week) == 6  # the month-old one is left out
    assert everything[0].hubspot_contact_id == "2100"  # oldest first
    back = [e for e in week if e.state in recycling.BACK_TO_MARKETING]
    rows = recycling.by_reason(back, labels)
    assert [(r.label, r.flag, r.count, r.records) for r in rows] == [
        ("Bad timing", None, 2, ("2102", "2101")),
        (recycling.NO_REASON, "missing", 1, ("2103",)),
        ("later maybe", "unknown", 1, ("2104",)),
    ]
    (disqualified,) = recycling.by_reason([e for e in week if e.state == "disqualified"], labels)
    assert (disqualified.label, disqualified.count) == ("Competitor", 1)
    assert [e.state for e in week if e.state in recycling.LEFT_ALONE] == ["parked"]
    assert [d - now for d in due] == [timedelta(days=88), timedelta(days=89)]  # not the cancelled
